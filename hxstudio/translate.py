"""Translate a network document into hxtorch.spiking-style modules.

The modules come from a *namespace* passed in: :mod:`hxstudio.backend` (mock) by default, or the
real ``hxtorch.spiking`` on hardware; both have the same names (``Experiment``, ``InputNeuron``,
``Synapse``, ``AELIF``, ``LIF``, ``LI``, ``run``, handles and parameter classes; spec §1).

Mapping (document → module):
    * input population → ``InputNeuron(size)`` fed with ``LIFObservables(spikes=...)``;
    * LIF / LI population → ``LIF``/``LI`` with every catalogue parameter as a hardware value;
      potentials are plain numbers (``HXParameter``: model value = hardware value, CADC LSB),
      ``membrane_capacitance`` becomes ``HXTransformedModelParameter(c/63·10 µs, m ↦ m/10 µs·63)``,
      hxtorch's default transform (spec §5.1);
    * AELIF population → ``AELIF`` (spec §5.1) the same way, plus its AdEx parameters
      (``exponential_threshold``, ``exponential_slope``, ``subthreshold_adaptation_strength``,
      ``spike_triggered_adaptation_increment``, ``tau_adap``) as plain numbers and its switches
      (``exponential``, ``subthreshold_adaptation``, ``spike_triggered_adaptation``) as keywords;
      ``leaky`` and ``fire`` keep their default ``True``. As in hxtorch, plain AdEx numbers are
      model values; on BSS-2 hxtorch would write them raw into CapMem (spec §5.1);
    * projection → ``Synapse(source.size, target.size)`` with ``weight = scale · W``;
    * several projections into one population are summed by the neuron (spec §5.1 step 3);
    * a per-neuron parameter (a list in the document) becomes a ``(N,)`` tensor;
    * populations on a cycle of projections (recurrence, e.g. a self-projection) run together in
      a :class:`~hxstudio.backend.nir.RecurrentGroup` (an ``HXModuleWrapper``, spec §5.10) that
      steps them in document order: a projection from an earlier population of the cycle arrives
      in the same step, one from the same or a later population one step later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hxstudio.network import ConstantInit, MatrixInit, Network, NormalInit
from hxstudio.stimuli import stimulus_spikes

__all__ = ["Built", "build", "weights", "order", "groups", "madc_kwargs"]

#: Model capacitance of 63 CapMem LSB (hxtorch's default ``membrane_capacitance``, spec §5.1).
C_FULL_SCALE = 10e-6


@dataclass
class Built:
    """The modules of one network, in execution order, and their output handles."""

    experiment: object
    modules: dict = field(default_factory=dict)   # population or projection name → module
    handles: dict = field(default_factory=dict)   # population name → output handle
    steps: int = 0
    wrappers: list = field(default_factory=list)  # RecurrentGroup per recurrent group
    madc: tuple | None = None                     # (population, neuron) the MADC records, if any


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


def groups(network: Network) -> list:
    """Populations grouped by cycles of projections, groups in topological order.

    Returns:
        list of lists of populations (document order inside a group); a group of several
        populations, or one with a self-projection, is recurrent.
    """
    from hxstudio.backend.nir.graph import condensation

    names = [p.name for p in network.populations]
    links = [(j.source, j.target) for j in network.projections]
    return [[network.population(n) for n in group] for group in condensation(names, links)]


def order(network: Network) -> list:
    """Populations in topological order of the projections (recurrent groups kept together)."""
    return [p for group in groups(network) for p in group]


def _recurrent(network: Network, group) -> bool:
    names = {p.name for p in group}
    return len(group) > 1 or any(j.source in names and j.target in names for j in network.projections)


def _value(value):
    """A document parameter value for a module: a number, or a float32 tensor for per-neuron lists."""
    if isinstance(value, list):
        import torch

        return torch.tensor(value, dtype=torch.float32)
    return value


def _neuron_kwargs(hxsnn, population) -> dict:
    kw = {name: _value(value) for name, value in population.params.items()}
    c = kw.pop("membrane_capacitance")
    kw["membrane_capacitance"] = hxsnn.HXTransformedModelParameter(
        c / 63.0 * C_FULL_SCALE, lambda m: m / C_FULL_SCALE * 63.0
    )
    return kw


def build(network: Network, hxsnn=None, batch: int = 1, spikes: dict | None = None) -> Built:
    """Create the experiment and register every module with its input (no run yet).

    Args:
        network: a validated document; ``network.target`` sets ``Experiment(mock=…)`` (``True``
            only for ``"mock"``) and, off the mock, the neuron the MADC records
            (:meth:`~hxstudio.network.Network.madc_probe`: ``enable_madc_recording=True,
            record_neuron_id=k`` on its module, spec §7.3).
        hxsnn: module namespace with hxtorch.spiking's names; default:
            :func:`hxstudio.targets.namespace` of ``network.target`` (``hxtorch.spiking`` for
            ``"hardware"``, else :mod:`hxstudio.backend`).
        batch: batch size ``B`` (every entry gets the same stimulus).
        spikes: optional input population name → spikes ``(T, B, N)`` (0/1) used instead of
            its stimulus (one stimulus per batch entry, e.g. several dataset samples).

    Returns:
        :class:`Built`; call ``hxsnn.run(built.experiment, built.steps)`` to execute it.

    Raises:
        TargetUnavailableError: ``hxsnn`` is not given, the target is ``"hardware"`` and
            hxtorch does not import.
    """
    import torch

    if hxsnn is None:
        from hxstudio.targets import namespace

        hxsnn = namespace(network.target)
    steps = network.steps
    exp = hxsnn.Experiment(mock=network.target == "mock", dt=network.dt)
    built = Built(experiment=exp, steps=steps, madc=None if network.target == "mock" else network.madc_probe())
    for group in groups(network):
        if _recurrent(network, group):
            _build_recurrent(network, hxsnn, built, group, batch)
            continue
        pop = group[0]
        if pop.kind == "input":
            if spikes and pop.name in spikes:
                given = torch.as_tensor(spikes[pop.name], dtype=torch.float32)
            else:
                given = torch.from_numpy(stimulus_spikes(pop.stimulus, pop.size, steps, network.dt))
                given = given[:, None, :].expand(steps, batch, pop.size).contiguous()
            module = _named(hxsnn.InputNeuron(pop.size, exp), pop.name)
            built.handles[pop.name] = module(hxsnn.LIFObservables(spikes=given))
        else:
            inputs = [_synapse(network, hxsnn, built, j)(built.handles[j.source])
                      for j in network.projections if j.target == pop.name]
            if not inputs:  # an unconnected neuron population still runs: it relaxes at its leak
                inputs.append(hxsnn.SynapseHandle(graded_spikes=torch.zeros(steps, batch, pop.size)))
            module = _neuron(hxsnn, exp, pop, **madc_kwargs(built.madc, pop.name))
            built.handles[pop.name] = module(*inputs)
        built.modules[pop.name] = module
    return built


def _synapse(network: Network, hxsnn, built: Built, projection):
    import torch

    syn = hxsnn.Synapse(network.population(projection.source).size,
                        network.population(projection.target).size, built.experiment)
    syn.weight.data = torch.from_numpy(weights(network, projection))
    built.modules[projection.name] = _named(syn, projection.name)
    return syn


def _named(module, name: str):
    """``module`` with ``.name`` set to the document's name: the emulator's resource and MADC
    errors name populations by it (else by class and graph node)."""
    module.name = name
    return module


def madc_kwargs(probe, name: str) -> dict:
    """Module keywords that make population ``name`` record neuron ``k`` on the MADC when
    ``probe == (name, k)`` (spec §5.2, §7.3); ``{}`` otherwise."""
    return {"enable_madc_recording": True, "record_neuron_id": probe[1]} if probe and probe[0] == name else {}


def _neuron(hxsnn, exp, pop, **extra):
    cls = {"LIF": hxsnn.LIF, "LI": hxsnn.LI, "AELIF": hxsnn.AELIF}[pop.kind]
    return _named(cls(pop.size, exp, **_neuron_kwargs(hxsnn, pop), **extra), pop.name)


def _build_recurrent(network: Network, hxsnn, built: Built, group, batch: int) -> None:
    """Register the populations of one cycle and their projections as a RecurrentGroup."""
    import torch

    from hxstudio.backend.nir.recurrent import RecurrentGroup

    names = {p.name for p in group}
    members, internal, external = {}, [], {}
    for pop in group:
        members[pop.name] = built.modules[pop.name] = _neuron(hxsnn, built.experiment, pop,
                                                              **madc_kwargs(built.madc, pop.name))
    for pop in group:
        external[pop.name] = []
        for j in network.projections:
            if j.target != pop.name:
                continue
            syn = _synapse(network, hxsnn, built, j)
            if j.source in names:
                internal.append((syn, j.source, j.target))
            else:
                external[pop.name].append(syn(built.handles[j.source]))
        if not external[pop.name]:  # fixes T and B for the group; no effect on the numbers
            external[pop.name].append(
                hxsnn.SynapseHandle(graded_spikes=torch.zeros(built.steps, batch, pop.size)))
    wrapper = RecurrentGroup(built.experiment, members, internal)
    for pop, handle in zip(group, wrapper.connect(external)):
        built.handles[pop.name] = handle
    built.wrappers.append(wrapper)
