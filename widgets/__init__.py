"""Panel/Bokeh components of hxstudio.

They take plain data (lists, dicts, numpy arrays) and report changes through
callbacks and param events; nothing here imports torch or ``hxstudio.backend``,
and nothing runs at import (the app calls ``pn.extension(..., inline=True)``).
"""

from .heatmap import PopulationHeatmap
from .network_editor import KINDS, NetworkEditor
from .parameter_panel import ParameterPanel, format_readout
from .plot_export import DataDownloads, csv_bytes, npz_bytes
from .plots import MAX_TRACES, RasterPlot, TracePlot
from .rates import RateSummary
from .resource_meter import ResourceMeter
from .results_view import ResultsView
from .run_controls import RunControls
from .stimulus_editor import StimulusEditor, format_spike_times, parse_spike_times
from .sweep_panel import SweepPanel

__all__ = [
    "DataDownloads",
    "KINDS",
    "MAX_TRACES",
    "NetworkEditor",
    "ParameterPanel",
    "PopulationHeatmap",
    "RasterPlot",
    "RateSummary",
    "ResourceMeter",
    "ResultsView",
    "RunControls",
    "StimulusEditor",
    "SweepPanel",
    "TracePlot",
    "csv_bytes",
    "format_readout",
    "format_spike_times",
    "npz_bytes",
    "parse_spike_times",
]
