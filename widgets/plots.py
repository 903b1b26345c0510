"""Bokeh plots of a run's results: neuron traces and the spike raster.

Both take numpy arrays recorded on a common time grid ``time`` (s, hardware time,
shape ``(T,)``) and plot against µs of hardware time. Figures, renderers and data
sources are built once; ``update`` changes the sources in place.

Streaming: ``update(..., partial=True)`` marks a result that is still growing. The
next update whose ``time`` extends the previous one sends only the new samples
(``ColumnDataSource.stream``); any other update (a new run) replaces the data.

Display limits (measured in ui-notes §B.3, headless chromium on 2 cores):

- traces: at most :data:`MAX_TRACES` (32) neurons from the range picker plus
  picked neurons, :data:`MAX_SHOWN` (64) in all; a trace longer than :data:`MAX_POINTS`
  (4000) steps is decimated to at most that many points by keeping the minimum and the
  maximum of every ``stride`` steps (:func:`trace_stride`, :func:`envelope_steps`), so a
  one-step peak such as a spike's threshold crossing is never dropped.
- raster: up to :data:`BIN_THRESHOLD` (20 000) spikes are drawn as ticks; above
  that the raster switches to spike counts per neuron and time bin (an image), so
  the browser never draws more than ``20 000`` spike glyphs.

The canvas backend is the default (WebGL is far slower under headless/software GL);
:func:`set_backend` switches a figure to ``"webgl"``.

Axes are fixed ranges set here (``Range1d``), not ranges BokehJS computes from the data: the
time axis spans the whole run from its first partial update on (``t_end``), and value axes
move only when the data leave them or shrink to less than half of them (:func:`nice_range`).
Tuning a parameter then redraws the lines in a fixed frame; a data range that moved with every
run made BokehJS lay the figure out again and paint it twice per update (measured: about half
of the browser's time per re-run).
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import panel as pn
import param
from bokeh.models import (
    CategoricalColorMapper,
    ColorBar,
    ColumnDataSource,
    FixedTicker,
    HoverTool,
    LinearColorMapper,
    Range1d,
    Span,
)
from bokeh.palettes import Category10_10, Greys256
from bokeh.plotting import figure
from panel.viewable import Viewer

from .plot_export import add_export_tools

__all__ = ["BIN_THRESHOLD", "MAX_POINTS", "MAX_SHOWN", "MAX_TRACES", "OBSERVABLES", "RasterPlot", "TracePlot",
           "continues", "display_stride", "envelope_steps", "joined_traces", "new_figure", "nice_range", "set_range", "shown_range",
           "trace_stride"]

MAX_TRACES = 32
MAX_SHOWN = 64
MAX_POINTS = 4000
BIN_THRESHOLD = 20_000
RASTER_BINS = 500
#: Trace updates with at most this many values go to the browser as JSON lists (:func:`_columns_for_wire`).
LIST_LIMIT = 8192
#: observable key → (axis label, unit)
OBSERVABLES = {"membrane": ("membrane", "CADC LSB"), "current": ("synaptic current", "model units"),
               "adaptation": ("adaptation current", "model units")}
_LINES = (("threshold", "#d62728"), ("leak", "#7f7f7f"), ("reset", "#2ca02c"))


def new_figure(name: str, **kwargs: Any):
    """A canvas-backend figure with pan/zoom/reset/save/SVG tools, x axis in µs of hardware time."""
    options = dict(output_backend="canvas", height=300, sizing_mode="stretch_width", toolbar_location="above",
                   tools="pan,wheel_zoom,box_zoom,reset,save", x_axis_label="time [µs, hardware]", name=name)
    fig = figure(**{**options, **kwargs})
    add_export_tools(fig, name.removeprefix("hx-").removesuffix("-figure"))
    return fig


def set_backend(fig, webgl: bool) -> None:
    """Draw ``fig`` with WebGL (fast on real GPUs) or the canvas (default; robust everywhere)."""
    fig.output_backend = "webgl" if webgl else "canvas"


def nice_range(low: float, high: float, current: Optional[tuple[float, float]] = None) -> tuple[float, float]:
    """An axis range for values in ``[low, high]``: padded by 5 % of the span (or 5 % of the
    value, at least 1, for a single value) and rounded outwards to a multiple of a 1-2-5 step
    of about a tenth of the span, e.g. ``nice_range(-47.3, 121.8) == (-60.0, 140.0)``.

    ``current`` ``(start, end)`` is returned unchanged while it covers the padded values and the
    values span at least half of it, so small changes leave an axis where it is. Non-finite
    bounds (no data) give ``current`` or ``(0.0, 1.0)``.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return current or (0.0, 1.0)
    span = high - low
    pad = 0.05 * span if span > 0 else max(0.05 * abs(high), 1.0)
    if current is not None and current[0] <= low - pad and high + pad <= current[1] and \
            span >= 0.5 * (current[1] - current[0]):
        return current
    low, high = low - pad, high + pad
    magnitude = 10.0 ** math.floor(math.log10((high - low) / 10))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= (high - low) / 10)
    return (math.floor(low / step) * step, math.ceil(high / step) * step)


def shown_range(axis_range) -> tuple[float, float]:
    """The range last set by :func:`set_range` (what the reset tool returns to), else start/end."""
    if axis_range.reset_start is None or axis_range.reset_end is None:
        return (axis_range.start, axis_range.end)
    return (axis_range.reset_start, axis_range.reset_end)


def set_range(axis_range, start: float, end: float) -> None:
    """Set a ``Range1d`` and make ``start``/``end`` what the reset tool returns to. A range the
    user has zoomed or panned (start/end differ from the last set range) keeps the user's view;
    only the reset target moves."""
    moved = (axis_range.start, axis_range.end) != shown_range(axis_range)
    view = {} if moved else {"start": float(start), "end": float(end)}
    axis_range.update(**view, reset_start=float(start), reset_end=float(end))


def time_range_us(time: np.ndarray, t_end: Optional[float]) -> tuple[float, float]:
    """The time axis in µs: from ``time[0]`` to ``t_end`` (s; the run's last time step, known
    while a run streams) or to ``time[-1]``."""
    end = time[-1] if t_end is None else max(t_end, time[-1])
    start = float(time[0]) * 1e6
    return start, max(float(end) * 1e6, start + 1e-3)


def display_stride(steps: int, max_points: int = MAX_POINTS) -> int:
    """Smallest power of two ``s`` with ``ceil(steps / s) <= max_points``: plots keep steps ``0, s, 2s, …``.

    A power of two changes rarely while a streamed run grows (at 4000, 8000, 16000 … steps),
    so the plots re-send everything only that often.
    """
    stride = 1
    while -(-steps // stride) > max_points:
        stride *= 2
    return stride


def trace_stride(steps: int) -> int:
    """Steps per bucket of :func:`envelope_steps` for a ``steps``-long trace: 1 up to
    :data:`MAX_POINTS` steps, else the power of two that keeps ``2 × buckets ≤ MAX_POINTS``."""
    return 1 if steps <= MAX_POINTS else display_stride(steps, MAX_POINTS // 2)


def envelope_steps(values: np.ndarray, stride: int) -> np.ndarray:
    """Which rows of ``values`` ``(S, K)`` draw each column decimated by ``stride``: every row
    for ``stride`` 1, else the rows of the minimum and of the maximum of each bucket of
    ``stride`` rows (the last bucket may be shorter), in time order. Returns ``(P, K)``
    indices, ``P = S`` or ``2 × ceil(S / stride)``.

    Min/max decimation keeps the envelope a plot of all samples would show; every ``stride``-th
    sample would drop short peaks (a membrane's threshold crossing lasts one step)."""
    rows, columns = values.shape
    if stride == 1:
        return np.broadcast_to(np.arange(rows)[:, None], (rows, columns))
    buckets = -(-rows // stride)
    pad = buckets * stride - rows  # repeats of the last row: an index into them means the last row
    block = np.concatenate([values, np.repeat(values[-1:], pad, axis=0)]) if pad else values
    block = block.reshape(buckets, stride, columns)
    low, high = block.argmin(axis=1), block.argmax(axis=1)
    first = stride * np.arange(buckets)[:, None]
    steps = np.stack([first + np.minimum(low, high), first + np.maximum(low, high)], axis=1)
    return np.minimum(steps.reshape(2 * buckets, columns), rows - 1)


def _trace_rows(time: np.ndarray, values: np.ndarray, stride: int, skip: int = 0) -> tuple[list, list]:
    """``(xs, ys)``: one row per column of ``values`` ``(S, K)`` over ``time`` ``(S,)`` (s → µs),
    decimated by :func:`envelope_steps` and without its first ``skip`` points."""
    if not values.shape[1]:
        return [], []
    steps = envelope_steps(values, stride)[skip:]
    ys = [np.ascontiguousarray(column) for column in np.take_along_axis(values, steps, axis=0).T]
    if stride == 1:  # every row on the same steps
        return [time[steps[:, 0]] * 1e6] * values.shape[1], ys
    return [time[column] * 1e6 for column in steps.T], ys


def continues(old_time: np.ndarray, new_time: np.ndarray, was_partial: bool) -> bool:
    """Whether ``new_time`` extends a partial result on ``old_time`` (same run, more steps)."""
    n = len(old_time)
    return was_partial and 0 < n <= len(new_time) and new_time[n - 1] == old_time[-1] and new_time[0] == old_time[0]


def _columns_for_wire(columns: dict) -> dict:
    """``columns`` (each a list of rows; a row a number, a string or a 1-D array) as Bokeh
    should send them: plain lists (inline JSON) while the arrays hold at most
    :data:`LIST_LIMIT` values in all, else as given (numpy arrays go binary). Bokeh sends each
    numpy array as a binary buffer in a websocket message of its own, and 33 short trace arrays
    took the browser ≈ 20 ms to receive, one at a time, before it could draw (measured: 38 steps
    × 32 traces)."""
    arrays = [row for rows in columns.values() for row in rows if isinstance(row, np.ndarray)]
    if sum(row.size for row in arrays) > LIST_LIMIT:
        return columns
    return {key: [row.tolist() if isinstance(row, np.ndarray) else row for row in rows]
            for key, rows in columns.items()}


def joined_traces(data: dict) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The traces held by a :class:`TracePlot`'s ``trace_source.data`` (or a copy read from the
    browser): neuron → ``(time µs, values)``, each ``(S,)``, rows of one neuron joined in order
    (a streamed row repeats the last point of the row before it, dropped here)."""
    joined: dict[int, tuple[list, list]] = {}
    for neuron, xs, ys in zip(data["neuron"], data["xs"], data["ys"]):
        skip = 1 if neuron in joined else 0
        times, values = joined.setdefault(int(neuron), ([], []))
        times.append(np.asarray(xs, dtype=float)[skip:])
        values.append(np.asarray(ys, dtype=float)[skip:])
    return {neuron: (np.concatenate(t), np.concatenate(v)) for neuron, (t, v) in joined.items()}


def _widths(data: dict) -> dict:
    """``{observable: {population: N}}`` of ``{observable: {population: (T, N) array}}``."""
    return {key: {name: array.shape[1] for name, array in value.items()} for key, value in data.items()}


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
    """Traces of up to 64 neurons of one population: membrane, synaptic current or adaptation.

    ``update(time, traces, lines=None, *, current=None, adaptation=None, partial=False)``:
    ``time`` in s ``(T,)``; ``traces`` maps population → membrane ``(T, N)`` in CADC LSB;
    ``current`` / ``adaptation`` map population → ``(T, N)`` synaptic current (model units) /
    AELIF adaptation current (model units), each offered in the observable switch only when given;
    ``lines`` maps population → ``{"threshold", "leak", "reset"}`` (CADC LSB), dashed
    horizontal lines on the membrane view. ``partial``: the run is still growing (see the
    module docstring).

    Shown neurons: the range ``first … first + count - 1`` (``count`` ≤ 32) plus ``picked``
    (:meth:`add_neuron`, e.g. a heatmap click), at most 64. ``trace_source`` (name
    ``hx-trace-source``), drawn by one ``multi_line`` renderer, holds one row per shown neuron
    ``i``: ``xs`` (µs), ``ys``, ``neuron`` (``i``), ``label`` (``"<population> #<i>"``) and
    ``color``, decimated by :func:`envelope_steps`; each streamed part of a run adds one row
    per neuron that starts at the neuron's last point so far (:func:`joined_traces` joins
    them). One renderer instead of one per trace: BokehJS indexes and repaints each renderer
    on its own; with one, the streaming page of ``benchmarks/bench_ui.py`` went from 38–40 to
    48–50 frames/s (a re-run's latency stayed within the noise). With ``keep_previous`` the
    previous run's traces stay as a faded overlay (``previous_source``, name
    ``hx-trace-previous``: ``xs``, ``ys``, ``neuron``).

    MADC overlay: ``update(..., madc={"population", "neuron", "time", "values"})`` gives one
    neuron's MADC samples (``time`` in s ``(S,)``, ``values`` ``(S,)`` already mapped onto the
    CADC axis by the caller); drawn as a thin black line over the membrane trace while that
    neuron is shown (``madc_source``, name ``hx-madc-source``: ``x`` µs, ``y``; decimated to at
    most :data:`MAX_POINTS` points like the traces).
    """

    population = param.Selector(default=None, objects=[], allow_None=True, doc="Population whose traces are shown.")
    observable = param.Selector(default="membrane", objects=["membrane"], doc="Recorded quantity shown.")
    first = param.Integer(default=0, bounds=(0, None), doc="Index of the first neuron shown.")
    count = param.Integer(default=MAX_TRACES, bounds=(1, MAX_TRACES), doc="Number of neurons shown (at most 32).")
    picked = param.List(default=[], item_type=int, doc="Neurons added one by one (shown after the range).")
    keep_previous = param.Boolean(default=False, doc="Keep the previous run's traces as a faded overlay.")

    def __init__(self, **params: Any):
        self.trace_source = ColumnDataSource(dict(xs=[], ys=[], neuron=[], label=[], color=[]),
                                             name="hx-trace-source")
        self.previous_source = ColumnDataSource(dict(xs=[], ys=[], neuron=[]), name="hx-trace-previous")
        self.figure = new_figure("hx-trace-figure", y_axis_label="membrane [CADC LSB]", x_range=Range1d(0, 1),
                                 y_range=Range1d(0, 1))
        self.figure.multi_line("xs", "ys", line_color="#999999", line_alpha=0.4, line_width=1,
                               source=self.previous_source)
        self.madc_source = ColumnDataSource(dict(x=np.zeros(0), y=np.zeros(0)), name="hx-madc-source")
        self.figure.line("x", "y", source=self.madc_source, line_color="black", line_width=0.8, line_alpha=0.8,
                         name="MADC")
        self._madc: Optional[dict] = None
        self.spans = {key: Span(dimension="width", line_dash="dashed", line_color=color, visible=False)
                      for key, color in _LINES}
        for span in self.spans.values():
            self.figure.add_layout(span)
        # 1 px lines: a 1.2 px stroke took chromium's software canvas several times longer while streaming
        self._lines_renderer = self.figure.multi_line("xs", "ys", line_color="color", line_width=1,
                                                      source=self.trace_source, name="traces")
        self._hover = HoverTool(renderers=[self._lines_renderer], line_policy="nearest", tooltips=[])
        self.figure.add_tools(self._hover)
        super().__init__(**params)
        self._time = np.zeros(0)
        self._data: dict[str, dict[str, np.ndarray]] = {}  # observable → population → (T, N)
        self._lines: dict[str, dict] = {}
        self._previous: tuple[np.ndarray, dict] = (np.zeros(0), {})
        self._partial = False
        self._t_end: Optional[float] = None
        self._stride = 1
        self._sent = 0  # steps [0, _sent) are in trace_source: whole buckets of _stride steps, or the run
        controls = pn.Row(
            pn.widgets.Select.from_param(self.param.population, label="Population", width=160),
            pn.widgets.RadioButtonGroup.from_param(self.param.observable, width=300, margin=(22, 10, 0, 10)),
            pn.widgets.IntInput.from_param(self.param.first, label="First neuron", width=110),
            pn.widgets.IntSlider.from_param(self.param.count, label="Neurons shown", width=180),
        )
        self._layout = pn.Column(controls, pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                                 sizing_mode="stretch_width", css_classes=["hx-trace-plot"])
        self._set_labels()

    def __panel__(self):
        return self._layout

    @property
    def shown_neurons(self) -> list[int]:
        """Indices of the neurons drawn now, in drawing order."""
        array = self._array()
        n = 0 if array is None else array.shape[1]
        neurons = list(range(min(self.first, n), min(self.first + self.count, n)))
        neurons += [i for i in self.picked if i < n and i not in neurons]
        return neurons[:MAX_SHOWN]

    def add_neuron(self, population: str, neuron: int) -> None:
        """Show ``neuron`` of ``population`` too (switching population drops earlier picks).

        Beyond 64 traces the oldest pick is dropped. Raises ValueError for an unknown population.
        """
        if population not in self.param.population.objects:
            raise ValueError(f"unknown population {population!r}; shown: {self.param.population.objects}")
        picked = [] if population != self.population else [i for i in self.picked if i != neuron]
        picked.append(int(neuron))
        spare = MAX_SHOWN - min(self.count, MAX_SHOWN)
        self.param.update(population=population, picked=picked[-spare:] if spare else [])

    def update(self, time, traces: dict[str, Any], lines: Optional[dict[str, dict]] = None, *,
               current: Optional[dict[str, Any]] = None, adaptation: Optional[dict[str, Any]] = None,
               partial: bool = False, madc: Optional[dict] = None, t_end: Optional[float] = None) -> None:
        """Show new recordings (see the class docstring for shapes and units). ``t_end`` (s): the
        last time step the run will reach; the time axis spans it from the first partial update.

        Raises:
            ValueError: ``time`` is not ``(T,)`` or an array is not ``(T, N)`` (naming the population).
        """
        time = _as_time(time)
        self._madc = madc
        data = {key: {name: _as_recording(name, array, len(time)) for name, array in (given or {}).items()}
                for key, given in (("membrane", traces), ("current", current), ("adaptation", adaptation))}
        data = {key: value for key, value in data.items() if value} or {"membrane": {}}
        same_run = continues(self._time, time, self._partial) and _widths(data) == _widths(self._data)
        if not same_run and self._time.size:
            self._previous = (self._time, self._data.get("membrane", {}))
        self._partial, self._t_end = partial, t_end
        self._time, self._data, self._lines = time, data, dict(lines or {})
        if same_run and trace_stride(len(time)) == self._stride:
            self._stream()
            self._show_madc(self.shown_neurons)  # a streamed run's MADC trace comes with its last part
            self._set_ranges()
            return
        names = list(dict.fromkeys(name for value in data.values() for name in value))
        population = self.population if self.population in names else (names[0] if names else None)
        observable = self.observable if self.observable in data else next(iter(data))
        self.param.population.objects = names
        self.param.observable.objects = list(data)
        if (population, observable) == (self.population, self.observable):
            self._refresh()
        else:
            self.param.update(population=population, observable=observable)  # refreshes once

    def _array(self, data: Optional[dict] = None) -> Optional[np.ndarray]:
        data = self._data if data is None else data
        return data.get(self.observable, {}).get(self.population)

    def _rows(self, start: int, stop: int, neurons: list[int], skip: int = 0) -> dict:
        """``trace_source`` rows of ``neurons`` over steps ``[start, stop)`` (:func:`_trace_rows`)."""
        array = self._array()
        values = np.zeros((0, 0)) if array is None or not neurons else np.asarray(array[start:stop, neurons])
        xs, ys = _trace_rows(self._time[start:stop], values, self._stride, skip)
        return dict(xs=xs, ys=ys, neuron=list(neurons), label=[f"{self.population} #{i}" for i in neurons],
                    color=[Category10_10[i % 10] for i in neurons])

    def _covered(self) -> int:
        """Steps to show: all, or while the run grows only whole buckets (the last one grows)."""
        steps = len(self._time)
        return steps if not self._partial else steps - steps % self._stride

    def _stream(self) -> None:
        """Send the steps recorded since the last update: one row per shown neuron that starts
        at its last point so far (the last of the bucket before, so that the line continues)."""
        start, stop = self._sent, self._covered()
        neurons = self.shown_neurons
        if self._array() is None or not neurons or stop <= start:
            return
        self._sent = stop
        before = start - self._stride
        self.trace_source.stream(_columns_for_wire(self._rows(before, stop, neurons, skip=int(self._stride > 1))))

    @param.depends("population", "observable", "first", "count", "picked", watch=True)
    def _refresh(self) -> None:
        """Replace the sources' data with the current selection (one message to the browser)."""
        neurons = self.shown_neurons
        self._stride = trace_stride(len(self._time))
        self._sent = self._covered()
        self.trace_source.data = _columns_for_wire(self._rows(0, self._sent, neurons))
        self._set_labels()
        self._show_previous(neurons)
        self._show_madc(neurons)
        self._set_ranges()

    def _set_ranges(self) -> None:
        """Time axis over the run; value axis over the shown traces, MADC overlay, faded previous
        run and threshold/leak/reset lines (kept while they still fit, :func:`nice_range`). The
        values are the points drawn: their envelope keeps every extreme of the recordings, in
        at most :data:`MAX_POINTS` values per trace."""
        if not len(self._time):
            return
        set_range(self.figure.x_range, *time_range_us(self._time, self._t_end))
        parts = [np.asarray(v) for v in self.trace_source.data["ys"]]
        parts += [np.asarray(v) for v in self.previous_source.data["ys"]]
        parts.append(np.asarray(self.madc_source.data["y"]))
        parts.append(np.array([span.location for span in self.spans.values() if span.visible], dtype=float))
        values = np.concatenate([np.ravel(p).astype(float) for p in parts])
        values = values[np.isfinite(values)]
        if values.size:
            low, high = float(values.min()), float(values.max())
            set_range(self.figure.y_range, *nice_range(low, high, shown_range(self.figure.y_range)))

    def _show_madc(self, neurons: list[int]) -> None:
        madc = self._madc
        shown = (madc is not None and self.observable == "membrane" and madc["population"] == self.population
                 and madc["neuron"] in neurons)
        time = np.asarray(madc["time"], dtype=float) if shown else np.zeros(0)
        values = np.asarray(madc["values"], dtype=float) if shown else np.zeros(0)
        if not shown and not len(self.madc_source.data["x"]):
            return  # nothing shown, nothing to clear: send nothing
        (x,), (y,) = _trace_rows(time, values[:, None], trace_stride(len(time)))
        self.madc_source.data = dict(x=x, y=y)

    @param.depends("keep_previous", watch=True)
    def _toggle_previous(self) -> None:
        neurons = self.shown_neurons
        self._show_previous(neurons)
        self._set_ranges()

    def _show_previous(self, neurons: list[int]) -> None:
        time, membrane = self._previous
        array = membrane.get(self.population) if self.keep_previous and self.observable == "membrane" else None
        shown = [i for i in neurons if array is not None and i < array.shape[1]]
        if not shown and not self.previous_source.data["neuron"]:
            return  # nothing shown, nothing to clear: send nothing
        xs, ys = _trace_rows(time, np.asarray(array[:, shown]) if shown else np.zeros((0, 0)), trace_stride(len(time)))
        self.previous_source.data = dict(xs=xs, ys=ys, neuron=shown)

    def _set_labels(self) -> None:
        label, unit = OBSERVABLES[self.observable]
        self.figure.yaxis.axis_label = f"{label} [{unit}]"
        self._hover.tooltips = [("neuron", "@label"), ("time", "$snap_x{0.00} µs"), ("value", f"$snap_y{{0.00}} {unit}")]
        lines = self._lines.get(self.population, {}) if self.observable == "membrane" else {}
        for key, span in self.spans.items():
            value = lines.get(key)
            span.visible = value is not None
            if value is not None:
                span.location = float(value)


class RasterPlot(Viewer):
    """Spike raster of every recorded population, one horizontal band per population.

    ``update(time, spikes, *, partial=False)``: ``time`` in s ``(T,)``; ``spikes`` maps
    population → ``(T, N)`` array of 0/1. Population ``p`` (in dict order, bottom-up) owns the
    band ``[p, p + 1)`` on the y axis, labelled with its name at ``p + 0.5`` (so labels never
    overlap, even for 1-neuron populations); neuron ``i`` of ``N`` sits at ``p + (i + 0.5) / N``.

    Up to ``bin_threshold`` spikes are drawn as ticks from ``raster_source`` (name
    ``hx-raster-source``: ``x`` µs, ``y``, ``neuron``, ``population``). Above it the raster
    shows spike counts instead: ``binned_source`` (``hx-raster-binned``) holds one image per
    population, ``(N, bins)`` counts per neuron and time bin of ``bin_steps`` steps (a power
    of two, at most 500 bins), and ``raster_source`` is emptied. While a binned run streams,
    the images carry spare bins (NaN, transparent) and only the changed bins are patched.
    """

    bin_threshold = param.Integer(default=BIN_THRESHOLD, bounds=(1, None), doc=(
        "Above this many spikes the raster shows binned counts (the browser slows down beyond ~20 000 ticks)."))
    total = param.Integer(default=0, constant=True, doc="Number of spikes in the last update. Read-only.")
    binned = param.Boolean(default=False, constant=True, doc="Whether the raster shows binned counts. Read-only.")
    bin_steps = param.Integer(default=1, constant=True, doc="Time steps per bin when binned. Read-only.")

    def __init__(self, **params: Any):
        self.raster_source = ColumnDataSource(dict(x=np.zeros(0), y=np.zeros(0), neuron=np.zeros(0, int),
                                                   population=[]), name="hx-raster-source")
        self.binned_source = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[], population=[]),
                                              name="hx-raster-binned")
        self._separators = ColumnDataSource(dict(y=[]))
        self.figure = new_figure("hx-raster-figure", y_axis_label="population / neuron", x_range=Range1d(0, 1),
                                 y_range=Range1d(0, 1))
        # 0 spikes (below 0.5) and the spare bins of a streaming run (NaN) are transparent
        self._mapper = LinearColorMapper(palette=Greys256[::-1][32:], low=0.5, high=1, low_color="rgba(0,0,0,0)",
                                         nan_color="rgba(0,0,0,0)")
        self._image = self.figure.image(image="image", x="x", y="y", dw="dw", dh="dh", color_mapper=self._mapper,
                                        source=self.binned_source)
        self._colors = CategoricalColorMapper(palette=Category10_10, factors=[])
        self._ticks = self.figure.scatter("x", "y", marker="dash", angle=np.pi / 2, size=7, line_width=1.5,
                                          color={"field": "population", "transform": self._colors},
                                          source=self.raster_source)
        self.figure.hspan(y="y", line_color="#999999", line_dash="dashed", source=self._separators)
        self._colorbar = ColorBar(color_mapper=self._mapper, title="spikes / bin", visible=False, width=10)
        self.figure.add_layout(self._colorbar, "right")
        self._yticker = FixedTicker(ticks=[])
        self.figure.yaxis.ticker = self._yticker
        self.figure.ygrid.visible = False
        self.figure.add_tools(
            HoverTool(renderers=[self._ticks], tooltips=[
                ("population", "@population"), ("neuron", "@neuron"), ("time", "@x{0.00} µs")]),
            HoverTool(renderers=[self._image], tooltips=[
                ("population", "@population"), ("time", "$x{0.00} µs"), ("spikes", "@image")]))
        super().__init__(**params)
        self._time = np.zeros(0)
        self._spikes: dict[str, np.ndarray] = {}
        self._partial = False

    def __panel__(self):
        return pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width", css_classes=["hx-raster-plot"])

    def update(self, time, spikes: dict[str, Any], *, partial: bool = False, t_end: Optional[float] = None) -> None:
        """Show new spike recordings (see the class docstring for shapes and units). ``t_end``
        (s): the last time step the run will reach; the time axis spans it from the start.

        Raises:
            ValueError: ``time`` is not ``(T,)`` or a spike array is not ``(T, N)``.
        """
        time = _as_time(time)
        spikes = {name: _as_recording(name, array, len(time)) for name, array in spikes.items()}
        same_run = continues(self._time, time, self._partial) and {
            n: a.shape[1] for n, a in spikes.items()} == {n: a.shape[1] for n, a in self._spikes.items()}
        old_steps = len(self._time) if same_run else 0
        self._time, self._spikes, self._partial = time, spikes, partial
        total = int(sum(int(np.count_nonzero(a)) for a in spikes.values()))
        binned = total > self.bin_threshold
        with param.edit_constant(self):
            self.total = total
        if not same_run:
            self._layout_bands()
        if binned and same_run and self.binned:
            self._extend_binned(old_steps)
        elif binned:
            self._show_binned()
        elif same_run and not self.binned:
            if len(time) > old_steps:
                self.raster_source.stream(self._ticks_between(old_steps, len(time)))
        else:
            self._show_ticks()
        if len(time):
            set_range(self.figure.x_range, *time_range_us(time, t_end))

    def _ticks_between(self, start: int, stop: int) -> dict:
        parts = {key: [] for key in ("x", "y", "neuron", "population")}
        for band, (name, array) in enumerate(self._spikes.items()):
            steps, neurons = np.nonzero(array[start:stop])
            parts["x"].append(self._time[start + steps] * 1e6)
            parts["y"].append(band + (neurons + 0.5) / array.shape[1])
            parts["neuron"].append(neurons)
            parts["population"].append(np.full(len(steps), name, dtype=object))
        if not parts["x"]:
            return dict(x=np.zeros(0), y=np.zeros(0), neuron=np.zeros(0, int), population=[])
        data = {key: np.concatenate(value) for key, value in parts.items()}
        order = np.argsort(data["x"], kind="stable")
        return {key: (value[order].tolist() if key == "population" else value[order]) for key, value in data.items()}

    def _show_ticks(self) -> None:
        self.raster_source.data = self._ticks_between(0, len(self._time))
        self.binned_source.data = dict(image=[], x=[], y=[], dw=[], dh=[], population=[])
        self._colorbar.visible = False
        with param.edit_constant(self):
            self.param.update(binned=False, bin_steps=1)

    def _counts(self, array: np.ndarray, first_bin: int, width: int) -> np.ndarray:
        """Spike counts ``(N, bins)`` of ``array`` ``(T, N)`` from bin ``first_bin`` on (bins of ``width`` steps)."""
        part = array[first_bin * width:]
        return np.add.reduceat(part, np.arange(0, len(part), width), axis=0).T.astype(np.float32)

    def _show_binned(self) -> None:
        steps = len(self._time)
        width = display_stride(steps, RASTER_BINS)
        bins = -(-steps // width)
        capacity = min(RASTER_BINS, max(2 * bins, 64)) if self._partial else bins  # spare bins while streaming
        dt_us = float(self._time[1] - self._time[0]) * 1e6 if steps > 1 else 1.0
        images = []
        for array in self._spikes.values():
            image = np.full((array.shape[1], capacity), np.nan, np.float32)
            image[:, :bins] = self._counts(array, 0, width)
            images.append(image)
        names = list(self._spikes)
        self.binned_source.data = dict(
            image=images, x=[float(self._time[0] * 1e6) - dt_us / 2] * len(names), y=list(range(len(names))),
            dw=[capacity * width * dt_us] * len(names), dh=[1] * len(names), population=names)
        self._set_count_range(max([float(np.nanmax(i)) for i in images if i.size] + [1.0]))
        self._colorbar.visible = True
        if not self.binned:
            self.raster_source.data = dict(x=np.zeros(0), y=np.zeros(0), neuron=np.zeros(0, int), population=[])
        with param.edit_constant(self):
            self.param.update(binned=True, bin_steps=width)

    def _extend_binned(self, old_steps: int) -> None:
        """Patch the bins from the one holding step ``old_steps`` on (only those values are sent);
        re-send everything when the bin width doubles or the spare bins run out."""
        steps, width = len(self._time), self.bin_steps
        bins = -(-steps // width)
        images = self.binned_source.data["image"]
        if display_stride(steps, RASTER_BINS) != width or bins > images[0].shape[1]:
            self._show_binned()
            return
        first = old_steps // width  # this bin may have grown
        patches, most = [], self._mapper.high
        for index, array in enumerate(self._spikes.values()):
            counts = self._counts(array, first, width)
            patches.append(((index, slice(0, array.shape[1]), slice(first, bins)), counts.ravel()))
            most = max(most, float(counts.max(initial=0)))
        self.binned_source.patch({"image": patches})
        self._set_count_range(most)

    def _set_count_range(self, most: float) -> None:
        """Colour scale up to ``most`` spikes per bin, rounded (:func:`nice_range`) so that the
        colour bar keeps its ticks, and with them the figure its layout, while a run streams."""
        self._mapper.high = nice_range(0.5, most, (0.0, self._mapper.high))[1]

    def _layout_bands(self) -> None:
        names = list(self._spikes)
        if names == self._colors.factors:
            return
        self._colors.factors = names
        self._separators.data = dict(y=list(range(1, len(names))))
        self._yticker.ticks = [b + 0.5 for b in range(len(names))]
        self.figure.yaxis.major_label_overrides = {b + 0.5: name for b, name in enumerate(names)}
        set_range(self.figure.y_range, 0, max(len(names), 1))
