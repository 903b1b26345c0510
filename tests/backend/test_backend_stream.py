"""Chunked runs (hxstudio.backend.stream): chunks joined equal a one-shot run bit for bit."""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.functional import CuBaState, CuBaStepCode, cuba_aelif_integration
from hxstudio.backend.nir import RecurrentGroup
from hxstudio.backend.stream import ChunkedRun, stream

CHUNKS = (1, 3, 7, 64, 1000)  # incl. 1, non-divisors of T and one larger than T


def _integrate(x, state=None, **flags):
    kw = dict(leak=80., reset=70., threshold=110., tau_syn=6e-6, c_mem=8e-6, g_l=0.8,
              refractory_time=2e-6, method="superspike", alpha=50., exp_slope=5.,
              exp_threshold=105., subthreshold_adaptation_strength=0.5,
              spike_triggered_adaptation_increment=3., tau_adap=50e-6)
    code = CuBaStepCode(**flags).generate()
    return cuba_aelif_integration(x, **kw, integration_step_code=code, state=state, **flags)


@pytest.mark.parametrize("flags", [
    dict(fire=True, refractory=True),                       # compiled LIF loop
    dict(fire=False),                                       # compiled LI loop
    dict(fire=True, refractory=True, exponential=True,      # exec reference path (AdEx)
         subthreshold_adaptation=True, spike_triggered_adaptation=True),
])
def test_integrator_continues_from_its_state(flags):
    torch.manual_seed(0)
    x = torch.rand(101, 2, 5) * 30
    whole = _integrate(x, **flags)
    assert (whole[5].sum() > 10) == flags["fire"]           # the neurons do fire (or stay LI)
    for k in CHUNKS:
        state, parts = CuBaState(), []
        for s in range(0, len(x), k):
            parts.append(_integrate(x[s:s + k], state, **flags))
        for index in (0, 2, 3, 5):                           # membrane, current, adaptation, spikes
            joined = torch.cat([p[index].expand(p[0].shape) for p in parts])
            assert torch.equal(joined, whole[index].expand(whole[0].shape)), (k, index)
        assert torch.equal(state.v, whole[0][-1]) and torch.equal(state.i, whole[2][-1])


def test_an_empty_state_starts_where_no_state_does():
    x = torch.zeros(30, 1, 1)
    x[10] = 1.
    v, _, i, _, _, _ = cuba_aelif_integration(
        x, leak=0., reset=0., threshold=1., tau_syn=10e-6, c_mem=10e-6, g_l=1., refractory_time=0.,
        method="superspike", alpha=50., exp_slope=None, exp_threshold=None,
        subthreshold_adaptation_strength=None, spike_triggered_adaptation_increment=None,
        tau_adap=None, integration_step_code=CuBaStepCode().generate(), state=CuBaState())
    # spec §6.1 golden trace: v[9…21]
    assert [round(float(a), 5) for a in v[9:22, 0, 0]] == [
        0, 0, 0.1, 0.18, 0.243, 0.2916, 0.32805, 0.35429, 0.37201, 0.38264, 0.38742, 0.38742, 0.38355]


def _feed_forward(steps=150):
    """2 Poisson-like inputs → 300 LIF (refractory 2 µs) ← second input; LIF → 3 LI."""
    torch.manual_seed(1)
    exp = hxsnn.Experiment(mock=True)
    a = (torch.rand(steps, 2, 40) < 0.08).float()
    b = (torch.rand(steps, 2, 20) < 0.05).float()
    in_a, in_b = hxsnn.InputNeuron(40, exp), hxsnn.InputNeuron(20, exp)
    syn_a, syn_b = hxsnn.Synapse(40, 300, exp), hxsnn.Synapse(20, 300, exp)
    syn_a.weight.data = torch.randn(300, 40) * 25 + 10
    syn_b.weight.data = torch.randn(300, 20) * 25
    lif = hxsnn.LIF(300, exp, refractory_time=2e-6, tau_mem=torch.linspace(4e-6, 20e-6, 300))
    readout, li = hxsnn.Synapse(300, 3, exp), hxsnn.LI(3, exp)
    readout.weight.data = torch.randn(3, 300)
    spikes = lif(syn_a(in_a(hxsnn.LIFObservables(spikes=a))),
                 syn_b(in_b(hxsnn.LIFObservables(spikes=b))))
    out = li(readout(spikes))
    return exp, {"lif": spikes, "li": out}


def _recurrent(steps=120):
    """input → A (2 LIF, refractory) ⇄ B (1 LIF) with a self-projection on A: a RecurrentGroup."""
    exp = hxsnn.Experiment(mock=True)
    x = torch.zeros(steps, 1, 1)
    x[[3, 4, 30, 31, 70]] = 1.
    inp = hxsnn.InputNeuron(1, exp)
    a = hxsnn.LIF(2, exp, threshold=100., refractory_time=2e-6)
    b = hxsnn.LIF(1, exp, threshold=90., refractory_time=0.)
    syn_in, aa, ab, ba = (hxsnn.Synapse(1, 2, exp), hxsnn.Synapse(2, 2, exp),
                          hxsnn.Synapse(2, 1, exp), hxsnn.Synapse(1, 2, exp))
    syn_in.weight.data = torch.tensor([[120.], [90.]])
    aa.weight.data = torch.tensor([[0., 25.], [30., 0.]])
    ab.weight.data = torch.tensor([[40., 40.]])
    ba.weight.data = torch.tensor([[-35.], [-35.]])
    group = RecurrentGroup(exp, {"A": a, "B": b}, [(aa, "A", "A"), (ab, "A", "B"), (ba, "B", "A")])
    ha, hb = group.connect({"A": [syn_in(inp(hxsnn.LIFObservables(spikes=x)))]})
    return exp, {"A": ha, "B": hb}


def _tensors(handles):
    return {(name, field): getattr(h, field).clone() for name, h in handles.items()
            for field in ("spikes", "membrane_cadc", "current") if getattr(h, field, None) is not None}


@pytest.mark.parametrize("make", [_feed_forward, _recurrent])
@pytest.mark.parametrize("k", CHUNKS)
def test_stream_equals_one_shot_run(make, k):
    exp, handles = make()
    with torch.no_grad():
        hxsnn.run(exp, None)
    expected = _tensors(handles)
    assert expected[("lif" if "lif" in handles else "A", "spikes")].sum() > 5
    exp, handles = make()
    chunks = list(stream(exp, None, k))
    steps = expected[next(iter(expected))].shape[0]
    assert [(c.start, c.stop) for c in chunks] == [(s, min(s + k, steps)) for s in range(0, steps, k)]
    got = _tensors(handles)
    assert got.keys() == expected.keys()
    for key in expected:
        assert torch.equal(got[key], expected[key]), key
    # each chunk holds its own steps
    middle = chunks[len(chunks) // 2]
    name, field = next(iter(expected))
    part = getattr(middle[handles[name]], field)
    assert torch.equal(part, expected[(name, field)][middle.start:middle.stop])


def test_closing_a_stream_early_keeps_the_steps_computed():
    exp, handles = _feed_forward()
    with torch.no_grad():
        hxsnn.run(exp, None)
    expected = _tensors(handles)
    exp, handles = _feed_forward()
    chunks = stream(exp, None, 20)
    next(chunks), next(chunks)
    chunks.close()
    got = _tensors(handles)
    for key in expected:
        assert torch.equal(got[key], expected[key][:40]), key


def test_chunked_run_reports_progress_and_refuses_bad_steps():
    exp, _ = _feed_forward(steps=50)
    run = ChunkedRun(exp)
    assert (run.steps, run.done, run.chunked, run.finished) == (50, 0, True, False)
    with pytest.raises(ValueError, match="steps = 0 must be >= 1"):
        run.advance(0)
    assert (run.advance(30).stop, run.advance(30).stop, run.finished) == (30, 50, True)
    with pytest.raises(ValueError, match="the run is finished"):
        run.advance(1)
    with pytest.raises(ValueError, match="chunk_steps = 0 must be >= 1"):
        next(stream(exp, None, 0))


def test_a_module_without_chunked_form_runs_as_one_chunk():
    exp = hxsnn.Experiment(mock=True)
    syn, neuron = hxsnn.Synapse(1, 2, exp), hxsnn.NeuronExp(2, exp)
    x = torch.zeros(20, 1, 1)
    x[3] = 1
    out = neuron(syn(hxsnn.LIFObservables(spikes=x)))
    assert [(c.start, c.stop) for c in stream(exp, None, 4)] == [(0, 20)]
    assert out.membrane_cadc.shape == (20, 1, 2)


def test_hardware_runtime_must_be_an_int():
    with pytest.raises(ValueError, match="Requested runtime invalid."):
        ChunkedRun(hxsnn.Experiment(mock=False), runtime=None)
