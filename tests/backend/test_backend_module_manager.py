"""ModuleManager graph handling (spec §2.4, §13.6)."""

import pytest

import hxstudio.backend as hxsnn
from hxstudio.backend.module_manager import ModuleManager


def mods(n):
    return [hxsnn.HXBaseExperimentModule(None) for _ in range(n)]


def handles(n):
    """Handles told apart by value too, so that ``==`` on tuples checks the order."""
    return [hxsnn.LIFObservables(current=f"h{k + 1}") for k in range(n)]


def counts(manager):
    return len(manager.nodes), len(manager._open_sources), len(manager._open_targets)


def test_add_node_chain():
    manager, (m1, m2), (h1, h2, h3) = ModuleManager(), mods(2), handles(3)
    manager.add_node(m1, (h1,), h2)
    assert counts(manager) == (1, 1, 1)
    manager.add_node(m2, (h2,), h3)
    assert counts(manager) == (2, 1, 1)


def test_add_node_two_sources():
    manager, (m1, m2), (h1, h2, h3, h4) = ModuleManager(), mods(2), handles(4)
    manager.add_node(m1, (h1, h2), h3)
    assert counts(manager) == (1, 2, 1)
    manager.add_node(m2, (h1,), h4)
    assert counts(manager) == (2, 2, 2)


def test_add_node_recurrence():
    manager, (m1, m2, m3), (h1, h2, h3, h4) = ModuleManager(), mods(3), handles(4)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m3, (h3,), h4)
    manager.add_node(m1, (h4,), h2)
    assert counts(manager) == (3, 1, 0)


def test_consumer_before_producer():
    manager, (m1, m2), (h1, h2, h3) = ModuleManager(), mods(2), handles(3)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m1, (h1,), h2)
    assert counts(manager) == (2, 1, 1)
    assert [m for m, _, _ in manager.done()] == [m1, m2]


def test_diamond():
    manager, (top, left, right, bottom), (ht, hl, hr, hb) = ModuleManager(), mods(4), handles(4)
    manager.add_node(top, (), ht)
    manager.add_node(left, (ht,), hl)
    manager.add_node(right, (ht,), hr)
    manager.add_node(bottom, (hl, hr), hb)
    order = manager.done()
    assert order[0] == (top, (), ht) and order[-1] == (bottom, (hl, hr), hb)


def test_add_wrapper():
    manager = ModuleManager()
    wrapper = hxsnn.HXModuleWrapper(None, **dict(zip("ab", mods(2))))
    manager.add_wrapper(wrapper)
    manager.add_wrapper(wrapper)
    assert manager.wrappers[wrapper] == "w_0"


def test_ids_by_module_and_back():
    manager, (m1, m2), (h1, h2, h3) = ModuleManager(), mods(2), handles(3)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    assert manager.get_module_by_id(0) is m1 and manager.get_module_by_id(1) is m2
    assert manager.get_id_by_module(m1) == 0 and manager.get_id_by_module(m2) == 1


def test_clear_keeps_nodes():
    manager, (m1, m2), (h1, h2, h3) = ModuleManager(), mods(2), handles(3)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.clear()
    assert len(manager.nodes) == 2
    assert manager.graph.number_of_nodes() == 0
    assert manager.prev_graph.number_of_nodes() == 4


def three_cycle():
    manager, (m1, m2, m3), (h1, h2, h3, h4) = ModuleManager(), mods(3), handles(4)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m3, (h3,), h4)
    manager.add_node(m1, (h4,), h2)
    return manager, (m1, m2, m3), (h1, h2, h3, h4)


def test_handle_wrappers():
    manager, (m1, m2, m3), (h1, h2, h3, h4) = three_cycle()
    wrapper = hxsnn.HXModuleWrapper(None, m1=m1, m2=m2, m3=m3)
    manager.add_wrapper(wrapper)
    assert manager.graph.number_of_nodes() == 4
    manager._handle_wrappers()
    assert set(manager.graph.nodes) == {"w_0", "s_0_0"}
    node = manager.graph.nodes["w_0"]
    assert node["sources"] == [h1]
    assert len(node["targets"]) == 3
    assert all(a is b for a, b in zip(node["targets"], (h2, h3, h4)))


def test_order_cycle_error():
    manager, _, _ = three_cycle()
    with pytest.raises(ValueError) as info:
        manager.done()
    assert str(info.value) == ("Encountered cyclic dependencies in the network. At the moment, "
                               "cyclic dependencies are expected to be wrapped manually.")


@pytest.mark.parametrize("reverse", [False, True])
def test_order_chain(reverse):
    manager, (m1, m2, m3), (h1, h2, h3, h4, h5) = ModuleManager(), mods(3), handles(5)
    m2_inputs = (h3, h2) if reverse else (h2, h3)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, m2_inputs, h4)
    manager.add_node(m3, (h4,), h5)
    assert manager._order() == [(m1, (h1,), h2), (m2, m2_inputs, h4), (m3, (h4,), h5)]


def test_order_with_wrapper():
    manager, (m1, m2, m3, m4, m5), hs = ModuleManager(), mods(5), handles(6)
    h1, h2, h3, h4, h5, h6 = hs
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m3, (h3,), h4)
    manager.add_node(m4, (h4,), h5)
    manager.add_node(m2, (h5,), h3)
    manager.add_node(m5, (h4,), h6)
    wrapper = hxsnn.HXModuleWrapper(None, m2=m2, m3=m3, m4=m4)
    manager.add_wrapper(wrapper)
    assert manager.done() == [(m1, (h1,), h2), (wrapper, (h2,), (h3, h4, h5)), (m5, (h4,), h6)]


def test_has_module():
    manager, (m1,), (h1, h2) = ModuleManager(), mods(1), handles(2)
    manager.add_node(m1, (h1,), h2)
    assert manager.has_module(m1)
    assert not manager.has_module(hxsnn.HXModule(hxsnn.Experiment(), None))


def test_print():
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(10, 11, exp)
    syn(hxsnn.LIFObservables())
    text = str(exp.modules)
    assert "Modules (node_id, module):\n  0: Synapse" in text
    assert "Open sources: ['s_0_0']" in text and "Open targets: ['t_0']" in text
