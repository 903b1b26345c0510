"""Helpers around models (spec §9.5–§9.6): state-dict mapping, readout sources, calibration paths."""

from . import calib_helper, model_mapper, readout_source
from .model_mapper import MixinHXModelMapper

__all__ = ["MixinHXModelMapper", "calib_helper", "model_mapper", "readout_source"]
