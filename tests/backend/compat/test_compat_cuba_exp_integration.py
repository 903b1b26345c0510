"""Spec §13.2–§13.3: the deprecated exponential-Euler integrators, and the older names of §14."""

import math
import warnings

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend import functional as F
from hxstudio.backend.observables import AnalogObservable

N, B, T = 15, 10, 100
DECAY = math.exp(1e-6 / 6e-6)  # the tests' exp(+dt/τ) > 1 (spec §15.10): harmless


def graded_input(seed=0):
    torch.manual_seed(seed)
    x = torch.zeros(T, B, 5)
    x[10, :, 0] = x[30, :, 2] = x[30, :, 3] = x[40, :, 1] = x[53, :, 4] = 1
    weight = torch.randn(N, 5, requires_grad=True)
    return torch.nn.functional.linear(x, weight), weight


def test_exp_li_integration():
    graded, weight = graded_input()
    with pytest.warns(DeprecationWarning):
        membrane, current, madc = F.exp_cuba_li_integration(
            graded, leak=torch.zeros(N), tau_syn_exp=DECAY, tau_mem_exp=DECAY)
    assert membrane.shape == current.shape == (T, B, N) and madc is None
    membrane.sum().backward()
    assert weight.grad.abs().sum() > 0


def test_exp_li_integration_hw_data():
    graded, weight = graded_input(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        membrane, _, _ = F.exp_cuba_li_integration(graded, leak=0., tau_syn_exp=DECAY,
                                                   tau_mem_exp=DECAY)
        cadc = membrane.detach() + torch.rand(T, B, N) * 0.05
        madc = membrane.detach() + torch.rand(T, B, N) * 0.05
        hw = hxsnn.Handle(voltage=AnalogObservable(cadc=cadc, madc=madc), adaptation=None,
                          spikes=None)
        membrane, current, madc_out = F.exp_cuba_li_integration(
            graded, leak=0., tau_syn_exp=DECAY, tau_mem_exp=DECAY, hw_data=hw)
    assert membrane.shape == current.shape == madc_out.shape == (T, B, N)
    assert torch.equal(membrane, cadc) and madc_out is madc
    membrane.sum().backward()
    assert weight.grad.abs().sum() > 0


def test_cuba_lif_exp_integration():
    graded, weight = graded_input(2)
    with pytest.warns(DeprecationWarning):
        spikes, membrane, current, madc = F.exp_cuba_lif_integration(
            graded, leak=0., reset=-0.1, threshold=0.7, tau_syn_exp=DECAY, tau_mem_exp=DECAY,
            method="superspike", alpha=50.)
    assert spikes.shape == membrane.shape == current.shape == (T, B, N) and madc is None
    assert spikes.sum() > 0
    spikes.sum().backward()
    assert weight.grad.abs().sum() > 0


def test_cuba_lif_exp_integration_hw_data():
    graded, weight = graded_input(3)
    kwargs = dict(leak=0., reset=-0.1, threshold=0.7, tau_syn_exp=DECAY, tau_mem_exp=DECAY,
                  method="superspike", alpha=50.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        spikes, membrane, _, _ = F.exp_cuba_lif_integration(graded, **kwargs)
        cadc = membrane.detach() + torch.rand(T, B, N) * 0.05
        z_hw = spikes.detach().clone()
        z_hw[5, 3, 7] = 1.
        hw = hxsnn.Handle(voltage=AnalogObservable(cadc=cadc, madc=cadc), adaptation=None,
                          spikes=z_hw)
        spikes, membrane, current, madc = F.exp_cuba_lif_integration(graded, hw_data=hw,
                                                                     **kwargs)
    assert all(t.shape == (T, B, N) for t in (spikes, membrane, current, madc))
    assert torch.equal(membrane, cadc) and torch.equal(spikes, z_hw)
    (spikes.sum() + membrane.sum()).backward()
    assert weight.grad.abs().sum() > 0


def test_exp_li_matches_closed_form():
    """One input of 1 at t = 0 with a_m = a_s = a: v[t] = (1 - a) · t · a^(t-1) … for t ≥ 1."""
    a = 0.9
    x = torch.zeros(6, 1, 1)
    x[0] = 1.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        v, i, _ = F.exp_cuba_li_integration(x, leak=0., tau_syn_exp=a, tau_mem_exp=a)
    expected = [(1 - a) * t * a ** (t - 1) if t else 0. for t in range(6)]
    assert torch.allclose(v.flatten(), torch.tensor(expected), atol=1e-6)
    assert torch.allclose(i.flatten(), a ** torch.arange(6.), atol=1e-6)


# -- §14: names of the 2024-06…2025-06 API are thin wrappers with the same numerics -----------

def aelif(x, fire, refractory_time=0., g_l=1., leak=0.):
    code = F.CuBaStepCode(fire=fire, refractory=refractory_time > 0).generate()
    return F.cuba_aelif_integration(
        x, leak=leak, reset=-0.1, threshold=0.7, tau_syn=8e-6, c_mem=12e-6, g_l=g_l,
        refractory_time=refractory_time, method="superspike", alpha=50., exp_slope=None,
        exp_threshold=None, subthreshold_adaptation_strength=None,
        spike_triggered_adaptation_increment=None, tau_adap=None, integration_step_code=code,
        fire=fire, refractory=refractory_time > 0)


def test_cuba_lif_integration_equals_aelif():
    graded, _ = graded_input(4)
    spikes, membrane, current, madc = F.cuba_lif_integration(
        graded, leak=0., reset=-0.1, threshold=0.7, tau_syn=8e-6, tau_mem=12e-6)
    v, _, i, _, _, z = aelif(graded, fire=True)
    assert spikes.sum() > 0 and madc is None
    assert torch.equal(spikes, z) and torch.equal(membrane, v) and torch.equal(current, i)
    spikes, membrane, _, _ = F.cuba_refractory_lif_integration(
        graded, leak=0., reset=-0.1, threshold=0.7, tau_syn=8e-6, tau_mem=12e-6,
        refractory_time=2e-6)
    v, _, _, _, _, z = aelif(graded, fire=True, refractory_time=2e-6)
    assert torch.equal(spikes, z) and torch.equal(membrane, v)


def test_cuba_li_integration_equals_aelif_and_takes_tuple():
    graded, _ = graded_input(5)
    membrane, current, madc = F.cuba_li_integration((graded, graded), leak=0., tau_syn=8e-6,
                                                    tau_mem=12e-6)
    v, _, i, _, _, _ = aelif(2 * graded, fire=False)
    assert madc is None
    assert torch.allclose(membrane, v, atol=1e-6) and torch.allclose(current, i, atol=1e-6)


def test_cuba_lif_integration_hw_tuple():
    graded, _ = graded_input(6)
    cadc = torch.rand(T, B, N)
    z_hw = (torch.rand(T, B, N) < 0.1).float()
    spikes, membrane, _, madc = F.cuba_lif_integration(
        graded, leak=0., reset=-0.1, threshold=0.7, tau_syn=8e-6, tau_mem=12e-6,
        hw_data=(z_hw, cadc, None))
    assert torch.equal(spikes, z_hw) and torch.equal(membrane, cadc) and madc is None


def test_cuba_iaf_integration_has_no_leak():
    """Δv = dt/τ_mem · i and v₀ = reset: a single input of 1 integrates to a ramp that stays."""
    x = torch.zeros(30, 1, 1)
    x[0] = 1.
    _, membrane, current, _ = F.cuba_iaf_integration(x, reset=0.2, threshold=5., tau_syn=1e9,
                                                     tau_mem=10e-6)
    assert membrane[0].item() == pytest.approx(0.2)
    assert torch.allclose(membrane[1:].flatten(), 0.2 + 0.1 * torch.arange(1., 30.), atol=1e-5)
    assert torch.allclose(current.flatten(), torch.ones(30), atol=1e-6)
