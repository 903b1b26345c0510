"""The ``hxstudio sweep`` command (registered by :mod:`hxstudio.cli`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hxstudio.errors import HXStudioError

__all__ = ["add_parser", "command"]

HELP = """\
Sweep parameters of a project and write one row per point (parameter columns, seed, metric
value, error, wall time).

PARAMETERS (--param PATH=VALUES, repeat for a 2-D grid; values in the document's units: s, Hz,
CADC LSB):
  PATH is POPULATION.PARAMETER (hidden.threshold, hidden.tau_mem), POPULATION.stimulus.FIELD
  (input.stimulus.rate), PROJECTION.scale or PROJECTION.init.FIELD (input→hidden.init.mean);
  --list prints every valid path of the project.
  VALUES is START:STOP:STEP (stop included: 100:140:5), START:STOP/COUNT (1e-6:20e-6/5),
  A,B,C (a list), or ~LOW:HIGH / ~log:LOW:HIGH (random, with --samples N).

METRICS (--metric):
  rate:POP        mean firing rate in Hz         latency:POP   first spike time in s (NaN if none)
  cv:POP          CV of inter-spike intervals    membrane:POP  final membrane, CADC LSB
  accuracy:POP[:N]  Yin-Yang accuracy of the LI readout POP on N samples (default 100)

EXECUTORS (--executor):
  local           worker processes on this machine, one per core (default)
  threads         threads in this process (no start-up; small networks share one core)
  dask            a Dask LocalCluster on 127.0.0.1 (pip install "hxstudio[sweep]")
  tcp://HOST:PORT the scheduler of a running Dask cluster

example:
  hxstudio sweep --example psp --param neuron.threshold=100:140:5 \\
      --param "excitatory→neuron.scale=0.5:1.5/5" --metric latency:neuron -o table.csv
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def add_parser(sub, project_args, func) -> None:
    """Add the ``sweep`` sub-command to ``sub`` (argparse sub-parsers); ``func(args)`` runs it."""
    sp = sub.add_parser("sweep", help="sweep parameters and write a table (CSV)", description=HELP,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    project_args(sp)
    sp.add_argument("--param", action="append", default=[], metavar="PATH=VALUES",
                    help="a parameter and its values (repeatable), e.g. hidden.threshold=100:140:5")
    sp.add_argument("--metric", metavar="METRIC", help="what to measure, e.g. rate:hidden (see below)")
    sp.add_argument("--seeds", type=_positive, metavar="N",
                    help="run every point with seeds 0…N-1 (shifts the seeds of Poisson inputs and normal inits)")
    sp.add_argument("--samples", type=_positive, metavar="N", help="random draws per grid point (random axes)")
    sp.add_argument("--random-seed", type=int, default=0, metavar="S", help="seed of the random draws (default 0)")
    sp.add_argument("--executor", default="local", metavar="WHERE",
                    help="local (default), threads, dask or tcp://HOST:PORT")
    sp.add_argument("--workers", type=_positive, metavar="N", help="local workers (default: one per core)")
    sp.add_argument("--chunk-size", type=_positive, metavar="N", help="points per task (default: automatic)")
    sp.add_argument("-o", "--output", metavar="TABLE.csv", help="write the table as CSV")
    sp.add_argument("--list", action="store_true", help="list the sweepable paths of the project and exit")
    sp.set_defaults(func=func)


def command(args, load) -> None:
    """Run ``hxstudio sweep`` (``load(args)`` returns the project's network)."""
    from hxstudio.sweep import LocalExecutor, Sweep, parse_param
    from hxstudio.sweep.executors import resolve_executor
    from hxstudio.sweep.metrics import BUILTIN
    from hxstudio.sweep.space import parameter_names

    out = Path(args.output) if args.output else None
    if out is not None and not out.parent.is_dir():
        raise HXStudioError(f"-o: folder {str(out.parent)!r} does not exist")
    network = load(args)
    if args.list:
        print("\n".join(parameter_names(network)))
        print("metrics: " + ", ".join(f"{name}:POPULATION" for name in BUILTIN))
        return
    if not args.param:
        raise HXStudioError(f"sweep: give at least one --param PATH=VALUES; valid paths: "
                            f"{', '.join(parameter_names(network))}")
    if not args.metric:
        raise HXStudioError("sweep: give --metric, e.g. rate:POPULATION (see hxstudio sweep --help)")
    sweep = Sweep(network, [parse_param(p) for p in args.param], args.metric, seeds=args.seeds,
                  samples=args.samples, random_seed=args.random_seed)
    executor = args.executor
    if args.workers and executor in ("local", "threads"):
        executor = LocalExecutor(workers=args.workers, kind="auto" if executor == "local" else "thread")
    executor = resolve_executor(executor)
    print(f"{network.name}: {len(sweep)} points, metric {sweep.metric.name}"
          + (f" [{sweep.metric.unit}]" if sweep.metric.unit else "") + f", on {executor.label}",
          file=sys.stderr, flush=True)
    table = sweep.run(executor, chunk_size=args.chunk_size)
    failed = table[table["error"] != ""]
    if out is not None:
        table.to_csv(out, index=False)
        print(f"wrote {out}: {len(table)} rows", file=sys.stderr)
    else:
        with _pandas_display():
            print(table.drop(columns=["wall_time"]).to_string(index=False))
    if len(failed):
        print(f"{len(failed)} of {len(table)} points failed; first: point {failed['point'].iloc[0]}: "
              f"{failed['error'].iloc[0]}", file=sys.stderr)
    print(f"{len(table)} points in {table['wall_time'].sum():.2f} s of worker time", file=sys.stderr)


def _pandas_display():
    import pandas as pd

    return pd.option_context("display.max_rows", 200, "display.width", 200, "display.max_colwidth", 80)
