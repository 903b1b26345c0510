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
    before = ui.traces(page)
    assert 100 not in before and 31 in before
    page.locator(".hx-heatmap").scroll_into_view_if_needed()
    point = page.evaluate(_POINT_JS, ["hx-heatmap-figure", 0.5, 100.1])
    page.mouse.click(point["x"], point["y"])
    after = ui.wait_for(lambda: (d := ui.traces(page)) and 100 in d and d,
                        what="neuron 100's trace after the heatmap click")
    columns = _transpose(heatmap["image"][0], 120)  # a streamed image keeps spare (NaN) columns
    values = list(after[100][1])
    assert values == pytest.approx([row[100] for row in columns[:len(values)]], abs=1e-4)
    assert all(math.isnan(row[100]) for row in columns[len(values):])
    assert len(after) == 33


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
            .map(([k, v]) => [k, k != "ys" ? v : [...v].map(row => [...row].map(x => 0.9 * x + 5))])
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
    the traces' element to their data's box; each write costs a style recalculation); the trace
    axes are fixed ranges over the whole run (38 steps of 1 µs: 0 … 37 µs)."""
    from hxstudio.widgets.bokeh_fix import FIX_MARK

    ui.wait_for(lambda: ui.source(page, "hx-trace-source"), what="trace data")
    result = page.evaluate(_REPAINT_JS, FIX_MARK)
    assert result["fixed"] is True
    assert result["painted"] >= 2 and result["styles"] >= 3    # traces, MADC, previous run: repainted
    assert result["repaint"] == 0 and result["new_data"] == 0
    assert result["x"] == ["Range1d", 0, 37] and result["y"] == "Range1d"


def test_switching_to_a_smaller_network_leaves_one_trace(page, ui):
    """Yin-Yang shows 32 traces; after opening the 1-neuron PSP example the trace source holds
    exactly neuron 0's 120 steps and BokehJS logs no "nonexistent field" warning (it did on every
    repaint when each trace had a renderer of its own that outlived its column)."""
    from hxstudio.examples import load_example

    ui.wait_for(lambda: len(ui.traces(page)) == 32, what="32 Yin-Yang traces")
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "nonexistent field" in m.text else None)
    network = load_example("psp")
    page.set_input_files("input[type=file]", files=[{
        "name": "psp.json", "mimeType": "application/json", "buffer": network.to_json().encode()}])
    ui.wait_for(lambda: "ran 120 steps" in ui.text(page, ".hx-run-status"), timeout=60, what="the PSP run")
    data = ui.wait_for(lambda: (d := ui.source(page, "hx-trace-source")) and d["neuron"] == [0] and d,
                       what="the PSP trace")
    assert len(data["xs"][0]) == len(data["ys"][0]) == 120 and data["label"] == ["neuron #0"]
    page.wait_for_timeout(500)  # a few repaints
    assert warnings == []


def test_hover_on_a_trace_names_the_neuron_time_and_value(page, ui):
    """One multi-line renderer draws every trace; hovering a sample shows the neuron, its time
    and value with unit (snapped to the nearest sample)."""
    traces = ui.wait_for(lambda: len(d := ui.traces(page)) == 32 and d, what="32 Yin-Yang traces")
    time, values = traces[5]
    step = 20
    page.locator(".hx-trace-plot").scroll_into_view_if_needed()
    point = page.evaluate(_POINT_JS, ["hx-trace-figure", time[step] / 37.0, float(values[step])])
    page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.mouse.move(point["x"], point["y"], steps=5)
    tips = ui.wait_for(lambda: page.locator(".bk-tooltip-content").all_inner_texts(), what="a tooltip")
    assert any("hidden #5" in tip and "20.00 µs" in tip and f"{values[step]:.2f} CADC LSB" in tip for tip in tips)
