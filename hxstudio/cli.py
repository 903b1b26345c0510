"""The ``hxstudio`` command line.

Commands:
    hxstudio serve [PROJECT.json] [--example NAME] [--port 5006] [--show]
    hxstudio run PROJECT.json [--example NAME] [--target mock|emulator|hardware] [--out result.npz]
    hxstudio example NAME [-o FILE.json]
    hxstudio sweep PROJECT.json --param PATH=VALUES [--param …] --metric NAME:POP [--seeds N]
                  [--executor local|threads|dask|tcp://HOST:PORT] [-o table.csv]
    hxstudio import FILE.nir [-o PROJECT.json] [--time-unit auto|s|ms|steps|hardware_s] [--dt SECONDS]
    hxstudio export PROJECT.json --to nir [-o FILE.nir] [--time-unit s|ms|steps|hardware_s]
    hxstudio export PROJECT.json --to hxtorch [-o model.py]

Bad input (an invalid project, a parameter outside its calibrated range) prints one line starting
with ``error:`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hxstudio.errors import HXStudioError, ProjectFileError

__all__ = ["main"]


def _load(args):
    from hxstudio.examples import load_example
    from hxstudio.network import Network

    if args.project and args.example:
        raise HXStudioError("give either PROJECT.json or --example, not both")
    if args.project:
        try:
            return Network.load(args.project)
        except HXStudioError as exc:  # name the file: the message names the object inside it
            raise ProjectFileError(f"{args.project}: {exc}") from exc
    return load_example(args.example or "yinyang")


def _cmd_run(args) -> None:
    from hxstudio.runner import run

    out = None
    if args.out:
        out = Path(args.out).with_suffix(".npz")
        if not out.parent.is_dir():  # fail before a long simulation, not after
            raise HXStudioError(f"--out: folder {str(out.parent)!r} does not exist")
    network = _load(args)
    if args.target:
        network.set(target=args.target)
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


def _cmd_import(args) -> None:
    import warnings

    from hxstudio.nir_io import import_nir

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network = import_nir(args.file, time_unit=args.time_unit, dt=args.dt)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    text = network.to_json()
    info = sys.stdout if args.output else sys.stderr
    print(f"{network.name}: {len(network.populations)} populations, {len(network.projections)} projections, "
          f"dt = {network.dt * 1e6:g} µs (hardware time)", file=info)
    for flag in network.flags():
        print(f"  ⚠ {flag}", file=info)
    if args.output:
        Path(args.output).write_text(text)
        print(f"wrote {args.output}")
    else:
        print(text)


def _cmd_export(args) -> None:
    import warnings

    from hxstudio.nir_io import write_nir

    network = _load(args)
    if args.to == "hxtorch":
        from hxstudio.codegen import export_hxtorch

        script = export_hxtorch(network)
        output = args.output or (Path(args.project).with_suffix(".py").name if args.project else f"{args.example or 'yinyang'}.py")
        Path(output).write_text(script)
        print(f"wrote {output} (hxtorch.spiking script, target {network.target!r}; run: python {output} [OUT.npz])")
        return
    output = args.output or (Path(args.project).with_suffix(".nir").name if args.project else f"{args.example or 'yinyang'}.nir")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_nir(network, output, time_unit=args.time_unit)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    print(f"wrote {output} (NIR, time constants in {args.time_unit!r})")


def _cmd_sweep(args) -> None:
    from hxstudio.sweep.cli import command

    command(args, _load)


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
    sp.add_argument("--target", choices=["mock", "emulator", "hardware"],
                    help="where to run (default: the project's target): mock = ideal numerics, emulator = "
                         "emulated BrainScaleS-2 chip, hardware = BrainScaleS-2 through hxtorch")
    sp.set_defaults(func=_cmd_run)

    sp = sub.add_parser("example", help="write a built-in example project as JSON")
    sp.add_argument("name", choices=sorted(EXAMPLES))
    sp.add_argument("-o", "--output", help="file to write (default: stdout)")
    sp.set_defaults(func=_cmd_example)

    from hxstudio.nir_io import IMPORT_TIME_UNITS

    sp = sub.add_parser("import", help="turn a NIR graph (.nir) into a project (.json)")
    sp.add_argument("file", help="NIR file (.nir, HDF5)")
    sp.add_argument("-o", "--output", help="project file to write (default: JSON on stdout)")
    sp.add_argument("--time-unit", choices=IMPORT_TIME_UNITS, default="auto",
                    help="unit of the file's time constants: s = biological seconds (BSS-2 runs 1000x "
                         "faster), ms = hxtorch's reading (same numbers), steps = time steps, "
                         "hardware_s = BSS-2 seconds; auto (default): from the file, else s")
    sp.add_argument("--dt", type=float, help="integration step in s of hardware time (default: from the file)")
    sp.set_defaults(func=_cmd_import)

    sp = sub.add_parser("export", help="write a project in another format (NIR, hxtorch script)")
    project_args(sp)
    sp.add_argument("--to", choices=["nir", "hxtorch"], required=True,
                    help="output format: nir (.nir graph) or hxtorch (a runnable hxtorch.spiking script, .py)")
    sp.add_argument("-o", "--output", help="file to write (default: the project's name with the format's suffix)")
    sp.add_argument("--time-unit", choices=IMPORT_TIME_UNITS[1:], default="s",
                    help="unit of the written time constants (default s: biological seconds)")
    sp.set_defaults(func=_cmd_export)

    from hxstudio.sweep.cli import add_parser as add_sweep_parser

    add_sweep_parser(sub, project_args, _cmd_sweep)
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
