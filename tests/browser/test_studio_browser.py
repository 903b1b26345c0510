"""The studio in a real browser: Debian chromium driven by Playwright against ``hxstudio serve``.

Fails on any request that leaves 127.0.0.1 and on any console error (fixtures ``server``, ``page``
and the ``ui`` helpers live in ``conftest.py``).
"""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.browser

def test_example_runs_and_threshold_change_updates_plots(page, ui):
    ids = page.eval_on_selector_all(".react-flow__node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == ["hidden", "input", "readout"]
    edges = page.eval_on_selector_all(".react-flow__edge", "es => es.map(e => e.dataset.id)")
    assert sorted(edges) == ["hidden→readout", "input→hidden"]

    before = ui.wait_for(lambda: ui.traces(page), what="trace data")
    raster = ui.wait_for(lambda: (d := ui.source(page, "hx-raster-source")) and len(d["x"]) > 5 and d,
                         what="the raster (it follows the traces)")
    assert sorted(before) == list(range(32))                             # 32 hidden neurons
    assert len(before[0][0]) == len(before[0][1]) == 38                   # × 38 steps
    assert len(raster["x"]) > 5                                         # input spikes and hidden spikes

    page.click('.react-flow__node[data-id="hidden"]')
    box = page.locator(".hx-param-threshold input").first
    box.wait_for(timeout=15_000)
    box.fill("100")
    box.press("Enter")
    page.click(".hx-run-button button")
    after = ui.wait_for(lambda: (d := ui.traces(page)) and list(d[0][1]) != list(before[0][1]) and d,
                      what="the trace to change after Run")
    # the raster follows the traces in a message of its own; a lower threshold, more hidden spikes
    raster_after = ui.wait_for(lambda: (d := ui.source(page, "hx-raster-source")) and len(d["x"]) > len(raster["x"])
                               and d, what="the raster to gain spikes after Run")
    assert len(raster_after["x"]) > len(raster["x"])
    assert max(values.max() for _, values in after.values()) <= 100.0 + 1e-3  # nothing stored above threshold
    status = ui.text(page, ".hx-run-status")
    assert "ran 38 steps on the mock" in status


def test_bad_upload_shows_the_message_and_keeps_the_project(page, ui, tmp_path):
    project = json.loads(subprocess.run([sys.executable, "-m", "hxstudio.cli", "example", "psp"],
                                        capture_output=True, text=True, check=True).stdout)
    project["populations"][2]["params"]["tau_mem"] = 1.0
    page.set_input_files("input[type=file]", files=[{
        "name": "bad.json", "mimeType": "application/json", "buffer": json.dumps(project).encode()}])
    message = ui.wait_for(lambda: "calibrated range" in (t := ui.text(page, ".hx-run-error")) and t,
                        what="the upload error")
    assert "bad.json: population 'neuron': tau_mem = 1 s is outside the calibrated range [0.5 µs, 60 µs]" in message
    ids = page.eval_on_selector_all(".react-flow__node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == ["hidden", "input", "readout"]


def test_a_value_across_the_calibrated_range_shows_its_note_in_place(page, ui):
    """leak is calibrated to 50 … 160 CADC LSB; 200 runs on the mock with a warning under the
    slider, 100 takes the warning away. The slider stays the same element (the panel is not
    rebuilt) and its box shows what runs."""
    ui.wait_for(lambda: "ran 38 steps" in ui.text(page, ".hx-run-status"), what="the first run")
    page.click('.react-flow__node[data-id="hidden"]')
    box = page.locator(".hx-param-leak input").first
    box.wait_for(timeout=15_000)
    box.evaluate("e => { e.dataset.hxMark = 'kept' }")
    note = page.locator(".hx-note-leak")
    assert not note.is_visible()
    box.fill("200")
    box.press("Enter")
    note.wait_for(state="visible", timeout=15_000)
    assert "outside the calibrated range [50 CADC LSB, 160 CADC LSB]" in ui.text(page, ".hx-note-leak")
    assert ui.wait_for(lambda: "200 CADC LSB" in ui.text(page, ".hx-readout-leak"), what="the read-out")
    box.fill("100")
    box.press("Enter")
    note.wait_for(state="hidden", timeout=15_000)
    assert box.evaluate("e => e.dataset.hxMark") == "kept" and box.input_value() == "100"
