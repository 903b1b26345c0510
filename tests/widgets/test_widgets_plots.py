"""TracePlot and RasterPlot: the data sources hold exactly the input numbers (µs), streamed
updates send only new samples, the raster bins above 20 000 spikes."""

import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ColumnsPatchedEvent, ColumnsStreamedEvent

from hxstudio.widgets import MAX_TRACES, RasterPlot, TracePlot
from hxstudio.widgets.plots import (BIN_THRESHOLD, MAX_POINTS, MAX_SHOWN, display_stride, envelope_steps, joined_traces,
                                    nice_range, trace_stride)

T = 50
TIME = np.arange(T) * 1e-6  # 1 µs steps


@pytest.fixture
def traces():
    rng = np.random.default_rng(0)
    return {"hidden": rng.normal(120, 10, (T, 40)).astype(np.float32), "out": rng.normal(80, 5, (T, 3))}


def shown(plot):
    """``{neuron: values}`` of the trace source (rows joined)."""
    return {neuron: values for neuron, (_, values) in joined_traces(plot.trace_source.data).items()}


def shown_time(plot, neuron=0):
    """The time column (µs) of ``neuron``'s trace."""
    return joined_traces(plot.trace_source.data)[neuron][0]


class Events:
    """Records the data-source events a Bokeh document would send to the browser."""

    def __init__(self, *models):
        self.doc = Document()
        for model in models:
            self.doc.add_root(model)
        self.log = []
        self.doc.callbacks.on_change(self.log.append)

    def kinds(self, source):
        kinds = (ColumnDataChangedEvent, ColumnsStreamedEvent, ColumnsPatchedEvent)
        return [type(e).__name__ for e in self.log if isinstance(e, kinds) and e.model is source]

    def streamed(self, source):
        return [e.data for e in self.log if isinstance(e, ColumnsStreamedEvent) and e.model is source]


def test_traces_equal_input_columns(traces):
    plot = TracePlot()
    plot.update(TIME, traces, lines={"hidden": {"threshold": 150.0, "leak": 80.0, "reset": 60.0}})
    data = plot.trace_source.data
    assert plot.population == "hidden" and plot.param.population.objects == ["hidden", "out"]
    assert plot.shown_neurons == list(range(32)) and MAX_TRACES == 32  # 40 neurons, capped
    assert data["neuron"] == list(range(32))  # one row per neuron
    for i in (0, 7, 31):
        np.testing.assert_array_equal(np.float32(data["ys"][i]), traces["hidden"][:, i])
        np.testing.assert_allclose(data["xs"][i], np.arange(T))  # µs
    assert data["label"][7] == "hidden #7" and data["color"][:2] == ["#1f77b4", "#ff7f0e"]
    assert [r for r in plot.figure.renderers if r.data_source is plot.trace_source] == [plot._lines_renderer]
    assert {k: (s.visible, s.location) for k, s in plot.spans.items()} == {
        "threshold": (True, 150.0), "leak": (True, 80.0), "reset": (True, 60.0)}
    assert plot.figure.output_backend == "canvas"
    assert "µs" in plot.figure.xaxis[0].axis_label and "CADC LSB" in plot.figure.yaxis[0].axis_label
    assert dict(plot._hover.tooltips) == {"neuron": "@label", "time": "$snap_x{0.00} µs",
                                          "value": "$snap_y{0.00} CADC LSB"}
    assert plot._hover.renderers == [plot._lines_renderer]


def test_pick_population_and_range(traces):
    plot = TracePlot()
    plot.update(TIME, traces)
    source = plot.trace_source
    plot.first, plot.count = 30, 5
    assert plot.shown_neurons == [30, 31, 32, 33, 34]
    np.testing.assert_array_equal(shown(plot)[32], traces["hidden"][:, 32])
    assert source.data["neuron"] == [30, 31, 32, 33, 34]
    plot.population = "out"
    assert shown(plot) == {}  # first=30 is past the 3 neurons of "out"
    plot.first = 0
    assert sorted(shown(plot)) == [0, 1, 2]
    np.testing.assert_array_equal(shown(plot)[1], traces["out"][:, 1])
    assert not plot.spans["threshold"].visible  # no lines for "out"
    assert plot.trace_source is source  # updated in place
    with pytest.raises(ValueError):
        plot.count = 33


def test_add_neuron_appends_and_caps_at_64(traces):
    plot = TracePlot()
    plot.update(TIME, traces)
    plot.add_neuron("hidden", 37)
    assert plot.shown_neurons == list(range(32)) + [37]
    np.testing.assert_array_equal(shown(plot)[37], traces["hidden"][:, 37])
    plot.add_neuron("out", 2)  # another population: earlier picks go
    assert plot.population == "out" and plot.picked == [2] and plot.shown_neurons == [0, 1, 2]
    wide = {"p": np.arange(T * 100, dtype=np.float32).reshape(T, 100)}
    plot.update(TIME, wide)
    for i in range(40, 80):
        plot.add_neuron("p", i)
    assert len(plot.shown_neurons) == MAX_SHOWN == 64
    assert plot.shown_neurons[-1] == 79 and 40 not in plot.shown_neurons  # the oldest picks drop
    assert len(shown(plot)) == 64
    with pytest.raises(ValueError, match="'nope'"):
        plot.add_neuron("nope", 0)


def test_observables_current_and_adaptation(traces):
    plot = TracePlot()
    current = {"hidden": traces["hidden"] * 2}
    plot.update(TIME, traces, {"hidden": {"threshold": 150.0}}, current=current)
    assert plot.param.observable.objects == ["membrane", "current"]  # no adaptation given: not offered
    plot.observable = "current"
    np.testing.assert_array_equal(shown(plot)[3], current["hidden"][:, 3])
    assert plot.figure.yaxis[0].axis_label == "synaptic current [model units]"
    assert not plot.spans["threshold"].visible  # threshold lines only on the membrane
    plot.update(TIME, traces, adaptation={"hidden": traces["hidden"] - 1})
    assert plot.param.observable.objects == ["membrane", "adaptation"] and plot.observable == "membrane"
    plot.observable = "adaptation"
    np.testing.assert_array_equal(shown(plot)[0], traces["hidden"][:, 0] - 1)


def test_update_keeps_picked_population(traces):
    plot = TracePlot()
    plot.update(TIME, traces)
    plot.population = "out"
    plot.update(TIME, {k: v + 1 for k, v in traces.items()})
    assert plot.population == "out"
    np.testing.assert_array_equal(shown(plot)[0], traces["out"][:, 0] + 1)
    plot.update(TIME, {"hidden": traces["hidden"]})
    assert plot.population == "hidden"


def test_no_recorded_population_shows_no_trace(traces):
    plot = TracePlot()
    plot.update(TIME, traces)
    plot.update(TIME, {})  # e.g. a network of inputs only
    assert plot.population is None and plot.trace_source.data["xs"] == [] and shown(plot) == {}


def test_trace_shape_checked(traces):
    with pytest.raises(ValueError, match="'hidden'"):
        TracePlot().update(TIME[:-1], traces)


def test_streamed_run_sends_only_new_samples(traces):
    plot = TracePlot(count=4)
    events = Events(plot.figure)
    for k in (10, 25, 50):
        plot.update(TIME[:k], {n: a[:k] for n, a in traces.items()}, partial=k < 50)
    assert events.kinds(plot.trace_source) == ["ColumnDataChangedEvent", "ColumnsStreamedEvent",
                                                "ColumnsStreamedEvent"]
    first, second = events.streamed(plot.trace_source)
    assert first["neuron"] == second["neuron"] == [0, 1, 2, 3]  # one new row per neuron
    np.testing.assert_array_equal(first["xs"][0], TIME[9:25] * 1e6)  # from the last step shown on
    np.testing.assert_array_equal(np.float32(second["ys"][3]), traces["hidden"][24:, 3])
    assert set(first) == {"xs", "ys", "neuron", "label", "color"}
    np.testing.assert_array_equal(shown(plot)[2], traces["hidden"][:, 2])  # equals one-shot
    np.testing.assert_array_equal(shown_time(plot, 2), TIME * 1e6)
    plot.update(TIME[:5], {n: a[:5] for n, a in traces.items()}, partial=True)  # a new run: replaced
    assert events.kinds(plot.trace_source)[-1] == "ColumnDataChangedEvent"
    assert len(plot.trace_source.data["xs"]) == 4 and len(shown_time(plot)) == 5


def test_nice_range_rounds_out_and_keeps_a_range_that_still_fits():
    assert nice_range(-47.3, 121.8) == (-60.0, 140.0)      # padded 5 %, 20-LSB steps
    assert nice_range(77.75, 127.16) == (70.0, 130.0)
    assert nice_range(80.0, 80.0) == (76.0, 84.0)          # one value: ± 5 %
    assert nice_range(78.0, 126.0, (70.0, 130.0)) == (70.0, 130.0)   # fits: kept
    assert nice_range(78.0, 136.0, (70.0, 130.0)) == (70.0, 140.0)   # leaves it: new range
    assert nice_range(100.0, 110.0, (70.0, 130.0)) == (98.0, 112.0)  # under half of it: new range
    assert nice_range(float("nan"), 1.0, (2.0, 3.0)) == (2.0, 3.0)


def test_trace_axes_stay_put_while_tuning_and_span_the_whole_run(traces):
    plot = TracePlot(count=4)
    events = Events(plot.figure)
    lines = {"hidden": {"threshold": 125.0, "leak": 80.0, "reset": 80.0}}
    plot.update(TIME, traces, lines)
    y = plot.figure.y_range
    low = min(traces["hidden"][:, :4].min(), 80.0)
    high = max(traces["hidden"][:, :4].max(), 125.0)
    assert (y.start, y.end) == nice_range(float(low), float(high)) == (70.0, 150.0)
    assert (y.reset_start, y.reset_end) == (70.0, 150.0)   # the reset tool returns here
    assert (plot.figure.x_range.start, plot.figure.x_range.end) == (0.0, 49.0)
    changed = len(events.log)
    plot.update(TIME, {k: v + 1.0 for k, v in traces.items()}, lines)  # a small parameter change
    range_events = [e for e in events.log[changed:] if getattr(e, "model", None) in (y, plot.figure.x_range)]
    assert range_events == [] and (y.start, y.end) == (70.0, 150.0)
    # a view the user zoomed stays; the reset tool's target follows the data
    y.update(start=100.0, end=110.0)
    plot.update(TIME, {k: v + 60.0 for k, v in traces.items()}, lines)
    assert (y.start, y.end) == (100.0, 110.0) and (y.reset_start, y.reset_end) != (70.0, 150.0)
    y.update(start=y.reset_start, end=y.reset_end)          # the reset tool
    plot.update(TIME, traces, lines)
    assert (y.start, y.end) == (70.0, 150.0)
    # a streamed run: the time axis spans the run's end from the first partial update
    plot.update(TIME[:10], {n: a[:10] for n, a in traces.items()}, lines, partial=True, t_end=TIME[-1])
    assert (plot.figure.x_range.start, plot.figure.x_range.end) == (0.0, 49.0)


def test_keep_previous_overlays_the_last_run(traces):
    plot = TracePlot(count=3)
    plot.update(TIME, traces)
    plot.update(TIME, {k: v + 5 for k, v in traces.items()})
    assert plot.previous_source.data["ys"] == []
    plot.keep_previous = True
    prev = plot.previous_source.data
    assert prev["neuron"] == [0, 1, 2]
    np.testing.assert_array_equal(prev["ys"][1], traces["hidden"][:, 1])  # the run before, not +5
    np.testing.assert_array_equal(shown(plot)[1], traces["hidden"][:, 1] + 5)
    plot.keep_previous = False
    assert plot.previous_source.data["ys"] == []


def bucket_ends(steps, stride):
    """The first and last step of each bucket of ``stride`` steps: what min/max decimation keeps
    of a rising trace."""
    return np.sort(np.r_[0:steps:stride, stride - 1:steps:stride])


def test_envelope_keeps_each_buckets_minimum_and_maximum_in_time_order():
    values = np.array([[1.0, 5.0], [9.0, 4.0], [0.0, 4.0], [2.0, 4.0],   # bucket 0
                       [3.0, 7.0], [3.0, 7.0], [3.0, 7.0], [8.0, 6.0],   # bucket 1
                       [4.0, 1.0]])                                       # bucket 2: one row
    # column 0: bucket 0 max (9) at 1 before min (0) at 2; column 1: bucket 1 max (7, first) at 4, min at 7
    np.testing.assert_array_equal(envelope_steps(values, 4), [[1, 0], [2, 1], [4, 4], [7, 7], [8, 8], [8, 8]])
    np.testing.assert_array_equal(envelope_steps(values, 1), np.repeat(np.arange(9)[:, None], 2, axis=1))
    assert trace_stride(4000) == 1 and trace_stride(4001) == 4 and trace_stride(10_000) == 8


def test_long_traces_are_decimated_to_their_envelope():
    steps = 10_000
    time = np.arange(steps) * 1e-6
    array = np.arange(steps * 2, dtype=np.float32).reshape(steps, 2)
    array[5001, 0], array[7003, 0] = 1e5, -50.0  # one-step peaks: a spike's threshold crossing
    plot = TracePlot()
    plot.update(time, {"p": array})
    assert display_stride(steps) == 4 and display_stride(4000) == 1 and display_stride(4001) == 2
    assert len(shown_time(plot)) == 2500 <= MAX_POINTS  # 1250 buckets of 8 steps, 2 points each
    np.testing.assert_array_equal(shown(plot)[1], array[bucket_ends(steps, 8), 1])
    np.testing.assert_array_equal(shown_time(plot, 1), time[bucket_ends(steps, 8)] * 1e6)
    values, times = shown(plot)[0], shown_time(plot, 0)
    assert values.max() == 1e5 and times[values.argmax()] == pytest.approx(5001.0)
    assert values.min() == -50.0 and times[values.argmin()] == pytest.approx(7003.0)


def test_raster_bands_and_positions():
    spikes = {"in": np.zeros((T, 2), int), "hidden": np.zeros((T, 4), int), "one": np.zeros((T, 1), int)}
    spikes["in"][[4, 10], [1, 0]] = 1
    spikes["hidden"][[2, 10, 40], [2, 2, 0]] = 1
    spikes["one"][7, 0] = 1
    plot = RasterPlot()
    plot.update(TIME, spikes)
    data = plot.raster_source.data
    got = list(zip(data["x"].tolist(), data["y"].tolist(), data["population"], data["neuron"].tolist()))
    assert got == [(2.0, 1.625, "hidden", 2), (4.0, 0.75, "in", 1), (7.0, 2.5, "one", 0), (10.0, 0.25, "in", 0),
                   (10.0, 1.625, "hidden", 2), (40.0, 1.125, "hidden", 0)]
    assert plot._colors.factors == ["in", "hidden", "one"]  # one colour per population
    assert list(plot.figure.yaxis[0].ticker.ticks) == [0.5, 1.5, 2.5]  # one band each: labels 1 band apart
    assert plot.figure.yaxis[0].major_label_overrides == {0.5: "in", 1.5: "hidden", 2.5: "one"}
    assert plot._separators.data["y"] == [1, 2]
    assert (plot.figure.y_range.start, plot.figure.y_range.end) == (0, 3)
    assert (plot.figure.x_range.start, plot.figure.x_range.end) == (0.0, 49.0)
    assert plot.total == 6 and not plot.binned
    assert plot._ticks.glyph.marker == "dash"
    ticks_hover, binned_hover = [t for t in plot.figure.tools if type(t).__name__ == "HoverTool"]
    assert ticks_hover.renderers == [plot._ticks] and dict(ticks_hover.tooltips) == {
        "population": "@population", "neuron": "@neuron", "time": "@x{0.00} µs"}
    assert binned_hover.renderers == [plot._image] and dict(binned_hover.tooltips)["spikes"] == "@image"


def test_raster_streams_new_spikes_only():
    rng = np.random.default_rng(1)
    spikes = {"p": (rng.random((T, 5)) < 0.2).astype(np.float32)}
    plot = RasterPlot()
    events = Events(plot.figure)
    for k in (20, 50):
        plot.update(TIME[:k], {"p": spikes["p"][:k]}, partial=k < 50)
    assert events.kinds(plot.raster_source) == ["ColumnDataChangedEvent", "ColumnsStreamedEvent"]
    (new,) = events.streamed(plot.raster_source)
    steps, neurons = np.nonzero(spikes["p"][20:])
    np.testing.assert_array_equal(new["x"], TIME[20 + steps] * 1e6)
    assert len(plot.raster_source.data["x"]) == plot.total == int(spikes["p"].sum())


def test_raster_bins_100k_spikes():
    rng = np.random.default_rng(2)
    steps = 2000
    spikes = {"a": (rng.random((steps, 80)) < 0.5).astype(np.float32), "b": np.zeros((steps, 1), np.float32)}
    spikes["b"][::10] = 1
    total = int(spikes["a"].sum() + spikes["b"].sum())
    assert total > 80_000
    plot = RasterPlot()
    plot.update(np.arange(steps) * 1e-6, spikes)
    assert plot.binned and plot.total == total > BIN_THRESHOLD
    assert len(plot.raster_source.data["x"]) == 0  # no spike glyphs at all: ≤ 20 000
    images = plot.binned_source.data["image"]
    assert len(images) == 2 and plot.bin_steps == 4  # 2000 steps → 500 bins of 4 steps
    assert images[0].shape == (80, 500) and images[1].shape == (1, 500)
    assert sum(float(i.sum()) for i in images) == total
    np.testing.assert_array_equal(images[0][:, 1], spikes["a"][4:8].sum(axis=0))  # bin 1 = steps 4…7
    assert plot.binned_source.data["y"] == [0, 1] and plot.binned_source.data["dh"] == [1, 1]
    assert plot._colorbar.visible
    plot.update(np.arange(steps) * 1e-6, {"a": spikes["b"]})  # few spikes again: ticks
    assert not plot.binned and len(plot.raster_source.data["x"]) == 200 and plot.binned_source.data["image"] == []


def test_raster_empty():
    plot = RasterPlot()
    plot.update(TIME, {})
    assert len(plot.raster_source.data["x"]) == 0 and plot.total == 0


def test_streamed_long_run_resends_when_the_stride_doubles():
    steps = 9000
    time = np.arange(steps) * 1e-6
    array = np.arange(steps * 2, dtype=np.float32).reshape(steps, 2)
    plot = TracePlot()
    events = Events(plot.figure)
    for k in (3000, 4000, 6000, 7001, 9000):
        plot.update(time[:k], {"p": array[:k]}, partial=k < steps)
        if k == 7001:  # streamed in buckets of 4: whole buckets only while the run grows
            np.testing.assert_array_equal(shown(plot)[0], array[bucket_ends(7000, 4), 0])
            np.testing.assert_array_equal(shown_time(plot), time[bucket_ends(7000, 4)] * 1e6)
    # 3000, 4000: one point per step (stream); 6000: buckets of 4 (resend); 7001: of 4 (stream); 9000: of 8 (resend)
    assert events.kinds(plot.trace_source) == ["ColumnDataChangedEvent", "ColumnsStreamedEvent",
                                                "ColumnDataChangedEvent", "ColumnsStreamedEvent",
                                                "ColumnDataChangedEvent"]
    np.testing.assert_array_equal(shown(plot)[0], array[bucket_ends(steps, 8), 0])  # as a one-shot update


def test_streamed_binned_raster_patches_only_new_bins():
    rng = np.random.default_rng(5)
    steps = 1000
    time = np.arange(steps) * 1e-6
    spikes = (rng.random((steps, 60)) < 0.5).astype(np.float32)  # ≈ 30 000 spikes
    plot = RasterPlot()
    events = Events(plot.figure)
    for k in (800, 900, 1000):
        plot.update(time[:k], {"p": spikes[:k]}, partial=k < steps)
    assert plot.binned and plot.bin_steps == 2
    assert events.kinds(plot.binned_source) == ["ColumnDataChangedEvent", "ColumnsPatchedEvent",
                                                 "ColumnsPatchedEvent"]
    (index, values), = [e for e in events.log if isinstance(e, ColumnsPatchedEvent)][0].patches["image"]
    assert index == (0, slice(0, 60), slice(400, 450))  # steps 800…899 = bins 400…449
    image = plot.binned_source.data["image"][0]
    np.testing.assert_array_equal(image[:, :500], spikes.reshape(500, 2, 60).sum(axis=1).T)  # = one-shot
    assert np.isnan(image[:, 500:]).all() and np.nansum(image) == spikes.sum() == plot.total
