"""The graph of module calls of one forward pass (spec §2.4).

Nodes are modules (integer ids that persist across runs), wrappers (``"w_<k>"``), open sources
(``"s_<id>_<i>"``: the i-th input of module ``id`` that no module produced) and open targets
(``"t_<id>"``: an output nobody consumed yet). Edges carry the handle passed along them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import networkx as nx

from .handle import HandleBase

__all__ = ["BaseModuleManager", "ModuleManager"]

_CYCLE_MESSAGE = ("Encountered cyclic dependencies in the network. At the moment, cyclic "
                  "dependencies are expected to be wrapped manually.")


class BaseModuleManager:
    """Common base of module managers (hxtorch ``backend/module_manager.py``)."""


class ModuleManager(BaseModuleManager):
    """Collects ``(module, input handles, output handle)`` calls and orders them for execution.

    Attributes:
        nodes: module → integer id (insertion index, kept across runs).
        wrappers: wrapper → ``"w_<k>"`` (kept across runs).
        graph: ``networkx.DiGraph`` of the current pass.
        prev_graph: the graph of the last executed pass.
    """

    def __init__(self):
        self.nodes: Dict[Any, int] = {}
        self.wrappers: Dict[Any, str] = {}
        self.graph = nx.DiGraph()
        self.prev_graph = nx.DiGraph()
        self._open_sources: set = set()
        self._open_targets: set = set()
        #: projection → InputNeuron inserted in front of it (hardware runs; kept across runs).
        self._inputs: Dict[Any, Any] = {}

    # -- registration --------------------------------------------------------------------------

    def add_node(self, module: Any, sources: Any, target: HandleBase) -> None:
        """Add the call ``target = module(*sources)`` to the graph.

        A source produced earlier in this pass is linked to its producer (its open target is
        consumed); an unknown source becomes an open source. A target that already feeds a
        module (recurrence, or a consumer called before its producer) is linked to that
        consumer; otherwise it becomes an open target.
        """
        node = self.nodes.setdefault(module, len(self.nodes))
        if not isinstance(sources, tuple):
            sources = (sources,)
        for k, source in enumerate(sources):
            edges = self.find_edges(source)
            open_edge = next(((u, v) for u, v in edges if v in self._open_targets), None)
            if open_edge is not None:
                producer = open_edge[0]
                self._remove_open(open_edge[1])
            elif edges:
                producer = edges[-1][0]
            else:
                producer = f"s_{node}_{k}"
                self._open_sources.add(producer)
            self.graph.add_edge(producer, node, handle=source)

        edges = self.find_edges(target)
        for u, v in edges:
            if u in self._open_sources and not u.startswith(f"s_{node}_"):
                self._remove_open(u)
            self.graph.add_edge(node, v, handle=target)
        if not edges:
            self._open_targets.add(f"t_{node}")
            self.graph.add_edge(node, f"t_{node}", handle=target)

    def _remove_open(self, name: str) -> None:
        self.graph.remove_node(name)
        self._open_sources.discard(name)
        self._open_targets.discard(name)

    def add_wrapper(self, wrapper: Any) -> None:
        """Register ``wrapper`` as ``"w_<k>"``; registering it again keeps its id."""
        self.wrappers.setdefault(wrapper, f"w_{len(self.wrappers)}")

    # -- lookup --------------------------------------------------------------------------------

    def find_edges(self, handle: HandleBase) -> List[Tuple[Any, Any]]:
        """Edges ``(u, v)`` that carry this very handle object (identity, not equality)."""
        return [(u, v) for u, v, h in self.graph.edges(data="handle") if h is handle]

    def has_module(self, module: Any) -> bool:
        """Return whether ``module`` has ever been added."""
        return module in self.nodes

    def get_id_by_module(self, module: Any) -> Optional[int]:
        """Node id of ``module``, or ``None``."""
        return self.nodes.get(module)

    def get_module_by_id(self, node_id: int) -> Optional[Any]:
        """Module with node id ``node_id``, or ``None``."""
        return next((m for m, i in self.nodes.items() if i == node_id), None)

    def get_id_by_wrapper(self, wrapper: Any) -> Optional[str]:
        """Id ``"w_<k>"`` of ``wrapper``, or ``None``."""
        return self.wrappers.get(wrapper)

    def get_wrapper_by_id(self, wrapper_id: str) -> Optional[Any]:
        """Wrapper with id ``wrapper_id``, or ``None``."""
        return next((w for w, i in self.wrappers.items() if i == wrapper_id), None)

    # -- execution -----------------------------------------------------------------------------

    def get_node_id(self, module: Any) -> Optional[Any]:
        """Graph node of ``module``: its integer id, or the wrapper id ``"w_<k>"``."""
        return self.nodes.get(module, self.wrappers.get(module))

    def source_populations(self, module: Any) -> List[Any]:
        """The nearest populations upstream of ``module`` in the current graph (spec §2.4)."""
        return self._populations(module, upstream=True)

    def target_populations(self, module: Any) -> List[Any]:
        """The nearest populations downstream of ``module`` in the current graph (spec §2.4)."""
        return self._populations(module, upstream=False)

    def _populations(self, module: Any, upstream: bool) -> List[Any]:
        from .modules.types import BasePopulation

        found, seen = [], set()
        frontier = [self.nodes[module]] if module in self.nodes else []
        while frontier:
            node = frontier.pop(0)
            neighbours = (self.graph.predecessors(node) if upstream
                          else self.graph.successors(node)) if node in self.graph else []
            for neighbour in neighbours:
                if neighbour in seen or isinstance(neighbour, str):
                    continue
                seen.add(neighbour)
                other = self.get_module_by_id(neighbour)
                if isinstance(other, BasePopulation):
                    found.append(other)
                else:
                    frontier.append(neighbour)
        return found

    def pre_process(self, experiment: Any) -> None:
        """Prepare the graph before a run: hand BatchDropout masks to the neurons before them;
        on hardware also put an InputNeuron in front of every projection fed from outside."""
        self._handle_dropout_mask()
        if not experiment.mock:
            self._handle_inputs(experiment)

    def _handle_inputs(self, experiment: Any) -> None:
        """Route each open source that feeds a projection through an InputNeuron.

        The InputNeuron of a projection is created once and reused in later runs (spec §2.4);
        on BSS-2 external spikes enter the chip only through such a population.
        """
        from .modules.input_neuron import InputNeuron
        from .modules.types import Projection

        for source in sorted(self._open_sources):
            for _, target, handle in list(self.graph.out_edges(source, data="handle")):
                projection = self.get_module_by_id(target)
                if not isinstance(projection, Projection):
                    continue
                neuron = self._inputs.get(projection)
                if neuron is None:
                    neuron = self._inputs[projection] = InputNeuron(
                        projection.in_features, experiment, projection.execution_instance)
                node = self.nodes.setdefault(neuron, len(self.nodes))
                self.graph.remove_edge(source, target)
                self.graph.add_edge(source, node, handle=handle)
                self.graph.add_edge(node, target, handle=neuron._output_handle)

    def _handle_dropout_mask(self) -> None:
        """Draw each BatchDropout's mask and give it to the neuron module feeding it.

        Raises:
            TypeError: a BatchDropout has more than one predecessor, or follows a non-neuron.
        """
        from .modules import AELIF, BatchDropout

        for module, node in self.nodes.items():
            if not isinstance(module, BatchDropout) or node not in self.graph:
                continue
            preds = list(self.graph.predecessors(node))
            if len(preds) != 1:
                raise TypeError("The BatchDropout module is only allowed to preceed one module.")
            mask = module.set_mask()
            if preds[0] in self._open_sources:
                continue
            pre = self.get_module_by_id(preds[0])
            if not isinstance(pre, AELIF):
                raise TypeError("The BatchDropout module is only allowed to succeed a Neuron "
                                f"module, not {type(pre).__name__}.")
            pre.mask = mask

    def done(self) -> List[Tuple[Any, Tuple[HandleBase, ...], Any]]:
        """Collapse wrappers, return the execution order (see :meth:`_order`) and clear the graph.

        Raises:
            ValueError: the graph has a cycle that no wrapper encloses.
        """
        self._handle_wrappers()
        order = self._order()
        self.clear()
        return order

    def _handle_wrappers(self) -> None:
        """Replace the member nodes of each wrapper by one node ``"w_<k>"``.

        The node gets the attributes ``sources`` (handles entering from outside, in member
        order) and ``targets`` (distinct output handles of the members, in member order).
        """
        for wrapper, wrapper_id in self.wrappers.items():
            members = [self.nodes[m] for m in wrapper.modules.values()
                       if m in self.nodes and self.nodes[m] in self.graph]
            if not members:
                continue
            sources, targets = [], []
            for node in members:
                for u, _, handle in self.graph.in_edges(node, data="handle"):
                    if u not in members and not any(handle is s for s in sources):
                        sources.append(handle)
                        self.graph.add_edge(u, wrapper_id, handle=handle)
                for _, v, handle in self.graph.out_edges(node, data="handle"):
                    if not any(handle is t for t in targets):
                        targets.append(handle)
                    if v not in members:
                        self.graph.add_edge(wrapper_id, v, handle=handle)
            self.graph.remove_nodes_from(members)
            self.graph.nodes[wrapper_id].update(sources=sources, targets=targets)

    def _order(self) -> List[Tuple[Any, Tuple[HandleBase, ...], Any]]:
        """Topologically sorted ``(module, input handles, output handle)`` triples.

        Open sources and targets are skipped; a wrapper appears as
        ``(wrapper, tuple(sources), tuple(targets))``. Inputs come in call-argument order.

        Raises:
            ValueError: the graph has a cycle (message as in hxtorch).
        """
        if not nx.is_directed_acyclic_graph(self.graph):
            raise ValueError(_CYCLE_MESSAGE)
        order = []
        for node in nx.topological_sort(self.graph):
            if isinstance(node, str) and node[:2] in ("s_", "t_"):
                continue
            if isinstance(node, str):
                attributes = self.graph.nodes[node]
                order.append((self.get_wrapper_by_id(node), tuple(attributes["sources"]),
                              tuple(attributes["targets"])))
                continue
            inputs = tuple(h for _, _, h in self.graph.in_edges(node, data="handle"))
            outputs = []
            for _, _, handle in self.graph.out_edges(node, data="handle"):
                if not any(handle is o for o in outputs):
                    outputs.append(handle)
            assert len(outputs) == 1, f"module {node} has {len(outputs)} output handles"
            order.append((self.get_module_by_id(node), inputs, outputs[0]))
        return order

    def clear(self) -> None:
        """Keep the graph as :attr:`prev_graph` and start an empty one; ids are kept."""
        self.prev_graph = self.graph.copy()
        self.graph = nx.DiGraph()
        self._open_sources.clear()
        self._open_targets.clear()

    def __str__(self) -> str:
        lines = ["Modules (node_id, module):"]
        lines += [f"  {i}: {type(m).__name__}" for m, i in self.nodes.items()]
        lines.append("Wrappers (wrapper_id, wrapper):")
        lines += [f"  {i}: {type(w).__name__}" for w, i in self.wrappers.items()]
        lines.append("Connections:")
        lines += [f"  {u} -> {v}" for u, v in self.graph.edges]
        lines.append("Inputs (Module, Input Module):")
        lines += [f"  {type(p).__name__} -> {type(n).__name__}" for p, n in self._inputs.items()]
        lines.append(f"Open sources: {sorted(self._open_sources)}")
        lines.append(f"Open targets: {sorted(self._open_targets)}")
        return "\n".join(lines)
