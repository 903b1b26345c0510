"""Panel/Bokeh components of hxstudio.

They take plain data (lists, dicts, numpy arrays) and report changes through
callbacks and param events; nothing here imports torch or ``hxstudio.backend``,
and nothing runs at import (the app calls ``pn.extension(..., inline=True)``).
"""

from .network_editor import KINDS, NetworkEditor
from .parameter_panel import ParameterPanel, format_readout
from .plots import MAX_TRACES, RasterPlot, TracePlot
from .run_controls import RunControls
from .stimulus_editor import StimulusEditor, format_spike_times, parse_spike_times
from .sweep_panel import SweepPanel

__all__ = [
    "KINDS",
    "MAX_TRACES",
    "NetworkEditor",
    "ParameterPanel",
    "RasterPlot",
    "RunControls",
    "StimulusEditor",
    "SweepPanel",
    "TracePlot",
    "format_readout",
    "format_spike_times",
    "parse_spike_times",
]
