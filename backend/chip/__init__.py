"""BrainScaleS-2 chip facts: calibration ranges, units and defaults (spec §8)."""

from .calib_target import NeuronCalibTarget, SpikingCalibTarget  # noqa: F401
from .parameters import PARAMETERS, ParamSpec, spec_for  # noqa: F401

__all__ = ["PARAMETERS", "ParamSpec", "spec_for", "NeuronCalibTarget", "SpikingCalibTarget"]
