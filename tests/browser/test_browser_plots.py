"""The plots in a real browser: heatmap click adds a trace, SVG and CSV downloads, plot options.

Uses the session ``server`` and the guarded ``page`` (no external request, no console error).
"""

import math

import pytest

pytestmark = pytest.mark.browser

# screen position of (x, y) in data units of the figure called `name`: page coordinates
_POINT_JS = """([name, fx, y]) => {
    for (const doc of Bokeh.documents) {
        const fig = doc.get_model_by_name(name)
        if (fig == null) continue
        const view = Bokeh.index.find_one(fig)
        const box = view.canvas_view.el.getBoundingClientRect()
        const x = fig.x_range.start + fx * (fig.x_range.end - fig.x_range.start)
        return {x: box.left + view.frame.x_scale.compute(x), y: box.top + view.frame.y_scale.compute(y)}
    }
    return null
}"""


def test_heatmap_row_click_adds_that_neurons_trace(page, ui):
    # every hidden neuron of the Yin-Yang example is a row (the heatmap follows the traces)
    heatmap = ui.wait_for(lambda: (d := ui.source(page, "hx-heatmap-source")) and d["dh"] == [120] and d,
                          what="heatmap data")
    before = ui.source(page, "hx-trace-source")
    assert "n100" not in before and "n31" in before
    page.locator(".hx-heatmap").scroll_into_view_if_needed()
    point = page.evaluate(_POINT_JS, ["hx-heatmap-figure", 0.5, 100.1])
    page.mouse.click(point["x"], point["y"])
    after = ui.wait_for(lambda: (d := ui.source(page, "hx-trace-source")) and "n100" in d and d,
                        what="neuron 100's trace after the heatmap click")
    columns = _transpose(heatmap["image"][0], 120)  # a streamed image keeps spare (NaN) columns
    steps = len(after["n100"])
    assert after["n100"] == pytest.approx([row[100] for row in columns[:steps]], abs=1e-4)
    assert all(math.isnan(row[100]) for row in columns[steps:])
    assert len([k for k in after if k.startswith("n")]) == 33


def _transpose(flat, rows):
    """The heatmap image (rows = neurons, flat in the browser) as time-major rows."""
    columns = len(flat) // rows
    return [[flat[r * columns + c] for r in range(rows)] for c in range(columns)]


def test_svg_and_csv_downloads_and_plot_options(page, ui):
    ui.wait_for(lambda: ui.source(page, "hx-trace-source"), what="trace data")
    for selector in (".hx-keep-previous", ".hx-webgl", ".hx-download-csv", ".hx-download-npz"):
        assert page.locator(selector).count() == 1, selector
    with page.expect_download(timeout=15_000) as svg:
        page.locator('.hx-trace-plot [title="Save as SVG"]').first.click()
    assert svg.value.suggested_filename == "trace.svg"
    text = open(svg.value.path(), encoding="utf-8").read()
    assert text.lstrip().startswith("<svg") and "<path" in text  # vector paths, not an embedded bitmap
    with page.expect_download(timeout=15_000) as data:
        page.locator(".hx-download-csv button, .hx-download-csv a").first.click()
    assert data.value.suggested_filename.endswith(".csv")
    lines = open(data.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("time_s,") and "hidden/membrane_cadc/b0/n0" in lines[0].split(",")
    assert len(lines) == 1 + 38  # header + 38 steps


_REPAINT_JS = """async (mark) => {
    const frame = () => new Promise(r => requestAnimationFrame(r))
    const fixed = Bokeh.require("core/dom").InlineStyleSheet.prototype[mark] === true
    for (const doc of Bokeh.documents) {
        const fig = doc.get_model_by_name("hx-trace-figure")
        if (fig == null) continue
        const view = Bokeh.index.find_one(fig)
        const styles = [...view.renderer_views.values()].map(v => v.position && v.position.el).filter(el => el)
        let writes = 0
        const observer = new MutationObserver(records => { writes += records.length })
        for (const el of styles) observer.observe(el, {childList: true, characterData: true, subtree: true})
        const painted = []
        const paint = view.paint.bind(view)
        view.paint = () => { painted.push(1); return paint() }
        fig.background_fill_color = "#fefefe"      // repaints the figure, moves nothing
        await frame(); await frame(); await frame()
        const repaint = writes
        const source = doc.get_model_by_name("hx-trace-source")  // new data, as after a re-run
        const map = source.data instanceof Map
        const entries = (map ? [...source.data] : Object.entries(source.data))
            .map(([k, v]) => [k, k == "t" ? v : [...v].map(x => 0.9 * x + 5)])
        source.data = map ? new Map(entries) : Object.fromEntries(entries)
        await frame(); await frame(); await frame()
        observer.disconnect()
        return {fixed, styles: styles.length, repaint, new_data: writes - repaint, painted: painted.length,
                x: [fig.x_range.type, fig.x_range.start, fig.x_range.end], y: fig.y_range.type}
    }
    return null
}"""


def test_repaint_leaves_renderer_styles_alone_and_axes_are_fixed(page, ui):
    """hxstudio.widgets.bokeh_fix is installed: neither a repaint nor new trace data writes a
    renderer's position style (unpatched BokehJS 3.9 rewrites every one on each paint, and moves
    each trace's element to its data's box; each write costs a style recalculation); the trace
    axes are fixed ranges over the whole run (38 steps of 1 µs: 0 … 37 µs)."""
    from hxstudio.widgets.bokeh_fix import FIX_MARK

    ui.wait_for(lambda: ui.source(page, "hx-trace-source"), what="trace data")
    result = page.evaluate(_REPAINT_JS, FIX_MARK)
    assert result["fixed"] is True
    assert result["painted"] >= 2 and result["styles"] >= 32   # 32 traces and more were repainted
    assert result["repaint"] == 0 and result["new_data"] == 0
    assert result["x"] == ["Range1d", 0, 37] and result["y"] == "Range1d"


def test_switching_to_a_smaller_network_leaves_no_dangling_trace_columns(page, ui):
    """Yin-Yang shows 32 traces; after opening the 1-neuron PSP example the 31 spare trace
    renderers are parked on the idle source with glyphs that exist there: BokehJS logs no
    "nonexistent field" warning (it did for every glyph view on every repaint) and the trace
    source holds exactly t and n0."""
    from hxstudio.examples import load_example

    ui.wait_for(lambda: (d := ui.source(page, "hx-trace-source")) and "n31" in d, what="32 Yin-Yang traces")
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "nonexistent field" in m.text else None)
    network = load_example("psp")
    page.set_input_files("input[type=file]", files=[{
        "name": "psp.json", "mimeType": "application/json", "buffer": network.to_json().encode()}])
    ui.wait_for(lambda: "ran 120 steps" in ui.text(page, ".hx-run-status"), timeout=60, what="the PSP run")
    data = ui.wait_for(lambda: (d := ui.source(page, "hx-trace-source")) and len(d["t"]) == 120 and d,
                       what="the PSP traces")
    assert sorted(data) == ["n0", "t"]
    page.wait_for_timeout(500)  # a few repaints
    assert warnings == []
