"""Calibration of the emulated chip: per-circuit settings that cancel the fixed-pattern spread.

On BrainScaleS-2, calix searches per neuron circuit the CapMem settings that make the measured
leak, reset, threshold and time constants hit their targets (spec §8.4); what remains is a small
residual spread. :func:`calibrate` does the same for an
:class:`~hxstudio.backend.chip.EmulatedChip`: the chip's raw (uncalibrated) deviations are known
(:meth:`EmulatedChip.raw_deviation`), the *settings* are the targets corrected by them, and the
realised values are ``target + residual`` with the residual drawn from the calibrated spread
(:data:`~hxstudio.backend.chip.emulator.MISMATCH`). Targets outside calix's feasible range
(:data:`~hxstudio.backend.chip.PARAMETERS` ``calibrated``) warn with
:class:`CalibrationRangeWarning`; those circuits keep their raw deviation (calix cannot reach them).

How the emulator uses it: a chip built with ``calibrated=True`` calibrates, at each run, the dense
target written by the populations (``Population.calibration_from_params``) and runs every neuron
with :meth:`CalibrationResult.realised` values. The result is cached per chip seed and target, so
repeated runs of one network reuse it (and warn once). ``calibrated=False`` skips this: the
populations run with the raw spread.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Union

import numpy as np

from ..errors import HXStudioWarning, format_quantity
from .calib_target import N_NEURON_CIRCUITS, NeuronCalibTarget, SpikingCalibTarget
from .parameters import PARAMETERS

__all__ = ["calibrate", "CalibrationResult", "CalibrationRangeWarning", "CALIBRATED_PARAMETERS"]

#: Parameters whose per-circuit spread the emulator models, and whether they are times.
CALIBRATED_PARAMETERS = {"leak": False, "reset": False, "threshold": False, "tau_mem": True,
                         "tau_syn": True}
#: Further target fields that are only range-checked (name → whether it is a time).
_CHECKED_ONLY = {"refractory_time": True, "holdoff_time": True, "membrane_capacitance": False,
                 "i_synin_gm": False, "synapse_dac_bias": False}

_CACHE: Dict[tuple, "CalibrationResult"] = {}


class CalibrationRangeWarning(HXStudioWarning):
    """A calibration target lies outside calix's feasible range; it is run uncalibrated."""


@dataclass(frozen=True)
class CalibrationResult:
    """Per-circuit outcome of :func:`calibrate`; all arrays are ``(512,)`` float64.

    Attributes:
        chip_seed: seed of the calibrated chip.
        targets: parameter → target per circuit (potentials in CADC LSB, times in s).
        settings: parameter → the value to configure so that the circuit realises its target
            (target minus the raw offset for potentials, target divided by the raw factor for
            times); the emulator's stand-in for calix's CapMem settings.
        residual: parameter → realised − target (CADC LSB for potentials, s for times).
        spread: parameter → standard deviation of ``residual`` over the circuits whose target
            is feasible (same units), i.e. what calibration leaves.
        uncalibrated: parameter → bool mask of circuits whose target was outside the feasible
            range (they keep their raw deviation).
    """

    chip_seed: int
    targets: Dict[str, np.ndarray]
    settings: Dict[str, np.ndarray]
    residual: Dict[str, np.ndarray]
    spread: Dict[str, float]
    uncalibrated: Dict[str, np.ndarray]

    def realised(self, name: str) -> np.ndarray:
        """``targets[name] + residual[name]``: what circuit i actually does, ``(512,)``."""
        return self.targets[name] + self.residual[name]


def _dense(targets: Union[SpikingCalibTarget, NeuronCalibTarget, Mapping[str, Any]]
           ) -> Dict[str, np.ndarray]:
    """``{name: (512,) float64}`` in ParamSpec units (s for times), from a target or a dict."""
    if isinstance(targets, SpikingCalibTarget):
        targets = targets.neuron_target
    if isinstance(targets, NeuronCalibTarget):
        # calix stores times in µs
        raw = {name: getattr(targets, name) for name in {**CALIBRATED_PARAMETERS, **_CHECKED_ONLY}}
        scale = {name: 1e-6 if is_time else 1. for name, is_time in
                 {**CALIBRATED_PARAMETERS, **_CHECKED_ONLY}.items()}
    elif isinstance(targets, Mapping):
        unknown = set(targets) - set(CALIBRATED_PARAMETERS) - set(_CHECKED_ONLY)
        if unknown:
            raise KeyError(f"calibrate: unknown target {sorted(unknown)[0]!r}; known: "
                           f"{', '.join([*CALIBRATED_PARAMETERS, *_CHECKED_ONLY])}")
        raw = {name: targets.get(name, PARAMETERS[name].default)
               for name in {**CALIBRATED_PARAMETERS, **_CHECKED_ONLY}}
        scale = {name: 1. for name in raw}
    else:
        raise TypeError(f"calibrate: targets must be a NeuronCalibTarget, SpikingCalibTarget or "
                        f"dict, got {type(targets).__name__}")
    dense = {}
    for name, value in raw.items():
        if value is not None:
            dense[name] = _per_circuit(name, value) * scale[name]
    return dense


def _per_circuit(name: str, value: Any) -> np.ndarray:
    """A scalar, ``(512,)``, ``(2, 512)`` (excitatory row used) or global ``(2,)`` value as
    ``(512,)`` float64; ``None`` entries become NaN (not checked)."""
    array = np.asarray(value, dtype=object)
    array = np.array([np.nan if v is None else float(v) for v in array.ravel()]).reshape(
        array.shape)
    if array.ndim == 2:
        array = array[0]
    if array.shape == (N_NEURON_CIRCUITS,):
        return array
    if array.ndim == 0 or (name == "i_synin_gm" and array.shape == (2,)):
        return np.full(N_NEURON_CIRCUITS, array.ravel()[0])
    raise ValueError(f"calibrate: target {name} has shape {array.shape}; expected a scalar or "
                     f"({N_NEURON_CIRCUITS},)")


def _check_ranges(dense: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    outside = {}
    for name, values in dense.items():
        spec = PARAMETERS[name]
        low, high = spec.calibrated
        bad = ~np.isnan(values) & ((values < low) | (values > high))
        outside[name] = bad
        if bad.any():
            circuits = np.flatnonzero(bad)
            value = values[circuits[0]]
            warnings.warn(
                f"calibrate: {name} = {format_quantity(value, spec.unit)} "
                f"({len(circuits)} circuit{'s' if len(circuits) > 1 else ''}, first {circuits[0]}) "
                f"is outside the calibrated range [{format_quantity(low, spec.unit)}, "
                f"{format_quantity(high, spec.unit)}]; it runs uncalibrated",
                CalibrationRangeWarning, stacklevel=3)
    return outside


def _key(chip: Any, dense: Dict[str, np.ndarray]) -> tuple:
    digest = hashlib.sha1()
    for name in sorted(dense):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(dense[name]).tobytes())
    return (chip.seed, digest.hexdigest())


def calibrate(targets: Union[SpikingCalibTarget, NeuronCalibTarget, Mapping[str, Any]],
              chip: Any) -> CalibrationResult:
    """Calibrate the emulated ``chip`` to ``targets`` (cached per chip seed and target).

    Args:
        targets: a :class:`~hxstudio.backend.chip.NeuronCalibTarget` /
            :class:`~hxstudio.backend.chip.SpikingCalibTarget` (calix units: times in µs; scalar
            or dense ``(512,)``/``(2, 512)`` fields), or a dict ``{name: value}`` in
            :data:`~hxstudio.backend.chip.PARAMETERS` units (times in s; scalars or ``(512,)``);
            missing keys take the module defaults.
        chip: the :class:`~hxstudio.backend.chip.EmulatedChip`.
    Returns:
        :class:`CalibrationResult`; calling again with an equal target and a chip of the same
        seed returns the same object.
    Warns:
        CalibrationRangeWarning: a target lies outside calix's feasible range, naming the
            parameter, the value and the allowed range (spec §8.4); such circuits keep the raw
            deviation.
    Raises:
        KeyError: a dict names an unknown parameter. TypeError: ``targets`` of another type.

    Example:
        >>> from hxstudio.backend.chip import EmulatedChip
        >>> result = calibrate({"leak": 80.}, EmulatedChip(seed=3))
        >>> result is calibrate({"leak": 80.}, EmulatedChip(seed=3))
        True
        >>> bool(result.spread["leak"] < 3.)
        True
    """
    dense = _dense(targets)
    key = _key(chip, dense)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    outside = _check_ranges(dense)
    settings, residual, spread, uncalibrated = {}, {}, {}, {}
    for name, is_time in CALIBRATED_PARAMETERS.items():
        target = dense[name]
        raw = chip.raw_deviation(name)
        left = chip.residual_deviation(name)
        bad = outside[name]
        if is_time:
            settings[name] = np.where(bad, target, target / raw)
            residual[name] = target * (np.where(bad, raw, left) - 1.)
        else:
            settings[name] = np.where(bad, target, target - raw)
            residual[name] = np.where(bad, raw, left)
        good = residual[name][~bad]
        spread[name] = float(good.std()) if good.size else float("nan")
        uncalibrated[name] = bad
    result = CalibrationResult(chip_seed=chip.seed, targets={n: dense[n] for n in
                                                             CALIBRATED_PARAMETERS},
                               settings=settings, residual=residual, spread=spread,
                               uncalibrated=uncalibrated)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = result
    return result
