"""Canvas editor for the network: populations as nodes, projections as edges.

:class:`NetworkEditor` wraps ``panel_reactflow.ReactFlow`` (0.5.1). It shows
what the owner last passed to :meth:`NetworkEditor.set_graph` and reports user
intent through plain callbacks; it never edits the graph on its own. After each
structural gesture (connect, delete) it asks the owner and then redraws the
owner's graph, so an edge or deletion the owner rejected disappears again.
Positions in ``set_graph`` win over drags: store the one ``on_move`` reports.

Plain-data contract::

    nodes = [{"id": "hidden", "kind": "LIF", "label": "hidden", "size": 120,
              "position": (250.0, 80.0)}, ...]          # kind: "input" | "LIF" | "LI" | "AELIF"
    edges = [{"id": "p0", "source": "in", "target": "hidden", "label": "w ~ N(0, 10)"}, ...]

panel-reactflow 0.5.1 keeps a browser-side copy of the edges and only replaces
it when the Python ``edges`` value changes; a rejected drag leaves ``edges``
as it was, so the browser would keep the edge it drew. Every redraw therefore
stamps a new ``data["revision"]`` into each edge.

Browser selectors (Playwright pierces the shadow DOM):
``.react-flow__node[data-id="<id>"]``; per kind ``.react-flow__node-pop_input``,
``-pop_lif``, ``-pop_li``, ``-pop_aelif`` (also ``.hx-pop-input``/``-lif``/``-li``/``-aelif``); handles
``.react-flow__node[data-id="<id>"] .react-flow__handle.source`` / ``.target``;
``.react-flow__edge[data-id="<id>"]``; selected items carry ``.selected``;
buttons ``.hx-add-input button``, ``.hx-add-lif button``, ``.hx-add-li button``,
``.hx-add-aelif button`` ("+ AdEx"), ``.hx-delete-selected button``.
"""

from __future__ import annotations

from typing import Any

import panel as pn
import param
from panel.viewable import Viewer
from panel_reactflow import NodeType, ReactFlow

__all__ = ["KINDS", "NetworkEditor"]

KINDS = ("input", "LIF", "LI", "AELIF")
_TYPE = {"input": "pop_input", "LIF": "pop_lif", "LI": "pop_li", "AELIF": "pop_aelif"}
_BUTTON = {"input": "+ Input", "LIF": "+ LIF", "LI": "+ LI", "AELIF": "+ AdEx"}
# (border, background) per kind.
_COLOURS = {"input": ("#2e7d32", "#e8f5e9"), "LIF": ("#1565c0", "#e3f2fd"), "LI": ("#8e24aa", "#f3e5f5"),
            "AELIF": ("#00838f", "#e0f7fa")}
_SELECTED = "#ef6c00"  # border of a selected node, any kind
# inputs=[] hides the target handle, outputs=[] the source handle; None gives React Flow's default handle.
_NODE_TYPES = {
    "pop_input": NodeType(type="pop_input", label="input", inputs=[]),
    "pop_lif": NodeType(type="pop_lif", label="LIF"),
    "pop_li": NodeType(type="pop_li", label="LI", outputs=[]),
    "pop_aelif": NodeType(type="pop_aelif", label="AdEx"),
}


def _no_editor(data, schema, *, id, type, on_patch):  # noqa: A002 - panel-reactflow's editor signature
    """Editor factory that shows nothing: parameters are edited in the ParameterPanel."""
    return None


def _callback(name: str, signature: str) -> param.Callable:
    return param.Callable(default=None, allow_None=True, doc=f"{signature}: {name}. None to ignore.")


class NetworkEditor(Viewer):
    """Draw populations (nodes) and projections (edges) on a React Flow canvas.

    Shows a toolbar ("+ Input", "+ LIF", "+ LI", "+ AdEx", "Delete selected") above a
    canvas of fixed height. Node labels read ``"<label> · <kind> × <size>"``; input nodes
    have only a source handle (right), LI nodes only a target handle (left), LIF and
    AELIF (AdEx) nodes both. Each kind has its own colour.

    The owner holds the graph: set callbacks, call :meth:`set_graph` whenever the
    graph changes (also from inside a callback). ``selected`` reports the canvas
    selection as ``("node", id)``, ``("edge", id)`` or ``None`` (first node wins
    in a multi-selection). Keyboard deletion of a node first reports its attached
    edges through ``on_delete_edge`` (React Flow's order), then the node.
    """

    selected = param.Tuple(default=None, allow_None=True, length=2, constant=True, doc=(
        "Canvas selection: ('node', id), ('edge', id) or None. Read-only, set by the canvas."))
    height = param.Integer(default=450, bounds=(200, None), doc="Canvas height in pixels.")

    on_add = _callback("a toolbar add button was pressed", "on_add(kind)")
    on_delete_node = _callback("the user deleted a node (key or button)", "on_delete_node(node_id)")
    on_connect = _callback("the user dragged an edge between two nodes", "on_connect(source_id, target_id)")
    on_delete_edge = _callback("the user deleted an edge (key or button)", "on_delete_edge(edge_id)")
    on_select = _callback("the selection changed; kind is 'node', 'edge' or None", "on_select(kind, id)")
    on_move = _callback("the user finished dragging a node", "on_move(node_id, (x, y))")

    def __init__(self, **params: Any):
        self._flow = ReactFlow(
            node_types=_NODE_TYPES,
            default_node_editor=_no_editor,
            default_edge_editor=_no_editor,
            default_edge_options={"markerEnd": {"type": "arrowclosed", "width": 18, "height": 18}},
            min_zoom=0.2,
            height=params.get("height", 450),
            sizing_mode="stretch_width",
        )
        self._add_buttons = {kind: pn.widgets.Button(label=_BUTTON[kind], css_classes=[f"hx-add-{kind.lower()}"])
                             for kind in KINDS}
        self._delete_button = pn.widgets.Button(label="Delete selected", color="danger", disabled=True,
                                                css_classes=["hx-delete-selected"])
        super().__init__(**params)
        self._nodes: list[dict] = []
        self._edges: list[dict] = []
        self._version = 0  # bumped by set_graph: tells handlers whether the owner answered
        self._revision = 0  # stamped into edge data so every redraw reaches the browser
        for kind, button in self._add_buttons.items():
            button.on_click(lambda _event, kind=kind: self._call(self.on_add, kind))
        self._delete_button.on_click(self._delete_selected)
        for event, handler in [("edge_added", self._edge_added), ("node_deleted", self._node_deleted),
                               ("edge_deleted", self._edge_deleted), ("node_moved", self._node_moved),
                               ("selection_changed", self._selection_changed)]:
            self._flow.on(event, handler)
        self._layout = pn.Column(
            pn.Row(*self._add_buttons.values(), self._delete_button, css_classes=["hx-network-toolbar"]),
            self._flow, sizing_mode="stretch_width",
        )

    def __panel__(self):
        return self._layout

    # ---- owner API -------------------------------------------------------------
    def set_graph(self, nodes: list[dict], edges: list[dict]) -> None:
        """Show ``nodes`` and ``edges`` (plain dicts, see the module docstring)."""
        for node in nodes:
            if node["kind"] not in KINDS:
                raise ValueError(f"NetworkEditor: node {node['id']!r} has kind {node['kind']!r}, "
                                 f"expected one of {KINDS}")
        self._nodes = [dict(node, position=tuple(node.get("position", (0.0, 0.0)))) for node in nodes]
        self._edges = [dict(edge) for edge in edges]
        self._version += 1
        self._render()

    @property
    def graph(self) -> tuple[list[dict], list[dict]]:
        """Copies of the nodes and edges last shown (positions updated by drags)."""
        return [dict(n) for n in self._nodes], [dict(e) for e in self._edges]

    # ---- rendering -----------------------------------------------------------
    def _render(self) -> None:
        selection = self._flow.selection
        rf_nodes = []
        for node in self._nodes:
            kind, (x, y) = node["kind"], node["position"]
            border, background = _COLOURS[kind]
            rf_nodes.append({
                "id": node["id"], "type": _TYPE[kind],
                "label": f"{node['label']} · {kind} × {node['size']}",
                "position": {"x": float(x), "y": float(y)}, "data": {},
                "selected": node["id"] in selection["nodes"],
                "className": f"hx-pop hx-pop-{kind.lower()}",
                "style": {"--xy-node-border": border, "--xy-node-border-selected": _SELECTED,
                          "--xy-node-background-color": background, "borderWidth": "2px"},
            })
        self._revision += 1
        rf_edges = [{
            "id": edge["id"], "source": edge["source"], "target": edge["target"],
            "label": edge.get("label") or None, "data": {"revision": self._revision},
            "selected": edge["id"] in selection["edges"],
        } for edge in self._edges]
        self._flow.param.update(nodes=rf_nodes, edges=rf_edges)

    @staticmethod
    def _call(callback, *args) -> None:
        if callback is not None:
            callback(*args)

    def _ask_owner(self, callback, *args) -> None:
        """Call an owner callback; redraw the owner's graph if it did not answer with set_graph."""
        version = self._version
        self._call(callback, *args)
        if self._version == version:
            self._render()

    # ---- canvas events (payloads as emitted by ReactFlow._process_msg) ----------
    def _edge_added(self, payload: dict) -> None:
        edge = payload["edge"]
        self._ask_owner(self.on_connect, edge["source"], edge["target"])

    def _node_deleted(self, payload: dict) -> None:
        if any(node["id"] == payload["node_id"] for node in self._nodes):
            self._ask_owner(self.on_delete_node, payload["node_id"])

    def _edge_deleted(self, payload: dict) -> None:
        if any(edge["id"] == payload["edge_id"] for edge in self._edges):
            self._ask_owner(self.on_delete_edge, payload["edge_id"])

    def _node_moved(self, payload: dict) -> None:
        position = (float(payload["position"]["x"]), float(payload["position"]["y"]))
        for node in self._nodes:
            if node["id"] == payload["node_id"]:
                node["position"] = position
        self._call(self.on_move, payload["node_id"], position)

    def _selection_changed(self, payload: dict) -> None:
        # The browser may report a just-deleted item once more before it redraws: ignore unknown ids.
        node_ids, edge_ids = {n["id"] for n in self._nodes}, {e["id"] for e in self._edges}
        nodes = [i for i in payload.get("nodes") or [] if i in node_ids]
        edges = [i for i in payload.get("edges") or [] if i in edge_ids]
        selected = ("node", nodes[0]) if nodes else ("edge", edges[0]) if edges else None
        if selected == self.selected:
            return
        with param.edit_constant(self):
            self.selected = selected
        self._delete_button.disabled = selected is None
        self._call(self.on_select, *(selected or (None, None)))

    def _delete_selected(self, _event=None) -> None:
        if self.selected is None:
            return
        kind, item_id = self.selected
        self._ask_owner(self.on_delete_node if kind == "node" else self.on_delete_edge, item_id)

    @param.depends("height", watch=True)
    def _sync_height(self) -> None:
        self._flow.height = self.height
