"""Set up a parameter sweep and watch it fill in: a heatmap (two parameters) or a line (one).

The panel takes plain data and reports through callbacks; it never runs anything itself.

* ``options``: the sweepable parameters, plain dicts ``{"name", "label", "unit", "value", "soft",
  "step", "integer"}`` in SI units (``hxstudio.sweep.parameter_choices`` makes them);
  ``metrics``: metric names such as ``"rate:hidden"``; ``executors``: where to run.
* Pressing *Run* calls ``on_run(spec)`` with ``spec = {"axes": [{"name", "values"}, …],
  "metric", "seeds", "executor"}``; values are SI (the inputs show µs for seconds and kHz for Hz).
* The owner then calls :meth:`SweepPanel.begin` with the axes, :meth:`SweepPanel.add` with the
  points as they arrive (from the Bokeh document's thread), and :meth:`SweepPanel.finish`.
  Several seeds of one parameter set share a cell; the cell shows their mean.
* Clicking a cell (or a point of the line) calls ``on_pick(values)`` with that parameter set.

Browser selectors: ``.hx-sweep-run``, ``.hx-sweep-cancel``, ``.hx-sweep-progress``,
``.hx-sweep-plot``, ``.hx-sweep-error``.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import panel as pn
import param
from bokeh.models import (
    BasicTicker,
    ColorBar,
    ColumnDataSource,
    DataRange1d,
    FixedTicker,
    HoverTool,
    LinearColorMapper,
    Range1d,
    TapTool,
)
from bokeh.palettes import Viridis256
from bokeh.plotting import figure
from panel.viewable import Viewer

__all__ = ["SweepPanel", "ADDRESS", "sweep_display_unit"]

#: Executor entry that uses the scheduler address typed next to it.
ADDRESS = "scheduler address"
_NONE = "(none)"
#: Most values per axis (a 2-D sweep of 50 × 50 is 2500 runs).
MAX_VALUES = 50
# SI unit -> (display unit, factor SI -> display)
_UNITS = {"s": ("µs", 1e6), "Hz": ("kHz", 1e-3)}


def sweep_display_unit(unit: str) -> tuple:
    """``(display unit, factor SI → display)``: s → µs (hardware time), Hz → kHz, others as is."""
    return _UNITS.get(unit, ("" if unit == "1" else unit, 1.0))


def _clean(x: float) -> float:
    return float(f"{x:.12g}")


def _fmt(value: float, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    shown, factor = sweep_display_unit(unit)
    return f"{_clean(value * factor):.4g} {shown}".strip()


class SweepPanel(Viewer):
    """Choose one or two parameters and their ranges, a metric, seeds and an executor; run; watch.

    See the module docstring for the data in and the callbacks out. Example::

        panel = SweepPanel(options=parameter_choices(net), metrics=["latency:neuron"])
        panel.on_run = lambda spec: print(spec)
    """

    options = param.List(default=[], doc=(
        "Sweepable parameters: dicts {name, label, unit, value, soft, step, integer} in SI units."))
    metrics = param.List(default=[], doc="Metric choices, e.g. ['rate:hidden', 'latency:hidden'].")
    executors = param.List(default=["local", "threads", "dask", ADDRESS], doc=(
        f"Executor choices; {ADDRESS!r} uses the address typed beside it (tcp://host:port)."))
    running = param.Boolean(default=False, doc="A sweep is running: Run is disabled, Cancel enabled.")
    done = param.Integer(default=0, bounds=(0, None), doc="Points finished in the current sweep.")
    total = param.Integer(default=0, bounds=(0, None), doc="Points in the current sweep (seeds included).")
    status = param.String(default="", doc="Status text shown under the controls.")
    error = param.String(default="", doc="Error message shown in a red box; '' hides it.")
    on_run = param.Callable(default=None, allow_None=True, doc=(
        "on_run(spec): Run was pressed; spec = {'axes': [{'name', 'values'}], 'metric', 'seeds', 'executor'} "
        "with values in SI units. None to ignore."))
    on_cancel = param.Callable(default=None, allow_None=True, doc="on_cancel(): Cancel was pressed. None to ignore.")
    on_pick = param.Callable(default=None, allow_None=True, doc=(
        "on_pick(values): a cell was clicked; values maps parameter name → value (SI). None to ignore."))

    def __init__(self, **params: Any):
        self._axis = []
        for k in range(2):
            self._axis.append(dict(
                name=pn.widgets.Select(label=f"parameter {k + 1}", options=[], width=230),
                start=pn.widgets.FloatInput(label="from", width=100),
                stop=pn.widgets.FloatInput(label="to", width=100),
                count=pn.widgets.IntInput(label="values", value=9 if k == 0 else 5, start=1, end=MAX_VALUES,
                                          width=80),
            ))
        self._metric = pn.widgets.Select(label="metric", options=[], width=200)
        self._seeds = pn.widgets.IntInput(label="seeds", value=1, start=1, end=100, width=80)
        self._executor = pn.widgets.Select(label="run on", options=[], width=150)
        self._address = pn.widgets.TextInput(label="scheduler", placeholder="tcp://127.0.0.1:8786", width=200,
                                             visible=False)
        self._run = pn.widgets.Button(label="▶ Sweep", color="primary", width=100, css_classes=["hx-sweep-run"])
        self._cancel = pn.widgets.Button(label="■ Cancel", width=100, disabled=True, css_classes=["hx-sweep-cancel"])
        self._progress = pn.indicators.Progress(value=0, max=1, width=200, margin=(18, 10),
                                                css_classes=["hx-sweep-progress"])
        self._status = pn.pane.Str("", margin=(0, 10))
        self._alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width",
                                    css_classes=["hx-sweep-error"])
        # one row per cell: i, j (cell indices), x (1-D: first parameter, display units), value (the
        # metric's mean, SI), y (the same in display units: line height and colour), count, errors,
        # label and shown (hover texts)
        self.source = ColumnDataSource(dict(i=[], j=[], x=[], value=[], y=[], count=[], errors=[], label=[],
                                            shown=[]),
                                       name="hx-sweep-source")
        self.color_mapper = LinearColorMapper(palette=Viridis256, low=0, high=1, nan_color="#dddddd")
        self.figure = figure(height=320, sizing_mode="stretch_width", tools="pan,wheel_zoom,reset,save",
                             toolbar_location="above", output_backend="canvas")
        self._rect = self.figure.rect("i", "j", width=1, height=1, source=self.source, line_color=None,
                                      fill_color={"field": "y", "transform": self.color_mapper},
                                      selection_line_color="#d62728", selection_line_width=3,
                                      nonselection_fill_alpha=1.0)
        self._line = self.figure.line("x", "y", source=self.source, line_width=2, visible=False)
        self._dots = self.figure.scatter("x", "y", source=self.source, size=8, visible=False,
                                         selection_color="#d62728", nonselection_alpha=1.0)
        self.color_bar = ColorBar(color_mapper=self.color_mapper, width=10, visible=False)
        self.figure.add_layout(self.color_bar, "right")
        self.figure.add_tools(TapTool(renderers=[self._rect, self._dots]),
                              HoverTool(renderers=[self._rect, self._dots],
                                        tooltips=[("point", "@label"), ("metric", "@shown"), ("runs", "@count"),
                                                  ("errors", "@errors")]))
        super().__init__(**params)
        self._axes: list = []       # axes of the sweep on screen: dicts name/label/unit/values
        self._cells: dict = {}      # tuple of value indices -> row in source
        self._sums = np.zeros(0)
        self._finite: dict = {}   # row -> number of finite values summed
        self._unit = ""
        self._run.on_click(lambda _event: self.run())
        self._cancel.on_click(lambda _event: self.cancel())
        for k, axis in enumerate(self._axis):
            axis["name"].param.watch(lambda event, k=k: self._prefill(k), "value")
        self._executor.param.watch(self._show_address, "value")
        self.source.selected.on_change("indices", self._selected)
        rows = [pn.Row(a["name"], a["start"], a["stop"], a["count"]) for a in self._axis]
        self._layout = pn.Column(
            *rows,
            pn.Row(self._metric, self._seeds, self._executor, self._address),
            pn.Row(self._run, self._cancel, self._progress),
            self._status, self._alert,
            pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
            sizing_mode="stretch_width", css_classes=["hx-sweep-plot"],
        )
        self._sync_options()
        self._sync_state()

    def __panel__(self):
        return self._layout

    # -- params -> widgets --------------------------------------------------------------------

    def _option(self, name: str):
        return next((o for o in self.options if o["name"] == name), None)

    @param.depends("options", "metrics", "executors", watch=True)
    def _sync_options(self) -> None:
        names = [o["name"] for o in self.options]
        first, second = self._axis[0]["name"], self._axis[1]["name"]
        keep = [first.value, second.value]
        first.options = names
        second.options = [_NONE] + names
        preferred = next((n for n in names if n.endswith(".threshold")), names[0] if names else None)
        first.value = keep[0] if keep[0] in names else preferred
        second.value = keep[1] if keep[1] in names else _NONE
        for k in range(2):
            self._prefill(k)
        metric = self._metric.value
        self._metric.options = list(self.metrics)
        self._metric.value = metric if metric in self.metrics else (self.metrics[0] if self.metrics else None)
        executor = self._executor.value
        self._executor.options = list(self.executors)
        self._executor.value = executor if executor in self.executors else (
            self.executors[0] if self.executors else None)

    def _prefill(self, k: int) -> None:
        axis = self._axis[k]
        option = self._option(axis["name"].value)
        for key in ("start", "stop", "count"):
            axis[key].disabled = option is None
        if option is None:
            return
        shown, factor = sweep_display_unit(option["unit"])
        suffix = f" ({shown})" if shown else ""
        axis["start"].label, axis["stop"].label = f"from{suffix}", f"to{suffix}"
        low, high = option["soft"]
        axis["start"].value, axis["stop"].value = _clean(low * factor), _clean(high * factor)
        axis["start"].step = axis["stop"].step = _clean(option["step"] * factor) if option["step"] else 0.1

    def _show_address(self, _event=None) -> None:
        self._address.visible = self._executor.value == ADDRESS

    @param.depends("running", "done", "total", "status", "error", watch=True)
    def _sync_state(self) -> None:
        self._run.disabled = self.running
        self._cancel.disabled = not self.running
        self._progress.param.update(max=max(self.total, 1), value=min(self.done, max(self.total, 1)))
        self._status.object = html.escape(self.status, quote=False)
        self._alert.param.update(object=html.escape(self.error, quote=False), visible=bool(self.error))

    # -- user actions ---------------------------------------------------------------------------

    def spec(self) -> dict:
        """The sweep the inputs describe (what *Run* sends); raises ``ValueError`` for bad input."""
        axes = []
        for k, axis in enumerate(self._axis):
            option = self._option(axis["name"].value)
            if option is None:
                if k == 0:
                    raise ValueError("choose a parameter to sweep")
                continue
            start, stop, count = axis["start"].value, axis["stop"].value, axis["count"].value
            if start is None or stop is None or not (math.isfinite(start) and math.isfinite(stop)):
                raise ValueError(f"{option['label']}: give a start and an end value")
            if count is None or not 1 <= count <= MAX_VALUES:
                raise ValueError(f"{option['label']}: the number of values must be 1 to {MAX_VALUES}")
            _, factor = sweep_display_unit(option["unit"])
            values = [_clean(v / factor) for v in np.linspace(start, stop, int(count))]
            if option.get("integer"):
                values = list(dict.fromkeys(int(round(v)) for v in values))  # whole numbers, no repeats
            axes.append({"name": option["name"], "values": values})
        if len(axes) == 2 and axes[0]["name"] == axes[1]["name"]:
            raise ValueError("choose two different parameters")
        executor = self._executor.value
        if executor == ADDRESS:
            executor = (self._address.value or "").strip()
            if not executor:
                raise ValueError("type the scheduler address, e.g. tcp://127.0.0.1:8786")
        if not self._metric.value:
            raise ValueError("choose a metric")
        return {"axes": axes, "metric": self._metric.value, "seeds": int(self._seeds.value or 1),
                "executor": executor}

    def run(self) -> None:
        """Press *Run* from Python (same as a click)."""
        if self.running or self.on_run is None:
            return
        try:
            spec = self.spec()
        except ValueError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.on_run(spec)

    def cancel(self) -> None:
        """Press *Cancel* from Python (same as a click)."""
        if self.running and self.on_cancel is not None:
            self.on_cancel()

    def pick(self, index: int) -> None:
        """Click cell ``index`` (row of :attr:`source`) from Python."""
        self.source.selected.indices = [int(index)]

    def _selected(self, _attr, _old, new) -> None:
        if not new or self.on_pick is None or new[0] >= len(self.source.data["i"]):
            return
        key = next(key for key, row in self._cells.items() if row == new[0])
        self.on_pick({axis["name"]: axis["values"][i] for axis, i in zip(self._axes, key)})

    # -- the owner feeds the plot -----------------------------------------------------------------

    def begin(self, axes: list, metric: str, unit: str = "", total: int | None = None) -> None:
        """Show an empty sweep: ``axes`` = ``[{"name", "values", "unit"?, "label"?}]`` (1 or 2), the
        metric's name and unit, and the number of points (default: the number of cells)."""
        if not 1 <= len(axes) <= 2:
            raise ValueError(f"SweepPanel: 1 or 2 axes, got {len(axes)}")
        self._axes = [{**a, "unit": a.get("unit") or (self._option(a["name"]) or {}).get("unit", ""),
                       "label": a.get("label") or a["name"], "values": list(a["values"])} for a in axes]
        self._unit = unit
        shape = [len(a["values"]) for a in self._axes]
        keys = list(np.ndindex(*shape))
        self._cells = {key: row for row, key in enumerate(keys)}
        self._sums = np.zeros(len(keys))
        self._finite = {}
        first = self._axes[0]
        _, fx = sweep_display_unit(first["unit"])
        self.source.selected.indices = []
        self.source.data = dict(
            i=[float(k[0]) for k in keys], j=[float(k[1]) if len(k) > 1 else 0.0 for k in keys],
            x=[_clean(first["values"][k[0]] * fx) for k in keys], value=[math.nan] * len(keys),
            y=[math.nan] * len(keys),
            count=[0] * len(keys), errors=[0] * len(keys),
            label=[", ".join(f"{a['label']} = {_fmt(a['values'][i], a['unit'])}" for a, i in zip(self._axes, k))
                   for k in keys],
            shown=["—"] * len(keys))
        two = len(self._axes) == 2
        self._rect.visible = self.color_bar.visible = two
        self._line.visible = self._dots.visible = not two
        for grid in self.figure.grid:  # grid lines would cross the heatmap's cells
            grid.visible = not two
        shown, _ = sweep_display_unit(unit)
        metric_label = f"{metric} [{shown}]" if shown else metric
        self.figure.title.text = metric_label
        self.figure.xaxis.axis_label = _axis_label(first)
        if two:
            second = self._axes[1]
            self.figure.yaxis.axis_label = _axis_label(second)
            for ax, axis in ((self.figure.xaxis, first), (self.figure.yaxis, second)):
                ax.ticker = FixedTicker(ticks=list(range(len(axis["values"]))))
                factor = sweep_display_unit(axis["unit"])[1]
                ax.major_label_overrides = {k: f"{_clean(v * factor):.4g}" for k, v in enumerate(axis["values"])}
            self.figure.x_range = Range1d(-0.5, shape[0] - 0.5)
            self.figure.y_range = Range1d(-0.5, shape[1] - 0.5)
        else:
            self.figure.yaxis.axis_label = metric_label
            for ax in (self.figure.xaxis, self.figure.yaxis):
                ax.major_label_overrides = {}
                ax.ticker = BasicTicker()
            self.figure.x_range = DataRange1d(renderers=[self._dots])  # follow the line's data only
            self.figure.y_range = DataRange1d(renderers=[self._dots])
        self.param.update(running=True, done=0, total=int(total if total is not None else len(keys)), error="")

    def add(self, points: list) -> None:
        """Add finished points: dicts ``{"values": {name: value}, "value": float, "error": str}``.

        A cell shows the mean of its finite values (seeds); NaN values (e.g. no spike) and errors
        leave it grey until a finite value arrives.
        """
        if not self._axes or not points:
            return
        index = [{v: i for i, v in enumerate(a["values"])} for a in self._axes]
        data = self.source.data
        count, errors, value = list(data["count"]), list(data["errors"]), list(data["value"])
        finite = {}
        rows = set()
        for point in points:
            try:
                key = tuple(ix[point["values"][a["name"]]] for ix, a in zip(index, self._axes))
            except KeyError:
                continue  # not a point of this sweep
            row = self._cells[key]
            rows.add(row)
            v = point.get("value", math.nan)
            if point.get("error"):
                errors[row] += 1
            elif v is not None and math.isfinite(v):
                self._sums[row] += v
                finite[row] = finite.get(row, 0) + 1
            count[row] += 1
        for row, n in finite.items():
            self._finite[row] = self._finite.get(row, 0) + n
            value[row] = self._sums[row] / self._finite[row]
        patch = {}
        factor = sweep_display_unit(self._unit)[1]
        y = [v * factor for v in value]
        for column, new in (("value", value), ("y", y), ("count", count), ("errors", errors)):
            patch[column] = [(row, new[row]) for row in sorted(rows)]
        patch["shown"] = [(row, _fmt(value[row], self._unit)) for row in sorted(rows)]
        self.source.patch(patch)
        good = [v for v in y if math.isfinite(v)]
        if good:
            low, high = min(good), max(good)
            if low == high:
                low, high = low - 0.5 * abs(low or 1), high + 0.5 * abs(high or 1)
            self.color_mapper.update(low=low, high=high)
        self.done += len(points)

    def finish(self, status: str = "", error: str = "") -> None:
        """The sweep ended: show ``status`` (and ``error``), enable *Run* again."""
        self.param.update(running=False, status=status, error=error)

    @property
    def values(self) -> np.ndarray:
        """The cell means on screen: shape ``(n1,)`` or ``(n1, n2)``; NaN where nothing arrived."""
        shape = [len(a["values"]) for a in self._axes]
        return np.asarray(self.source.data["value"], dtype=float).reshape(shape) if shape else np.zeros(0)


def _axis_label(axis: dict) -> str:
    shown, _ = sweep_display_unit(axis["unit"])
    return f"{axis['label']} [{shown}]" if shown else axis["label"]

