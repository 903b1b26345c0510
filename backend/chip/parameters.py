"""Calibratable neuron parameters of BrainScaleS-2: unit, default, calibrated range, help.

This table is the single source of truth for every neuron parameter a user can set. The module
defaults of :class:`~hxstudio.backend.LIF`/:class:`~hxstudio.backend.LI`, the validation of
network documents and the sliders of the studio all read it; nothing else writes a default or a
range.

Values are *hardware values* (calibration targets): potentials in CADC LSB on the raw 0…255 scale,
times in seconds of hardware time (1 µs hardware ≙ 1 ms biological), biases in CapMem LSB.

Each spec also has hard ``limits``: the network document accepts values between them and flags
values outside ``calibrated`` (they run in the mock, but calix cannot reach them). Hard limits: τ_mem
and τ_syn 0.1–100 µs (calix raises outside, spec §8.4); potentials 0–255 CADC LSB (the CADC's 8-bit
scale); CapMem biases 0–1022 (10-bit cells); refractory time 0–32 µs (0 = none, as in NIR; the chip's
counter needs ≥ 40 ns); membrane capacitance and holdoff time as calibrated.

Sources: calix ``spiking/neuron.py`` ``NeuronCalibTarget`` defaults and ``check_target`` feasible
ranges (spec §8.4; ``nir-and-bss2-notes.md`` §D.2); module defaults from hxtorch ``LIF``/``LI``
(spec §5.2, §5.3), which differ from calix for ``reset`` (80 vs 70) and ``refractory_time``
(1 µs vs 2 µs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

__all__ = ["ParamSpec", "PARAMETERS", "spec_for", "NEURON_PARAMETERS"]


@dataclass(frozen=True)
class ParamSpec:
    """One calibratable parameter.

    Attributes:
        name: hxtorch keyword (``tau_mem``).
        unit: ``"s"``, ``"CADC LSB"`` or ``"CapMem LSB"``.
        default: hxtorch module default (hardware value).
        calibrated: closed range ``(low, high)`` the calibration can reach (calix).
        soft: default slider span ``(low, high)``, inside ``calibrated``.
        step: slider increment in ``unit``.
        doc: one sentence of help.
        mock: whether the value changes the numerics of the ideal mock (``False`` for biases that
            only exist on the chip; they are stored and passed on).
        nir: the NIR field this parameter maps to, or ``None``.
        limits: hard limits ``(low, high)`` of the value: what the chip can physically hold (the
            CADC's 8-bit scale for potentials, calix's hard τ limits, CapMem's 10 bits) or, for
            ``refractory_time``, what the model allows (0: no refractory period, as in NIR).
            Documents refuse values outside ``limits`` and flag values outside ``calibrated``
            (:meth:`flag`); ``None`` means ``calibrated``.
    """

    name: str
    unit: str
    default: float
    calibrated: Tuple[float, float]
    soft: Tuple[float, float]
    step: float
    doc: str
    mock: bool = True
    nir: Optional[str] = None
    limits: Optional[Tuple[float, float]] = None

    def __post_init__(self):
        if self.limits is None:
            object.__setattr__(self, "limits", self.calibrated)

    def check(self, value: float, where: str) -> float:
        """Return ``value`` if it lies in :attr:`calibrated`.

        Raises:
            ParameterRangeError: naming ``where``, the field, the value, the unit and the range.
        """
        from ..errors import ParameterRangeError

        low, high = self.calibrated
        if not (low <= value <= high):  # also rejects NaN
            raise ParameterRangeError(where, self.name, value, low, high, self.unit)
        return value

    def check_limits(self, value: float, where: str) -> float:
        """Return ``value`` if it lies within the hard :attr:`limits` (it may be uncalibrated).

        Raises:
            ParameterRangeError: naming ``where``, the field, the value, the calibrated range and
                the hard limits.
        """
        from ..errors import ParameterRangeError

        low, high = self.limits
        if not (low <= value <= high):  # also rejects NaN
            raise ParameterRangeError(where, self.name, value, *self.calibrated, self.unit,
                                      limits=self.limits)
        return value

    def calibratable(self, value: float) -> bool:
        """Whether ``value`` lies in the :attr:`calibrated` range."""
        low, high = self.calibrated
        return bool(low <= value <= high)


PARAMETERS = {
    s.name: s
    for s in (
        ParamSpec("leak", "CADC LSB", 80.0, (50.0, 160.0), (50.0, 160.0), 1.0,
                  "Resting potential the membrane relaxes to.", nir="v_leak", limits=(0.0, 255.0)),
        ParamSpec("reset", "CADC LSB", 80.0, (50.0, 160.0), (50.0, 160.0), 1.0,
                  "Potential the membrane is set to after a spike and held at while refractory.",
                  nir="v_reset", limits=(0.0, 255.0)),
        ParamSpec("threshold", "CADC LSB", 125.0, (50.0, 220.0), (50.0, 220.0), 1.0,
                  "A spike is emitted when the membrane rises strictly above this potential.",
                  nir="v_threshold", limits=(0.0, 255.0)),
        ParamSpec("tau_mem", "s", 10e-6, (0.5e-6, 60e-6), (1e-6, 60e-6), 0.1e-6,
                  "Membrane time constant: how fast the membrane relaxes to the leak.", nir="tau_mem",
                  limits=(0.1e-6, 100e-6)),
        ParamSpec("tau_syn", "s", 10e-6, (0.3e-6, 30e-6), (1e-6, 30e-6), 0.1e-6,
                  "Synaptic time constant: how fast the synaptic current decays.", nir="tau_syn",
                  limits=(0.1e-6, 100e-6)),
        ParamSpec("membrane_capacitance", "CapMem LSB", 63.0, (1.0, 63.0), (1.0, 63.0), 1.0,
                  "Membrane capacitance (63 LSB ≈ 2.2 pF); smaller values make each input count more. "
                  "Model capacitance = value/63 · 10 µs (hxtorch's default transform). calix allows 0, "
                  "which leaves no capacitance, so hxstudio starts at 1."),
        ParamSpec("refractory_time", "s", 1e-6, (0.04e-6, 32e-6), (0.04e-6, 10e-6),
                  0.01e-6, "After a spike the membrane is held at reset for this long.",
                  limits=(0.0, 32e-6)),
        ParamSpec("holdoff_time", "s", 0.0, (0.0, 4e-6), (0.0, 4e-6), 0.01e-6,
                  "Extra time the reset is held on the chip after the refractory period "
                  "(hardware only).", mock=False),
        ParamSpec("i_synin_gm", "CapMem LSB", 500.0, (30.0, 800.0), (30.0, 800.0), 1.0,
                  "Synaptic input strength bias, one value per chip (hardware only).", mock=False,
                  limits=(0.0, 1022.0)),
        ParamSpec("synapse_dac_bias", "CapMem LSB", 600.0, (30.0, 1022.0), (30.0, 1022.0), 1.0,
                  "Synapse DAC bias current, one value per chip (hardware only).", mock=False,
                  limits=(0.0, 1022.0)),
    )
}

#: Which parameters each neuron kind exposes, in display order.
NEURON_PARAMETERS = {
    "LIF": ("leak", "reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance",
            "refractory_time", "holdoff_time", "i_synin_gm", "synapse_dac_bias"),
    "LI": ("leak", "tau_mem", "tau_syn", "membrane_capacitance", "i_synin_gm", "synapse_dac_bias"),
}


def spec_for(name: str) -> ParamSpec:
    """Return the :class:`ParamSpec` of ``name``.

    Raises:
        KeyError: naming the unknown parameter and listing the known ones.
    """
    try:
        return PARAMETERS[name]
    except KeyError:
        raise KeyError(f"unknown parameter {name!r}; known: {', '.join(PARAMETERS)}") from None
