"""Modules → NIR graph (hxtorch's ``to_nir``, spec §10.3, extended).

``to_nir(snn, input_sample)`` runs ``snn(input_sample)`` once and converts the module graph of
that run: an open input becomes a ``nir.Input``, an unused output a ``nir.Output``; an
:class:`~hxstudio.backend.InputNeuron` becomes the ``Input`` it stands for; a
:class:`~hxstudio.backend.Synapse` a ``Linear`` (an :class:`AffineSynapse` an ``Affine``, a
diagonal synapse imported from a ``Scale`` a ``Scale``); a firing neuron module a ``CubaLIF``, a
non-firing one a ``CubaLI`` (or the LIF/LI/IF/I type it was imported from, while its
parameters still fit that type), with the parameters of :func:`~hxstudio.backend.nir.convert.nir_neuron`.
Modules inside an :class:`~hxstudio.backend.HXModuleWrapper` (recurrent groups) are converted
one by one with their edges, so cycles survive. Node names: the names a module built by
:func:`~hxstudio.backend.nir.from_nir` came from; otherwise the module's attribute path in
``snn`` (e.g. ``"linear_h"``), else its id as in hxtorch.

Deviations from hxtorch: ``w_in`` is written (``τ_syn/dt`` for modules not imported from NIR, so
that reading the graph back reproduces the mock); ``CubaLI`` gets the ``r`` its capacitance
implies instead of 1; the graph's metadata holds ``time_unit`` and ``dt``.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Tuple

import nir
import numpy as np
import torch

from ..errors import NIRError, NIRWarning, UnsupportedNIRError
from ..modules import AELIF, BatchDropout, InputNeuron, Synapse
from .config import TIME_UNITS, time_factor
from .convert import is_infinite, nir_neuron
from .io import one_line
from .modules import AffineSynapse

__all__ = ["to_nir"]


def _numpy(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=np.float64)


def _record_graph(snn: Any, input_sample: Any):
    """Run ``snn(input_sample)`` and return the module graph of the run before wrappers collapse."""
    manager = snn.exp.modules
    captured = {}
    previous = manager.__dict__.get("done")
    original = manager.done

    def done():
        captured["graph"] = manager.graph.copy()
        return original()

    manager.done = done
    try:
        with torch.no_grad():
            snn(input_sample)
    finally:
        if previous is None:
            manager.__dict__.pop("done", None)
        else:
            manager.done = previous
    if "graph" not in captured:
        raise ValueError("to_nir: calling snn(input_sample) did not run its experiment "
                         "(snn.forward must call hxsnn.run(snn.exp, ...))")
    return captured["graph"]


def _names(snn: Any) -> Dict[int, str]:
    names: Dict[int, str] = {}
    nir_names = getattr(snn, "nir_names", None)
    hxnodes = getattr(snn, "hxnodes", None)
    if nir_names and hxnodes is not None:
        for key, module in hxnodes.items():
            names[id(module)] = nir_names.get(key, key)
    for path, module in snn.named_modules():
        if path:
            names.setdefault(id(module), path)
    return names


def _neuron_kind(module: AELIF, dt: float) -> str:
    fire = bool(module.fire)
    wanted = getattr(module, "nir_type", None)
    tau_syn = _numpy(module.tau_syn.model_value)
    tau_mem = _numpy(module.tau_mem.model_value)
    instant = bool(np.allclose(tau_syn, dt, rtol=1e-6))
    if wanted in ("IF", "I") and is_infinite(tau_mem) and instant:
        return "IF" if fire else "I"
    if wanted in ("LIF", "LI") and instant and not is_infinite(tau_mem):
        return "LIF" if fire else "LI"
    return "CubaLIF" if fire else "CubaLI"


def _neuron(module: AELIF, dt: float, factor: float) -> nir.NIRNode:
    if module.exponential or module.subthreshold_adaptation or module.spike_triggered_adaptation:
        warnings.warn(NIRWarning(f"{type(module).__name__} with exponential or adaptation terms has no "
                                 "NIR counterpart; exported without them"), stacklevel=3)
    kind = _neuron_kind(module, dt)
    return nir_neuron(
        kind, module.size, tau_mem=_numpy(module.tau_mem.model_value),
        tau_syn=_numpy(module.tau_syn.model_value),
        c_mem=_numpy(module.membrane_capacitance.model_value), leak=_numpy(module.leak.model_value),
        reset=_numpy(module.reset.model_value), threshold=_numpy(module.threshold.model_value),
        dt=dt, factor=factor, w_in=_numpy(getattr(module, "nir_w_in", None)))


def _projection(module: Synapse) -> Optional[nir.NIRNode]:
    """The NIR node of a synapse, or ``None`` for an identity edge."""
    if getattr(module, "nir_identity", False):
        return None
    weight = module.weight.detach().cpu().numpy()
    if isinstance(module, AffineSynapse):
        return nir.Affine(weight=weight, bias=module.bias.detach().cpu().numpy())
    if getattr(module, "nir_type", None) == "Scale" and weight.shape[0] == weight.shape[1] \
            and np.count_nonzero(weight - np.diag(np.diag(weight))) == 0:
        return nir.Scale(scale=np.diag(weight).copy())
    return nir.Linear(weight=weight)


def _size_in(module: Any) -> int:
    return int(getattr(module, "in_features", None) or getattr(module, "size"))


def _size_out(module: Any) -> int:
    return int(getattr(module, "out_features", None) or getattr(module, "size"))


def _unique(name: str, taken) -> str:
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


def to_nir(snn: Any, input_sample: Any, time_unit: Optional[str] = None) -> nir.NIRGraph:
    """Convert the modules of ``snn`` into a NIR graph.

    Args:
        snn: a module with ``.exp``; calling ``snn(input_sample)`` must run the experiment once
            (as hxtorch's ``to_nir.SNN`` and every module :func:`from_nir` returns).
        input_sample: what ``snn`` is called with (a tensor, or a dict for :func:`from_nir` modules).
        time_unit: unit of the written time constants (:data:`TIME_UNITS`); default: the unit
            ``snn`` was imported with, else ``"s"`` (NIR seconds = biological seconds; hxtorch's
            "ms" gives the same numbers).
    Returns:
        a type-checked ``nir.NIRGraph`` with ``metadata`` ``time_unit`` and ``dt`` (in that unit).
    Raises:
        UnsupportedNIRError: a module without a NIR counterpart (hxtorch's message
            ``"Conversion of module … to NIR is not implemented."``); a ``NotImplementedError``.
        NIRError: the resulting graph fails nir's type check.

    Example:
        >>> import torch, hxstudio.backend as hxsnn
        >>> from hxstudio.backend.nir import to_nir
        >>> class Net(torch.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.exp = hxsnn.Experiment(mock=True)
        ...         self.syn, self.lif = hxsnn.Synapse(3, 2, self.exp), hxsnn.LIF(2, self.exp)
        ...     def forward(self, x):
        ...         self.lif(self.syn(hxsnn.LIFObservables(spikes=x)))
        ...         hxsnn.run(self.exp, x.shape[0])
        >>> g = to_nir(Net(), torch.zeros(5, 1, 3))
        >>> sorted(g.nodes), type(g.nodes["lif"]).__name__, g.metadata["time_unit"]
        (['input', 'lif', 'output', 'syn'], 'CubaLIF', 's')
    """
    unit = time_unit or getattr(snn, "time_unit", None) or "s"
    if unit not in TIME_UNITS:
        raise ValueError(f"to_nir: time_unit = {unit!r} is not one of {', '.join(TIME_UNITS)}")
    graph = _record_graph(snn, input_sample)
    manager = snn.exp.modules
    dt = float(snn.exp.dt)
    factor = time_factor(unit, dt)
    names = _names(snn)
    by_id = {node_id: module for module, node_id in manager.nodes.items()}
    ours = getattr(snn, "nir_outputs", None) is not None and getattr(snn, "nir_names", None)

    nodes: Dict[str, nir.NIRNode] = {}
    label: Dict[Any, Optional[str]] = {}  # graph node → NIR name (None: identity, bypassed)
    for node in graph.nodes:
        if isinstance(node, str):
            continue
        module = by_id[node]
        name = _unique(names.get(id(module), str(node)), nodes)
        if isinstance(module, InputNeuron):
            nodes[name] = nir.Input(input_type=np.array([module.size]))
            if name.endswith(".bias") and ours:
                warnings.warn(NIRWarning(f"{name!r} is the constant input of an Affine bias on a path "
                                         "of several linear nodes; it is exported as an Input that "
                                         "must be 1 in every step"), stacklevel=2)
        elif isinstance(module, Synapse):
            converted = _projection(module)
            if converted is None:
                label[node] = None
                continue
            nodes[name] = converted
        elif isinstance(module, AELIF):
            nodes[name] = _neuron(module, dt, factor)
        else:
            kind = "BatchDropout" if isinstance(module, BatchDropout) else type(module).__name__
            raise UnsupportedNIRError(f"Conversion of module {module} to NIR is not implemented "
                                      f"({kind}).")
        label[node] = name

    sources = sorted({u for u in graph.nodes if isinstance(u, str) and u.startswith("s_")})
    targets = sorted({v for v in graph.nodes if isinstance(v, str) and v.startswith("t_")})
    for k, source in enumerate(sources):
        consumers = list(graph.successors(source))
        if ours or all(isinstance(by_id.get(v), InputNeuron) for v in consumers):
            continue  # the InputNeuron is the Input; in from_nir modules: zero drives
        name = _unique("input" if len(sources) == 1 else f"input_{k}", nodes)
        nodes[name] = nir.Input(input_type=np.array([_size_in(by_id[consumers[0]])]))
        label[source] = name
    raw = [(u, v) for u, v in graph.edges if u in label and v in label]
    if ours:
        keyed = dict(snn.hxnodes.items())
        for out_name, keys in snn.nir_outputs.items():
            name = _unique(out_name, nodes)
            nodes[name] = nir.Output(output_type=np.array([_size_out(keyed[keys[0]])]))
            label[("output", name)] = name
            raw += [(manager.nodes[keyed[key]], ("output", name)) for key in keys
                    if manager.nodes.get(keyed[key]) in label]
    else:
        for k, target in enumerate(targets):
            producer = next(iter(graph.predecessors(target)))
            name = _unique("output" if len(targets) == 1 else f"output_{k}", nodes)
            nodes[name] = nir.Output(output_type=np.array([_size_out(by_id[producer])]))
            label[target] = name
            raw.append((producer, target))
    for node in [n for n, name in label.items() if name is None]:  # bypass identity synapses
        preds = [u for u, v in raw if v == node]
        succs = [v for u, v in raw if u == node]
        raw = [(u, v) for u, v in raw if node not in (u, v)] + [(a, b) for a in preds for b in succs]
    edges: List[Tuple[str, str]] = []
    for u, v in raw:
        edge = (label[u], label[v])
        if edge not in edges:
            edges.append(edge)
    metadata = {"time_unit": unit, "dt": float(dt / factor), "generator": "hxstudio.backend.nir.to_nir"}
    try:
        return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=True)
    except Exception as exc:
        raise NIRError(f"to_nir: the converted graph fails nir's type check: {one_line(exc)}") from exc
