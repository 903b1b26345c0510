"""Import NIR in a real browser: the upload widget turns a .nir file into nodes on the canvas."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHARED = Path(__file__).parents[1] / "data" / "nir"  # copies of shared/nir (see its README)


def test_import_nir_upload_shows_the_graph_on_the_canvas(page, ui):
    data = (SHARED / "NIR__braille_noDelay_bias_zero.nir").read_bytes()
    page.set_input_files(".hx-import-nir input[type=file]", files=[{
        "name": "braille.nir", "mimeType": "application/octet-stream", "buffer": data}])
    page.wait_for_selector('.react-flow__node[data-id="lif1.lif"]', timeout=60_000)
    ids = page.eval_on_selector_all(".react-flow__node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == ["fc1.bias", "fc2.bias", "input", "lif1.lif", "lif1.w_rec.bias", "lif2"]
    edges = page.eval_on_selector_all(".react-flow__edge", "es => es.map(e => e.dataset.id)")
    assert {"fc1", "lif1.w_rec", "fc2"} <= set(edges)
    label = ui.text(page, '.react-flow__node[data-id="lif2"]')
    assert label.startswith("⚠ lif2 · LIF × 7")
    # the import summary shows at once and stays in front of the run's report when the run ends
    status = ui.wait_for(lambda: "ran 200 steps" in (t := ui.text(page, ".hx-run-status")) and t,
                         what="the import summary and the run's report")
    assert "imported braille.nir: 6 populations, 6 projections, dt = 0.1 µs" in status
    assert "ran 200 steps on the mock" in status
    # the imported network ran: hidden-layer traces are on the plot
    traces = ui.wait_for(lambda: (d := ui.traces(page)) and len(next(iter(d.values()))[0]) == 200 and d,
                         what="the traces of the imported network (200 steps)")
    assert len(traces) >= 7   # one trace per neuron
