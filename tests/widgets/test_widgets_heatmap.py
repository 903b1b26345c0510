"""PopulationHeatmap: the image is the membrane of every neuron, streamed runs patch only new
columns, a click on a row picks that neuron; ResultsView wires the pick to the traces."""

import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ColumnsPatchedEvent
from bokeh.events import Tap

from hxstudio.widgets import PopulationHeatmap, ResultsView
from hxstudio.widgets.plots import joined_traces

T = 60
TIME = np.arange(T) * 0.5e-6  # 0.5 µs steps


@pytest.fixture
def membrane():
    rng = np.random.default_rng(3)
    return {"hidden": rng.normal(100, 20, (T, 512)).astype(np.float32), "out": np.ones((T, 2), np.float32)}


def test_image_holds_every_neuron(membrane):
    heatmap = PopulationHeatmap()
    heatmap.update(TIME, membrane)
    data = heatmap.heatmap_source.data
    np.testing.assert_array_equal(data["image"][0], membrane["hidden"].T)  # (N, T): row = neuron
    assert data["image"][0].dtype == np.float32
    assert (data["x"], data["y"], data["dw"], data["dh"]) == ([-0.25], [-0.5], [30.0], [512.0])
    assert (heatmap.figure.x_range.start, heatmap.figure.x_range.end) == (-0.25, 29.75)
    assert (heatmap.figure.y_range.start, heatmap.figure.y_range.end) == (-0.5, 511.5)
    # colour range: the data's 25.2 … 180.7 CADC LSB padded and rounded out to 20-LSB steps
    assert (membrane["hidden"].min(), membrane["hidden"].max()) == pytest.approx((25.1767, 180.7372), abs=1e-4)
    assert (heatmap.mapper.low, heatmap.mapper.high) == (0.0, 200.0)
    assert heatmap.figure.title.text == "hidden · all 512 neurons · membrane [CADC LSB]"
    (hover,) = [t for t in heatmap.figure.tools if type(t).__name__ == "HoverTool"]
    assert dict(hover.tooltips) == {"neuron": "$y{0}", "time": "$x{0.00} µs", "value": "@image{0.0} CADC LSB"}
    heatmap.population = "out"
    np.testing.assert_array_equal(heatmap.heatmap_source.data["image"][0], membrane["out"].T)


def test_streamed_run_patches_new_columns(membrane):
    heatmap = PopulationHeatmap()
    doc = Document()
    doc.add_root(heatmap.figure)
    log = []
    doc.callbacks.on_change(log.append)
    for k in (10, 30, 60):
        heatmap.update(TIME[:k], {n: a[:k] for n, a in membrane.items()}, partial=k < 60)
    source = heatmap.heatmap_source
    kinds = [type(e) for e in log if getattr(e, "model", None) is source and
             isinstance(e, (ColumnDataChangedEvent, ColumnsPatchedEvent))]
    assert kinds == [ColumnDataChangedEvent, ColumnsPatchedEvent, ColumnsPatchedEvent]
    (index, values), = [e for e in log if isinstance(e, ColumnsPatchedEvent)][0].patches["image"]
    assert index == (0, slice(0, 512), slice(10, 30))  # only columns 10…29 are sent
    np.testing.assert_array_equal(np.asarray(values).reshape(512, 20), membrane["hidden"][10:30].T)
    image = source.data["image"][0]
    assert image.shape == (512, 64)  # spare columns while the run grows
    np.testing.assert_array_equal(image[:, :60], membrane["hidden"].T)  # equals a one-shot update
    assert np.isnan(image[:, 60:]).all()
    assert heatmap.figure.x_range.end == pytest.approx(29.75)  # the spare columns are off screen


def test_click_on_a_row_picks_that_neuron(membrane):
    picks = []
    heatmap = PopulationHeatmap(on_pick=lambda population, neuron: picks.append((population, neuron)))
    heatmap.update(TIME, membrane)
    for y in (7.3, 6.6, -0.4, 511.4, 511.6, -0.6):
        heatmap._on_tap(Tap(heatmap.figure, x=3.0, y=y))
    assert picks == [("hidden", 7), ("hidden", 7), ("hidden", 0), ("hidden", 511)]  # outside rows: nothing


def test_results_view_adds_the_clicked_neuron_trace(membrane):
    view = ResultsView()
    view.traces.update(TIME, membrane)
    view.heatmap.update(TIME, membrane)
    view.heatmap._on_tap(Tap(view.heatmap.figure, x=1.0, y=300.2))
    assert view.traces.shown_neurons[-1] == 300
    np.testing.assert_array_equal(joined_traces(view.traces.trace_source.data)[300][1], membrane["hidden"][:, 300])
    view.webgl = True
    assert {f.output_backend for f in view.figures} == {"webgl"}
    view.webgl = False
    assert {f.output_backend for f in view.figures} == {"canvas"}
