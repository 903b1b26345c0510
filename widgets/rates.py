"""Per-population firing-rate summary: spike count and mean rate in kHz of hardware time.

BSS-2 runs 1000× faster than biology, so rates are reported in kHz of hardware time
(1 kHz hardware ≙ 1 Hz biological).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, Range1d
from bokeh.plotting import figure
from panel.viewable import Viewer

from .plots import nice_range, set_range, shown_range

__all__ = ["RateSummary", "rate_table"]


def rate_table(spikes: dict[str, Any], duration: float) -> dict[str, list]:
    """Rows of the summary: ``population``, ``neurons``, ``spikes`` and ``rate_khz``.

    Args:
        spikes: population → 0/1 spikes ``(T, N)`` (or ``(T, B, N)``: all batch entries count).
        duration: recorded hardware time in s (``T·dt``), > 0 unless there are no steps.

    ``rate_khz`` = spikes / (neurons · batch · duration) / 1000: the mean rate of one neuron.
    """
    rows = dict(population=[], neurons=[], spikes=[], rate_khz=[])
    for name, array in spikes.items():
        array = np.asarray(array)
        count = int(np.count_nonzero(array))
        per_neuron = array[0].size if array.ndim else 0
        rows["population"].append(name)
        rows["neurons"].append(array.shape[-1])
        rows["spikes"].append(count)
        rows["rate_khz"].append(count / (per_neuron * duration) / 1e3 if per_neuron and duration > 0 else 0.0)
    return rows


class RateSummary(Viewer):
    """Horizontal bars of the mean firing rate (kHz, hardware time) per spiking population.

    ``update(spikes, duration)`` as :func:`rate_table`; ``rate_source`` (name ``hx-rate-source``)
    holds the rows plus a ``label`` ("<spikes> spikes · <rate> kHz") drawn beside each bar.
    Hover shows population, neurons, spikes and rate. Unchanged rows are not re-sent.
    """

    def __init__(self, **params: Any):
        super().__init__(**params)
        self.rate_source = ColumnDataSource(dict(rate_table({}, 0.0), label=[]), name="hx-rate-source")
        self.figure = figure(y_range=FactorRange(), x_range=Range1d(0, 1), height=90, sizing_mode="stretch_width", toolbar_location=None,
                             x_axis_label="mean rate per neuron [kHz, hardware time]", name="hx-rate-figure",
                             output_backend="canvas")
        bars = self.figure.hbar(y="population", right="rate_khz", height=0.6, color="#9ecae1",
                                source=self.rate_source)
        self.figure.text(x=0, y="population", text="label", x_offset=4, text_baseline="middle",
                         text_font_size="11px", source=self.rate_source)
        self.figure.add_tools(HoverTool(renderers=[bars], tooltips=[
            ("population", "@population"), ("neurons", "@neurons"), ("spikes", "@spikes"),
            ("rate", "@rate_khz{0.000} kHz")]))
        self._layout = pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                                 sizing_mode="stretch_width", css_classes=["hx-rates"])

    def __panel__(self):
        return self._layout

    def update(self, spikes: dict[str, Any], duration: float) -> None:
        """Show the rates of a new (or grown) result."""
        rows = rate_table(spikes, duration)
        rows["label"] = [f"{n} spikes · {r:.3f} kHz" for n, r in zip(rows["spikes"], rows["rate_khz"])]
        if rows == dict(self.rate_source.data):
            return
        if rows["population"] != list(self.figure.y_range.factors):
            self.figure.y_range.factors = rows["population"]
            self.figure.height = 50 + 28 * max(len(rows["population"]), 1)
        self.rate_source.data = rows
        current = (-math.inf, shown_range(self.figure.x_range)[1])  # the axis starts at 0 anyway
        set_range(self.figure.x_range, 0, nice_range(0.0, max(rows["rate_khz"], default=0.0) or 1.0, current)[1])
