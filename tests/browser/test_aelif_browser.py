"""AdEx (AELIF) populations in a real browser: the "+ AdEx" button, its parameters and switches, a run."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.browser


def test_add_button_creates_an_aelif_node_with_adex_parameters(page, ui):
    page.click(".hx-add-aelif button")
    node = page.wait_for_selector('.react-flow__node[data-id="aelif"]', timeout=30_000)
    assert "react-flow__node-pop_aelif" in node.get_attribute("class")
    # ⚠: the AdEx terms are on, and calix does not calibrate them
    assert ui.text(page, '.react-flow__node[data-id="aelif"]').startswith("⚠ aelif · AELIF × 1")
    page.locator(".hx-param-tau_adap input").first.wait_for(timeout=15_000)
    assert ui.text(page, ".hx-readout-tau_adap").endswith("100.0 µs (bio 100 ms)")  # after the pane's CSS
    for switch in ("exponential", "subthreshold_adaptation", "spike_triggered_adaptation"):
        assert page.locator(f".hx-param-{switch} input[type=checkbox]").first.is_checked(), switch


def test_adex_project_runs_and_a_switch_changes_the_spike_count(page, ui):
    project = subprocess.run([sys.executable, "-m", "hxstudio.cli", "example", "adex"],
                             capture_output=True, text=True, check=True).stdout
    page.set_input_files("input[type=file]", files=[{
        "name": "adex.json", "mimeType": "application/json", "buffer": project.encode()}])
    page.wait_for_selector('.react-flow__node[data-id="adex"]', timeout=60_000)
    status = ui.wait_for(lambda: "adex: 16" in (t := ui.text(page, ".hx-run-status")) and t,
                         what="the adex run (16 adapting spikes)")
    assert "ran 300 steps on the mock" in status
    page.click('.react-flow__node[data-id="adex"]')
    box = page.locator(".hx-param-spike_triggered_adaptation input[type=checkbox]").first
    box.wait_for(timeout=15_000)
    box.uncheck()
    page.click(".hx-run-button button")
    ui.wait_for(lambda: "adex: 26" in ui.text(page, ".hx-run-status"),
                what="26 spikes without spike-triggered adaptation")
    assert json.loads(project)["populations"][1]["params"]["spike_triggered_adaptation"] is True
