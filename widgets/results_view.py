"""The plots area of the studio: traces, population heatmap, raster, rate summary, export.

:class:`ResultsView` only lays the plots out and owns the options that concern all of them
(WebGL toggle ``.hx-webgl``, "keep previous run" toggle ``.hx-keep-previous``, data
downloads); the caller feeds each plot through its own ``update``. A click on a heatmap row
adds that neuron to the trace plot.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import panel as pn
import param
from panel.viewable import Viewer

from .bokeh_fix import bokeh_fix
from .draw_ack import draw_ack
from .heatmap import PopulationHeatmap
from .plot_export import DataDownloads
from .plots import RasterPlot, TracePlot, set_backend
from .rates import RateSummary

__all__ = ["ResultsView"]


class ResultsView(Viewer):
    """Traces, heatmap, raster and rate table of one run, with the plot options.

    Args:
        get_arrays: returns the current run's ``Result.arrays()`` (``None`` before a run) for
            the CSV/NPZ downloads.

    Attributes: ``traces`` (:class:`TracePlot`), ``heatmap`` (:class:`PopulationHeatmap`),
    ``raster`` (:class:`RasterPlot`), ``rates`` (:class:`RateSummary`), ``downloads``, ``ack``
    (:class:`~hxstudio.widgets.draw_ack.DrawAck`: the page's acknowledgement of drawn updates).
    """

    webgl = param.Boolean(default=False, doc=(
        "Draw the plots with WebGL: faster on a real GPU, much slower under software GL (headless, CI)."))

    def __init__(self, get_arrays: Callable[[], Optional[dict[str, Any]]] = lambda: None, **params: Any):
        super().__init__(**params)
        self.traces = TracePlot()
        self.heatmap = PopulationHeatmap(on_pick=self.traces.add_neuron)
        self.raster = RasterPlot()
        self.rates = RateSummary()
        self.downloads = DataDownloads(get_arrays)
        self.ack = draw_ack()
        self.traces.figure.tags = [self.ack]  # in the page with the plots
        options = pn.Row(
            pn.widgets.Checkbox.from_param(self.traces.param.keep_previous, name="keep previous run",
                                           css_classes=["hx-keep-previous"], width=150, margin=(18, 10, 0, 10)),
            pn.widgets.Checkbox.from_param(self.param.webgl, name="WebGL", css_classes=["hx-webgl"], width=80,
                                           margin=(18, 10, 0, 10)),
            self.downloads,
            sizing_mode="stretch_width",
        )
        self._layout = pn.Column(bokeh_fix(), options, self.traces,
                                 pn.Row(self.heatmap, self.raster, sizing_mode="stretch_width"),
                                 self.rates, sizing_mode="stretch_width", css_classes=["hx-results"])

    def __panel__(self):
        return self._layout

    @property
    def figures(self) -> list:
        """The Bokeh figures of the traces, heatmap and raster."""
        return [self.traces.figure, self.heatmap.figure, self.raster.figure]

    @param.depends("webgl", watch=True)
    def _set_backend(self) -> None:
        for fig in self.figures:
            set_backend(fig, self.webgl)
