"""Translate a network document into hxtorch.spiking-style modules.

The modules come from a *namespace* passed in: :mod:`hxstudio.backend` (mock) by default, or the
real ``hxtorch.spiking`` on hardware; both have the same names (``Experiment``, ``InputNeuron``,
``Synapse``, ``LIF``, ``LI``, ``run``, handles and parameter classes; spec §1).

Mapping (document → module):
    * input population → ``InputNeuron(size)`` fed with ``LIFObservables(spikes=...)``;
    * LIF / LI population → ``LIF``/``LI`` with every catalogue parameter as a hardware value;
      potentials are plain numbers (``HXParameter``: model value = hardware value, CADC LSB),
      ``membrane_capacitance`` becomes ``HXTransformedModelParameter(c/63·10 µs, m ↦ m/10 µs·63)``,
      hxtorch's default transform (spec §5.1);
    * projection → ``Synapse(source.size, target.size)`` with ``weight = scale · W``;
    * several projections into one population are summed by the neuron (spec §5.1 step 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hxstudio.errors import ValidationError
from hxstudio.network import ConstantInit, MatrixInit, Network, NormalInit
from hxstudio.stimuli import stimulus_spikes

__all__ = ["Built", "build", "weights", "order"]

#: Model capacitance of 63 CapMem LSB (hxtorch's default ``membrane_capacitance``, spec §5.1).
C_FULL_SCALE = 10e-6


@dataclass
class Built:
    """The modules of one network, in execution order, and their output handles."""

    experiment: object
    modules: dict = field(default_factory=dict)   # population or projection name → module
    handles: dict = field(default_factory=dict)   # population name → output handle
    steps: int = 0


def weights(network: Network, projection) -> np.ndarray:
    """The weight matrix ``scale · W`` of a projection, float32, shape ``(target.size, source.size)``."""
    shape = (network.population(projection.target).size, network.population(projection.source).size)
    init = projection.init
    if isinstance(init, ConstantInit):
        w = np.full(shape, init.value)
    elif isinstance(init, NormalInit):
        w = np.random.default_rng(init.seed).normal(init.mean, init.std, shape)
    elif isinstance(init, MatrixInit):
        w = np.asarray(init.weight, dtype=np.float64)
    else:  # pragma: no cover - the document admits no other kind
        raise TypeError(f"unknown weight init {init!r}")
    return (projection.scale * w).astype(np.float32)


def order(network: Network) -> list:
    """Populations in topological order of the projections.

    Raises:
        ValidationError: for recurrent projections (a cycle), naming the populations involved.
    """
    incoming = {p.name: {j.source for j in network.projections if j.target == p.name} for p in network.populations}
    done, out = set(), []
    while len(out) < len(network.populations):
        ready = [p for p in network.populations if p.name not in done and incoming[p.name] <= done]
        if not ready:
            cycle = [p.name for p in network.populations if p.name not in done]
            raise ValidationError(
                f"network: recurrent projections among {', '.join(cycle)} are not supported yet; "
                "the projections must form a feed-forward graph"
            )
        for p in ready:
            done.add(p.name)
            out.append(p)
    return out


def _neuron_kwargs(hxsnn, population) -> dict:
    kw = dict(population.params)
    c = kw.pop("membrane_capacitance")
    kw["membrane_capacitance"] = hxsnn.HXTransformedModelParameter(
        c / 63.0 * C_FULL_SCALE, lambda m: m / C_FULL_SCALE * 63.0
    )
    return kw


def build(network: Network, hxsnn=None, batch: int = 1) -> Built:
    """Create the experiment and register every module with its input (no run yet).

    Args:
        network: a validated document.
        hxsnn: module namespace with hxtorch.spiking's names; default :mod:`hxstudio.backend`.
        batch: batch size ``B`` (every entry gets the same stimulus).

    Returns:
        :class:`Built`; call ``hxsnn.run(built.experiment, built.steps)`` to execute it.
    """
    import torch

    if hxsnn is None:
        import hxstudio.backend as hxsnn
    steps = network.steps
    exp = hxsnn.Experiment(mock=network.target == "mock", dt=network.dt)
    built = Built(experiment=exp, steps=steps)
    for pop in order(network):
        if pop.kind == "input":
            spikes = stimulus_spikes(pop.stimulus, pop.size, steps, network.dt)
            spikes = torch.from_numpy(spikes)[:, None, :].expand(steps, batch, pop.size).contiguous()
            module = hxsnn.InputNeuron(pop.size, exp)
            built.handles[pop.name] = module(hxsnn.LIFObservables(spikes=spikes))
        else:
            inputs = []
            for j in network.projections:
                if j.target != pop.name:
                    continue
                src = network.population(j.source)
                syn = hxsnn.Synapse(src.size, pop.size, exp)
                syn.weight.data = torch.from_numpy(weights(network, j))
                built.modules[j.name] = syn
                inputs.append(syn(built.handles[j.source]))
            if not inputs:  # an unconnected neuron population still runs: it relaxes at its leak
                inputs.append(hxsnn.SynapseHandle(graded_spikes=torch.zeros(steps, batch, pop.size)))
            cls = hxsnn.LIF if pop.kind == "LIF" else hxsnn.LI
            module = cls(pop.size, exp, **_neuron_kwargs(hxsnn, pop))
            built.handles[pop.name] = module(*inputs)
        built.modules[pop.name] = module
    return built
