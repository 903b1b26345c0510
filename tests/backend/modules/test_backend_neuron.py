"""AELIF / LIF / LI modules (spec §5.1–§5.3)."""

import inspect

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import PARAMETERS
from hxstudio.backend.handle import Handle

TABLE_KEYS = ("leak", "reset", "threshold", "tau_mem", "tau_syn", "refractory_time",
              "i_synin_gm", "synapse_dac_bias", "holdoff_time")


@pytest.mark.parametrize("cls", [hxsnn.AELIF, hxsnn.LIF, hxsnn.LI])
def test_signature_defaults_follow_parameter_table(cls):
    params = inspect.signature(cls).parameters
    checked = [k for k in TABLE_KEYS if k in params]
    assert len(checked) == (5 if cls is hxsnn.LI else 9)
    for key in checked:
        assert params[key].default == PARAMETERS[key].default, key
    capacitance = params["membrane_capacitance"].default
    assert capacitance.hardware_value == pytest.approx(63.)
    assert capacitance.hardware_value == pytest.approx(PARAMETERS["membrane_capacitance"].default)
    assert capacitance.model_value == 10e-6


def test_positional_order():
    assert list(inspect.signature(hxsnn.LIF).parameters)[:12] == [
        "size", "experiment", "leak", "reset", "threshold", "tau_mem", "tau_syn", "i_synin_gm",
        "membrane_capacitance", "refractory_time", "synapse_dac_bias", "holdoff_time"]
    assert list(inspect.signature(hxsnn.LI).parameters)[:8] == [
        "size", "experiment", "leak", "tau_mem", "tau_syn", "i_synin_gm",
        "membrane_capacitance", "synapse_dac_bias"]
    aelif = list(inspect.signature(hxsnn.AELIF).parameters)
    assert aelif[-6:] == ["leaky", "fire", "exponential", "subthreshold_adaptation",
                          "spike_triggered_adaptation", "extra_params"]


def test_parameters_are_wrapped_and_capacitance_not_shared():
    exp = hxsnn.Experiment(mock=True)
    a, b = hxsnn.LIF(3, exp, leak=70), hxsnn.LIF(3, exp)
    assert isinstance(a.leak, hxsnn.HXParameter) and a.leak.model_value == 70
    assert a.membrane_capacitance is not b.membrane_capacitance
    a.membrane_capacitance.model_value = 5e-6
    assert b.membrane_capacitance.model_value == 10e-6
    assert a.membrane_capacitance.hardware_value == pytest.approx(31.5)
    trainable = hxsnn.LIF(3, exp, tau_mem=hxsnn.ModelParameter(10e-6).make_trainable())
    assert trainable.has_trainable_params() and not a.has_trainable_params()
    assert any(p is trainable.tau_mem.model_value for p in trainable.parameters())


def test_hardware_only_arguments_are_stored():
    exp = hxsnn.Experiment(mock=True)
    lif = hxsnn.LIF(2, exp, i_synin_gm=400, synapse_dac_bias=1000, trace_scale=0.02,
                    cadc_time_shift=-1, enable_madc_recording=True, record_neuron_id=1)
    assert lif.i_synin_gm.hardware_value == 400 and lif.synapse_dac_bias.hardware_value == 1000
    assert (lif.trace_scale, lif.cadc_time_shift, lif.record_neuron_id) == (0.02, -1, 1)
    assert lif.enable_madc_recording and lif.enable_spike_recording
    li = hxsnn.LI(2, exp, reset=70, threshold=130)
    assert li.reset.hardware_value == 70 and li.threshold.hardware_value == 130
    assert li.refractory_time.model_value == 0. and not li.enable_spike_recording
    assert not li.fire


def run_single(module_cls, graded_list, **kwargs):
    exp = hxsnn.Experiment(mock=True)
    neuron = module_cls(graded_list[0].shape[-1], exp, **kwargs)
    out = neuron(*[hxsnn.SynapseHandle(graded_spikes=g) for g in graded_list])
    hxsnn.run(exp, None)
    return neuron, out


def test_output_types_follow_flags():
    g = [torch.rand(5, 2, 3)]
    _, lif = run_single(hxsnn.LIF, g)
    _, li = run_single(hxsnn.LI, g)
    _, aelif = run_single(hxsnn.AELIF, g)
    _, no_fire_adapt = run_single(hxsnn.AELIF, g, fire=False, refractory_time=0.)
    assert type(lif) is hxsnn.LIFObservables and type(li) is hxsnn.LIObservables
    assert type(aelif) is type(Handle("adaptation_cadc", "adaptation_madc", "current",
                                      "membrane_cadc", "membrane_madc", "spikes"))
    assert not hasattr(no_fire_adapt, "spikes") and no_fire_adapt.adaptation_cadc.shape == (5, 2, 3)
    assert lif.spikes.shape == li.membrane_cadc.shape == aelif.adaptation_cadc.shape == (5, 2, 3)
    assert aelif.adaptation_madc is None and li.membrane_madc is None


def test_li_sums_multiple_inputs():
    a, b = torch.rand(20, 2, 3), torch.rand(20, 2, 3)
    _, two = run_single(hxsnn.LI, [a, b], leak=hxsnn.ModelParameter(0.))
    _, one = run_single(hxsnn.LI, [a + b], leak=hxsnn.ModelParameter(0.))
    assert torch.allclose(two.membrane_cadc, one.membrane_cadc)
    assert two.membrane_cadc.abs().sum() > 0


def test_lif_model_values_reach_integrator():
    """Model values (not hardware values) drive the numerics; g_l = C / tau_mem."""
    x = torch.zeros(30, 1, 1)
    x[10] = 1.
    _, out = run_single(hxsnn.LIF, [x], leak=hxsnn.MixedHXModelParameter(0., 80.),
                        threshold=hxsnn.MixedHXModelParameter(1., 125.),
                        tau_mem=hxsnn.ModelParameter(6e-6), tau_syn=hxsnn.ModelParameter(6e-6),
                        membrane_capacitance=hxsnn.ModelParameter(6e-6))
    assert out.membrane_cadc.max().item() == pytest.approx(0.4019, abs=1e-4)
    assert out.spikes.sum() == 0


def test_lif_refractory_by_default():
    x = torch.full((12, 1, 1), 10.)
    _, out = run_single(hxsnn.LIF, [x], leak=hxsnn.ModelParameter(0.),
                        reset=hxsnn.ModelParameter(0.), threshold=hxsnn.ModelParameter(0.5))
    times = out.spikes.flatten().nonzero().flatten()
    assert torch.all(times.diff() == 2)  # 1 us refractory: one silent step after each spike


def test_refractory_on_non_firing_population_warns():
    with pytest.warns(UserWarning, match="Refractory period is not applicable"):
        run_single(hxsnn.AELIF, [torch.rand(4, 1, 2)], fire=False)


def test_neuron_input_errors():
    exp = hxsnn.Experiment(mock=True)
    lif = hxsnn.LIF(2, exp)
    with pytest.raises(ValueError, match=r"LIF\(size=2, flags=leaky\+fire\): input 0 .* holds no graded_spikes"):
        lif.forward_func(hxsnn.LIFObservables(spikes=torch.zeros(3, 1, 2)))
    with pytest.raises(ValueError, match="needs at least one input"):
        lif.forward_func()


def test_placement_constraint_length():
    with pytest.raises(ValueError, match="does not equal the `size` of the module"):
        hxsnn.LIF(3, hxsnn.Experiment(mock=True), placement_constraint=[0, 1])


def test_input_neuron_is_identity():
    exp = hxsnn.Experiment(mock=True)
    spikes = torch.bernoulli(torch.full((6, 2, 4), 0.5))
    inp = hxsnn.InputNeuron(4, exp)
    out = inp(hxsnn.LIFObservables(spikes=spikes))
    hxsnn.run(exp, None)
    assert type(out) is hxsnn.LIFObservables and torch.equal(out.spikes, spikes)
    assert inp.size == 4
