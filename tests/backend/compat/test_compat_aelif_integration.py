"""Spec §13.1: ``cuba_aelif_integration`` shapes, hardware injection and the step-code error."""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.functional import CuBaStepCode, cuba_aelif_integration
from hxstudio.backend.observables import AnalogObservable

N, B, T = 15, 10, 100


def inputs(scale: float):
    """Spikes at t=10 (ch 0), 30 (ch 2, 3), 40 (ch 1), 53 (ch 4); graded through W (15, 5)."""
    x = torch.zeros(T, B, 5)
    x[10, :, 0] = 1
    x[30, :, 2] = 1
    x[30, :, 3] = 1
    x[40, :, 1] = 1
    x[53, :, 4] = 1
    weight = (scale * torch.randn(N, 5)).requires_grad_()
    return torch.nn.functional.linear(x, weight), weight


def params(**extra):
    full = lambda value: torch.full((N,), value)  # noqa: E731
    values = dict(leak=full(0.), reset=full(-0.1), threshold=full(0.7), tau_syn=full(10e-6),
                  c_mem=full(10e-6), g_l=full(1.), refractory_time=full(3e-6), method="superspike",
                  alpha=50., tau_adap=full(100e-6))
    values.update(extra)
    return values


ALL_FLAGS = dict(leaky=True, fire=True, refractory=True, exponential=True,
                 subthreshold_adaptation=True, spike_triggered_adaptation=True)


def test_cuba_aelif_integration():
    torch.manual_seed(0)
    graded, weight = inputs(1.)
    code = CuBaStepCode(**ALL_FLAGS).generate()
    assert isinstance(code, str)
    membrane, membrane_madc, current, adaptation, adaptation_madc, spikes = \
        cuba_aelif_integration(graded, integration_step_code=code, exp_slope=0.2,
                               exp_threshold=0.3, subthreshold_adaptation_strength=10.,
                               spike_triggered_adaptation_increment=0.2, **ALL_FLAGS, **params())
    for tensor in (membrane, current, adaptation, spikes):
        assert tensor.shape == (T, B, N)
    assert membrane_madc is None and adaptation_madc is None
    assert spikes.sum() > 0  # the drive makes some neurons fire
    spikes.sum().backward()
    assert weight.grad is not None and weight.grad.abs().sum() > 0


def test_cuba_aelif_integration_hw_data():
    torch.manual_seed(1)
    graded, weight = inputs(0.1)
    kwargs = dict(exp_slope=0.05, exp_threshold=0.3, subthreshold_adaptation_strength=1.,
                  spike_triggered_adaptation_increment=0.5, **ALL_FLAGS, **params())
    v, _, i, w, _, z = cuba_aelif_integration(
        graded, integration_step_code=CuBaStepCode(**ALL_FLAGS).generate(), **kwargs)
    noise = lambda: torch.rand(T, B, N) * 0.05  # noqa: E731
    v_hw, v_madc, w_hw = v.detach() + noise(), w.detach() + noise(), w.detach() + noise()
    z_hw = z.detach().clone()
    z_hw[torch.randint(T, ()), torch.randint(B, ()), torch.randint(N, ())] = 1.
    hw_data = hxsnn.Handle(voltage=AnalogObservable(cadc=v_hw, madc=v_madc),
                           adaptation=AnalogObservable(cadc=w_hw, madc=None), spikes=z_hw)
    code = CuBaStepCode(**ALL_FLAGS, hw_voltage_trace_available=True,
                        hw_adaptation_trace_available=True, hw_spikes_available=True).generate()
    membrane, membrane_madc, current, adaptation, adaptation_madc, spikes = \
        cuba_aelif_integration(graded, integration_step_code=code, hw_data=hw_data, **kwargs)
    assert torch.equal(membrane, v_hw)
    assert torch.equal(membrane_madc, v_madc)
    assert torch.equal(adaptation, w_hw)
    assert adaptation_madc is None
    assert torch.equal(spikes, z_hw)
    assert current.shape == adaptation.shape == (T, B, N)
    (membrane.sum() + spikes.sum()).backward()
    assert weight.grad.abs().sum() > 0  # gradients flow through the simulation


def test_error_message():
    graded, _ = inputs(1.)
    code = CuBaStepCode().generate() + '\nraise RuntimeError("Test succeeded, if this is shown!")'
    lines = code.splitlines()
    expected = ("An error occured while executing the code of the integration step.\n"
                f"In line {len(lines)} (\"{lines[-1]}\") in integration_step_code, following "
                "error occured:\nTest succeeded, if this is shown!")
    with pytest.raises(RuntimeError) as info:
        cuba_aelif_integration(graded, integration_step_code=code, exp_slope=None,
                               exp_threshold=None, subthreshold_adaptation_strength=None,
                               spike_triggered_adaptation_increment=None, **params())
    assert str(info.value) == expected


def test_golden_trace_and_delay():
    """§6.1 golden numbers: one input of 1 at t = 10, C = τ = 10 µs, no spike."""
    x = torch.zeros(25, 1, 1)
    x[10] = 1.
    v, _, i, _, _, z = cuba_aelif_integration(
        x, leak=0., reset=0., threshold=1., tau_syn=10e-6, c_mem=10e-6, g_l=1.,
        refractory_time=0., method="superspike", alpha=50., exp_slope=None, exp_threshold=None,
        subthreshold_adaptation_strength=None, spike_triggered_adaptation_increment=None,
        tau_adap=None, integration_step_code=CuBaStepCode().generate())
    golden = [0, 0, 0.1, 0.18, 0.243, 0.2916, 0.32805, 0.35429, 0.37201, 0.38264, 0.38742,
              0.38742, 0.38355]
    assert torch.allclose(v[9:22].flatten(), torch.tensor(golden), atol=1e-5)
    assert torch.allclose(i[10:15].flatten(), 0.9 ** torch.arange(5.), atol=1e-6)
    assert z.sum() == 0


@pytest.mark.parametrize("tau_ref, period", [(0., 1), (1e-6, 2), (2e-6, 3), (3e-6, 4)])
def test_refractory_periods(tau_ref, period):
    """§6.3: constant suprathreshold drive spikes every 1/2/3/4 steps for τ_ref = 0…3 µs."""
    x = torch.full((40, 1, 1), 50.)
    _, _, _, _, _, z = cuba_aelif_integration(
        x, leak=0., reset=0., threshold=1., tau_syn=10e-6, c_mem=10e-6, g_l=1.,
        refractory_time=tau_ref, method="superspike", alpha=50., exp_slope=None,
        exp_threshold=None, subthreshold_adaptation_strength=None,
        spike_triggered_adaptation_increment=None, tau_adap=None,
        integration_step_code=CuBaStepCode(refractory=tau_ref > 0).generate(),
        refractory=tau_ref > 0)
    times = z.flatten().nonzero().flatten()
    assert len(times) > 5
    assert set(torch.diff(times).tolist()) == {period}
