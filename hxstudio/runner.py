"""Run a network document and collect a :class:`~hxstudio.result.Result`."""

from __future__ import annotations

import numpy as np
import torch

from hxstudio.network import Network
from hxstudio.result import PopulationResult, Result
from hxstudio.translate import build

__all__ = ["run", "collect"]


def run(network: Network, hxsnn=None, spikes: dict | None = None) -> Result:
    """Simulate ``network`` and return its observables.

    Args:
        network: the document (validated on construction); ``network.target`` picks where it
            runs (:mod:`hxstudio.targets`).
        hxsnn: module namespace (default: :func:`hxstudio.targets.namespace` of the target,
            ``hxtorch.spiking`` for ``"hardware"``, else :mod:`hxstudio.backend`; spec §2).
        spikes: optional input population name → spikes ``(T, B, N)`` replacing its stimulus;
            ``B`` becomes the batch size of the run (see :func:`hxstudio.translate.build`).

    Returns:
        :class:`Result` with, per population, ``spikes``, ``membrane_cadc`` and ``current`` of
        shape ``(T, 1, N)`` (float32), ``adaptation_cadc`` ``(T, 1, N)`` for AELIF populations
        with adaptation, and the time axis ``time = k·dt`` in s; off the mock, the
        MADC population also has ``membrane_madc``/``madc_time`` ``(S, B)`` (spec §7.3).

    Raises:
        TargetUnavailableError: target ``"hardware"`` without hxtorch (``hxsnn`` not given).
        ResourceError: the emulator cannot place the network (e.g. more than 512 neurons).

    Recurrent projections (cycles) run in a
    :class:`~hxstudio.backend.nir.RecurrentGroup` (see :mod:`hxstudio.translate`).
    """
    if hxsnn is None:
        from hxstudio.targets import namespace

        hxsnn = namespace(network.target)
    with torch.no_grad():
        batch = next(iter(spikes.values())).shape[1] if spikes else 1
        built = build(network, hxsnn, batch=batch, spikes=spikes)
        hxsnn.run(built.experiment, built.steps)
    return collect(network, built)


def collect(network: Network, built, chunk=None) -> Result:
    """The :class:`Result` of a built and executed network (see :func:`run`), or of one chunk of
    a chunked run (:class:`hxstudio.backend.stream.Chunk`): then its arrays hold steps
    ``[chunk.start, chunk.stop)`` and ``time = k·dt`` for those ``k``."""
    start, stop = (0, built.steps) if chunk is None else (chunk.start, chunk.stop)
    result = Result(time=np.arange(start, stop) * network.dt, dt=network.dt, target=network.target)
    for pop in network.populations:
        handle = built.handles[pop.name] if chunk is None else chunk[built.handles[pop.name]]
        keep = pop.kind != "input" and network.recorded(pop.name)
        result.populations[pop.name] = PopulationResult(
            name=pop.name,
            kind=pop.kind,
            spikes=_numpy(getattr(handle, "spikes", None)) if pop.kind != "LI" else None,
            membrane_cadc=_numpy(handle.membrane_cadc) if keep else None,
            current=_numpy(handle.current) if keep else None,
            adaptation_cadc=_numpy(getattr(handle, "adaptation_cadc", None)) if keep else None,
            **_madc(handle, built.madc, pop.name),
        )
    return result


def _madc(handle, probe, name: str) -> dict:
    """``membrane_madc``/``madc_time`` ``(S, B)`` from the raw ``(2, S, B)`` MADC data (row 0:
    timestamps in FPGA cycles, row 1: 10-bit values; spec §7.3) of the MADC population."""
    raw = getattr(handle, "membrane_madc", None)
    if raw is None or not probe or probe[0] != name:
        return {}
    from hxstudio.backend.chip.adc import FPGA_CLOCK_HZ

    raw = _numpy(raw)
    return {"membrane_madc": raw[1], "madc_time": raw[0].astype(np.float64) / FPGA_CLOCK_HZ, "madc_neuron": probe[1]}


def _numpy(tensor):
    return None if tensor is None else tensor.detach().to(torch.float32).cpu().numpy()
