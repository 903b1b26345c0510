"""The ``hxstudio`` command line.

Commands:
    hxstudio serve [PROJECT.json] [--example NAME] [--port 5006] [--show]
    hxstudio run PROJECT.json [--example NAME] [--out result.npz]
    hxstudio example NAME [-o FILE.json]

Bad input (an invalid project, a parameter outside its calibrated range) prints one line starting
with ``error:`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hxstudio.errors import HXStudioError

__all__ = ["main"]


def _load(args):
    from hxstudio.examples import load_example
    from hxstudio.network import Network

    if args.project and args.example:
        raise HXStudioError("give either PROJECT.json or --example, not both")
    if args.project:
        return Network.load(args.project)
    return load_example(args.example or "yinyang")


def _cmd_run(args) -> None:
    from hxstudio.runner import run

    out = None
    if args.out:
        out = Path(args.out).with_suffix(".npz")
        if not out.parent.is_dir():  # fail before a long simulation, not after
            raise HXStudioError(f"--out: folder {str(out.parent)!r} does not exist")
    network = _load(args)
    result = run(network)
    print(f"{network.name}: {len(result.time)} steps of {network.dt * 1e6:g} µs on the {result.target}")
    rates = result.mean_rates()
    width = max((len(n) for n in result.populations), default=0)
    for name, pop in result.populations.items():
        if pop.spikes is not None:
            print(f"  {name:<{width}}  {int(pop.spikes.sum()):6d} spikes  "
                  f"{rates[name] / 1e3:10.3f} kHz mean rate (hardware time)")
        elif pop.membrane_cadc is not None:
            print(f"  {name:<{width}}  membrane {pop.membrane_cadc.min():.2f} … {pop.membrane_cadc.max():.2f} CADC LSB")
    if out is not None:
        result.save_npz(out)
        print(f"wrote {out}: " + ", ".join(f"{k} {v.shape}" for k, v in result.arrays().items()))


def _cmd_serve(args) -> None:
    from hxstudio.app import serve

    serve(_load(args), port=args.port, show=args.show)


def _cmd_example(args) -> None:
    from hxstudio.examples import load_example

    text = load_example(args.name).to_json()
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
        print(f"wrote {args.output}")
    else:
        print(text)


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1…65535")
    return port


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hxstudio`` command."""
    from hxstudio.examples import EXAMPLES

    p = argparse.ArgumentParser(prog="hxstudio", description="Draw, run and watch spiking networks for BrainScaleS-2.")
    sub = p.add_subparsers(dest="command", required=True)

    def project_args(sp):
        sp.add_argument("project", nargs="?", help="project file (.json); default: the built-in Yin-Yang example")
        sp.add_argument("--example", choices=sorted(EXAMPLES), help="open a built-in example instead")

    sp = sub.add_parser("serve", help="open the studio in the browser (127.0.0.1)")
    project_args(sp)
    sp.add_argument("--port", type=_port, default=5006, help="port on 127.0.0.1 (default 5006)")
    sp.add_argument("--show", action="store_true", help="open a browser tab")
    sp.set_defaults(func=_cmd_serve)

    sp = sub.add_parser("run", help="run a project and print spike counts and rates")
    project_args(sp)
    sp.add_argument("--out", help="write spikes, membrane_cadc, current and time to this .npz")
    sp.set_defaults(func=_cmd_run)

    sp = sub.add_parser("example", help="write a built-in example project as JSON")
    sp.add_argument("name", choices=sorted(EXAMPLES))
    sp.add_argument("-o", "--output", help="file to write (default: stdout)")
    sp.set_defaults(func=_cmd_example)
    return p


def main(argv=None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except (HXStudioError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
