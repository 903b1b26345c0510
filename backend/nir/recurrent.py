"""Recurrent networks: integrate populations that feed each other one time step at a time.

The neuron modules integrate a whole ``(T, B, N)`` input at once, so a loop (a population feeding
itself, or A → B → A) cannot run as separate modules; hxtorch expects such cycles to be wrapped
in an :class:`~hxstudio.backend.HXModuleWrapper` (spec §2.4, §5.10). :class:`RecurrentGroup` is
that wrapper for populations and the projections between them.

Timing: the populations are stepped in the order given. A projection from a population earlier
in that order reaches its target in the same step, exactly as between feed-forward modules (the
spikes ``z[t]`` of the source enter the target's current at step ``t``); a projection from the
same or a later population (a back edge, e.g. a self-projection) carries ``z[t−1]``, the smallest
causal delay. Each step runs the step code of
:class:`~hxstudio.backend.functional.CuBaStepCode`, the same code
:func:`~hxstudio.backend.functional.cuba_aelif_integration` executes, so a population without
recurrent input produces exactly what its module would.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Tuple

import torch

from ..functional import CuBaStepCode
from ..functional.aelif import sum_inputs
from ..functional.refractory import refractory_update
from ..functional.superspike import threshold as threshold_function
from ..functional.unterjubel import Unterjubel
from ..handle import HandleBase, LIFObservables, SynapseHandle
from ..modules import HXModuleWrapper

__all__ = ["RecurrentGroup"]


class _Stepper:
    """The state and step code of one population (the arguments AELIF passes to its integrator)."""

    def __init__(self, module: Any, shape: Tuple[int, int], dtype: torch.dtype, device: Any):
        flags = dict(leaky=module.leaky, fire=module.fire, exponential=module.exponential,
                     subthreshold_adaptation=module.subthreshold_adaptation,
                     spike_triggered_adaptation=module.spike_triggered_adaptation)
        refractory = bool(module.fire and torch.as_tensor(module.refractory_time.model_value).ne(0).any())
        self.code = compile(CuBaStepCode(refractory=refractory, **flags).generate(),
                            "<integration_step_code>", "exec")
        c_mem = module.membrane_capacitance.model_value
        leak = module.leak.model_value
        zeros = torch.zeros(shape, dtype=dtype, device=device)
        self.fire = module.fire
        self.adaptation = module.subthreshold_adaptation or module.spike_triggered_adaptation
        self.ns: Dict[str, Any] = dict(
            torch=torch, threshold_function=threshold_function, Unterjubel=Unterjubel,
            refractory_update=refractory_update,
            leak=leak, reset=module.reset.model_value, threshold=module.threshold.model_value,
            tau_syn=module.tau_syn.model_value, c_mem=c_mem,
            g_l=c_mem / module.tau_mem.model_value,
            refractory_time=module.refractory_time.model_value, method=module.method,
            alpha=module.alpha, exp_slope=module.exponential_slope.model_value,
            exp_threshold=module.exponential_threshold.model_value,
            subthreshold_adaptation_strength=module.subthreshold_adaptation_strength.model_value,
            spike_triggered_adaptation_increment=(
                module.spike_triggered_adaptation_increment.model_value),
            tau_adap=module.tau_adap.model_value, dt=module.experiment.dt,
            i=zeros, z=zeros, w=zeros, r=zeros, v_hw=None, w_hw=None, z_hw=None,
            v=zeros + leak if (module.leaky or module.subthreshold_adaptation) else zeros,
        )
        self.clear()

    def clear(self) -> None:
        """Forget the recorded steps (the state stays)."""
        self.membrane: List[torch.Tensor] = []
        self.current: List[torch.Tensor] = []
        self.spikes: List[torch.Tensor] = []
        self.adaptation_trace: List[torch.Tensor] = []

    def step(self, x: torch.Tensor) -> torch.Tensor:
        """Advance one step with input ``x`` ``(B, N)``; return the spikes ``(B, N)``."""
        self.ns["x"] = x
        exec(self.code, self.ns)
        self.membrane.append(self.ns["v"])
        self.current.append(self.ns["i"])
        self.spikes.append(self.ns["z"])
        self.adaptation_trace.append(self.ns["w"])
        return self.ns["z"]

    def handle_values(self) -> Dict[str, Any]:
        values = dict(current=torch.stack(self.current), membrane_cadc=torch.stack(self.membrane),
                      membrane_madc=None)
        if self.fire:
            values["spikes"] = torch.stack(self.spikes)
        if self.adaptation:
            values.update(adaptation_cadc=torch.stack(self.adaptation_trace), adaptation_madc=None)
        return values


class RecurrentGroup(HXModuleWrapper):
    """Populations and the projections among them, integrated together step by step.

    Build it once, then in every forward pass call :meth:`connect` with the handles that come
    from outside the group (instead of calling the members yourself); it calls every member,
    which builds the cyclic graph, and registers the wrapper. :func:`~hxstudio.backend.run` then
    executes the group as one node. Timing rules: see the module docstring.

    Args:
        experiment: the :class:`~hxstudio.backend.Experiment`.
        populations: name → neuron module (LIF, LI, AELIF), in stepping order.
        projections: ``(synapse, source name, target name)`` for every projection between
            members; one synapse module may feed several members but has one source.

    Raises:
        ValueError: a projection names a population outside the group, or one synapse has two
            sources.

    Example:
        >>> import torch, hxstudio.backend as hxsnn
        >>> exp = hxsnn.Experiment(mock=True)
        >>> lif, rec = hxsnn.LIF(1, exp, threshold=81.), hxsnn.Synapse(1, 1, exp)
        >>> rec.weight.data[:] = 20.
        >>> syn = hxsnn.Synapse(1, 1, exp); syn.weight.data[:] = 60.
        >>> group = RecurrentGroup(exp, {"lif": lif}, [(rec, "lif", "lif")])
        >>> x = torch.zeros(30, 1, 1); x[2] = 1
        >>> out, = group.connect({"lif": [syn(hxsnn.LIFObservables(spikes=x))]})
        >>> hxsnn.run(exp, None); int(out.spikes.sum()) > 1   # the loop keeps it firing
        True
    """

    def __init__(self, experiment: Any, populations: Mapping[str, Any],
                 projections: Sequence[Tuple[Any, str, str]]):
        names = list(populations)
        synapses: List[Any] = []
        links = []
        for synapse, source, target in projections:
            for end in (source, target):
                if end not in populations:
                    raise ValueError(f"RecurrentGroup: projection end {end!r} is not one of the "
                                     f"group's populations ({', '.join(names)})")
            known = next((k for k, s in enumerate(synapses) if s is synapse), None)
            if known is None:
                synapses.append(synapse)
                known = len(synapses) - 1
            links.append((known, names.index(source), names.index(target)))
        for k in range(len(synapses)):
            sources = {src for j, src, _ in links if j == k}
            if len(sources) != 1:
                raise ValueError("RecurrentGroup: one synapse module has several sources "
                                 f"({', '.join(names[s] for s in sorted(sources))})")
        modules = {f"population_{i}": m for i, m in enumerate(populations.values())}
        modules.update({f"projection_{k}": s for k, s in enumerate(synapses)})
        super().__init__(experiment, **modules)
        self.population_names = names
        self._populations = list(populations.values())
        self._synapses = synapses
        self._links = links
        self._external: Dict[str, Tuple[HandleBase, ...]] = {}

    def connect(self, external: Mapping[str, Sequence[HandleBase]]) -> List[HandleBase]:
        """Register the group for this forward pass.

        Args:
            external: population name → handles with ``graded_spikes`` from outside the group.
        Returns:
            the output handle of each population, in order (filled by ``run``).
        """
        unknown = set(external) - set(self.population_names)
        if unknown:
            raise ValueError(f"RecurrentGroup: {', '.join(sorted(unknown))} not in the group")
        self._external = {n: tuple(external.get(n, ())) for n in self.population_names}
        handles = []
        for i, (name, module) in enumerate(zip(self.population_names, self._populations)):
            internal = [self._synapses[k]._output_handle for k, _, t in self._links if t == i]
            handles.append(module(*self._external[name], *internal))
        for k, synapse in enumerate(self._synapses):
            source = next(s for j, s, _ in self._links if j == k)
            synapse(self._populations[source]._output_handle)
        self()
        return handles

    def forward_func(self, *inputs: HandleBase, hw_data: Any = None,
                     state: Any = None) -> Tuple[HandleBase, ...]:
        """Integrate all members; returns one handle per wrapped module (populations, then
        synapses).

        Args:
            state: ``None``, or a ``dict`` that carries the members' state (membranes, currents,
                refractory counters, last spikes) from one call to the next: pass an empty one
                first. Its entry ``"inputs"`` (set by the caller) maps ``id`` of each handle
                given to :meth:`connect` to the handle of this call's steps. Calling with the
                external inputs of steps ``[0, k)`` and then ``[k, T)`` gives the outputs of one
                call over ``[0, T)``, bit for bit (:mod:`hxstudio.backend.stream`).

        Raises:
            ValueError: no population has an external input (``T`` and ``B`` are unknown), or an
                external handle holds no ``graded_spikes``.
        """
        drives: List[Any] = []
        reference = None
        given = (state or {}).get("inputs", {})
        for name in self.population_names:
            graded = []
            for handle in self._external.get(name, ()):
                handle = given.get(id(handle), handle)
                value = getattr(handle, "graded_spikes", None)
                if value is None:
                    raise ValueError(f"RecurrentGroup: an input of population {name!r} holds no "
                                     "graded_spikes; neurons take the output of a Synapse")
                graded.append(value)
            drive = None if not graded else sum_inputs(graded)
            drives.append(drive)
            reference = reference if reference is not None else drive
        if reference is None:
            raise ValueError("RecurrentGroup: no population of the group has an input from outside; "
                             "give one (zeros will do) so that T and B are known")
        steps, batch = reference.shape[0], reference.shape[1]
        if state and "steppers" in state:
            steppers, previous = state["steppers"], state["previous"]
            for stepper in steppers:
                stepper.clear()
        else:
            steppers = [_Stepper(m, (batch, m.size), reference.dtype, reference.device)
                        for m in self._populations]
            previous = [torch.zeros(batch, m.size, dtype=reference.dtype, device=reference.device)
                        for m in self._populations]
        incoming = [[(self._synapses[k], j, j >= i) for k, j, t in self._links if t == i]
                    for i in range(len(steppers))]
        for t in range(steps):
            now: List[Any] = [None] * len(steppers)
            for i, stepper in enumerate(steppers):
                x = drives[i][t] if drives[i] is not None else torch.zeros_like(previous[i])
                for synapse, j, delayed in incoming[i]:
                    spikes = previous[j] if delayed else now[j]
                    x = x + synapse.func((LIFObservables(spikes=spikes),)).graded_spikes
                now[i] = stepper.step(x)
            previous = now
        if state is not None:
            state.update(steppers=steppers, previous=previous)
        outputs: List[HandleBase] = [m.output_type(**s.handle_values())
                                     for m, s in zip(self._populations, steppers)]
        for k, synapse in enumerate(self._synapses):
            source = next(j for kk, j, _ in self._links if kk == k)
            spikes = torch.stack(steppers[source].spikes)
            graded = synapse.func((LIFObservables(spikes=spikes),)).graded_spikes
            outputs.append(SynapseHandle(graded_spikes=graded))
        return tuple(outputs)

    def extra_repr(self) -> str:
        return f"populations={self.population_names}, projections={len(self._links)}"
