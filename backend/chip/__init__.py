"""BrainScaleS-2 chip facts (calibration ranges, units, defaults; spec §8) and the emulated chip.

* :mod:`.parameters`, :mod:`.calib_target`: calibratable parameters and calix-like targets.
* :class:`EmulatedChip` (:mod:`.emulator`): the target of ``Experiment(mock=False)``.
* :func:`plan`/:class:`ResourceUsage` (:mod:`.resources`): placement and synapse-row budget.
* :func:`calibrate`/:class:`CalibrationResult` (:mod:`.calibration`).
* :func:`hardware_weight` (:mod:`.weights`), CADC/MADC readout (:mod:`.adc`).
"""

from .calib_target import NeuronCalibTarget, SpikingCalibTarget  # noqa: F401
from .parameters import PARAMETERS, ParamSpec, spec_for  # noqa: F401
from .resources import MADCRecordingError, ResourceUsage, plan  # noqa: F401
from .weights import hardware_weight  # noqa: F401
from .calibration import CalibrationRangeWarning, CalibrationResult, calibrate  # noqa: F401
from .emulator import EmulatedChip, EmulatorWarning, default_chip  # noqa: F401

__all__ = ["PARAMETERS", "ParamSpec", "spec_for", "NeuronCalibTarget", "SpikingCalibTarget",
           "EmulatedChip", "default_chip", "EmulatorWarning", "plan", "ResourceUsage",
           "MADCRecordingError", "calibrate", "CalibrationResult", "CalibrationRangeWarning",
           "hardware_weight"]
