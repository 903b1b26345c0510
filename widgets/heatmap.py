"""Population heatmap: the membrane of every neuron of one population over time.

One Bokeh ``image`` glyph of ``(N, columns)`` CADC LSB values, row ``i`` = neuron ``i``
(centred on ``y = i``), columns every ``stride``-th time step (:func:`display_stride` with at
most :data:`HEATMAP_COLUMNS` columns). A 512 × 1000 image redraws at ~60 fps in headless
chromium (ui-notes §B.3), unlike 512 separate traces. Clicking a row calls
``on_pick(population, neuron)``; the studio uses it to add that neuron's trace.

Streaming: during a partial run the image is allocated with spare columns (NaN, drawn
transparent) and each update patches only the new columns (``ColumnDataSource.patch``);
the image is re-sent whole when a new run starts, the population changes, the spare
columns run out or the stride doubles.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LinearColorMapper, Range1d
from bokeh.palettes import Viridis256
from panel.viewable import Viewer

from .plots import _as_recording, _as_time, continues, display_stride, new_figure, nice_range, set_range, time_range_us

__all__ = ["HEATMAP_COLUMNS", "PopulationHeatmap"]

HEATMAP_COLUMNS = 1000


class PopulationHeatmap(Viewer):
    """Neurons × time image of one population's membrane (CADC LSB), with a colour bar.

    ``update(time, membrane, *, partial=False)``: ``time`` in s ``(T,)``; ``membrane`` maps
    population → ``(T, N)`` CADC LSB. ``heatmap_source`` (name ``hx-heatmap-source``) holds
    one row: ``image`` ``(N, capacity)`` float32 (columns past the data are NaN), ``x``, ``dw``
    (µs), ``y = -0.5``, ``dh = N``. Hover shows neuron, time (µs) and value (CADC LSB).

    Args:
        on_pick: ``callable(population, neuron)`` called when the user clicks a row.
    """

    population = param.Selector(default=None, objects=[], allow_None=True, doc="Population shown.")

    def __init__(self, on_pick: Optional[Callable[[str, int], None]] = None, **params: Any):
        self.on_pick = on_pick
        self.heatmap_source = ColumnDataSource(dict(image=[np.full((1, 1), np.nan, np.float32)], x=[0.0], y=[-0.5],
                                                    dw=[1.0], dh=[1.0]), name="hx-heatmap-source")
        self.mapper = LinearColorMapper(palette=Viridis256, nan_color="rgba(0,0,0,0)", low=0, high=1)
        self.figure = new_figure("hx-heatmap-figure", y_axis_label="neuron", x_range=Range1d(0, 1),
                                 y_range=Range1d(-0.5, 0.5))
        image = self.figure.image(image="image", x="x", y="y", dw="dw", dh="dh", color_mapper=self.mapper,
                                  source=self.heatmap_source)
        self.figure.add_layout(ColorBar(color_mapper=self.mapper, title="CADC LSB", width=12), "right")
        self.figure.add_tools(HoverTool(renderers=[image], tooltips=[
            ("neuron", "$y{0}"), ("time", "$x{0.00} µs"), ("value", "@image{0.0} CADC LSB")]))
        self.figure.on_event(Tap, self._on_tap)
        super().__init__(**params)
        self._time = np.zeros(0)
        self._membrane: dict[str, np.ndarray] = {}
        self._partial = False
        self._t_end: Optional[float] = None
        self._stride = 1
        self._columns = 0  # columns of the image filled with data
        self._layout = pn.Column(
            pn.Row(pn.widgets.Select.from_param(self.param.population, label="Heatmap population", width=200),
                   pn.pane.Markdown("Click a row to add that neuron's trace.", margin=(25, 10, 0, 10))),
            pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
            sizing_mode="stretch_width", css_classes=["hx-heatmap"])

    def __panel__(self):
        return self._layout

    def update(self, time, membrane: dict[str, Any], *, partial: bool = False, t_end: Optional[float] = None) -> None:
        """Show new recordings (see the class docstring for shapes and units). ``t_end`` (s): the
        last time step the run will reach; the time axis spans it from the first partial update.

        Raises:
            ValueError: ``time`` is not ``(T,)`` or an array is not ``(T, N)`` (naming the population).
        """
        time = _as_time(time)
        membrane = {name: _as_recording(name, array, len(time)) for name, array in membrane.items()}
        same_run = continues(self._time, time, self._partial) and {
            n: a.shape[1] for n, a in membrane.items()} == {n: a.shape[1] for n, a in self._membrane.items()}
        self._time, self._membrane, self._partial, self._t_end = time, membrane, partial, t_end
        columns = -(-len(time) // self._stride)
        image = self.heatmap_source.data["image"][0]
        if same_run and display_stride(len(time), HEATMAP_COLUMNS) == self._stride and columns <= image.shape[1]:
            self._extend(columns)
            return
        names = list(membrane)
        self.param.population.objects = names
        population = self.population if self.population in names else (names[0] if names else None)
        if population == self.population:
            self._refresh()
        else:
            self.population = population  # refreshes

    @property
    def _dt_us(self) -> float:
        return float(self._time[1] - self._time[0]) * 1e6 if len(self._time) > 1 else 1.0

    def _extend(self, columns: int) -> None:
        """Patch columns ``[_columns, columns)`` into the image (only the new values are sent)."""
        array = self._membrane.get(self.population)
        if array is None or columns <= self._columns:
            return
        block = np.ascontiguousarray(array[self._columns * self._stride::self._stride].T, dtype=np.float32)
        rows = block.shape[0]
        self.heatmap_source.patch({"image": [((0, slice(0, rows), slice(self._columns, columns)), block.ravel())]})
        self._columns = columns
        self._set_ranges(block)

    @param.depends("population", watch=True)
    def _refresh(self) -> None:
        array = self._membrane.get(self.population)
        self._stride = display_stride(len(self._time), HEATMAP_COLUMNS)
        if array is None or not len(self._time):
            self._columns = 0
            self.heatmap_source.data = dict(image=[np.full((1, 1), np.nan, np.float32)], x=[0.0], y=[-0.5],
                                            dw=[1.0], dh=[1.0])
            self.figure.title.text = ""
            return
        shown = np.ascontiguousarray(array[::self._stride].T, dtype=np.float32)
        self._columns = shown.shape[1]
        capacity = min(HEATMAP_COLUMNS, max(2 * self._columns, 64)) if self._partial else self._columns
        image = np.full((shown.shape[0], capacity), np.nan, np.float32)
        image[:, : self._columns] = shown
        step = self._stride * self._dt_us
        self.heatmap_source.data = dict(image=[image], x=[float(self._time[0] * 1e6) - step / 2], y=[-0.5],
                                        dw=[capacity * step], dh=[float(image.shape[0])])
        self.figure.title.text = f"{self.population} · all {image.shape[0]} neurons · membrane [CADC LSB]"
        set_range(self.figure.y_range, -0.5, image.shape[0] - 0.5)
        self._set_ranges(shown, reset=True)

    def _set_ranges(self, new: np.ndarray, reset: bool = False) -> None:
        """Colour range over ``new`` (with ``reset``; else over ``new`` and the range shown),
        kept while it still fits (:func:`~hxstudio.widgets.plots.nice_range`); time axis over the run."""
        finite = new[np.isfinite(new)]
        if finite.size:
            current = (self.mapper.low, self.mapper.high)
            low, high = float(finite.min()), float(finite.max())
            if not reset:
                low, high = min(low, current[0]), max(high, current[1])
            low, high = nice_range(low, high, current)
            self.mapper.update(low=low, high=high)
        step = self._stride * self._dt_us
        start, end = time_range_us(self._time, self._t_end)
        set_range(self.figure.x_range, start - step / 2, end + step / 2)

    def _on_tap(self, event) -> None:
        array = self._membrane.get(self.population)
        if array is None or event.y is None:
            return
        neuron = int(np.floor(event.y + 0.5))
        if 0 <= neuron < array.shape[1] and self.on_pick is not None:
            self.on_pick(self.population, neuron)
