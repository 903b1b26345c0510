"""Run a network document and collect a :class:`~hxstudio.result.Result`."""

from __future__ import annotations

import numpy as np
import torch

from hxstudio.network import Network
from hxstudio.result import PopulationResult, Result
from hxstudio.translate import build

__all__ = ["run"]


def run(network: Network, hxsnn=None, spikes: dict | None = None) -> Result:
    """Simulate ``network`` and return its observables.

    Args:
        network: the document (validated on construction).
        hxsnn: module namespace (default :mod:`hxstudio.backend`, the mock; spec §2).
        spikes: optional input population name → spikes ``(T, B, N)`` replacing its stimulus;
            ``B`` becomes the batch size of the run (see :func:`hxstudio.translate.build`).

    Returns:
        :class:`Result` with, per population, ``spikes``, ``membrane_cadc`` and ``current`` of
        shape ``(T, 1, N)`` (float32) and the time axis ``time = k·dt`` in s.

    Recurrent projections (cycles) run in a
    :class:`~hxstudio.backend.nir.RecurrentGroup` (see :mod:`hxstudio.translate`).
    """
    if hxsnn is None:
        import hxstudio.backend as hxsnn
    with torch.no_grad():
        batch = next(iter(spikes.values())).shape[1] if spikes else 1
        built = build(network, hxsnn, batch=batch, spikes=spikes)
        hxsnn.run(built.experiment, built.steps)
    result = Result(time=np.arange(built.steps) * network.dt, dt=network.dt, target=network.target)
    for pop in network.populations:
        handle = built.handles[pop.name]
        keep = pop.kind != "input" and network.recorded(pop.name)
        result.populations[pop.name] = PopulationResult(
            name=pop.name,
            kind=pop.kind,
            spikes=_numpy(getattr(handle, "spikes", None)) if pop.kind != "LI" else None,
            membrane_cadc=_numpy(handle.membrane_cadc) if keep else None,
            current=_numpy(handle.current) if keep else None,
        )
    return result


def _numpy(tensor):
    return None if tensor is None else tensor.detach().to(torch.float32).cpu().numpy()
