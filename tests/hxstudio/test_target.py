"""Targets: the document's ``target`` and MADC probe, the module namespace per target (hxstudio.backend
standing in for hxtorch.spiking on "hardware"), MADC results, the resource check of the emulator."""

import json

import numpy as np
import pytest

import hxstudio
import hxstudio.backend
from hxstudio.backend.chip import default_chip
from hxstudio.cli import main
from hxstudio.errors import ResourceError, TargetUnavailableError, ValidationError
from hxstudio.network import Network
from hxstudio.targets import namespace, resource_usage, unavailable
from hxstudio.translate import build


def on(target: str, network: Network) -> Network:
    network.set(target=target)
    return network


def run_fresh(network: Network, **kwargs):
    """Run with the default emulated chip's noise count reset, so runs can be compared."""
    default_chip().reset_noise()
    return hxstudio.run(network, **kwargs)




# -- document ---------------------------------------------------------------------------------


def test_target_is_saved_and_old_files_read_as_mock():
    net = on("emulator", hxstudio.examples.psp())
    net.set(recording={"populations": None, "madc": {"population": "neuron", "neuron": 0}})
    data = json.loads(net.to_json())
    assert data["target"] == "emulator" and data["recording"]["madc"] == {"population": "neuron", "neuron": 0}
    assert Network.from_json(net.to_json()).model_dump() == net.model_dump()
    del data["target"], data["recording"]["madc"]
    old = Network.from_dict({**data, "schema_version": 1})
    assert old.target == "mock" and old.recording.madc is None
    with pytest.raises(ValidationError) as info:
        net.set(target="gpu")
    assert str(info.value) == "network: target = 'gpu': Input should be 'mock', 'emulator' or 'hardware'"
    assert net.target == "emulator"  # a refused edit changes nothing


@pytest.mark.parametrize("madc, message", [
    ({"population": "nope"}, "recording: madc population 'nope' does not exist; existing: input, hidden, readout"),
    ({"population": "input"}, "recording: madc population 'input' is an input; the MADC records a neuron's "
                              "membrane (a population that is not an input)"),
    ({"population": "readout", "neuron": 3}, "recording: madc population 'readout': neuron = 3 is outside [0, 2]"),
])
def test_madc_probe_is_validated(madc, message):
    net = hxstudio.examples.yinyang()
    with pytest.raises(ValidationError) as info:
        net.set(recording={"populations": None, "madc": madc})
    assert str(info.value) == message


def test_madc_probe_default_and_edits():
    net = hxstudio.examples.yinyang()
    assert net.madc_probe() == ("hidden", 0)  # first neuron of the first recorded LIF/LI population
    net.set(recording={"populations": ["readout"]})
    assert net.madc_probe() == ("readout", 0)
    net.set(recording={"populations": None, "madc": {"population": "readout", "neuron": 2}})
    assert net.madc_probe() == ("readout", 2)
    net.update_population("readout", size=3, position=(1.0, 2.0))
    assert net.madc_probe() == ("readout", 2)
    net.update_population("readout", size=2)  # the probe's neuron is gone: back to the default
    assert net.recording.madc is None and net.madc_probe() == ("hidden", 0)
    net.set(recording={"populations": None, "madc": {"population": "hidden", "neuron": 7}})
    net.remove_population("readout")
    assert net.madc_probe() == ("hidden", 7)
    net.remove_population("hidden")
    assert net.recording.madc is None and net.madc_probe() is None


# -- namespaces ---------------------------------------------------------------------------------


def test_namespace_per_target(no_hxtorch):
    assert namespace("mock") is hxstudio.backend and namespace("emulator") is hxstudio.backend
    assert unavailable("mock") is None and unavailable("hardware") == "not installed"
    with pytest.raises(TargetUnavailableError) as info:
        namespace("hardware")
    assert str(info.value) == "hardware target needs hxtorch (not installed)"
    with pytest.raises(TargetUnavailableError):
        hxstudio.run(on("hardware", hxstudio.examples.psp()))


def test_cli_run_target_hardware_without_hxtorch_is_one_line(no_hxtorch, capsys):
    assert main(["run", "--example", "psp", "--target", "hardware"]) == 2
    assert capsys.readouterr().err == "error: hardware target needs hxtorch (not installed)\n"


def test_cli_run_target_emulator(capsys):
    assert main(["run", "--example", "psp", "--target", "emulator"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PSP demo: one LIF neuron: 120 steps of 1 µs on the emulator\n")


def test_translation_builds_from_the_namespace_it_is_given():
    calls = []

    class Spy:
        """hxstudio.backend, recording the Experiment's mock flag and every module built."""

        def __getattr__(self, name):
            value = getattr(hxstudio.backend, name)
            if name in ("Experiment", "InputNeuron", "Synapse", "LIF", "LI"):
                def made(*args, **kwargs):
                    calls.append((name, kwargs.get("mock", kwargs.get("record_neuron_id"))))
                    return value(*args, **kwargs)
                return made
            return value

    for target, madc in (("mock", None), ("emulator", 0)):
        calls.clear()
        built = build(on(target, hxstudio.examples.yinyang()), Spy())
        assert calls == [("Experiment", target == "mock"), ("InputNeuron", None), ("Synapse", None),
                         ("LIF", madc), ("Synapse", None), ("LI", None)]
        assert built.madc == (None if target == "mock" else ("hidden", 0))


def test_hardware_target_with_the_backend_standing_in_equals_the_emulator(hxtorch_stand_in):
    assert namespace("hardware") is hxstudio.backend and unavailable("hardware") is None
    for example in ("psp", "yinyang"):
        hardware = run_fresh(on("hardware", hxstudio.examples.load_example(example)))
        emulator = run_fresh(on("emulator", hxstudio.examples.load_example(example)))
        mock = hxstudio.run(hxstudio.examples.load_example(example))
        assert (hardware.target, emulator.target, mock.target) == ("hardware", "emulator", "mock")
        a, b = hardware.arrays(), emulator.arrays()
        assert list(a) == list(b)
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        # the chip is not the mock: its traces differ (spread, noise, 8-bit CADC)
        membrane = [k for k in mock.arrays() if k.endswith("membrane_cadc")][0]
        assert not np.array_equal(a[membrane], mock.arrays()[membrane])


# -- MADC results ---------------------------------------------------------------------------------


def test_emulator_result_has_the_madc_trace_of_the_probe():
    result = run_fresh(on("emulator", hxstudio.examples.psp()))
    neuron = result["neuron"]
    samples = neuron.membrane_madc.shape[0]
    assert neuron.membrane_madc.shape == neuron.madc_time.shape == (samples, 1) and neuron.madc_neuron == 0
    assert abs(samples - 120 * 3235 / 110) <= 1  # ≈ 29.4 samples/µs over 120 µs (spec §7.3)
    assert neuron.madc_time[0, 0] == 0.0 and neuron.madc_time[-1, 0] < 120e-6
    assert np.all(np.diff(neuron.madc_time[:, 0]) > 0)
    assert 0 <= neuron.membrane_madc.min() and neuron.membrane_madc.max() <= 1023  # 10 bit
    # mapped onto the CADC axis it follows the CADC trace within the ADCs' noise
    on_cadc = neuron.madc_on_cadc_axis()[:, 0]
    step = np.minimum(np.round(neuron.madc_time[:, 0] / 1e-6).astype(int), 119)
    assert np.mean(np.abs(on_cadc - neuron.membrane_cadc[step, 0, 0])) < 2.0
    np.testing.assert_array_equal(on_cadc, neuron.membrane_madc[:, 0] / 4 - 128)
    arrays = result.arrays()
    assert arrays["neuron/madc_neuron"] == 0 and arrays["neuron/membrane_madc"].shape == (samples, 1)
    assert hxstudio.run(hxstudio.examples.psp())["neuron"].membrane_madc is None  # the mock has no MADC


def test_madc_probe_chooses_the_recorded_neuron():
    net = on("emulator", hxstudio.examples.yinyang())
    net.set(recording={"populations": None, "madc": {"population": "readout", "neuron": 2}})
    result = run_fresh(net)
    assert result["hidden"].membrane_madc is None
    readout = result["readout"]
    assert readout.madc_neuron == 2
    step = np.minimum(np.round(readout.madc_time[:, 0] / 1e-6).astype(int), 37)
    trace = readout.madc_on_cadc_axis()[:, 0]
    errors = [np.mean(np.abs(trace - readout.membrane_cadc[step, 0, k])) for k in range(3)]
    assert errors[2] < 2.0  # closest to its own neuron's CADC trace


# -- resources ---------------------------------------------------------------------------------------


def test_six_hundred_lif_are_refused_on_the_emulator_and_run_on_the_mock(six_hundred_lif):
    net = six_hundred_lif
    usage = resource_usage(net)
    assert not usage.ok and usage.neurons_used == 600 and usage.neurons_total == 512
    assert usage.error == "population 'b' needs 300 neuron circuits, 212 of 512 are free"
    before = net.to_json()
    with pytest.raises(ResourceError) as info:
        run_fresh(net)
    assert str(info.value) == usage.error  # names the population and "512"
    assert net.to_json() == before
    assert hxstudio.run(on("mock", net))["b"].spikes.shape == (20, 1, 300)


def test_resource_usage_of_the_yinyang_example():
    usage = resource_usage(hxstudio.examples.yinyang())
    # 120 hidden + 3 readout circuits in the top row; rows: 2 per source neuron (5 inputs, 120 hidden)
    assert usage.ok and usage.neurons_used == 123 and usage.rows_used == {"top": 250, "bottom": 0}
    assert usage.placement["readout"] == [120, 121, 122]
