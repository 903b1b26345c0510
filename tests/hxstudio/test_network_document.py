"""The network document: validation messages, edits that lose nothing, JSON round trip."""

import json

import pytest

from hxstudio.errors import ParameterRangeError, ProjectFileError, ValidationError
from hxstudio.examples import psp, yinyang
from hxstudio.network import (
    SCHEMA_VERSION,
    ConstantInit,
    MatrixInit,
    Network,
    NormalInit,
    PoissonRate,
    SpikeTimes,
)


def test_json_round_trip_is_equal():
    net = yinyang()
    text = net.to_json()
    again = Network.from_json(text)
    assert again == net
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    assert again.to_json() == text


def test_save_and_load(tmp_path):
    net = psp()
    path = tmp_path / "p.json"
    net.save(path)
    assert Network.load(path) == net


def test_defaults_fill_every_parameter_from_the_table():
    net = psp()
    assert net.population("neuron").params == {
        "leak": 80.0, "reset": 80.0, "threshold": 125.0, "tau_mem": 10e-6, "tau_syn": 10e-6,
        "membrane_capacitance": 63.0, "refractory_time": 1e-6, "holdoff_time": 0.0,
        "i_synin_gm": 500.0, "synapse_dac_bias": 600.0,
    }
    assert net.population("excitatory").params == {}


def _bad(mutate):
    data = json.loads(yinyang().to_json())
    mutate(data)
    return data


@pytest.mark.parametrize(
    "mutate, error, message",
    [
        (lambda d: d["populations"][1].update(color="red"), ValidationError,
         "population 'hidden': unknown field 'color'; allowed: name, kind, size, params, stimulus, position"),
        (lambda d: d.update(bar=1), ValidationError, "network: unknown field 'bar'; allowed: schema_version"),
        (lambda d: d["projections"][0].update(target="ghost"), ValidationError,
         "projection 'input→hidden': target 'ghost' is not a population; existing: input, hidden, readout"),
        (lambda d: d["populations"][1]["params"].update(tau_mem=1.0), ParameterRangeError,
         "population 'hidden': tau_mem = 1 s is outside the calibrated range [0.5 µs, 60 µs]"),
        (lambda d: d["populations"][2]["params"].update(threshold=100.0), ValidationError,
         "population 'readout': unknown parameter 'threshold' for kind LI; allowed: leak, tau_mem"),
        (lambda d: d["populations"][1].update(size=0), ValidationError,
         "population 'hidden': size = 0: Input should be greater than or equal to 1"),
        (lambda d: d["populations"][0].update(size=4), ValidationError,
         "population 'input': dataset 'yinyang' drives 5 neurons; size is 4"),
        (lambda d: d["projections"][1].update(source="readout"), ValidationError,
         "projection 'hidden→readout': source 'readout' is of kind LI; a source must be one of AELIF, LIF, input"),
        (lambda d: d.update(schema_version=99), ValidationError, "network: schema_version = 99 is not supported"),
        (lambda d: d["populations"][1].pop("kind"), ValidationError,
         "population 'hidden': required field 'kind' is missing"),
    ],
)
def test_bad_documents_are_refused_with_one_line(mutate, error, message):
    with pytest.raises(error) as info:
        Network.from_dict(_bad(mutate))
    text = str(info.value)
    assert text.startswith(message)
    assert "\n" not in text


def test_not_json_is_a_project_file_error():
    with pytest.raises(ProjectFileError, match="not valid JSON"):
        Network.from_json("{ truncated")


def test_failed_edit_leaves_the_document_unchanged():
    net = psp()
    before = net.to_json()
    with pytest.raises(ParameterRangeError, match=r"threshold = 500 CADC LSB .* \[50 CADC LSB, 220 CADC LSB\]"):
        net.set_param("neuron", "threshold", 500.0)
    with pytest.raises(ValidationError):
        net.add_projection("neuron", "excitatory")
    with pytest.raises(ValidationError, match="names must be unique"):
        net.add_population("neuron", "LIF", 3)
    assert net.to_json() == before


def test_edits():
    net = psp()
    net.set_param("neuron", "threshold", 100.0)
    assert net.population("neuron").params["threshold"] == 100.0
    net.add_population("extra", "LIF", 4)
    j = net.add_projection("neuron", "extra", init=NormalInit(mean=1.0, std=0.5, seed=3), scale=2.0)
    assert j.name == "neuron→extra" and j.scale == 2.0
    net.update_projection(j.name, init=ConstantInit(value=5.0))
    assert net.projection(j.name).init == ConstantInit(value=5.0)
    net.remove_population("neuron")
    assert [p.name for p in net.populations] == ["excitatory", "inhibitory", "extra"]
    assert net.projections == []   # every projection touched 'neuron'


def test_matrix_shape_is_checked():
    net = psp()
    with pytest.raises(ValidationError, match=r"weight matrix has shape \(1, 2\); needs .* \(1, 1\)"):
        net.update_projection("excitatory→neuron", init=MatrixInit(weight=[[1.0, 2.0]]))


def test_stimulus_checks():
    net = psp()
    with pytest.raises(ValidationError, match="has 2 lists; needs one per neuron \\(1\\)"):
        net.update_population("excitatory", stimulus=SpikeTimes(times=[[1e-6], [2e-6]]))
    net.update_population("excitatory", stimulus=PoissonRate(rate=1e4, seed=3))
    assert net.population("excitatory").stimulus.seed == 3
    with pytest.raises(ValidationError, match="only allowed for kind 'input'"):
        net.update_population("neuron", stimulus=PoissonRate())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["projections"][0].update(init={"kind": "constant", "value": float("nan")}),
         "projection 'input→hidden': init.value = nan: Input should be a finite number"),
        (lambda d: d.update(duration=float("inf")), "network: duration = inf: Input should be a finite number"),
        (lambda d: d["populations"][1].update(size="120"),
         "population 'hidden': size = '120': Input should be a valid integer"),
        (lambda d: d["populations"][1].update(size=True),
         "population 'hidden': size = True: Input should be a valid integer"),
        (lambda d: d["populations"][1]["params"].update(threshold="100"),
         "population 'hidden': params.threshold = '100': Input should be a valid number"),
        (lambda d: d["projections"][0].update(init={"kind": "normal", "seed": -3}),
         "projection 'input→hidden': init.seed = -3: Input should be greater than or equal to 0"),
        (lambda d: d.update(duration=4e-7),
         "network: duration = 4e-07 s at dt = 1e-06 s gives 0 steps; allowed: 1 to 100000 steps"),
        (lambda d: d["populations"][0].update(stimulus={"kind": "regular", "rate": 2e6}),
         "population 'input': stimulus rate = 2e+06 Hz exceeds one spike per step; allowed: up to 1/dt = 1e+06 Hz"),
    ],
)
def test_numbers_must_be_finite_numbers_and_fit_the_grid(mutate, message):
    data = _bad(mutate)
    if data["populations"][0]["stimulus"]["kind"] == "regular":
        data["populations"][0]["size"] = 5
    with pytest.raises(ValidationError) as info:
        Network.from_dict(data)
    assert str(info.value) == message


def test_python_api_errors_are_wrapped_too():
    with pytest.raises(ValidationError, match="^network: unknown field 'populatons'; allowed: schema_version"):
        Network(populatons=[])
    net = Network()
    with pytest.raises(ValidationError, match="^network: duration = -5.0: Input should be greater than 0$"):
        net.duration = -5.0


def test_resizing_an_input_keeps_its_spike_trains():
    net = psp()
    net.update_population("excitatory", size=3)
    assert net.population("excitatory").stimulus.times == [[10e-6, 70e-6, 72e-6, 74e-6], [], []]
    net.update_population("excitatory", size=1)
    assert net.population("excitatory").stimulus.times == [[10e-6, 70e-6, 72e-6, 74e-6]]
