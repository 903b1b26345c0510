"""ResourceMeter (numbers in, bars and a red error out) and TracePlot's MADC overlay."""

import numpy as np

from hxstudio.widgets import ResourceMeter, TracePlot
from hxstudio.widgets.plots import joined_traces


def test_meter_shows_the_numbers_and_turns_red_when_over():
    meter = ResourceMeter(neurons_used=123, rows_used={"top": 250, "bottom": 0})
    html = meter._pane.object
    assert "neurons: 123 / 512" in html and "synapse rows (top): 250 / 256" in html
    assert "synapse rows (bottom): 0 / 256" in html and "width:24.0%" in html  # 123/512
    assert not meter.over and meter._layout.css_classes == ["hx-resource-meter"]
    assert "hx-resource-error" not in html
    meter.rows_used = {"top": 258, "bottom": 0}  # over without an error text: still red
    assert meter.over and "hx-resource-over" in meter._layout.css_classes
    assert "width:100.0%" in meter._pane.object and "#d62728" in meter._pane.object
    meter.param.update(rows_used={"top": 10, "bottom": 0}, neurons_used=600,
                       error="population 'b' needs 300 neuron circuits, 212 of 512 are free <now>")
    html = meter._pane.object
    assert meter.over and "neurons: 600 / 512" in html
    assert '<div class="hx-resource-error" style="color:#b00020">population \'b\' needs 300 neuron circuits, ' \
           "212 of 512 are free &lt;now&gt;</div>" in html
    meter.param.update(neurons_used=3, error="")
    assert not meter.over and meter._layout.css_classes == ["hx-resource-meter"]
    meter.visible = False
    assert not meter._layout.visible


def test_trace_plot_overlays_the_madc_trace_of_the_shown_neuron():
    time = np.arange(40) * 1e-6
    traces = {"hidden": np.zeros((40, 5)), "out": np.ones((40, 2))}
    madc_time = np.arange(1176) / (3235 / 110) * 1e-6  # 29.4 samples/µs
    madc = {"population": "hidden", "neuron": 3, "time": madc_time, "values": np.sin(madc_time * 1e5)}
    plot = TracePlot()
    plot.update(time, traces, madc=madc)
    np.testing.assert_allclose(plot.madc_source.data["x"], madc_time * 1e6)
    np.testing.assert_array_equal(plot.madc_source.data["y"], madc["values"])
    plot.count = 3  # neurons 0…2: the MADC neuron is not shown
    assert plot.madc_source.data["x"].size == 0
    plot.add_neuron("hidden", 3)
    assert plot.madc_source.data["x"].size == 1176
    plot.population = "out"
    assert plot.madc_source.data["x"].size == 0
    plot.update(time, traces)  # a run without MADC clears it
    plot.population = "hidden"
    assert plot.madc_source.data["x"].size == 0


def test_long_madc_traces_are_decimated():
    time = np.arange(1000) * 1e-6
    madc_time = np.arange(29_410) / 29.41e6
    plot = TracePlot()
    plot.update(time, {"n": np.zeros((1000, 1))},
                madc={"population": "n", "neuron": 0, "time": madc_time, "values": np.arange(29_410.0)})
    data = plot.madc_source.data
    assert len(data["x"]) == 3678  # min and max of every 16 samples: ≤ 4000 points
    kept = np.minimum(np.sort(np.r_[0:29_410:16, 15:29_425:16]), 29_409)  # the last bucket holds 2 samples
    np.testing.assert_array_equal(data["y"], np.arange(29_410.0)[kept])


def test_madc_overlay_arrives_with_the_last_part_of_a_streamed_run():
    time = np.arange(40) * 1e-6
    plot = TracePlot()
    plot.update(time[:20], {"n": np.zeros((20, 2))}, partial=True)
    assert plot.madc_source.data["x"].size == 0
    madc = {"population": "n", "neuron": 1, "time": np.arange(1176) * 34e-9, "values": np.full(1176, -48.0)}
    plot.update(time, {"n": np.zeros((40, 2))}, madc=madc)
    assert plot.trace_source.data["neuron"] == [0, 1, 0, 1]  # streamed on (a row per neuron and part)
    assert len(joined_traces(plot.trace_source.data)[1][0]) == 40
    np.testing.assert_array_equal(plot.madc_source.data["y"], np.full(1176, -48.0))
