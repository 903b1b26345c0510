"""Bokeh plots of a run's results: membrane traces and spike rasters.

Both take numpy arrays recorded on a common time grid ``time`` (s, hardware
time, shape ``(T,)``) and plot against µs of hardware time. Each figure and its
data sources are built once; :meth:`update` replaces the sources' data in place.
The canvas backend is used (WebGL is far slower under headless/software GL).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, FixedTicker, HoverTool, Range1d, Span
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from panel.viewable import Viewer

__all__ = ["MAX_TRACES", "RasterPlot", "TracePlot"]

MAX_TRACES = 32
_FIG = dict(output_backend="canvas", height=300, sizing_mode="stretch_width", toolbar_location="above",
            tools="pan,wheel_zoom,box_zoom,reset,save", x_axis_label="time [µs, hardware]")


def _as_time(time) -> np.ndarray:
    time = np.asarray(time, dtype=float)
    if time.ndim != 1:
        raise ValueError(f"time must have shape (T,), got {time.shape}")
    return time


def _as_recording(name: str, array, steps: int) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2 or array.shape[0] != steps:
        raise ValueError(f"population {name!r}: expected shape ({steps}, N), got {array.shape}")
    return array


class TracePlot(Viewer):
    """Membrane traces of up to 32 neurons of one population.

    ``update(time, traces, lines=None)``: ``time`` in s ``(T,)``; ``traces`` maps
    population → membrane array ``(T, N)`` in CADC LSB; ``lines`` maps population →
    ``{"threshold": v, "leak": v}`` (CADC LSB), drawn as dashed horizontal lines.
    A population picker and a neuron range (``first``, ``count`` ≤ 32) choose the
    traces. ``trace_source`` holds one row per shown neuron: ``xs`` (µs), ``ys``,
    ``neuron``, ``population``, ``color``.
    """

    population = param.Selector(default=None, objects=[], allow_None=True, doc="Population whose traces are shown.")
    first = param.Integer(default=0, bounds=(0, None), doc="Index of the first neuron shown.")
    count = param.Integer(default=MAX_TRACES, bounds=(1, MAX_TRACES), doc="Number of neurons shown (at most 32).")

    def __init__(self, **params: Any):
        self.trace_source = ColumnDataSource(dict(xs=[], ys=[], neuron=[], population=[], color=[]),
                                             name="hx-trace-source")
        self.figure = figure(y_axis_label="membrane [CADC LSB]", **_FIG)
        self.figure.multi_line("xs", "ys", line_color="color", line_width=1.2, source=self.trace_source)
        self.threshold_span = Span(dimension="width", line_dash="dashed", line_color="#d62728", visible=False)
        self.leak_span = Span(dimension="width", line_dash="dashed", line_color="#7f7f7f", visible=False)
        self.figure.add_layout(self.threshold_span)
        self.figure.add_layout(self.leak_span)
        self.figure.add_tools(HoverTool(line_policy="nearest", tooltips=[
            ("population", "@population"), ("neuron", "@neuron"),
            ("time", "$snap_x{0.00} µs"), ("value", "$snap_y{0.0} CADC LSB")]))
        super().__init__(**params)
        self._time = np.zeros(0)
        self._traces: dict[str, np.ndarray] = {}
        self._lines: dict[str, dict] = {}
        controls = pn.Row(
            pn.widgets.Select.from_param(self.param.population, label="Population", width=180),
            pn.widgets.IntInput.from_param(self.param.first, label="First neuron", width=120),
            pn.widgets.IntSlider.from_param(self.param.count, label="Neurons shown", width=200),
        )
        self._layout = pn.Column(controls, pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                                 sizing_mode="stretch_width", css_classes=["hx-trace-plot"])

    def __panel__(self):
        return self._layout

    def update(self, time, traces: dict[str, Any], lines: dict[str, dict] | None = None) -> None:
        """Show new recordings (see the class docstring for shapes and units)."""
        self._time = _as_time(time)
        self._traces = {name: _as_recording(name, array, len(self._time)) for name, array in traces.items()}
        self._lines = dict(lines or {})
        names = list(self._traces)
        keep = self.population if self.population in names else (names[0] if names else None)
        self.param.population.objects = names
        if keep == self.population:
            self._refresh()
        else:
            self.population = keep  # triggers _refresh

    @param.depends("population", "first", "count", watch=True)
    def _refresh(self) -> None:
        array = self._traces.get(self.population)
        n = 0 if array is None else array.shape[1]
        neurons = list(range(min(self.first, n), min(self.first + self.count, n)))
        x = self._time * 1e6
        self.trace_source.data = dict(
            xs=[x] * len(neurons), ys=[np.ascontiguousarray(array[:, i]) for i in neurons], neuron=neurons,
            population=[self.population] * len(neurons), color=[Category10_10[i % 10] for i in neurons])
        lines = self._lines.get(self.population, {})
        for span, key in ((self.threshold_span, "threshold"), (self.leak_span, "leak")):
            value = lines.get(key)
            span.visible = value is not None
            if value is not None:
                span.location = float(value)


class RasterPlot(Viewer):
    """Spike raster of every recorded population, stacked on one y axis.

    ``update(time, spikes)``: ``time`` in s ``(T,)``; ``spikes`` maps population →
    ``(T, N)`` array of 0/1. Each spike is a vertical tick at ``x`` = spike time (µs)
    and ``y`` = population offset + neuron index; populations are stacked bottom-up
    in dict order, separated by dashed lines and labelled on the y axis, one colour
    each. At most ``max_spikes`` spikes are drawn (the earliest); ``raster_source``
    holds ``x``, ``y``, ``neuron``, ``population``, ``color``.
    """

    max_spikes = param.Integer(default=30_000, bounds=(1, None), doc=(
        "Most spikes drawn; later ones are dropped (the browser slows down beyond about 30 000)."))
    shown = param.Integer(default=0, constant=True, doc="Number of spikes drawn by the last update. Read-only.")
    total = param.Integer(default=0, constant=True, doc="Number of spikes passed to the last update. Read-only.")

    def __init__(self, **params: Any):
        self.raster_source = ColumnDataSource(dict(x=[], y=[], neuron=[], population=[], color=[]),
                                              name="hx-raster-source")
        self._separators = ColumnDataSource(dict(y=[]))
        self.figure = figure(y_axis_label="population / neuron", x_range=Range1d(0, 1), y_range=Range1d(-0.5, 0.5),
                             **_FIG)
        self.figure.scatter("x", "y", marker="dash", angle=np.pi / 2, size=7, line_width=1.5, color="color",
                            source=self.raster_source)
        self.figure.hspan(y="y", line_color="#999999", line_dash="dashed", source=self._separators)
        self.figure.yaxis.ticker = FixedTicker(ticks=[])
        self.figure.ygrid.visible = False
        self.figure.add_tools(HoverTool(renderers=[self.figure.renderers[0]], tooltips=[
            ("population", "@population"), ("neuron", "@neuron"), ("time", "@x{0.00} µs")]))
        super().__init__(**params)
        self._layout = pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                                 sizing_mode="stretch_width", css_classes=["hx-raster-plot"])

    def __panel__(self):
        return self._layout

    def update(self, time, spikes: dict[str, Any]) -> None:
        """Show new spike recordings (see the class docstring for shapes and units)."""
        time = _as_time(time)
        columns = {key: [] for key in ("x", "y", "neuron", "population", "color")}
        ticks, labels, separators, offset = [], {}, [], 0
        for index, (name, array) in enumerate(spikes.items()):
            array = _as_recording(name, array, len(time))
            steps, neurons = np.nonzero(array)
            columns["x"].append(time[steps] * 1e6)
            columns["y"].append(offset + neurons)
            columns["neuron"].append(neurons)
            columns["population"].append(np.full(len(steps), name, dtype=object))
            columns["color"].append(np.full(len(steps), Category10_10[index % 10], dtype=object))
            middle = offset + (array.shape[1] - 1) / 2
            ticks.append(middle)
            labels[middle] = name
            offset += array.shape[1]
            separators.append(offset - 0.5)
        data = {key: np.concatenate(parts) if parts else np.zeros(0) for key, parts in columns.items()}
        order = np.argsort(data["x"], kind="stable")[: self.max_spikes]
        self.raster_source.data = {key: value[order] for key, value in data.items()}
        self._separators.data = dict(y=separators[:-1])
        self.figure.yaxis.ticker = FixedTicker(ticks=ticks)
        self.figure.yaxis.major_label_overrides = labels
        self.figure.y_range.update(start=-0.5, end=max(offset, 1) - 0.5)
        if len(time):
            self.figure.x_range.update(start=float(time[0] * 1e6), end=float(time[-1] * 1e6))
        with param.edit_constant(self):
            self.param.update(shown=len(order), total=len(data["x"]))
        self.figure.title.text = "" if len(order) == len(data["x"]) else (
            f"showing the first {len(order)} of {len(data['x'])} spikes")
