"""Experiment and run: lazy graph execution (spec §2, §13.9)."""

import pytest
import torch

import hxstudio.backend as hxsnn


def test_run_realistic():
    exp = hxsnn.Experiment(mock=True)
    taus = dict(tau_syn=hxsnn.ModelParameter(1), tau_mem=hxsnn.ModelParameter(1))
    syn1, lif1 = hxsnn.Synapse(5, 10, exp), hxsnn.LIF(10, exp, **taus)
    syn2, lif2 = hxsnn.Synapse(10, 20, exp), hxsnn.LIF(20, exp, **taus)
    syn3, lif3 = hxsnn.Synapse(20, 1, exp), hxsnn.LIF(1, exp, **taus)
    inputs = hxsnn.LIFObservables(spikes=torch.zeros(10, 1, 5), current=None,
                                  membrane_cadc=None, membrane_madc=None)
    g1 = syn1(inputs)
    s1 = lif1(g1)
    g2 = syn2(s1)
    s2 = lif2(g2)
    g3 = syn3(s2)
    s3 = lif3(g3)
    outputs = (g1, s1, g2, s2, g3, s3)
    assert all(h.graded_spikes is None for h in (g1, g2, g3))
    assert all(h.spikes is None and h.membrane_cadc is None for h in (s1, s2, s3))
    assert hxsnn.run(exp, None) is None
    shapes = [(10, 1, 10), (10, 1, 10), (10, 1, 20), (10, 1, 20), (10, 1, 1), (10, 1, 1)]
    for handle, shape in zip(outputs, shapes):
        value = handle.graded_spikes if hasattr(handle, "graded_spikes") else handle.spikes
        assert torch.equal(value, torch.zeros(shape))
    assert torch.equal(s3.membrane_cadc, torch.full((10, 1, 1), 80.))  # rests at leak


def test_lazy_semantics_and_persistent_ids():
    exp = hxsnn.Experiment(mock=True)
    syn, li = hxsnn.Synapse(3, 2, exp), hxsnn.LI(2, exp)
    first = li(syn(hxsnn.LIFObservables(spikes=torch.ones(4, 1, 3))))
    assert first.membrane_cadc is None and first.current is None
    hxsnn.run(exp, None)
    assert first.membrane_cadc.shape == (4, 1, 2) and first.membrane_madc is None
    assert exp.modules.graph.number_of_nodes() == 0
    assert exp.modules.prev_graph.number_of_nodes() == 4  # s_0_0, syn, li, t_1
    second = li(syn(hxsnn.LIFObservables(spikes=torch.ones(7, 2, 3))))
    assert second is first  # the output handle object is reused
    assert exp.modules.nodes == {syn: 0, li: 1}
    hxsnn.run(exp, None)
    assert second.membrane_cadc.shape == (7, 2, 2)


def test_li_golden_trace_through_modules():
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(1, 1, exp)
    torch.nn.init.ones_(syn.weight)
    li = hxsnn.LI(1, exp, leak=hxsnn.ModelParameter(0.))
    x = torch.zeros(25, 1, 1)
    x[10] = 1.
    out = li(syn(hxsnn.LIFObservables(spikes=x)))
    hxsnn.run(exp, None)
    expected = [0, 0, 0.1, 0.18, 0.243, 0.2916, 0.32805, 0.35429, 0.37201, 0.38264, 0.38742,
                0.38742, 0.38355]
    assert torch.allclose(out.membrane_cadc[9:22].flatten(), torch.tensor(expected), atol=1e-5)


def test_non_mock_run_needs_an_int_runtime_and_runs_on_the_emulator():
    exp = hxsnn.Experiment()
    assert exp.mock is False
    syn = hxsnn.Synapse(2, 2, exp)
    assert isinstance(syn.execution_instance, hxsnn.ExecutionInstance)
    out = syn(hxsnn.LIFObservables(spikes=torch.zeros(3, 1, 2)))
    with pytest.raises(ValueError, match=r"^Requested runtime invalid\.$"):
        hxsnn.run(exp, None)
    assert exp.modules.graph.number_of_nodes() == 0
    out = syn(hxsnn.LIFObservables(spikes=torch.zeros(3, 1, 2)))
    info = hxsnn.run(exp, 100)  # the emulated chip (tests/backend/emulator)
    assert isinstance(info, hxsnn.execution_info.ExecutionInfo)
    assert out.graded_spikes.shape == (3, 1, 2)


def test_mock_modules_have_no_execution_instance():
    exp = hxsnn.Experiment(mock=True, dt=2e-6)
    assert exp.dt == 2e-6
    assert hxsnn.LIF(3, exp).execution_instance is None


def test_execution_instance():
    a, b = hxsnn.ExecutionInstance(), hxsnn.ExecutionInstance(calib_path="x.pbin")
    assert b.ID == a.ID + 1
    assert str(a) == f"ExecutionInstance(ID={a.ID})"
    a.load_calib("calib.pkl")
    assert a.calib_path == "calib.pkl" and b.calib_path == "x.pbin"
    exp = hxsnn.Experiment(mock=True)
    assert exp.default_execution_instance is exp.default_execution_instance
    exp.default_execution_instance = a
    assert exp.default_execution_instance is a


class Passthrough(hxsnn.HXModuleWrapper):
    """Wraps a synapse and a neuron and runs them in one call."""

    def forward_func(self, spikes, hw_data=None):
        graded = self.syn.forward_func(spikes)
        return graded, self.lif.forward_func(graded)


def test_wrapper_executes_members_together():
    exp = hxsnn.Experiment(mock=True)
    syn, lif = hxsnn.Synapse(2, 3, exp), hxsnn.LIF(3, exp)
    wrapper = Passthrough(exp, syn=syn, lif=lif)
    out = lif(syn(hxsnn.LIFObservables(spikes=torch.ones(5, 1, 2))))
    wrapper()
    hxsnn.run(exp, None)
    assert out.spikes.shape == (5, 1, 3) and syn._output_handle.graded_spikes.shape == (5, 1, 3)


def test_connect_wrapper_rejects_overlap_and_duplicates():
    exp = hxsnn.Experiment(mock=True)
    a, b = hxsnn.LIF(1, exp), hxsnn.LIF(1, exp)
    exp.connect_wrapper(hxsnn.HXModuleWrapper(exp, a=a))
    with pytest.raises(ValueError, match="partially registered in another group"):
        exp.connect_wrapper(hxsnn.HXModuleWrapper(exp, a=a, b=b))
    with pytest.raises(ValueError, match="must be unique"):
        exp.connect_wrapper(hxsnn.HXModuleWrapper(exp, b=b, c=b))


def test_batch_dropout():
    torch.manual_seed(1)
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(4, 50, exp)
    lif = hxsnn.LIF(50, exp, threshold=hxsnn.ModelParameter(-1.), leak=hxsnn.ModelParameter(0.),
                    reset=hxsnn.ModelParameter(0.))
    drop = hxsnn.BatchDropout(50, 0.5, exp)
    out = drop(lif(syn(hxsnn.LIFObservables(spikes=torch.zeros(3, 2, 4)))))
    assert lif.mask is None and drop.mask is None
    hxsnn.run(exp, None)
    assert torch.equal(lif.mask, drop.mask) and 0 < drop.mask.sum() < 50
    assert torch.equal(out.spikes[0], drop.mask.float().expand(2, 50))  # all fire at step 0
    drop.eval()
    drop(lif(syn(hxsnn.LIFObservables(spikes=torch.zeros(3, 2, 4)))))
    hxsnn.run(exp, None)
    assert bool(drop.mask.all())


def test_batch_dropout_must_follow_a_neuron():
    exp = hxsnn.Experiment(mock=True)
    syn, drop = hxsnn.Synapse(2, 2, exp), hxsnn.BatchDropout(2, 0.5, exp)
    drop(syn(hxsnn.LIFObservables(spikes=torch.zeros(3, 1, 2))))
    with pytest.raises(TypeError, match="only allowed to succeed a Neuron module"):
        hxsnn.run(exp, None)
    assert exp.modules.graph.number_of_nodes() == 0  # the failed pass is dropped
