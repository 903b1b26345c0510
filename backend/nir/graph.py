"""A NIR graph as populations and projections: the common ground of module and document import.

:func:`parse` flattens nested graphs (inner nodes are named ``"<graph>.<node>"``), checks every
node type, infers sizes (0-d parameters are broadcast to the layer size taken from a neighbouring
weight), broadcasts per-neuron parameters to ``(N,)`` and follows every path of linear nodes
(``Linear``, ``Affine``, ``Scale``, ``Flatten``) from a sender (an ``Input`` or a neuron node) to
a neuron node (a :class:`Projection`) or to an ``Output`` (a readout). The edge list may be in
any order and may contain cycles (recurrent projections); a cycle made only of linear nodes has
no time step in it and is refused.

The bias ``b`` of an ``Affine`` node becomes a projection from a constant source
``"<affine>.bias"`` (one value, 1 in every step) with weight ``b`` (times whatever linear nodes
follow), so every input of a neuron is a weighted sum of spike-like signals.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Dict, List, Optional, Tuple

import nir
import numpy as np

from ..errors import NIRError, UnsupportedNIRError

__all__ = [
    "NEURON_TYPES",
    "LINEAR_TYPES",
    "SUPPORTED_TYPES",
    "Neurons",
    "Projection",
    "NIRNetwork",
    "flatten",
    "parse",
    "condensation",
]

NEURON_TYPES = ("CubaLIF", "CubaLI", "LIF", "LI", "IF", "I")
LINEAR_TYPES = ("Affine", "Linear", "Scale", "Flatten")
SUPPORTED_TYPES = ("Input", "Output") + LINEAR_TYPES + NEURON_TYPES + ("NIRGraph",)
_FIRING = ("CubaLIF", "LIF", "IF")
_SYNAPTIC = ("CubaLIF", "CubaLI")
_LEAKY = ("CubaLIF", "CubaLI", "LIF", "LI")
_PASS = object()  # marker of an inner Input/Output of a flattened subgraph


@dataclasses.dataclass
class Neurons:
    """One neuron node as a population; parameters in NIR units, each ``(size,)`` float64.

    Attributes:
        name: node name (``"<graph>.<node>"`` inside nested graphs).
        type: NIR class name, one of :data:`NEURON_TYPES`.
        size: number of neurons.
        params: ``tau_mem`` (``inf`` for I/IF: no leak), ``tau_syn`` (``None`` for LIF/LI/IF/I: no
            synaptic filter), ``r``, ``v_leak`` (0 for I/IF), ``v_threshold`` and ``v_reset``
            (``None`` for non-firing types), ``w_in`` (1 for types without it).
        node: the original NIR node.
    """

    name: str
    type: str
    size: int
    params: Dict[str, Optional[np.ndarray]]
    node: nir.NIRNode = None

    @property
    def fires(self) -> bool:
        """Whether the node spikes (CubaLIF, LIF, IF)."""
        return self.type in _FIRING

    @property
    def synaptic(self) -> bool:
        """Whether the node has its own synaptic current (CubaLIF, CubaLI)."""
        return self.type in _SYNAPTIC

    @property
    def leaky(self) -> bool:
        """Whether the membrane leaks (all but I and IF)."""
        return self.type in _LEAKY


@dataclasses.dataclass
class Projection:
    """A path ``source → linear nodes → target`` with its total weight.

    Attributes:
        source: an Input, a neuron node or a bias source ``"<affine>.bias"``.
        target: a neuron node, or an Output for readouts.
        weight: ``(target size, source size)``; the node's own array for a single
            ``Linear``/``Affine`` (dtype kept), else the product along the path (float64).
        via: names of the linear nodes on the path, in order (empty for a direct edge).
        types: their NIR types.
        bias_of: for bias sources, the ``Affine`` node whose bias this is.
    """

    source: str
    target: str
    weight: np.ndarray
    via: Tuple[str, ...] = ()
    types: Tuple[str, ...] = ()
    bias_of: Optional[str] = None


@dataclasses.dataclass
class NIRNetwork:
    """A flattened NIR graph as populations and projections (see the module docstring).

    Attributes:
        inputs: Input name → size.
        populations: neuron node name → :class:`Neurons`, in file order.
        projections: paths into neuron nodes.
        readouts: paths into Output nodes.
        outputs: Output name → size.
        biases: bias source name → Affine node name.
        nodes: every flattened node by name; edges: the flattened edges.
        metadata: the graph's metadata.
    """

    inputs: Dict[str, int]
    populations: Dict[str, Neurons]
    projections: List[Projection]
    readouts: List[Projection]
    outputs: Dict[str, int]
    biases: Dict[str, str]
    nodes: Dict[str, nir.NIRNode]
    edges: List[Tuple[str, str]]
    metadata: dict

    def predecessors(self, name: str) -> List[str]:
        """Nodes with an edge into ``name``."""
        return [a for a, b in self.edges if b == name]

    def source_size(self, name: str) -> int:
        """Size of an Input, a population or a bias source (1)."""
        if name in self.inputs:
            return self.inputs[name]
        if name in self.populations:
            return self.populations[name].size
        if name in self.biases:
            return 1
        raise KeyError(name)


def _type(node) -> str:
    return "(pass)" if node is _PASS else type(node).__name__


def flatten(graph: nir.NIRGraph, where: str = "NIR graph") -> Tuple[Dict[str, nir.NIRNode], List[Tuple[str, str]]]:
    """Flatten nested graphs; returns ``(nodes, edges)`` with inner names ``"<graph>.<node>"``.

    An edge into a subgraph ``g`` goes to its Input nodes (or to ``"g.<input>"`` when named so),
    an edge out of ``g`` leaves from its Output nodes; the inner Input/Output nodes are then
    bypassed. Duplicate edges count once.

    Raises:
        NIRError: an edge names a node that does not exist (one line, naming the (sub)graph).
    """
    nodes: Dict[str, nir.NIRNode] = {}
    edges: List[Tuple[str, str]] = []
    _flatten_into(graph, "", nodes, edges, where)
    for a, b in edges:
        for ref in (a, b):
            if ref not in nodes:
                raise NIRError(f"{where}: edge ({a!r}, {b!r}) names node {ref!r}, which does not exist "
                               "after flattening nested graphs")
    # bypass the inner Input/Output markers
    for name in [n for n, v in nodes.items() if v is _PASS]:
        preds = [a for a, b in edges if b == name]
        succs = [b for a, b in edges if a == name]
        edges = [e for e in edges if name not in e]
        edges += [(a, b) for a in preds for b in succs]
        del nodes[name]
    seen, unique = set(), []
    for e in edges:
        if e not in seen:
            seen.add(e)
            unique.append(e)
    return nodes, unique


def _flatten_into(graph, prefix, nodes, edges, where) -> None:
    local = {str(k): v for k, v in graph.nodes.items()}
    for a, b in graph.edges:
        for end, ref in (("source", a), ("destination", b)):
            if ref not in local and not any(ref.startswith(f"{g}.") and isinstance(local[g], nir.NIRGraph)
                                            for g in local):
                label = f"{where}, subgraph {prefix[:-1]!r}" if prefix else where
                raise NIRError(f"{label}: edge ({a!r}, {b!r}) names {end} node {ref!r}, which does "
                               f"not exist; nodes: {', '.join(sorted(local))}")
    for name, node in local.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            _flatten_into(node, full + ".", nodes, edges, where)
            continue
        if full in nodes:
            raise NIRError(f"{where}: node name {full!r} occurs twice after flattening nested graphs")
        nested = bool(prefix)
        nodes[full] = _PASS if nested and isinstance(node, (nir.Input, nir.Output)) else node
    for a, b in graph.edges:
        for src in _ports(local, a, prefix, nir.Output):
            for dst in _ports(local, b, prefix, nir.Input):
                edges.append((src, dst))


def _ports(local, ref, prefix, port_type) -> List[str]:
    """Flattened names an edge end ``ref`` stands for (a subgraph stands for its ports)."""
    node = local.get(ref)
    if isinstance(node, nir.NIRGraph):
        ports = [f"{prefix}{ref}.{k}" for k, v in node.nodes.items() if isinstance(v, port_type)]
        if not ports:
            raise NIRError(f"subgraph {prefix + ref!r} has no {port_type.__name__} node to connect "
                           "an outer edge to")
        return ports
    return [prefix + ref]


def _shape_size(shape) -> Optional[int]:
    shape = np.asarray(shape).reshape(-1)
    return int(np.prod(shape)) if shape.size else None


def _param_size(node) -> Optional[int]:
    for field in ("tau_mem", "tau", "r", "v_threshold", "v_leak"):
        value = getattr(node, field, None)
        if value is not None and np.ndim(value) >= 1:
            return int(np.size(value))
    return None


def _sizes(nodes, edges, where) -> Dict[str, Tuple[Optional[int], Optional[int]]]:
    """``(in size, out size)`` of every node, propagated along edges until nothing changes."""
    size_in: Dict[str, Optional[int]] = {}
    size_out: Dict[str, Optional[int]] = {}
    same = set()  # nodes whose input and output sizes are equal
    for name, node in nodes.items():
        kind = _type(node)
        n_in = n_out = None
        if kind == "Input":
            n_in = n_out = _shape_size(node.input_type["input"]) or 1
        elif kind in NEURON_TYPES:
            n_in = n_out = _param_size(node)
            same.add(name)
        elif kind in ("Linear", "Affine"):
            weight = np.asarray(node.weight)
            if weight.ndim != 2:
                raise NIRError(f"{where}: {kind} node {name!r} has a weight of shape {weight.shape}; "
                               "hxstudio takes (out, in) matrices")
            n_out, n_in = weight.shape
        elif kind == "Scale":
            n_in = n_out = int(np.size(node.scale)) if np.ndim(node.scale) >= 1 else None
            same.add(name)
        elif kind in ("Flatten", "Output"):
            same.add(name)
        size_in[name], size_out[name] = n_in, n_out
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            if size_out[a] is not None and size_in[b] is None:
                size_in[b], changed = size_out[a], True
            elif size_in[b] is not None and size_out[a] is None and _type(nodes[b]) != "Output":
                size_out[a], changed = size_in[b], True
        for name in same:
            known = size_in[name] if size_in[name] is not None else size_out[name]
            if known is not None and (size_in[name] is None or size_out[name] is None):
                size_in[name] = size_out[name] = known
                changed = True
    for a, b in edges:
        if _type(nodes[b]) == "Output":
            continue
        if size_out[a] is not None and size_in[b] is not None and size_out[a] != size_in[b]:
            raise NIRError(f"{where}: edge ({a!r}, {b!r}): {a!r} gives {size_out[a]} values but {b!r} "
                           f"takes {size_in[b]}")
    return {n: (size_in[n], size_out[n]) for n in nodes}


def _vector(node, field, size, where, name, default=None) -> Optional[np.ndarray]:
    value = getattr(node, field, None)
    if value is None:
        if default is None:
            return None
        value = default
    array = np.asarray(value, dtype=np.float64).reshape(-1) if np.ndim(value) else \
        np.full(size, float(value))
    if array.size != size:
        raise NIRError(f"{where}: node {name!r} ({type(node).__name__}): {field} has {array.size} "
                       f"values for {size} neurons")
    if np.isnan(array).any():
        raise NIRError(f"{where}: node {name!r} ({type(node).__name__}): {field} contains NaN")
    return array


def _neurons(name, node, size, where) -> Neurons:
    kind = type(node).__name__
    vec = lambda field, default=None: _vector(node, field, size, where, name, default)  # noqa: E731
    if kind in ("CubaLIF", "CubaLI"):
        params = dict(tau_mem=vec("tau_mem"), tau_syn=vec("tau_syn"), r=vec("r"), v_leak=vec("v_leak"),
                      w_in=vec("w_in", 1.0))
    elif kind in ("LIF", "LI"):
        params = dict(tau_mem=vec("tau"), tau_syn=None, r=vec("r"), v_leak=vec("v_leak"),
                      w_in=np.ones(size))
    else:  # IF, I: no leak
        params = dict(tau_mem=np.full(size, math.inf), tau_syn=None, r=vec("r"),
                      v_leak=np.zeros(size), w_in=np.ones(size))
    if kind in _FIRING:
        params["v_threshold"] = vec("v_threshold")
        params["v_reset"] = vec("v_reset", 0.0)
    else:
        params["v_threshold"] = params["v_reset"] = None
    for field in ("tau_mem", "tau_syn"):
        value = params[field]
        if value is not None and not (value > 0).all():
            raise NIRError(f"{where}: node {name!r} ({kind}): {field} = {value.min():g} must be > 0")
    return Neurons(name=name, type=kind, size=size, params=params, node=node)


def _apply(kind, node, matrix, size_in):
    """Matrix of ``node ∘ path`` given the path's matrix (``None``: identity of ``size_in``)."""
    if kind in ("Linear", "Affine"):
        weight = np.asarray(node.weight)
        return weight if matrix is None else weight.astype(np.float64) @ matrix
    if kind == "Scale":
        scale = np.asarray(node.scale, dtype=np.float64)
        base = np.eye(size_in) if matrix is None else matrix
        return (scale.reshape(-1, 1) if scale.ndim else scale) * base
    return matrix  # Flatten: the values are flat already


def parse(graph: nir.NIRGraph, where: str = "NIR graph") -> NIRNetwork:
    """Turn ``graph`` into a :class:`NIRNetwork`.

    Raises:
        UnsupportedNIRError: a node of another type (names the node, its type and the supported
            types).
        NIRError: an edge to a missing node, inconsistent sizes, a size that cannot be inferred,
            a cycle of linear nodes only, a non-spiking node (LI, CubaLI, I) driving other neurons,
            or non-positive time constants.
    """
    nodes, edges = flatten(graph, where)
    for name, node in nodes.items():
        if _type(node) not in SUPPORTED_TYPES:
            raise UnsupportedNIRError(
                f"{where}: node {name!r} of type {_type(node)} is not supported; supported types: "
                f"{', '.join(SUPPORTED_TYPES[:-1])} and nested NIRGraph")
    sizes = _sizes(nodes, edges, where)
    populations, inputs, outputs = {}, {}, {}
    for name, node in nodes.items():
        kind = _type(node)
        if kind == "Input":
            inputs[name] = sizes[name][1]
        elif kind == "Output":
            outputs[name] = sizes[name][0]
        elif kind in NEURON_TYPES:
            if sizes[name][0] is None:
                raise NIRError(f"{where}: cannot infer the number of neurons of node {name!r} ({kind}): its "
                               "parameters are scalars and no neighbouring weight gives a size")
            populations[name] = _neurons(name, node, sizes[name][0], where)
    succ: Dict[str, List[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)

    projections: List[Projection] = []
    readouts: List[Projection] = []
    biases: Dict[str, str] = {}

    def walk(source, current, matrix, via, types, bias_of=None):
        for nxt in succ[current]:
            kind = _type(nodes[nxt])
            if kind in NEURON_TYPES or kind == "Output":
                if matrix is None and source not in biases:
                    n = sizes[source][1]
                    if n != sizes[nxt][0] and kind != "Output":
                        raise NIRError(f"{where}: edge ({source!r}, {nxt!r}) joins {n} to {sizes[nxt][0]} neurons")
                    weight = np.eye(n)
                else:
                    weight = matrix
                path = Projection(source, nxt, weight, tuple(via), tuple(types), bias_of)
                (readouts if kind == "Output" else projections).append(path)
            elif kind in LINEAR_TYPES:
                if nxt in via:
                    raise NIRError(f"{where}: the cycle {' → '.join(via[via.index(nxt):] + [nxt])} has no "
                                   "neuron in it (an algebraic loop without a time step)")
                walk(source, nxt, _apply(kind, nodes[nxt], matrix, sizes[nxt][0]), via + [nxt],
                     types + [kind], bias_of)
            elif kind == "Input":
                raise NIRError(f"{where}: edge ({current!r}, {nxt!r}) leads into an Input node")

    for name in list(inputs) + list(populations):
        if name in populations and not populations[name].fires and any(
                _type(nodes[s]) != "Output" for s in succ[name]):
            pop = populations[name]
            raise NIRError(f"{where}: node {name!r} ({pop.type}) does not spike but drives "
                           f"{', '.join(s for s in succ[name] if _type(nodes[s]) != 'Output')}; "
                           "only spiking nodes (CubaLIF, LIF, IF) and inputs can send to other neurons")
        walk(name, name, None, [], [])
    for name, node in nodes.items():
        if _type(node) == "Affine":
            bias = np.asarray(node.bias).reshape(-1, 1)
            source = f"{name}.bias"
            biases[source] = name
            sizes[source] = (1, 1)
            walk(source, name, bias, [name], ["Affine"], bias_of=name)
    return NIRNetwork(inputs=inputs, populations=populations, projections=projections, readouts=readouts,
                      outputs=outputs, biases=biases, nodes=nodes, edges=edges,
                      metadata=dict(getattr(graph, "metadata", None) or {}))


def condensation(names: List[str], links: List[Tuple[str, str]]) -> List[List[str]]:
    """Strongly connected groups of ``names`` in topological order (members keep ``names`` order).

    A group of more than one name, or one with a self-link, is recurrent.

    Example:
        >>> condensation(["a", "b", "c"], [("a", "b"), ("b", "a"), ("b", "c")])
        [['a', 'b'], ['c']]
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    graph.add_edges_from(links)
    cond = nx.condensation(graph)
    position = {n: i for i, n in enumerate(names)}
    # topological order; ties broken by the first member's position for a stable layout
    order = list(nx.lexicographical_topological_sort(
        cond, key=lambda c: min(position[n] for n in cond.nodes[c]["members"])))
    return [sorted(cond.nodes[c]["members"], key=position.__getitem__) for c in order]


def is_recurrent(group: List[str], links: List[Tuple[str, str]]) -> bool:
    """Whether ``group`` (from :func:`condensation`) contains a cycle."""
    return len(group) > 1 or (group[0], group[0]) in set(links)
