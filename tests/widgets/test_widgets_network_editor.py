"""NetworkEditor driven with the messages the React Flow frontend sends (ReactFlow._handle_msg)."""

import pytest

from hxstudio.widgets import NetworkEditor

NODES = [
    {"id": "in", "kind": "input", "label": "in", "size": 2, "position": (0, 0)},
    {"id": "hidden", "kind": "LIF", "label": "hidden", "size": 120, "position": (250, 40)},
    {"id": "out", "kind": "LI", "label": "out", "size": 3, "position": (500, 80)},
]
EDGES = [{"id": "p0", "source": "in", "target": "hidden", "label": "w = 20"}]


class Owner:
    """A minimal owner: records callbacks and answers like the app would."""

    def __init__(self, editor, accept=True):
        self.editor, self.accept, self.calls = editor, accept, []
        self.nodes, self.edges = [dict(n) for n in NODES], [dict(e) for e in EDGES]
        for name in ("on_add", "on_delete_node", "on_connect", "on_delete_edge", "on_select", "on_move"):
            setattr(editor, name, lambda *args, name=name: self.handle(name, *args))
        editor.set_graph(self.nodes, self.edges)

    def handle(self, name, *args):
        self.calls.append((name, *args))
        if not self.accept:
            return
        if name == "on_connect":
            self.edges.append({"id": f"p{len(self.edges)}", "source": args[0], "target": args[1], "label": ""})
        elif name == "on_delete_node":
            self.nodes = [n for n in self.nodes if n["id"] != args[0]]
            self.edges = [e for e in self.edges if args[0] not in (e["source"], e["target"])]
        elif name == "on_delete_edge":
            self.edges = [e for e in self.edges if e["id"] != args[0]]
        elif name == "on_add":
            self.nodes.append({"id": f"n{len(self.nodes)}", "kind": args[0], "label": "new", "size": 1,
                               "position": (0, 200)})
        else:
            return
        self.editor.set_graph(self.nodes, self.edges)


@pytest.fixture
def editor():
    return NetworkEditor()


def flow_of(editor):
    return editor._flow


def test_set_graph_renders_labels_types_and_positions(editor):
    editor.set_graph(NODES, EDGES)
    nodes = {n["id"]: n for n in flow_of(editor).nodes}
    assert nodes["hidden"]["label"] == "hidden · LIF × 120"
    assert nodes["in"]["label"] == "in · input × 2"
    assert nodes["out"]["label"] == "out · LI × 3"
    assert {n["type"] for n in nodes.values()} == {"pop_input", "pop_lif", "pop_li"}
    assert nodes["hidden"]["position"] == {"x": 250.0, "y": 40.0}
    assert len({n["style"]["--xy-node-background-color"] for n in nodes.values()}) == 3
    (edge,) = flow_of(editor).edges
    assert (edge["id"], edge["source"], edge["target"], edge["label"]) == ("p0", "in", "hidden", "w = 20")


def test_handles_per_kind(editor):
    types = flow_of(editor).node_types
    assert types["pop_input"]["inputs"] == [] and types["pop_input"]["outputs"] is None  # source handle only
    assert types["pop_li"]["outputs"] == [] and types["pop_li"]["inputs"] is None  # target handle only
    assert types["pop_lif"]["inputs"] is None and types["pop_lif"]["outputs"] is None  # both
    assert types["pop_aelif"]["inputs"] is None and types["pop_aelif"]["outputs"] is None  # both


def test_bad_kind_rejected(editor):
    with pytest.raises(ValueError, match="AdEx"):
        editor.set_graph([{"id": "x", "kind": "AdEx", "label": "x", "size": 1, "position": (0, 0)}], [])


def test_toolbar_add_buttons_call_on_add(editor):
    owner = Owner(editor)
    for kind, button in editor._add_buttons.items():
        button.clicks += 1
    assert [c for c in owner.calls if c[0] == "on_add"] == [("on_add", "input"), ("on_add", "LIF"), ("on_add", "LI"),
                                                            ("on_add", "AELIF")]
    assert [b.label for b in editor._add_buttons.values()] == ["+ Input", "+ LIF", "+ LI", "+ AdEx"]
    assert [b.css_classes for b in editor._add_buttons.values()] == [
        ["hx-add-input"], ["hx-add-lif"], ["hx-add-li"], ["hx-add-aelif"]]
    nodes = flow_of(editor).nodes
    assert len(nodes) == 7
    assert (nodes[-1]["type"], nodes[-1]["label"], nodes[-1]["className"]) == (
        "pop_aelif", "new · AELIF × 1", "hx-pop hx-pop-aelif")


def test_connect_accepted_shows_owner_edge(editor):
    owner = Owner(editor)
    flow_of(editor)._handle_msg({"type": "edge_added", "edge": {
        "source": "hidden", "target": "out", "sourceHandle": None, "targetHandle": None, "id": "hidden->out"}})
    assert ("on_connect", "hidden", "out") in owner.calls
    assert [e["id"] for e in flow_of(editor).edges] == ["p0", "p1"]  # the owner's id, not the provisional one


def test_connect_rejected_drops_provisional_edge(editor):
    owner = Owner(editor, accept=False)
    revision = flow_of(editor).edges[0]["data"]["revision"]
    flow_of(editor)._handle_msg({"type": "edge_added", "edge": {
        "source": "hidden", "target": "in", "sourceHandle": None, "targetHandle": None, "id": "hidden->in"}})
    assert ("on_connect", "hidden", "in") in owner.calls
    assert [e["id"] for e in flow_of(editor).edges] == ["p0"]
    # the redraw differs from what the browser had, so the browser drops its local edge
    assert flow_of(editor).edges[0]["data"]["revision"] > revision


def test_connect_without_callback_is_dropped(editor):
    editor.set_graph(NODES, EDGES)
    flow_of(editor)._handle_msg({"type": "edge_added", "edge": {"source": "in", "target": "out", "id": "in->out"}})
    assert [e["id"] for e in flow_of(editor).edges] == ["p0"]


def test_keyboard_delete_node_and_edges(editor):
    owner = Owner(editor)
    # React Flow reports the attached edges first, then the node
    flow_of(editor)._handle_msg({"type": "edge_deleted", "edge_id": "p0", "edge_ids": ["p0"]})
    flow_of(editor)._handle_msg({"type": "node_deleted", "node_id": "in", "node_ids": ["in"],
                                 "deleted_edges": ["p0"]})
    assert ("on_delete_edge", "p0") in owner.calls and ("on_delete_node", "in") in owner.calls
    assert [n["id"] for n in flow_of(editor).nodes] == ["hidden", "out"]
    assert flow_of(editor).edges == []


def test_rejected_node_delete_restores_node(editor):
    owner = Owner(editor, accept=False)
    flow_of(editor)._handle_msg({"type": "node_deleted", "node_id": "out", "node_ids": ["out"]})
    assert owner.calls == [("on_delete_node", "out")]
    assert [n["id"] for n in flow_of(editor).nodes] == ["in", "hidden", "out"]


def test_selection_and_delete_selected_button(editor):
    owner = Owner(editor)
    assert editor.selected is None and editor._delete_button.disabled
    flow_of(editor)._handle_msg({"type": "selection_changed", "nodes": ["hidden"], "edges": []})
    assert editor.selected == ("node", "hidden") and owner.calls[-1] == ("on_select", "node", "hidden")
    assert not editor._delete_button.disabled
    # a redraw keeps the selection (no spurious on_select)
    editor.set_graph(owner.nodes, owner.edges)
    assert editor.selected == ("node", "hidden") and len([c for c in owner.calls if c[0] == "on_select"]) == 1
    editor._delete_button.clicks += 1
    assert ("on_delete_node", "hidden") in owner.calls
    assert editor.selected is None and owner.calls[-1] == ("on_select", None, None)
    flow_of(editor)._handle_msg({"type": "selection_changed", "nodes": [], "edges": []})
    assert editor.selected is None


def test_stale_selection_of_deleted_node_ignored(editor):
    owner = Owner(editor)
    flow_of(editor)._handle_msg({"type": "selection_changed", "nodes": ["out"], "edges": []})
    editor._delete_button.clicks += 1
    assert editor.selected is None
    # the browser reports its old selection once more before it redraws
    flow_of(editor)._handle_msg({"type": "selection_changed", "nodes": ["out"], "edges": []})
    assert editor.selected is None
    assert [c for c in owner.calls if c[0] == "on_select"] == [("on_select", "node", "out"), ("on_select", None, None)]


def test_edge_selection(editor):
    owner = Owner(editor)
    flow_of(editor)._handle_msg({"type": "selection_changed", "nodes": [], "edges": ["p0"]})
    assert editor.selected == ("edge", "p0") and owner.calls[-1] == ("on_select", "edge", "p0")
    editor._delete_button.clicks += 1
    assert ("on_delete_edge", "p0") in owner.calls and flow_of(editor).edges == []


def test_move_reports_position_and_keeps_it(editor):
    owner = Owner(editor, accept=False)
    flow_of(editor)._handle_msg({"type": "node_moved", "node_id": "out", "position": {"x": 321.5, "y": -12}})
    assert owner.calls == [("on_move", "out", (321.5, -12.0))]
    editor._render()  # a later redraw does not snap the node back
    assert {n["id"]: n["position"] for n in flow_of(editor).nodes}["out"] == {"x": 321.5, "y": -12.0}
    assert editor.graph[0][2]["position"] == (321.5, -12.0)


def test_no_node_editors_or_gear(editor):
    editor.set_graph(NODES, EDGES)
    assert all(n["data"] == {} for n in flow_of(editor).nodes)  # empty data: React Flow shows no gear
    assert set(flow_of(editor)._node_editors.values()) == {None}
    assert flow_of(editor)._selected_editor is None


def test_height(editor):
    assert flow_of(editor).height == 450
    editor.height = 600
    assert flow_of(editor).height == 600
