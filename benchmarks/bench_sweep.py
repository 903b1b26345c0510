"""Throughput of parameter sweeps: in-process executors against a 2-worker Dask LocalCluster.

The sweep is a 20 × 20 grid over the PSP example (:func:`hxstudio.examples.psp`): the neuron's
threshold (100…140 CADC LSB) × the excitatory weight scale (0.5…1.5), metric ``latency:neuron``;
400 simulations of 120 steps. Every executor runs the same sweep and must give the same table.

Modes (all in this run, one after the other):

* ``serial``: one worker thread in this process (the baseline);
* ``threads``: :class:`~hxstudio.sweep.LocalExecutor` ``kind="thread"``, 2 threads, torch limited
  to 1 intra-op thread each;
* ``local``: the default :class:`~hxstudio.sweep.LocalExecutor` (``kind="auto"``): a thread of
  this process first, worker processes once the sweep is long enough (its warm-up round is a cold
  start; in the timed rounds the processes are already up);
* ``processes``: :class:`~hxstudio.sweep.LocalExecutor` ``kind="process"``, 2 spawned worker
  processes with 1 torch thread each;
* ``dask``: a ``LocalCluster`` of 2 worker processes × 1 thread on 127.0.0.1 through
  :class:`~hxstudio.sweep.DaskExecutor`.

``warm-up`` is the first sweep of each mode, including its one-off cost (spawning workers,
importing torch, the first run), which is paid once per Python process for ``processes`` (the pool
is reused) and once per cluster for ``dask`` (cluster start included). Then ``--repeats`` rounds
run every mode once, interleaved, so other load on the machine hits each mode alike; ``best`` and
``median`` are over those rounds, ``sims/s`` = simulations / best, ``ratio`` is sims/s relative to
``serial``. The machine's load average is printed with the table.

Usage::

    python benchmarks/bench_sweep.py              # 20 × 20 grid, 5 rounds
    python benchmarks/bench_sweep.py --grid 10 --repeats 2
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time


def make_sweep(grid: int):
    import numpy as np

    from hxstudio.examples import psp
    from hxstudio.sweep import Sweep

    return Sweep(psp(), {"neuron.threshold": np.linspace(100, 140, grid),
                         "excitatory→neuron.scale": np.linspace(0.5, 1.5, grid)}, metric="latency:neuron")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grid", type=int, default=20, help="points per axis (default 20: 400 simulations)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds after the warm-up round")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    from hxstudio.sweep import DaskExecutor, LocalExecutor, shutdown

    sweep = make_sweep(args.grid)
    n = len(sweep)
    client = cluster = None

    def dask_client():
        nonlocal client, cluster
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)

    modes = {
        "serial": (1, None, lambda: LocalExecutor(workers=1, kind="thread")),
        "threads": (2, None, lambda: LocalExecutor(workers=2, kind="thread")),
        "local": (2, None, lambda: LocalExecutor(workers=2)),
        "processes": (2, None, lambda: LocalExecutor(workers=2, kind="process")),
        "dask": (2, dask_client, lambda: DaskExecutor(client=client)),
    }
    startup, times, reference = {}, {name: [] for name in modes}, None
    try:
        # warm-up round: start every executor once (spawn, imports, first run) and check the tables
        for name, (_, setup, factory) in modes.items():
            t = time.perf_counter()
            if setup is not None:
                setup()
            table = sweep.run(factory())
            startup[name] = time.perf_counter() - t
            reference = table if reference is None else reference
            assert table["value"].equals(reference["value"]), f"{name} gives a different table"
            print(f"  warm-up {name}: {startup[name]:.2f} s", flush=True)
        # timed rounds, modes interleaved so that other load on the machine hits each mode alike
        for _ in range(args.repeats):
            for name, (_, _, factory) in modes.items():
                t = time.perf_counter()
                sweep.run(factory())
                times[name].append(time.perf_counter() - t)
    finally:
        if client is not None:
            client.close()
            cluster.close()
        shutdown()

    base = n / min(times["serial"])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"sweep: {args.grid} × {args.grid} grid of the PSP example = {n} simulations; "
          f"{os.cpu_count()} cores, load average {load}; best and median of {args.repeats} rounds")
    print(f"{'mode':<10} {'workers':>7} {'warm-up s':>9} {'best s':>7} {'median s':>8} {'sims/s':>7} {'ratio':>6}")
    for name, (workers, _, _) in modes.items():
        best, median = min(times[name]), statistics.median(times[name])
        print(f"{name:<10} {workers:>7} {startup[name]:>9.2f} {best:>7.2f} {median:>8.2f} {n / best:>7.0f} "
              f"{n / best / base:>6.2f}")


if __name__ == "__main__":
    main()
