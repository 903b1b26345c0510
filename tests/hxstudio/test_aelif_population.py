"""AELIF (AdEx) populations end to end: table, document, translation, run, NIR export, studio."""

import inspect
import json
import warnings

import numpy as np
import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip.parameters import NEURON_PARAMETERS, NEURON_SWITCHES, PARAMETERS
from hxstudio.catalogue import defaults, widget_specs
from hxstudio.errors import NIRError, ParameterRangeError, ValidationError
from hxstudio.examples import adex, load_example
from hxstudio.network import ConstantInit, Network, NormalInit, PoissonRate, Population, RegularRate
from hxstudio.runner import run

ADEX = ("exponential_threshold", "exponential_slope", "subthreshold_adaptation_strength",
        "spike_triggered_adaptation_increment", "tau_adap")
SWITCHES_OFF = {"exponential": False, "subthreshold_adaptation": False, "spike_triggered_adaptation": False}
#: Spike steps of the ``adex`` example (regular drive every 5 µs, b = 5, a = 1, τ_w = 100 µs).
ADEX_SPIKES = [14, 24, 34, 45, 58, 72, 88, 106, 126, 147, 169, 192, 216, 240, 264, 288]


# ---- table and catalogue ------------------------------------------------------------------------


def test_aelif_has_every_lif_parameter_plus_the_adex_ones_and_three_switches():
    assert set(NEURON_PARAMETERS["AELIF"]) == set(NEURON_PARAMETERS["LIF"]) | set(ADEX)
    assert NEURON_SWITCHES["AELIF"] == ("exponential", "subthreshold_adaptation", "spike_triggered_adaptation")
    assert {n: (PARAMETERS[n].unit, PARAMETERS[n].calix, PARAMETERS[n].mock) for n in ADEX} == {
        "exponential_threshold": ("CADC LSB", False, True),
        "exponential_slope": ("CADC LSB", False, True),
        "subthreshold_adaptation_strength": ("1", False, True),
        "spike_triggered_adaptation_increment": ("1", False, True),
        "tau_adap": ("s", False, True),
    }
    # calix calibrates none of them (spec §5.1): what hxstudio accepts is also the flag-free range
    assert all(PARAMETERS[n].calibrated == PARAMETERS[n].limits for n in ADEX)


def test_defaults_are_hxtorchs_except_the_documented_exponential_slope():
    module = inspect.signature(hxsnn.AELIF).parameters  # the backend keeps hxtorch's defaults (spec §5.1)
    table = defaults("AELIF")
    for name in ("exponential_threshold", "subthreshold_adaptation_strength",
                 "spike_triggered_adaptation_increment", "tau_adap", "exponential",
                 "subthreshold_adaptation", "spike_triggered_adaptation"):
        assert table[name] == module[name].default, name
    assert module["exponential_slope"].default == 50e-3 and table["exponential_slope"] == 3.0
    assert PARAMETERS["exponential_slope"].limits == (0.5, 50.0)  # 50e-3 overflows exp() in float32


def test_widget_specs_give_sliders_then_checkboxes():
    specs = widget_specs("AELIF")
    assert [s["name"] for s in specs] == [*NEURON_PARAMETERS["AELIF"], *NEURON_SWITCHES["AELIF"]]
    tau = next(s for s in specs if s["name"] == "tau_adap")
    assert (tau["label"], tau["unit"], tau["calibrated"], tau["range_label"]) == (
        "τ_adap", "s", (1e-6, 500e-6), "Accepted range")
    assert "Not calibrated by calix" in tau["doc"]
    assert next(s for s in specs if s["name"] == "tau_mem")["range_label"] == "Calibrated range"
    assert specs[-1] == {"name": "spike_triggered_adaptation", "label": "spike-triggered adaptation",
                         "kind": "bool", "default": True,
                         "doc": "Spike-triggered adaptation: each spike adds b to the adaptation current."}


# ---- document -----------------------------------------------------------------------------------


def test_a_new_aelif_population_holds_every_default_and_is_flagged_for_its_adex_terms():
    pop = Population(name="a", kind="AELIF", size=2)
    assert pop.params == defaults("AELIF")
    assert pop.flags() == [
        "population 'a': AdEx terms exponential, subthreshold_adaptation, spike_triggered_adaptation are on; "
        "calix does not calibrate their parameters (hxtorch writes them raw into CapMem, spec §5.1); "
        "the mock runs them"]
    assert Population(name="a", kind="AELIF", size=2, params=SWITCHES_OFF).flags() == []


def test_out_of_range_tau_adap_is_refused_naming_field_and_range():
    net = adex()
    before = net.to_json()
    with pytest.raises(ParameterRangeError) as err:
        net.set_param("adex", "tau_adap", 600e-6)
    assert str(err.value) == ("population 'adex': tau_adap = 600 µs is outside the accepted range "
                              "[1 µs, 500 µs] (not calibrated by calix)")
    assert net.to_json() == before  # nothing changed
    with pytest.raises(ParameterRangeError, match=r"exponential_slope = 0.05 CADC LSB is outside the "
                                                  r"accepted range \[0.5 CADC LSB, 50 CADC LSB\]"):
        Population(name="a", kind="AELIF", size=1, params={"exponential_slope": 50e-3})


def test_switches_take_booleans_and_numbers_refuse_booleans():
    with pytest.raises(ValidationError, match=r"^population 'a': exponential = 1.0 must be true or false$"):
        Population(name="a", kind="AELIF", size=1, params={"exponential": 1})
    with pytest.raises(ValidationError,
                       match=r"^population 'a': tau_adap = True must be a number in \[1 µs, 500 µs\], not true/false$"):
        Population(name="a", kind="AELIF", size=1, params={"tau_adap": True})
    with pytest.raises(ValidationError, match="unknown parameter 'exponential' for kind LIF"):
        Population(name="n", kind="LIF", size=1, params={"exponential": False})


def test_json_round_trip_keeps_parameters_switches_and_per_neuron_values():
    net = adex()
    net.update_population("adex", size=3)
    net.set_param("adex", "tau_adap", [50e-6, 100e-6, 200e-6])
    net.set_param("adex", "exponential", False)
    text = net.to_json()
    params = json.loads(text)["populations"][1]["params"]
    assert params["exponential"] is False and params["tau_adap"] == [50e-6, 100e-6, 200e-6]
    again = Network.from_json(text)
    assert again.model_dump() == net.model_dump()
    assert again.to_json() == text


def test_aelif_sends_and_receives_projections_also_recurrently():
    net = adex()
    net.add_population("readout", "LI", 1)
    net.add_projection("adex", "readout", init=ConstantInit(value=10.0))
    zero = adex()
    zero.add_projection("adex", "adex", init=ConstantInit(value=0.0))  # a cycle: RecurrentGroup
    a, b = run(net)["adex"], run(zero)["adex"]
    assert np.nonzero(a.spikes[:, 0, 0])[0].tolist() == ADEX_SPIKES
    for field in ("spikes", "membrane_cadc", "current", "adaptation_cadc"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


# ---- translation and run --------------------------------------------------------------------------


def _direct(steps=300):
    """The adex example written directly against the backend modules (hxtorch.spiking API)."""
    exp = hxsnn.Experiment(mock=True, dt=1e-6)
    spikes = torch.zeros(steps, 1, 1)
    spikes[::5] = 1.0  # 200 kHz from t = 0
    syn = hxsnn.Synapse(1, 1, exp)
    syn.weight.data = torch.tensor([[40.0]])
    neuron = hxsnn.AELIF(1, exp, exponential_slope=3.0, spike_triggered_adaptation_increment=5.0)
    handle = neuron(syn(hxsnn.InputNeuron(1, exp)(hxsnn.LIFObservables(spikes=spikes))))
    hxsnn.run(exp, steps)
    return spikes, handle


def test_adaptation_lengthens_the_intervals_exactly_as_the_backend_module_driven_directly():
    result = run(adex())
    pop = result["adex"]
    steps = np.nonzero(pop.spikes[:, 0, 0])[0].tolist()
    assert steps == ADEX_SPIKES
    intervals = np.diff(steps)
    assert intervals[:3].tolist() == [10, 10, 11] and intervals[-4:].tolist() == [24, 24, 24, 24]
    assert np.all(np.diff(intervals) >= 0)  # spike-frequency adaptation: never shorter
    spikes, handle = _direct()
    assert np.array_equal(result["drive"].spikes, spikes.numpy())
    assert pop.adaptation_cadc.shape == (300, 1, 1) and pop.adaptation_cadc.dtype == np.float32
    for field in ("spikes", "membrane_cadc", "current", "adaptation_cadc"):
        assert np.array_equal(getattr(pop, field), getattr(handle, field).detach().numpy()), field
    arrays = result.arrays()
    assert np.array_equal(arrays["adex/adaptation_cadc"], pop.adaptation_cadc)
    assert "drive/adaptation_cadc" not in arrays


def test_spike_triggered_adaptation_follows_spec_6_1_step_5():
    net = adex()
    net.update_population("adex", params={"exponential": False, "subthreshold_adaptation": False})
    pop = run(net)["adex"]
    w, z = pop.adaptation_cadc[:, 0, 0].astype(np.float64), pop.spikes[:, 0, 0]
    # w ← w·(1 − dt/τ_w) + b·z with τ_w = 100 µs, b = 5 (no subthreshold term)
    expected = np.concatenate([[5.0 * z[0]], w[:-1] * (1 - 1e-6 / 100e-6) + 5.0 * z[1:]])
    np.testing.assert_allclose(w, expected, rtol=1e-5, atol=1e-5)
    assert np.nonzero(z)[0].tolist() == [16, 27, 38, 51, 64, 77, 92, 107, 123, 141, 158, 176, 194, 212,
                                          231, 251, 271, 289]
    assert w.max() == pytest.approx(29.04617, abs=1e-4)


def test_aelif_with_its_switches_off_equals_a_lif_population_exactly():
    def network(kind, **params):
        net = Network(name="equal", duration=300e-6)
        net.add_population("in", "input", 3, stimulus=PoissonRate(rate=300e3, seed=3))
        net.add_population("n", kind, 4, params=params)
        net.add_projection("in", "n", init=NormalInit(mean=20.0, std=10.0, seed=1))
        return net

    aelif, lif = run(network("AELIF", **SWITCHES_OFF))["n"], run(network("LIF"))["n"]
    assert aelif.spikes.sum() == 306.0
    for field in ("spikes", "membrane_cadc", "current"):
        assert np.array_equal(getattr(aelif, field), getattr(lif, field)), field
    assert aelif.adaptation_cadc is None  # no adaptation, no adaptation trace (spec §4.3)


def test_translation_passes_every_parameter_and_switch_to_the_aelif_module():
    from hxstudio.translate import build

    net = adex()
    net.set_param("adex", "exponential", False)
    module = build(net).modules["adex"]
    assert type(module) is hxsnn.AELIF
    assert (module.leaky, module.fire, module.exponential, module.subthreshold_adaptation,
            module.spike_triggered_adaptation) == (True, True, False, True, True)
    assert module.spike_triggered_adaptation_increment.model_value == 5.0
    assert module.tau_adap.model_value == 100e-6 and module.exponential_slope.model_value == 3.0
    assert module.membrane_capacitance.model_value == pytest.approx(10e-6, rel=1e-12)


def test_sweeps_reach_the_adex_parameters():
    from hxstudio.sweep.space import parameter_names

    names = parameter_names(adex())
    assert {f"adex.{n}" for n in ADEX} <= set(names)
    assert "adex.exponential" not in names  # switches are not numbers to sweep


def test_adex_example_is_listed():
    assert load_example("adex").population("adex").kind == "AELIF"


# ---- NIR export ---------------------------------------------------------------------------------


def test_nir_export_refuses_adex_terms_and_exports_a_plain_aelif_as_the_lif_it_equals():
    from hxstudio.nir_io import export_nir

    with pytest.raises(NIRError) as err:
        export_nir(adex())
    assert str(err.value) == (
        "export: population 'adex' is of kind AELIF with exponential, subthreshold_adaptation, "
        "spike_triggered_adaptation on; NIR has no AdEx node (CubaLIF would silently drop these terms): "
        "switch them off to export it as CubaLIF, or remove the population")

    def exported(kind, **params):
        net = Network(name="x", duration=50e-6)
        net.add_population("in", "input", 1, stimulus=RegularRate(rate=100e3))
        net.add_population("n", kind, 2, params={"tau_mem": 20e-6, **params})
        net.add_projection("in", "n", init=ConstantInit(value=30.0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the refractory time has no NIR field
            return export_nir(net)

    plain, lif = exported("AELIF", **SWITCHES_OFF).nodes["n"], exported("LIF").nodes["n"]
    assert type(plain).__name__ == "CubaLIF"
    for field in ("tau_mem", "tau_syn", "r", "v_leak", "v_reset", "v_threshold", "w_in"):
        assert np.array_equal(getattr(plain, field), getattr(lif, field)), field
    assert float(plain.tau_mem[0]) == pytest.approx(0.02)  # 20 µs hardware = 20 ms biological


# ---- studio (no browser) ------------------------------------------------------------------------


def test_studio_adds_an_aelif_node_shows_its_parameters_and_toggles_a_switch():
    from hxstudio.app import Studio

    studio = Studio(adex())
    assert np.nonzero(studio.result["adex"].spikes[:, 0, 0])[0].tolist() == ADEX_SPIKES
    studio._editor.on_add("AELIF")
    assert studio.network.population("aelif").kind == "AELIF" and studio.network.population("aelif").size == 1
    assert studio.selected == ("node", "aelif")
    assert studio._params.readout("tau_adap") == "100.0 µs (bio 100 ms)"
    assert studio._params.widget("exponential").value is True
    studio._editor.on_select("node", "adex")
    studio._params.widget("spike_triggered_adaptation").value = False
    assert studio.network.population("adex").params["spike_triggered_adaptation"] is False
    studio._params.on_change("tau_adap", 600e-6)  # refused: the message names the range
    assert "tau_adap = 600 µs is outside the accepted range [1 µs, 500 µs]" in studio.message
    assert studio.network.population("adex").params["tau_adap"] == 100e-6
    studio.run()
    spikes = np.nonzero(studio.result["adex"].spikes[:, 0, 0])[0]
    assert len(spikes) > len(ADEX_SPIKES)  # less adaptation, more spikes
