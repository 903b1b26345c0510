"""The studio's target selector, resource meter, MADC overlay and hxtorch export (driven from Python)."""

import numpy as np
import pytest

from hxstudio.app import Studio
from hxstudio.backend.chip import default_chip
from hxstudio.codegen import export_hxtorch
from hxstudio.examples import psp, yinyang


def test_hardware_option_is_disabled_with_the_reason_without_hxtorch(no_hxtorch):
    studio = Studio(psp(), run=False)
    assert studio._target.options == ["mock", "emulator", "hardware"]
    assert studio._target.value == "mock" and studio._target.disabled_options == ["hardware"]
    assert studio._target_note.object == "hardware: hxtorch is not installed"
    with pytest.raises(ValueError):  # Panel refuses a disabled option
        studio._target.value = "hardware"
    assert studio.network.target == "mock"


def test_hardware_option_is_enabled_when_hxtorch_imports(hxtorch_stand_in):
    studio = Studio(psp(), run=False)
    assert studio._target.disabled_options == [] and studio._target_note.object == ""
    studio._target.value = "hardware"
    assert studio.network.target == "hardware" and studio._meter.visible
    default_chip().reset_noise()
    studio.run()
    assert studio.result.target == "hardware" and "ran 120 steps on the hardware" in studio.message


def test_a_hardware_project_without_hxtorch_opens_and_explains_the_failed_run(no_hxtorch):
    network = psp()
    network.set(target="hardware")
    studio = Studio(network)
    assert studio._target.value == "hardware" and studio._target.disabled_options == []
    assert studio.result is None
    assert studio._controls.error == "run failed: hardware target needs hxtorch (not installed)"
    studio._target.value = "mock"  # picking another target disables hardware again
    assert studio._target.disabled_options == ["hardware"]


def test_emulator_shows_the_resource_meter_and_the_madc_overlay():
    studio = Studio(yinyang())
    assert not studio._meter.visible and studio._traces.madc_source.data["x"].size == 0
    studio._target.value = "emulator"
    assert studio.network.target == "emulator" and studio.message == "target: emulator — press Run to run there"
    meter = studio._meter
    assert meter.visible and not meter.over
    assert (meter.neurons_used, meter.neurons_total, meter.rows_used, meter.rows_total) == (
        123, 512, {"top": 250, "bottom": 0}, 256)
    studio._controls.click()
    hidden = studio.result["hidden"]
    assert studio.result.target == "emulator" and hidden.madc_neuron == 0
    madc = studio._traces.madc_source.data
    np.testing.assert_allclose(madc["x"], hidden.madc_time[:, 0] * 1e6)
    np.testing.assert_array_equal(madc["y"], hidden.membrane_madc[:, 0] / 4 - 128)
    studio._traces.first = 1  # neuron 0 scrolled out of view: no overlay
    assert studio._traces.madc_source.data["x"].size == 0
    studio._traces.first = 0
    studio._traces.population = "readout"  # another population: no overlay
    assert studio._traces.madc_source.data["x"].size == 0


def test_meter_follows_every_edit_and_turns_red_when_over():
    studio = Studio(yinyang(), run=False)
    studio._target.value = "emulator"
    studio._editor.on_select("node", "hidden")
    studio._size.value = 123  # 5 inputs + 123 hidden sources, 2 rows each: 256 rows, all of the top half
    meter = studio._meter
    assert (meter.neurons_used, meter.rows_used, meter.error, meter.over) == (126, {"top": 256, "bottom": 0}, "", False)
    assert "hx-resource-over" not in meter._layout.css_classes
    assert "synapse rows (top): 256 / 256" in meter._pane.object
    studio._size.value = 124
    assert meter.over and meter.rows_used == {"top": 258, "bottom": 0}
    assert meter.error == ("population 'readout' needs 248 synapse rows in the top hemisphere for its input from "
                           "'hidden' (2 per source neuron: excitatory + inhibitory), 246 of 256 are free")
    assert "hx-resource-over" in meter._layout.css_classes
    assert "population 'readout' needs 248 synapse rows" in meter._pane.object
    studio._target.value = "mock"
    assert not meter.visible


def test_six_hundred_lif_run_shows_the_resource_error_and_keeps_everything(six_hundred_lif):
    studio = Studio(psp())
    good = studio.result
    network = six_hundred_lif
    studio.open(network)
    message = "population 'b' needs 300 neuron circuits, 212 of 512 are free"
    assert studio._controls.error == f"run failed: {message}"
    assert studio._meter.visible and studio._meter.over and studio._meter.error == message
    assert studio.network is network and [p.name for p in network.populations] == ["in", "a", "b"]
    assert studio.result is good  # the last good results stay on screen
    before = network.to_json()
    studio._controls.click()
    assert studio._controls.error == f"run failed: {message}" and network.to_json() == before


def test_export_hxtorch_button_gives_the_script():
    studio = Studio(psp(), run=False)
    assert studio._hxtorch_download.filename == "PSP_demo__one_LIF_neuron.py"
    assert "hx-export-hxtorch" in studio._hxtorch_download.css_classes
    assert studio._hxtorch_file().getvalue() == export_hxtorch(studio.network)
    assert studio.message == "exported PSP_demo__one_LIF_neuron.py (hxtorch.spiking script)"
    studio.network.add_projection("neuron", "neuron", "loop")
    assert studio._hxtorch_file().getvalue() == ""
    assert studio._controls.error.startswith("export failed: export to hxtorch: population(s) 'neuron' form a cycle")
