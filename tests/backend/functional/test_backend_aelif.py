"""Golden numerics of cuba_aelif_integration (spec §6.1, §6.3, §13.1)."""

import pytest
import torch

from hxstudio.backend.functional import CuBaStepCode, cuba_aelif_integration
from hxstudio.backend.handle import Handle
from hxstudio.backend.observables import AnalogObservable

GOLDEN_V = [0, 0, 0.1, 0.18, 0.243, 0.2916, 0.32805, 0.35429, 0.37201, 0.38264, 0.38742,
            0.38742, 0.38355]  # v[9..21]

FLAGS = ("leaky", "fire", "refractory", "exponential", "subthreshold_adaptation",
         "spike_triggered_adaptation")


def integrate(x, hw_data=None, code=None, **kwargs):
    """Integrate with LIF-like defaults (E_L = 0, C = tau = 10 us, no spikes)."""
    flags = {k: kwargs.pop(k) for k in FLAGS if k in kwargs}
    params = dict(leak=0., reset=0., threshold=1e9, tau_syn=10e-6, c_mem=10e-6, g_l=1.,
                  refractory_time=0., method="superspike", alpha=50., exp_slope=None,
                  exp_threshold=None, subthreshold_adaptation_strength=None,
                  spike_triggered_adaptation_increment=None, tau_adap=None)
    params.update(kwargs)
    if code is None:
        code = CuBaStepCode(**flags).generate()
    return cuba_aelif_integration(x, integration_step_code=code, hw_data=hw_data, **flags,
                                  **params)


def pulse(T=40, t=10, value=1.):
    x = torch.zeros(T, 1, 1)
    x[t] = value
    return x


@pytest.mark.parametrize("fire", [True, False], ids=["LIF", "LI"])
def test_golden_trace(fire):
    v, madc, i, w, wmadc, z = integrate(pulse(), fire=fire)
    assert torch.allclose(v[9:22].flatten(), torch.tensor(GOLDEN_V), atol=1e-5)
    k = torch.arange(20, dtype=torch.float32)
    assert torch.allclose(i[10:30].flatten(), 0.9 ** k, atol=1e-6)
    assert torch.all(i[:10] == 0)
    assert v.max().item() == pytest.approx(0.38742, abs=1e-5)
    assert int(v.flatten().argmax()) in (19, 20)
    assert madc is None and wmadc is None
    assert torch.all(z == 0) and torch.all(w == 0)


@pytest.mark.parametrize("tau, c_mem, peak, t_peak", [(6e-6, 6e-6, 0.4019, 15),
                                                      (6e-6, 10e-6, 0.2411, 15)])
def test_other_peaks(tau, c_mem, peak, t_peak):
    v, *_ = integrate(pulse(), tau_syn=tau, c_mem=c_mem, g_l=c_mem / tau)
    assert v.max().item() == pytest.approx(peak, abs=1e-4)
    assert int(v.flatten().argmax()) == t_peak


def test_one_step_synaptic_delay():
    v, _, i, *_ = integrate(pulse(value=2.), leak=0.3)
    assert v[10].item() == pytest.approx(0.3) and v[9].item() == pytest.approx(0.3)
    assert i[10].item() == 2.  # the current takes the input at once ...
    assert v[11].item() == pytest.approx(0.3 + 0.1 * 2.)  # ... the membrane one step later


def test_shapes_and_broadcast_parameters():
    x = torch.rand(7, 3, 4)
    v, _, i, w, _, z = integrate(x, leak=torch.zeros(4), threshold=torch.full((4,), 0.5))
    for t in (v, i, w, z):
        assert t.shape == (7, 3, 4)


def test_tuple_input_is_summed():
    a, b = torch.rand(20, 2, 3), torch.rand(20, 2, 3)
    summed = integrate(a + b)
    separate = integrate((a, b))
    assert torch.allclose(summed[0], separate[0]) and torch.allclose(summed[2], separate[2])


def test_spike_step_stores_reset_then_refractory_step():
    x = torch.zeros(30, 1, 1)
    x[5] = 20.  # one strong input: v jumps above threshold at step 6
    v, _, _, _, _, z = integrate(x, threshold=0.5, reset=-0.2, refractory=True,
                                 refractory_time=1e-6)
    t_spike = int(z.flatten().nonzero()[0])
    assert t_spike == 6
    assert v[t_spike].item() == pytest.approx(-0.2)  # never shows the supra-threshold value
    assert z[t_spike + 1].item() == 0. and v[t_spike + 1].item() == pytest.approx(-0.2)
    assert z[t_spike + 2].item() == 1.  # current still high: fires again after one silent step


@pytest.mark.parametrize("tau_ref, period", [(0., 1), (1e-6, 2), (2e-6, 3), (3e-6, 4)])
def test_refractory_period_sets_spike_interval(tau_ref, period):
    x = torch.full((40, 1, 1), 10.)
    _, _, _, _, _, z = integrate(x, threshold=0.5, refractory=tau_ref > 0,
                                 refractory_time=tau_ref)
    times = z.flatten().nonzero().flatten()
    assert len(times) > 5
    assert torch.all(times.diff() == period)


def test_threshold_is_strict():
    _, _, _, _, _, z = integrate(torch.zeros(10, 1, 1), leak=0.5, threshold=0.5)
    assert torch.all(z == 0)
    _, _, _, _, _, z = integrate(torch.zeros(10, 1, 1), leak=0.5, threshold=0.499)
    assert z[0].item() == 1.


def test_non_leaky_starts_at_zero_and_integrates():
    v, *_ = integrate(pulse(), leaky=False, leak=5.)
    assert v[10].item() == 0.
    assert v[-1].item() == pytest.approx(0.1 * sum(0.9 ** k for k in range(29)), rel=1e-5)


def test_gradient_flows_to_input_weights():
    weight = torch.randn(4, 3, requires_grad=True)
    x = torch.nn.functional.linear(torch.bernoulli(torch.full((50, 2, 3), 0.3)), weight)
    v, _, _, _, _, z = integrate(x, threshold=0.2, refractory=True, refractory_time=2e-6)
    (z.sum() + v.sum()).backward()
    assert weight.grad is not None and weight.grad.abs().sum() > 0


# --- tests following hxtorch's TestAELIFIntegration (spec §13.1) ---------------------------

def aelif_setup(scale):
    torch.manual_seed(0)
    inputs = torch.zeros(100, 10, 5)
    inputs[10, :, 0] = 1
    inputs[30, :, [2, 3]] = 1
    inputs[40, :, 1] = 1
    inputs[53, :, 4] = 1
    weight = (scale * torch.randn(15, 5)).requires_grad_()
    graded = torch.nn.functional.linear(inputs, weight)
    params = dict(leak=torch.zeros(15), reset=torch.full((15,), -0.1),
                  threshold=torch.full((15,), 0.7), tau_syn=torch.full((15,), 10e-6),
                  c_mem=torch.full((15,), 10e-6), g_l=torch.ones(15),
                  refractory_time=torch.full((15,), 3e-6), method="superspike", alpha=50.,
                  tau_adap=torch.full((15,), 100e-6))
    return graded, params, weight


ALL_FLAGS = dict(leaky=True, fire=True, refractory=True, exponential=True,
                 subthreshold_adaptation=True, spike_triggered_adaptation=True)


def test_cuba_aelif_integration_all_flags():
    graded, params, weight = aelif_setup(1.)
    code = CuBaStepCode(**ALL_FLAGS).generate()
    assert isinstance(code, str)
    v, madc, i, w, wmadc, z = cuba_aelif_integration(
        graded, **params, exp_slope=0.2, exp_threshold=0.3,
        subthreshold_adaptation_strength=10., spike_triggered_adaptation_increment=0.2,
        integration_step_code=code, dt=1e-6, **ALL_FLAGS)
    for t in (v, i, w, z):
        assert t.shape == (100, 10, 15)
    assert madc is None and wmadc is None
    assert z.sum() > 0 and w.abs().sum() > 0
    z.sum().backward()


def test_cuba_aelif_integration_hw_data():
    graded, params, weight = aelif_setup(0.1)
    adex = dict(exp_slope=0.05, exp_threshold=0.3, subthreshold_adaptation_strength=1.,
                spike_triggered_adaptation_increment=0.5)
    v, _, _, w, _, z = cuba_aelif_integration(
        graded, **params, **adex, integration_step_code=CuBaStepCode(**ALL_FLAGS).generate(),
        **ALL_FLAGS)
    v, w, z = v.detach(), w.detach(), z.detach().clone()
    z[17, 3, 4] = 1.  # a spike the model did not produce
    hw = Handle(voltage=AnalogObservable(cadc=v + torch.rand(v.shape) * 0.05,
                                         madc=w + torch.rand(v.shape) * 0.05),
                adaptation=AnalogObservable(cadc=w + torch.rand(v.shape) * 0.05, madc=None),
                spikes=z)
    code = CuBaStepCode(**ALL_FLAGS, hw_voltage_trace_available=True,
                        hw_adaptation_trace_available=True, hw_spikes_available=True).generate()
    v_out, madc, i_out, w_out, wmadc, z_out = cuba_aelif_integration(
        graded, **params, **adex, integration_step_code=code, hw_data=hw, **ALL_FLAGS)
    assert torch.equal(v_out, hw.voltage.cadc)
    assert torch.equal(madc, hw.voltage.madc)
    assert torch.equal(w_out, hw.adaptation.cadc)
    assert wmadc is None
    assert torch.equal(z_out, hw.spikes)
    assert i_out.shape == w_out.shape == (100, 10, 15)
    (z_out.sum() + v_out.sum()).backward()


def test_lif_hw_injection_and_length():
    """LIF flags with recorded voltage and spikes; T is the shortest of input and records."""
    graded, params, weight = aelif_setup(1.)
    flags = dict(leaky=True, fire=True, refractory=True)
    v_hw, z_hw = torch.rand(80, 10, 15), torch.bernoulli(torch.full((90, 10, 15), 0.1))
    code = CuBaStepCode(**flags, hw_voltage_trace_available=True,
                        hw_spikes_available=True).generate()
    v, madc, i, w, _, z = cuba_aelif_integration(
        graded, **params, exp_slope=None, exp_threshold=None,
        subthreshold_adaptation_strength=None, spike_triggered_adaptation_increment=None,
        integration_step_code=code,
        hw_data=Handle(voltage=AnalogObservable(cadc=v_hw), adaptation=None, spikes=z_hw),
        **flags)
    assert torch.equal(v, v_hw) and torch.equal(z, z_hw[:80])
    assert madc is None and i.shape == (80, 10, 15)
    (v.sum() + z.sum()).backward()  # recorded forward values, gradients from the model
    assert weight.grad is not None and weight.grad.abs().sum() > 0


def test_error_message():
    code = CuBaStepCode(**ALL_FLAGS).generate()
    line = 'raise RuntimeError("Test succeeded, if this is shown!")'
    code = code + "\n" + line
    graded, params, weight = aelif_setup(1.)
    n = len(code.splitlines())
    expected = ("An error occured while executing the code of the integration step.\n"
                f"In line {n} (\"{line}\") in integration_step_code, following error occured:\n"
                "Test succeeded, if this is shown!")
    with pytest.raises(RuntimeError) as info:
        cuba_aelif_integration(graded, **params, exp_slope=0.2, exp_threshold=0.3,
                               subthreshold_adaptation_strength=1.,
                               spike_triggered_adaptation_increment=1.,
                               integration_step_code=code, **ALL_FLAGS)
    assert str(info.value) == expected


def test_error_in_called_function_names_the_calling_line():
    code = CuBaStepCode().generate()
    with pytest.raises(RuntimeError, match=r"In line 4 \(\"z = threshold_function.*\n"
                                           r"Threshold function 'bogus' is not implemented yet"):
        integrate(pulse(), code=code, method="bogus")


def test_step_code_follows_flags():
    plain = CuBaStepCode(fire=False).generate()
    assert "threshold_function" not in plain and "reset" not in plain
    assert "Unterjubel" not in plain
    injected = CuBaStepCode(hw_voltage_trace_available=True).generate()
    assert "v = Unterjubel.apply(v + dv, v_hw)" in injected
    assert "z.detach() * reset" not in injected  # no software reset over a recorded trace
    adex = CuBaStepCode(exponential=True, subthreshold_adaptation=True).generate()
    assert "torch.exp((v - exp_threshold) / exp_slope)" in adex and " - w)" in adex
