"""TracePlot and RasterPlot: the data sources hold exactly the input numbers, in µs."""

import numpy as np
import pytest

from hxstudio.widgets import MAX_TRACES, RasterPlot, TracePlot

T = 50
TIME = np.arange(T) * 1e-6  # 1 µs steps


@pytest.fixture
def traces():
    rng = np.random.default_rng(0)
    return {"hidden": rng.normal(120, 10, (T, 40)).astype(np.float32), "out": rng.normal(80, 5, (T, 3))}


def test_traces_equal_input_columns(traces):
    plot = TracePlot()
    plot.update(TIME, traces, lines={"hidden": {"threshold": 150.0, "leak": 80.0}})
    data = plot.trace_source.data
    assert plot.population == "hidden" and plot.param.population.objects == ["hidden", "out"]
    assert len(data["ys"]) == MAX_TRACES == 32  # 40 neurons, capped
    assert data["neuron"] == list(range(32))
    for i in (0, 7, 31):
        np.testing.assert_array_equal(data["ys"][i], traces["hidden"][:, i])
    np.testing.assert_allclose(data["xs"][0], np.arange(T))  # µs
    assert plot.threshold_span.visible and plot.threshold_span.location == 150.0
    assert plot.leak_span.visible and plot.leak_span.location == 80.0
    assert plot.figure.output_backend == "canvas"
    assert "µs" in plot.figure.xaxis[0].axis_label and "CADC LSB" in plot.figure.yaxis[0].axis_label


def test_pick_population_and_range(traces):
    plot = TracePlot()
    plot.update(TIME, traces)
    source = plot.trace_source
    plot.first, plot.count = 30, 5
    assert source.data["neuron"] == [30, 31, 32, 33, 34]
    np.testing.assert_array_equal(source.data["ys"][2], traces["hidden"][:, 32])
    plot.population = "out"
    assert source.data["neuron"] == []  # first=30 is past the 3 neurons of "out"
    plot.first = 0
    assert source.data["neuron"] == [0, 1, 2]
    np.testing.assert_array_equal(source.data["ys"][1], traces["out"][:, 1])
    assert not plot.threshold_span.visible  # no lines for "out"
    assert plot.trace_source is source  # updated in place
    with pytest.raises(ValueError):
        plot.count = 33


def test_update_keeps_picked_population(traces):
    plot = TracePlot()
    plot.update(TIME, traces)
    plot.population = "out"
    plot.update(TIME, {k: v + 1 for k, v in traces.items()})
    assert plot.population == "out"
    np.testing.assert_array_equal(plot.trace_source.data["ys"][0], traces["out"][:, 0] + 1)
    plot.update(TIME, {"hidden": traces["hidden"]})
    assert plot.population == "hidden"


def test_trace_shape_checked(traces):
    with pytest.raises(ValueError, match="'hidden'"):
        TracePlot().update(TIME[:-1], traces)


def test_raster_positions():
    spikes = {"in": np.zeros((T, 2), int), "hidden": np.zeros((T, 3), int)}
    spikes["in"][[4, 10], [1, 0]] = 1
    spikes["hidden"][[2, 10, 40], [2, 2, 0]] = 1
    plot = RasterPlot()
    plot.update(TIME, spikes)
    data = plot.raster_source.data
    got = sorted(zip(data["x"].tolist(), data["y"].tolist(), data["population"].tolist(), data["neuron"].tolist()))
    assert got == [(2.0, 4, "hidden", 2), (4.0, 1, "in", 1), (10.0, 0, "in", 0), (10.0, 4, "hidden", 2),
                   (40.0, 2, "hidden", 0)]
    assert len(set(data["color"][data["population"] == "in"])) == 1
    assert set(data["color"][data["population"] == "in"]) != set(data["color"][data["population"] == "hidden"])
    assert list(plot.figure.yaxis[0].ticker.ticks) == [0.5, 3.0]
    assert plot.figure.yaxis[0].major_label_overrides == {0.5: "in", 3.0: "hidden"}
    assert plot._separators.data["y"] == [1.5]
    assert (plot.figure.y_range.start, plot.figure.y_range.end) == (-0.5, 4.5)
    assert (plot.figure.x_range.start, plot.figure.x_range.end) == (0.0, 49.0)
    assert plot.shown == plot.total == 5
    assert plot.figure.renderers[0].glyph.marker == "dash"


def test_raster_cap():
    plot = RasterPlot(max_spikes=10)
    plot.update(TIME, {"p": np.ones((T, 4), int)})
    assert (plot.shown, plot.total) == (10, 200)
    assert plot.raster_source.data["x"].max() <= 2.0  # the earliest spikes are kept
    assert "10 of 200" in plot.figure.title.text


def test_raster_empty():
    plot = RasterPlot()
    plot.update(TIME, {})
    assert len(plot.raster_source.data["x"]) == 0
