"""Target selector, resource meter and the emulator's resource error in a real browser."""

import importlib.util
import json

import pytest

from hxstudio.network import Network

pytestmark = pytest.mark.browser

HXTORCH = importlib.util.find_spec("hxtorch") is not None


def test_hardware_option_state_and_reason(page, ui):
    option = page.locator(".hx-target select option[value=hardware]")
    option.wait_for(state="attached", timeout=30_000)
    options = page.eval_on_selector_all(".hx-target select option", "os => os.map(o => [o.value, o.disabled])")
    assert options == [["mock", False], ["emulator", False], ["hardware", not HXTORCH]]
    note = page.locator(".hx-target-note pre")
    if HXTORCH:
        assert note.inner_text().strip() == ""
    else:
        assert note.is_visible() and note.inner_text().strip() == "hardware: hxtorch is not installed"


def test_emulator_meter_and_madc_overlay(page, ui):
    assert not page.locator(".hx-resource-meter").is_visible()
    page.locator(".hx-target select").select_option("emulator")
    bars = ui.wait_for(lambda: page.locator(".hx-resource-meter").is_visible()
                       and page.locator(".hx-resource-bar").all_inner_texts(), what="the resource meter")
    assert [b.strip() for b in bars] == ["neurons: 123 / 512", "synapse rows (top): 250 / 256",
                                         "synapse rows (bottom): 0 / 256"]
    assert page.locator(".hx-resource-error").count() == 0 and page.locator(".hx-resource-over").count() == 0
    page.click(".hx-run-button button")
    ui.wait_for(lambda: "on the emulator" in ui.text(page, ".hx-run-status"), what="the emulator run")
    madc = ui.wait_for(lambda: (d := ui.source(page, "hx-madc-source")) and len(d["x"]) > 1000 and d,
                       what="the MADC overlay")
    assert len(madc["x"]) == len(madc["y"]) and 0 <= min(madc["x"]) and max(madc["x"]) < 38
    assert -128 <= min(madc["y"]) and max(madc["y"]) <= 128  # on the CADC axis


def test_six_hundred_lif_on_the_emulator_show_the_error_and_keep_the_project(page, ui):
    net = Network(name="600 LIF", duration=20e-6, target="emulator")
    net.add_population("in", "input", 2, position=(0.0, 0.0))
    net.add_population("a", "LIF", 300, position=(200.0, 0.0))
    net.add_population("b", "LIF", 300, position=(400.0, 0.0))
    net.add_projection("in", "a")
    net.add_projection("a", "b")
    page.set_input_files("input[type=file]", files=[{
        "name": "big.json", "mimeType": "application/json", "buffer": net.to_json().encode()}])
    message = ui.wait_for(lambda: "512" in (t := ui.text(page, ".hx-run-error")) and t, what="the run error")
    assert "run failed: population 'b' needs 300 neuron circuits, 212 of 512 are free" in message
    ui.wait_for(lambda: page.locator(".hx-resource-over").count() == 1, what="the red meter")
    assert page.locator(".hx-resource-bar").first.inner_text().strip() == "neurons: 600 / 512"
    assert page.locator(".hx-resource-error").inner_text().strip() == (
        "population 'b' needs 300 neuron circuits, 212 of 512 are free")
    ids = page.eval_on_selector_all(".react-flow__node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == ["a", "b", "in"]  # the project is open, untouched
    assert page.locator(".hx-target select").input_value() == "emulator"
    assert json.loads(net.to_json())["target"] == "emulator"


def test_export_hxtorch_script_download(page):
    from hxstudio.codegen import export_hxtorch
    from hxstudio.examples import yinyang

    with page.expect_download(timeout=60_000) as download:
        page.locator(".hx-export-hxtorch button, .hx-export-hxtorch a").first.click()
    assert download.value.suggested_filename == "Yin-Yang__hxtorch_example__untrained.py"
    script = open(download.value.path(), encoding="utf-8").read()
    assert script == export_hxtorch(yinyang())  # the served document is the Yin-Yang example
