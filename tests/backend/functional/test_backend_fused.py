"""The compiled LIF/LI loop and the event-driven linear map give the reference numbers.

The reference is the ``exec`` step-code path (hxtorch's algorithm), forced with
``fused.disabled()``. Forward values and gradients must agree to 1e-6.
"""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.functional import CuBaStepCode, cuba_aelif_integration, fused, linear

pytestmark = pytest.mark.skipif(not fused.AVAILABLE, reason="numba is not installed")


def integrate(x, fire, refractory, **overrides):
    values = dict(leak=0., reset=-0.1, threshold=0.7, tau_syn=8e-6, c_mem=12e-6, g_l=1.,
                  refractory_time=2e-6 if refractory else 0., method="superspike", alpha=50.)
    values.update(overrides)
    code = CuBaStepCode(fire=fire, refractory=refractory).generate()
    return cuba_aelif_integration(
        x, integration_step_code=code, exp_slope=None, exp_threshold=None,
        subthreshold_adaptation_strength=None, spike_triggered_adaptation_increment=None,
        tau_adap=None, fire=fire, refractory=refractory, **values)


def both_paths(fire, refractory, shape=(120, 6, 20), **overrides):
    """(forward outputs, input gradient) of the fused and of the reference path."""
    torch.manual_seed(0)
    spikes = (torch.rand(shape[0], shape[1], 7) < 0.3).float()
    weight = torch.randn(shape[2], 7)
    g = torch.Generator().manual_seed(1)
    loss_weights = [torch.randn(shape, generator=g) for _ in range(3)]
    results = []
    for disabled in (False, True):
        x = torch.nn.functional.linear(spikes, weight).requires_grad_()
        if disabled:
            with fused.disabled():
                v, _, i, _, _, z = integrate(x, fire, refractory, **overrides)
        else:
            v, _, i, _, _, z = integrate(x, fire, refractory, **overrides)
        loss = sum((a * w).sum() for a, w in zip((v, i, z), loss_weights))
        loss.backward()
        results.append(((v.detach(), i.detach(), z.detach()), x.grad))
    return results


@pytest.mark.parametrize("fire, refractory", [(True, True), (True, False), (False, False)])
def test_fused_equals_reference(fire, refractory):
    (fast, fast_grad), (ref, ref_grad) = both_paths(fire, refractory)
    for a, b in zip(fast, ref):
        assert torch.allclose(a, b, rtol=0, atol=1e-6)
    assert torch.allclose(fast_grad, ref_grad, rtol=1e-6, atol=1e-6)
    if fire:
        assert fast[2].sum() > 50  # the comparison covers many spikes and resets


def test_fused_per_neuron_parameters():
    size = 20
    overrides = dict(threshold=torch.linspace(0.3, 1.5, size), tau_syn=torch.full((size,), 6e-6),
                     refractory_time=torch.linspace(0., 3e-6, size), leak=torch.tensor(0.05))
    (fast, fast_grad), (ref, ref_grad) = both_paths(True, True, **overrides)
    for a, b in zip(fast, ref):
        assert torch.allclose(a, b, rtol=0, atol=1e-6)
    assert torch.allclose(fast_grad, ref_grad, rtol=1e-6, atol=1e-6)


def test_fused_threads_split_the_batch(monkeypatch):
    monkeypatch.setattr(fused, "_MIN_WORK_PER_THREAD", 1000)
    assert len(fused._chunks(6, 2000)) == min(torch.get_num_threads(), 6)
    (fast, fast_grad), (ref, ref_grad) = both_paths(True, True)
    for a, b in zip(fast, ref):
        assert torch.allclose(a, b, rtol=0, atol=1e-6)
    assert torch.allclose(fast_grad, ref_grad, rtol=1e-6, atol=1e-6)


def test_fused_applicability():
    x = torch.zeros(5, 2, 3)
    base = dict(leak=0., reset=0., threshold=1., tau_syn=1e-5, c_mem=1e-5, g_l=1.,
                refractory_time=1e-6, method="superspike", alpha=50., dt=1e-6, fire=True,
                refractory=True)
    assert fused.fused_applicable(x, **base)
    trainable = torch.nn.Parameter(torch.tensor(1e-5))
    assert not fused.fused_applicable(x, **{**base, "tau_syn": trainable})
    assert not fused.fused_applicable(x.double(), **base)
    assert not fused.fused_applicable(x, **{**base, "threshold": torch.ones(2, 3)})
    assert not fused.fused_applicable(x, **{**base, "method": "other"})
    with fused.disabled():
        assert not fused.fused_applicable(x, **base)


def test_modules_take_the_fused_path_only_when_applicable(monkeypatch):
    calls = []
    original = fused.fused_cuba_integration
    monkeypatch.setattr(fused, "fused_cuba_integration",
                        lambda *a, **k: calls.append(k["fire"]) or original(*a, **k))
    exp = hxsnn.Experiment(mock=True)
    syn1, lif = hxsnn.Synapse(3, 4, exp), hxsnn.LIF(4, exp)
    syn2, li = hxsnn.Synapse(4, 2, exp), hxsnn.LI(2, exp)
    aelif = hxsnn.AELIF(4, exp)
    handle = syn1(hxsnn.LIFObservables(spikes=torch.ones(6, 1, 3)))
    li(syn2(lif(handle)))
    aelif(handle)
    hxsnn.run(exp, None)
    assert calls == [True, False]  # LIF and LI; AELIF (exponential, adaptation) runs exec

    calls.clear()
    lif.tau_mem.make_trainable()  # HXParameter: the model value stays the hardware value
    lif.tau_syn = hxsnn.ModelParameter(1e-5).make_trainable()
    li(syn2(lif(syn1(hxsnn.LIFObservables(spikes=torch.ones(6, 1, 3))))))
    hxsnn.run(exp, None)
    assert calls == [False]  # trainable tau_syn: the LIF takes the reference path


def test_network_output_equals_reference():
    torch.manual_seed(2)
    exp = hxsnn.Experiment(mock=True)
    params = dict(leak=hxsnn.MixedHXModelParameter(0., 80), reset=hxsnn.MixedHXModelParameter(0., 80),
                  threshold=hxsnn.MixedHXModelParameter(1., 125))
    syn1, lif = hxsnn.Synapse(64, 32, exp), hxsnn.LIF(32, exp, **params)
    syn2, li = hxsnn.Synapse(32, 5, exp), hxsnn.LI(5, exp, leak=hxsnn.ModelParameter(0.))
    with torch.no_grad():
        syn1.weight.normal_(0.05, 0.3)
        syn2.weight.normal_(0., 0.5)
    x = (torch.rand(200, 30, 64) < 0.05).float()  # 6000 rows: the event-driven linear map
    results = []
    for disabled in (False, True):
        for p in (syn1.weight, syn2.weight):
            p.grad = None
        out = li(syn2(lif(syn1(hxsnn.LIFObservables(spikes=x)))))
        if disabled:
            with fused.disabled():
                hxsnn.run(exp, None)
        else:
            hxsnn.run(exp, None)
        out.membrane_cadc.pow(2).sum().backward()
        results.append((out.membrane_cadc.detach(), lif._output_handle.spikes.detach(),
                        syn1.weight.grad.clone(), syn2.weight.grad.clone()))
    (v, z, g1, g2), (v_ref, z_ref, g1_ref, g2_ref) = results
    assert z.sum() > 100 and torch.equal(z, z_ref)
    assert torch.allclose(v, v_ref, rtol=1e-6, atol=1e-6)
    assert torch.allclose(g1, g1_ref, rtol=1e-5, atol=1e-5 * float(g1_ref.abs().max()))
    assert torch.allclose(g2, g2_ref, rtol=1e-5, atol=1e-5 * float(g2_ref.abs().max()))


def test_event_linear_equals_dense():
    torch.manual_seed(3)
    spikes = (torch.rand(100, 50, 40) < 0.1).float().requires_grad_()
    weight = torch.randn(64, 40, requires_grad=True)
    assert fused.event_linear_applicable(spikes, weight)
    assert not fused.event_linear_applicable(torch.rand(100, 50, 40), weight)  # dense input
    out = linear(spikes, weight)
    g = torch.randn_like(out)
    (out * g).sum().backward()
    grads = spikes.grad.clone(), weight.grad.clone()
    spikes.grad = weight.grad = None
    reference = torch.nn.functional.linear(spikes, weight)
    (reference * g).sum().backward()
    assert torch.allclose(out, reference, rtol=1e-6, atol=1e-5)
    assert torch.allclose(grads[0], spikes.grad, rtol=1e-6, atol=1e-5)
    assert torch.allclose(grads[1], weight.grad, rtol=1e-5, atol=1e-4)
