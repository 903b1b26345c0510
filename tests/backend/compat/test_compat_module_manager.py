"""Spec §13.6: the ModuleManager graph (written from the spec, independent of the unit tests)."""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.module_manager import ModuleManager


def setup(n_modules, n_handles):
    modules = [hxsnn.HXBaseExperimentModule(None) for _ in range(n_modules)]
    handles = [hxsnn.LIFObservables() for _ in range(n_handles)]
    return ModuleManager(), modules, handles


def sizes(manager):
    return len(manager.nodes), len(manager._open_sources), len(manager._open_targets)


def test_add_node():
    manager, (m1, m2), (h1, h2, h3) = setup(2, 3)
    manager.add_node(m1, (h1,), h2)
    assert sizes(manager) == (1, 1, 1)
    manager.add_node(m2, (h2,), h3)
    assert sizes(manager) == (2, 1, 1)

    manager, (m1, m2), (h1, h2, h3, h4) = setup(2, 4)
    manager.add_node(m1, (h1, h2), h3)
    assert sizes(manager) == (1, 2, 1)
    manager.add_node(m2, (h1,), h4)
    assert sizes(manager) == (2, 2, 2)

    manager, (m1, m2, m3), (h1, h2, h3, h4) = setup(3, 4)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m3, (h3,), h4)
    manager.add_node(m1, (h4,), h2)
    assert sizes(manager) == (3, 1, 0)


def test_diamond_and_ids():
    manager, (top, left, right, bottom), (ht, hl, hr, hb) = setup(4, 4)
    manager.add_node(top, (), ht)
    manager.add_node(left, (ht,), hl)
    manager.add_node(right, (ht,), hr)
    manager.add_node(bottom, (hl, hr), hb)
    assert manager.get_module_by_id(0) is top and manager.get_module_by_id(1) is left
    assert manager.get_id_by_module(right) == 2
    order = [m for m, _, _ in manager.done()]
    assert order[0] is top and order[-1] is bottom
    assert len(manager.nodes) == 4 and manager.graph.number_of_nodes() == 0  # clear() keeps ids


def test_add_wrapper_and_handle_wrappers():
    manager, (m1, m2, m3), (h1, h2, h3, h4) = setup(3, 4)
    wrapper = hxsnn.HXModuleWrapper(None, m1=m1, m2=m2, m3=m3)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m3, (h3,), h4)
    manager.add_node(m1, (h4,), h2)
    manager.add_wrapper(wrapper)
    manager.add_wrapper(wrapper)
    assert manager.wrappers == {wrapper: "w_0"}
    assert manager.graph.number_of_nodes() == 4
    manager._handle_wrappers()
    assert set(manager.graph.nodes) == {"w_0", "s_0_0"}
    attributes = manager.graph.nodes["w_0"]
    assert attributes["sources"] == [h1]
    assert [id(h) for h in attributes["targets"]] == [id(h2), id(h3), id(h4)]


def test_order():
    manager, (m1, m2, m3), (h1, h2, h3, h4, h5) = setup(3, 5)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2, h3), h4)
    manager.add_node(m3, (h4,), h5)
    assert [(m, [id(h) for h in i], id(o)) for m, i, o in manager._order()] == [
        (m1, [id(h1)], id(h2)), (m2, [id(h2), id(h3)], id(h4)), (m3, [id(h4)], id(h5))]

    manager, (m1, m2, m3), (h1, h2, h3, h4, h5) = setup(3, 5)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h3, h2), h4)
    manager.add_node(m3, (h4,), h5)
    assert [id(h) for h in manager._order()[1][1]] == [id(h3), id(h2)]

    manager, (m1, m2), (h1, h2) = setup(2, 2)
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h1)
    with pytest.raises(ValueError, match="cyclic dependencies are expected to be wrapped"):
        manager._order()


def test_order_with_wrapper():
    manager, (m1, m2, m3, m4, m5), hs = setup(5, 6)
    h1, h2, h3, h4, h5, h6 = hs
    manager.add_node(m1, (h1,), h2)
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m3, (h3,), h4)
    manager.add_node(m4, (h4,), h5)
    manager.add_node(m2, (h5,), h3)
    manager.add_node(m5, (h4,), h6)
    wrapper = hxsnn.HXModuleWrapper(None, m2=m2, m3=m3, m4=m4)
    manager.add_wrapper(wrapper)
    manager._handle_wrappers()
    order = manager._order()
    assert [m for m, _, _ in order] == [m1, wrapper, m5]
    assert [id(h) for h in order[1][1]] == [id(h2)]
    assert [id(h) for h in order[1][2]] == [id(h3), id(h4), id(h5)]


def test_handle_inputs():
    exp = hxsnn.Experiment(mock=True)
    manager = exp.modules
    syn1, syn2 = hxsnn.Synapse(10, 11, exp), hxsnn.Synapse(12, 13, exp)
    h1, h2, h3, h4 = (hxsnn.LIFObservables() for _ in range(4))
    for _ in range(2):
        manager.add_node(syn1, (h1,), h2)
        manager.add_node(syn2, (h2, h3), h4)
        manager._handle_inputs(exp)
        assert set(manager._inputs) == {syn1, syn2}
        assert [n.size for n in manager._inputs.values()] == [10, 12]
        manager.clear()


def test_handle_dropout_mask():
    exp = hxsnn.Experiment(mock=True)
    lif = hxsnn.LIF(10, exp, tau_syn=None, tau_mem=None)
    dropout = hxsnn.BatchDropout(10, 0.5, exp)
    h1, h2, h3 = (hxsnn.LIFObservables() for _ in range(3))
    exp.modules.add_node(lif, (h1,), h2)
    exp.modules.add_node(dropout, (h2,), h3)
    assert lif.mask is None and dropout.mask is None
    exp.modules._handle_dropout_mask()
    assert lif.mask is not None and torch.equal(lif.mask, dropout.mask)

    exp = hxsnn.Experiment(mock=True)
    syn, dropout = hxsnn.Synapse(10, 10, exp), hxsnn.BatchDropout(10, 0.5, exp)
    exp.modules.add_node(syn, (h1,), h2)
    exp.modules.add_node(dropout, (h2,), h3)
    with pytest.raises(TypeError):
        exp.modules._handle_dropout_mask()


def test_has_module_print_and_populations():
    exp = hxsnn.Experiment()
    inp, syn = hxsnn.InputNeuron(12, exp), hxsnn.Synapse(10, 12, exp)
    lif, drop = hxsnn.LIF(10, exp), hxsnn.BatchDropout(10, 0.5, exp)
    h = [hxsnn.LIFObservables() for _ in range(5)]
    exp.modules.add_node(inp, (h[0],), h[1])
    exp.modules.add_node(syn, (h[1],), h[2])
    exp.modules.add_node(lif, (h[2],), h[3])
    exp.modules.add_node(drop, (h[3],), h[4])
    assert exp.modules.has_module(syn)
    assert not exp.modules.has_module(hxsnn.HXModule(hxsnn.Experiment(), None))
    assert exp.modules.source_populations(syn) == [inp]
    assert exp.modules.target_populations(syn) == [lif]
    exp.modules._handle_inputs(exp)
    exp.modules._handle_wrappers()
    text = str(exp.modules)
    for section in ("Modules (node_id, module):", "Wrappers (wrapper_id, wrapper):",
                    "Connections:", "Inputs (Module, Input Module):", "Open sources:",
                    "Open targets:"):
        assert section in text
