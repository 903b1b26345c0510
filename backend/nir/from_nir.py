"""NIR graph → a torch module of hxstudio.backend modules (hxtorch's ``from_nir``, spec §10.2).

Node mapping (see :mod:`~hxstudio.backend.nir.convert` for the parameter equations):

=====================  ==================================================================
NIR node               module
=====================  ==================================================================
``Input``              :class:`~hxstudio.backend.InputNeuron`
``Linear``             :class:`~hxstudio.backend.Synapse` (weight as is)
``Affine``             :class:`~hxstudio.backend.nir.AffineSynapse` (weight, bias)
``Scale``              ``Synapse`` with a diagonal weight
``CubaLIF``/``LIF``/``IF``  :class:`~hxstudio.backend.LIF`
``CubaLI``/``LI``/``I``     :class:`~hxstudio.backend.LI`
``NIRGraph`` (nested)  flattened; inner names are ``"<graph>.<node>"``
``Output``             the output of the node feeding it
=====================  ==================================================================

Potentials keep their NIR values as model values (hxtorch); their hardware values follow
:func:`~hxstudio.backend.nir.convert.potential_map` (leak 80, threshold 125 CADC LSB).
Homogeneous parameters become Python floats, per-neuron ones ``(N,)`` tensors; 0-d parameters
are broadcast to the layer size. A chain of linear nodes, or a linear node fed by several
senders, becomes one ``Synapse`` per path with the product of the weights (biases then enter
through a constant one-neuron input). A direct edge between two neuron nodes is an identity
``Synapse``. Cycles run in a :class:`~hxstudio.backend.nir.RecurrentGroup`.

Extensions over hxtorch: Affine, Scale, Flatten, LIF, LI, IF, I, several inputs and outputs,
nested graphs, recurrence, heterogeneous and 0-d parameters, edges in any order, the explicit
time unit and ``refractory_time`` of :class:`~hxstudio.backend.nir.ConversionConfig`.
Deviation: ``w_in`` and ``r`` are honoured (hxtorch ignores ``w_in``, and ``r`` of CubaLI).
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from typing import Any, Dict, List, Optional, Union

import nir
import numpy as np
import torch

from ..errors import NIRWarning, format_quantity
from ..experiment import Experiment, run
from ..handle import LIFObservables, SynapseHandle
from ..modules import LI, LIF, InputNeuron, Synapse
from ..parameter import HXTransformedModelParameter, MixedHXModelParameter
from ..transforms.weight_transforms import linear_saturating
from .config import ConversionConfig, resolve_time_unit, time_factor
from .convert import model_parameters, potential_map
from .graph import NIRNetwork, Projection, condensation, is_recurrent, parse
from .io import read
from .modules import AffineSynapse
from .recurrent import RecurrentGroup

__all__ = ["SNN", "from_nir", "suggest_dt", "check_time_constants"]

_NICE = (1.0, 2.0, 5.0)


def _nice_floor(value: float) -> float:
    """Largest 1-2-5 number ≤ ``value`` (e.g. 0.37e-6 → 0.2e-6)."""
    exponent = np.floor(np.log10(value))
    best = None
    for e in (exponent - 1, exponent):
        for m in _NICE:
            candidate = float(f"{m * 10.0 ** e:.3g}")
            if candidate <= value * (1 + 1e-9):
                best = candidate if best is None else max(best, candidate)
    return best


def _is_nice(value: float) -> bool:
    return abs(_nice_floor(value) - value) <= 1e-6 * value


def _time_constants(network: NIRNetwork, factor: float, dt: float):
    """``(name, field, hardware value array)`` of every finite time constant."""
    for name, pop in network.populations.items():
        if pop.leaky:
            yield name, "tau_mem", pop.params["tau_mem"] * factor
        if pop.synaptic:
            yield name, "tau_syn", pop.params["tau_syn"] * factor


def suggest_dt(graph: Union[nir.NIRGraph, NIRNetwork], time_unit: Optional[str] = None,
               maximum: float = 1e-6) -> float:
    """An integration step in s (hardware time) for a NIR graph.

    In this order: the graph's ``metadata["dt"]`` (in the graph's time unit); the step an
    snnTorch export implies (its ``r = τ_mem/dt``, consistent over all neuron nodes, a 1-2-5
    number and below every time constant, so that forward Euler stays stable); else the largest 1-2-5 step ≤ a quarter of the smallest time constant. Never more
    than ``maximum`` (hxtorch's 1 µs). For ``time_unit="steps"`` it is ``maximum``.

    Example:
        >>> import nir, numpy as np
        >>> g = nir.NIRGraph.from_list(nir.LIF(tau=np.array([2.5e-3]), r=np.array([1.]),
        ...     v_leak=np.zeros(1), v_threshold=np.ones(1)))
        >>> suggest_dt(g)   # τ = 2.5 ms biological = 2.5 µs on BSS-2
        5e-07
    """
    network = graph if isinstance(graph, NIRNetwork) else parse(graph)
    unit = resolve_time_unit(time_unit, network.metadata)
    if unit == "steps":
        return maximum
    factor = time_factor(unit, maximum)
    stored = network.metadata.get("dt")
    if stored is not None:
        try:
            value = float(np.asarray(stored).reshape(-1)[0]) * factor
            if value > 0:
                return value
        except (TypeError, ValueError, IndexError):
            pass
    implied = []
    for pop in network.populations.values():
        if pop.leaky and pop.type in ("CubaLIF", "LIF") and (pop.params["r"] > 0).all():
            implied.extend(np.unique(pop.params["tau_mem"] / pop.params["r"]))
    taus = [value for _, _, value in _time_constants(network, factor, maximum)]
    smallest = min((float(v.min()) for v in taus), default=None)
    if implied:
        step = float(np.mean(implied)) * factor
        consistent = np.allclose(implied, implied[0], rtol=1e-4)
        if consistent and _is_nice(step) and (smallest is None or step < smallest):
            return min(float(f"{step:.6g}"), maximum)
    if smallest is None:
        return maximum
    return min(_nice_floor(smallest / 4), maximum)


def check_time_constants(network: NIRNetwork, unit: str, factor: float, dt: float,
                         label: str = "ConversionConfig.dt") -> None:
    """Warn (:class:`~hxstudio.backend.errors.NIRWarning`) about implausible time constants.

    Warns when a converted τ lies outside BSS-2's hard limits 0.1–100 µs (the file may use another
    time unit) and when ``dt`` exceeds the smallest τ (forward Euler diverges).
    """
    from ..chip.parameters import PARAMETERS

    low, high = PARAMETERS["tau_mem"].limits
    worst = None
    for name, field, value in _time_constants(network, factor, dt):
        outside = (value < low) | (value > high)
        if outside.any() and worst is None:
            worst = (name, field, float(value[outside][0]))
    if worst is not None:
        name, field, value = worst
        hint = {"s": "NIR seconds (biological) → hardware ×1e-3",
                "ms": "NIR milliseconds → hardware seconds ×1e-3 (hxtorch)",
                "steps": f"time steps × dt = {format_quantity(dt, 's')}",
                "hardware_s": "hardware seconds, ×1"}[unit]
        warnings.warn(NIRWarning(
            f"{field} of {name!r} is {format_quantity(value, 's')} on BSS-2 when read as {unit!r} "
            f"({hint}), outside the chip's limits [0.1 µs, 100 µs]; the file may use another time "
            "unit (options: 's', 'ms', 'steps', 'hardware_s')"), stacklevel=3)
    smallest = None
    for name, field, value in _time_constants(network, factor, dt):
        v = float(value.min())
        if smallest is None or v < smallest[2]:
            smallest = (name, field, v)
    if smallest is not None and dt > smallest[2]:
        name, field, value = smallest
        warnings.warn(NIRWarning(
            f"{label} = {format_quantity(dt, 's')} is larger than {field} of {name!r} "
            f"({format_quantity(value, 's')}); forward Euler is unstable — use a step of "
            f"{format_quantity(_nice_floor(value / 4), 's')} or less (suggest_dt)"), stacklevel=3)


def _key(name: str, taken) -> str:
    """A ModuleDict key for a NIR name (no dots), unique among ``taken``."""
    key = re.sub(r"[.\s]", "_", str(name)) or "node"
    if key[0].isdigit():
        key = "n" + key
    base, k = key, 1
    while key in taken:
        k += 1
        key = f"{base}_{k}"
    return key


def _value(array: Optional[np.ndarray]):
    """A Python float for homogeneous values (hxtorch compatible), else a float32 tensor."""
    if array is None:
        return None
    array = np.asarray(array, dtype=np.float64)
    if array.size and np.all(array == array.reshape(-1)[0]):
        return float(array.reshape(-1)[0])
    return torch.tensor(array, dtype=torch.float32)


def _capacitance_to_hardware(model: Any, reference: Any) -> Any:
    """hxtorch's NIR transform: the model capacitance the node needs is 63 CapMem LSB."""
    return model / reference * 63.0


class SNN(torch.nn.Module):
    """The module :func:`from_nir` returns; call it with the input spikes.

    Attributes:
        exp: the :class:`~hxstudio.backend.Experiment` (``mock=cfg.mock``, ``dt=cfg.dt``).
        hxnodes: ``nn.ModuleDict`` of the modules by key (NIR names with ``.`` → ``_``).
        nir_names: key → NIR node name.
        spike_keys: NIR names of the inputs and the spiking populations.
        output: the dict returned by the last call.
        time_unit: the time unit used; ``network``: the parsed graph.
    """

    def __init__(self, network: NIRNetwork, cfg: ConversionConfig):
        super().__init__()
        self.cfg = cfg
        self.network = network
        self.time_unit = resolve_time_unit(cfg.time_unit, network.metadata)
        self.factor = time_factor(self.time_unit, cfg.dt)
        self.exp = Experiment(mock=cfg.mock, dt=cfg.dt)
        if not cfg.mock:
            if cfg.calib_path is not None:
                self.exp.default_execution_instance.load_calib(cfg.calib_path)
            self.exp.default_execution_instance.input_loopback = cfg.input_loopback
        self.device = torch.device(cfg.device) if isinstance(cfg.device, str) else cfg.device
        self.hxnodes = torch.nn.ModuleDict()
        self.nir_names: Dict[str, str] = {}
        self.nir_outputs: Dict[str, List[str]] = {}
        self.spike_keys: List[str] = []
        self.output: Dict[str, torch.Tensor] = {}
        self._keys: Dict[str, str] = {}  # NIR name (or path id) → key
        transform = functools.partial(linear_saturating, scale=cfg.weight_scale)
        self._transform = transform

        for name, size in network.inputs.items():
            self._add(name, InputNeuron(size, self.exp))
            self.spike_keys.append(name)
        gains = [potential_map(p)[0] for p in network.populations.values() if p.fires]
        gain = float(gains[0][0]) if gains and all(np.all(g == gains[0][0]) for g in gains) else 45.0
        for name, pop in network.populations.items():
            self._add(name, self._population(pop, gain))
            if pop.fires:
                self.spike_keys.append(name)

        # projection modules: one per single linear node with one sender, else one per path
        self._path_keys: Dict[int, str] = {}
        self._bias_inputs: Dict[str, str] = {}
        absorbed = set()
        for path in network.projections + network.readouts:
            single = self._single(path)
            if path.bias_of is not None:
                if single is not None and path.bias_of == single:
                    absorbed.add(id(path))
                    continue
                if path.source not in self._keys:
                    self._add(path.source, InputNeuron(1, self.exp))
                    self._bias_inputs[path.source] = path.bias_of
            if single is not None:
                if single not in self._keys:
                    self._add(single, self._linear(single, path))
                self._path_keys[id(path)] = self._keys[single]
            else:
                ident = f"{'+'.join(path.via) or path.source + '→' + path.target}@{path.source}→{path.target}"
                module = self._synapse_for(path)
                self._add(ident, module)
                self._path_keys[id(path)] = self._keys[ident]
        self._paths = [p for p in network.projections if id(p) not in absorbed]
        self._readouts = [p for p in network.readouts if id(p) not in absorbed]

        # execution plan over populations: recurrent groups run in a RecurrentGroup
        names = list(network.populations)
        links = [(p.source, p.target) for p in self._paths if p.source in network.populations]
        self._groups = condensation(names, links)
        self._wrappers: Dict[int, RecurrentGroup] = {}
        for index, group in enumerate(self._groups):
            if not is_recurrent(group, links):
                continue
            members = {n: self.hxnodes[self._keys[n]] for n in group}
            internal = [(self.hxnodes[self._path_keys[id(p)]], p.source, p.target)
                        for p in self._paths if p.source in group and p.target in group]
            self._wrappers[index] = RecurrentGroup(self.exp, members, internal)
        for path in self._readouts:
            self.nir_outputs.setdefault(path.target, []).append(
                self._keys[path.source] if not path.via else self._path_keys[id(path)])
        self.to(self.device)

    # -- construction helpers ----------------------------------------------------------------

    def _add(self, name: str, module: torch.nn.Module) -> None:
        key = _key(name, self.hxnodes.keys())
        self.hxnodes[key] = module
        self.nir_names[key] = name
        self._keys[name] = key

    def _single(self, path: Projection) -> Optional[str]:
        """The linear node that can be its own module for ``path``, or ``None``."""
        if len(path.via) != 1 or path.types[0] == "Flatten":
            return None
        node = path.via[0]
        senders = self.network.predecessors(node)
        return node if len(senders) == 1 else None

    def _linear(self, name: str, path: Projection) -> Synapse:
        node = self.network.nodes[name]
        kind = type(node).__name__
        out_features, in_features = np.asarray(path.weight).shape
        cls = AffineSynapse if kind == "Affine" else Synapse
        module = cls(in_features, out_features, self.exp, transform=self._transform)
        with torch.no_grad():
            if kind == "Scale":
                scale = np.broadcast_to(np.asarray(node.scale, dtype=np.float64), (out_features,))
                module.weight.copy_(torch.diag(torch.tensor(scale, dtype=torch.float32)))
            else:
                module.weight.copy_(torch.as_tensor(np.asarray(node.weight), dtype=torch.float32))
            if kind == "Affine":
                module.bias.copy_(torch.as_tensor(np.asarray(node.bias), dtype=torch.float32))
        module.nir_type = kind
        return module

    def _synapse_for(self, path: Projection) -> Synapse:
        weight = np.asarray(path.weight, dtype=np.float64)
        module = Synapse(weight.shape[1], weight.shape[0], self.exp, transform=self._transform)
        with torch.no_grad():
            module.weight.copy_(torch.as_tensor(weight, dtype=torch.float32))
        module.nir_type = "Linear"
        module.nir_identity = not path.via and path.bias_of is None
        module.nir_via = path.via
        return module

    def _population(self, pop, gain: float):
        cfg, m = self.cfg, model_parameters(pop, self.cfg.dt, self.factor)
        k, b = potential_map(pop, default_gain=gain)
        mixed = {}
        for field in ("leak", "reset", "threshold"):
            if m[field] is not None:
                mixed[field] = MixedHXModelParameter(_value(m[field]), _value(b + k * m[field]))
        c_model = _value(m["c_mem"])
        capacitance = HXTransformedModelParameter(
            c_model, functools.partial(_capacitance_to_hardware, reference=c_model))
        common = dict(tau_mem=_value(m["tau_mem"]), tau_syn=_value(m["tau_syn"]),
                      membrane_capacitance=capacitance, trace_scale=cfg.trace_scale,
                      cadc_time_shift=int(cfg.trace_shift), shift_cadc_to_first=True)
        if pop.fires:
            module = LIF(pop.size, self.exp, **mixed, refractory_time=cfg.refractory_time,
                         enable_cadc_recording=cfg.cadc_recording, **common)
        else:
            module = LI(pop.size, self.exp, leak=mixed["leak"], **common)
        module.nir_type = pop.type
        module.nir_w_in = _value(m["w_in"])
        return module

    # -- forward -----------------------------------------------------------------------------

    def _inputs(self, spikes) -> Dict[str, torch.Tensor]:
        inputs = self.network.inputs
        if isinstance(spikes, torch.Tensor):
            if len(inputs) != 1:
                raise ValueError(f"SNN: the graph has inputs {', '.join(inputs)}; pass a dict of "
                                 "(T, B, N) tensors keyed by these names")
            spikes = {next(iter(inputs)): spikes}
        missing = [n for n in inputs if n not in spikes]
        if missing:
            raise ValueError(f"SNN: no spikes given for input(s) {', '.join(missing)}; got "
                             f"{', '.join(map(str, spikes)) or 'none'}")
        out = {}
        for name in inputs:
            x = torch.as_tensor(spikes[name]).to(self.device, torch.float32)
            if x.dim() == 1:
                x = x[None, None]
            elif x.dim() == 2:
                x = x[:, None]
            if x.shape[-1] != inputs[name]:
                raise ValueError(f"SNN: input {name!r} takes {inputs[name]} channels, got shape "
                                 f"{tuple(x.shape)} (expected (T, B, {inputs[name]}))")
            out[name] = x
        return out

    def forward(self, spikes: Union[Dict[str, torch.Tensor], torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Run the network once.

        Args:
            spikes: Input name → spikes ``(T, B, N)`` (``(T, N)`` and ``(N,)`` are promoted); a bare
                tensor if the graph has one Input.
        Returns:
            NIR name → tensor ``(T, B, N)``: the spikes of every input and spiking population
            (hxtorch), and for each Output node what reaches it (spikes, an LI membrane, or the
            graded output of a linear readout).
        """
        inputs = self._inputs(spikes)
        steps, batch = next(iter(inputs.values())).shape[:2] if inputs else (1, 1)
        handles: Dict[str, Any] = {}
        projected: Dict[str, Any] = {}
        for name, x in inputs.items():
            handles[name] = self.hxnodes[self._keys[name]](LIFObservables(spikes=x))
        for name in self._bias_inputs:
            ones = torch.ones(steps, batch, 1, device=self.device)
            handles[name] = self.hxnodes[self._keys[name]](LIFObservables(spikes=ones))

        def project(path):
            key = self._path_keys[id(path)]
            if key not in projected:
                projected[key] = self.hxnodes[key](handles[path.source])
            return projected[key]

        zeros = {}
        for index, group in enumerate(self._groups):
            if index in self._wrappers:
                wrapper = self._wrappers[index]
                external = {n: [project(p) for p in self._paths if p.target == n and p.source not in group]
                            for n in group}
                for n in group:
                    if not external[n]:
                        size = self.network.populations[n].size
                        external[n] = [zeros.setdefault(n, SynapseHandle(
                            graded_spikes=torch.zeros(steps, batch, size, device=self.device)))]
                outs = wrapper.connect(external)
                for n, handle in zip(group, outs):
                    handles[n] = handle
                for p in self._paths:
                    if p.source in group and p.target in group:
                        projected[self._path_keys[id(p)]] = self.hxnodes[self._path_keys[id(p)]]._output_handle
                continue
            name = group[0]
            incoming = [project(p) for p in self._paths if p.target == name]
            if not incoming:
                size = self.network.populations[name].size
                incoming = [SynapseHandle(graded_spikes=torch.zeros(steps, batch, size, device=self.device))]
            handles[name] = self.hxnodes[self._keys[name]](*incoming)
        readouts = {}
        for path in self._readouts:
            readouts.setdefault(path.target, []).append(project(path) if path.via else handles[path.source])
        run(self.exp, steps)

        out: Dict[str, torch.Tensor] = {}
        for name, handle in handles.items():
            if name in self.network.inputs or name in self.network.populations:
                if getattr(handle, "spikes", None) is not None:
                    out[name] = handle.spikes
        for name, feeds in readouts.items():
            values = []
            for handle in feeds:
                for field in ("graded_spikes", "spikes", "membrane_cadc"):
                    if getattr(handle, field, None) is not None:
                        values.append(getattr(handle, field))
                        break
            if values:
                out[name] = values[0] if len(values) == 1 else torch.stack(values).sum(0)
        self.output = out
        return out


def from_nir(graph: Union[nir.NIRGraph, str, os.PathLike, bytes], cfg: Optional[ConversionConfig] = None) -> SNN:
    """Build a runnable module from a NIR graph (hxtorch's ``from_nir``, extended).

    Args:
        graph: a ``nir.NIRGraph``, or a ``.nir`` file (path or bytes, read with :func:`read`).
        cfg: conversion options; ``None`` means ``ConversionConfig()``.
    Returns:
        an :class:`SNN`; ``snn({"input": spikes})`` runs it and returns spikes by NIR name.
    Raises:
        UnsupportedNIRError: a node type without a BSS-2 counterpart (names node, type and the
            supported types); also a ``NotImplementedError`` as in hxtorch.
        NIRError: sizes that do not fit, an algebraic loop, a non-spiking sender, a bad file.
    Warns:
        NIRWarning: type check failed on reading; time constants outside BSS-2's limits in the
            chosen unit; ``cfg.dt`` larger than a time constant; ``dt`` differs from the file's.

    Example:
        >>> import nir, numpy as np, torch
        >>> g = nir.NIRGraph.from_list(nir.Linear(weight=np.array([[2.]])), nir.CubaLIF(
        ...     tau_syn=np.array([5e-3]), tau_mem=np.array([1e-2]), r=np.ones(1),
        ...     v_leak=np.zeros(1), v_threshold=np.ones(1)))
        >>> snn = from_nir(g, ConversionConfig(dt=1e-6))
        >>> out = snn({"input": torch.ones(50, 1, 1)})
        >>> sorted(out), out["cubalif"].shape
        (['cubalif', 'input', 'output'], torch.Size([50, 1, 1]))
    """
    cfg = cfg or ConversionConfig()
    if not isinstance(graph, nir.NIRGraph):
        graph = read(graph)
    network = parse(graph)
    unit = resolve_time_unit(cfg.time_unit, network.metadata)
    factor = time_factor(unit, cfg.dt)
    check_time_constants(network, unit, factor, cfg.dt)
    stored = network.metadata.get("dt")
    if stored is not None and unit != "steps":
        try:
            file_dt = float(np.asarray(stored).reshape(-1)[0]) * factor
        except (TypeError, ValueError, IndexError):
            file_dt = None
        if file_dt and not np.isclose(file_dt, cfg.dt, rtol=1e-6):
            warnings.warn(NIRWarning(
                f"the graph was made for dt = {format_quantity(file_dt, 's')} on BSS-2 "
                f"(metadata dt in {unit!r}); ConversionConfig.dt = {format_quantity(cfg.dt, 's')} "
                "changes what one spike does (a spike lasts one step)"), stacklevel=2)
    return SNN(network, cfg)
