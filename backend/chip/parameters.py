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

AdEx (``AELIF``, spec §5.1, §6.1): calix calibrates none of the AdEx parameters
(``exponential_slope``, ``exponential_threshold``, ``subthreshold_adaptation_strength``,
``spike_triggered_adaptation_increment``, ``tau_adap``); hxtorch writes them raw into CapMem cells
(int-cast, clamped to 0…1022). Their specs have ``calix=False``: ``calibrated`` equals ``limits``,
the range hxstudio accepts (its own choice, given with each spec), and a document flags an AELIF
population whose AdEx terms are switched on as a whole (:class:`~hxstudio.network.Population`).
Their defaults are hxtorch's ``AELIF`` defaults except ``exponential_slope``: hxtorch's 50e-3 makes
Δ_T·exp((v − V_T)/Δ_T) overflow float32 as soon as v exceeds V_T by 4.4 CADC LSB before a spike,
and the reset then turns the membrane into NaN; hxstudio uses 3 CADC LSB (Brette & Gerstner 2005:
Δ_T = 2 mV for V_T − E_L = 20 mV, scaled to V_T − E_L = 30 CADC LSB) and accepts ≥ 0.5.

The model *switches* of AELIF (hxtorch's flags ``exponential``, ``subthreshold_adaptation``,
``spike_triggered_adaptation``; spec §5.1) are :class:`SwitchSpec` entries in :data:`SWITCHES`;
they are called switches so that they are not confused with the flags a document raises for
uncalibrated values. ``leaky`` and ``fire`` are always on for an AELIF population.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

__all__ = ["ParamSpec", "PARAMETERS", "spec_for", "NEURON_PARAMETERS", "SwitchSpec", "SWITCHES",
           "NEURON_SWITCHES"]


@dataclass(frozen=True)
class ParamSpec:
    """One calibratable parameter.

    Attributes:
        name: hxtorch keyword (``tau_mem``).
        unit: ``"s"``, ``"CADC LSB"``, ``"CapMem LSB"`` or ``"1"`` (model units, AdEx a and b).
        default: hxtorch module default (hardware value); see the module docstring for the one
            AdEx exception.
        calibrated: closed range ``(low, high)`` the calibration can reach (calix); for
            ``calix=False`` the accepted range (equal to ``limits``).
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
        calix: whether calix calibrates the parameter (``False`` for the AdEx parameters, which
            hxtorch writes raw into CapMem cells; spec §5.1).
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
    calix: bool = True

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
                the hard limits (for ``calix=False``: the accepted range).
        """
        from ..errors import ParameterRangeError, format_quantity

        low, high = self.limits
        if low <= value <= high:  # also rejects NaN
            return value
        if self.calix:
            raise ParameterRangeError(where, self.name, value, *self.calibrated, self.unit, limits=self.limits)
        error = ParameterRangeError(where, self.name, value, low, high, self.unit)
        error.args = (f"{where}: {self.name} = {format_quantity(value, self.unit)} is outside the accepted range "
                      f"[{format_quantity(low, self.unit)}, {format_quantity(high, self.unit)}] "
                      "(not calibrated by calix)",)
        raise error

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
        # AdEx (spec §5.1, §6.1); ranges are hxstudio's choice, see the module docstring
        ParamSpec("exponential_threshold", "CADC LSB", 110.0, (0.0, 255.0), (80.0, 160.0), 1.0,
                  "Exponential threshold V_T: above it the exponential term drives the membrane "
                  "up to the spike threshold.", calix=False),
        ParamSpec("exponential_slope", "CADC LSB", 3.0, (0.5, 50.0), (0.5, 20.0), 0.1,
                  "Slope factor Δ_T of the exponential term: how sharply the upswing starts above "
                  "V_T. Below 0.5 CADC LSB the term overflows and the membrane becomes NaN.",
                  calix=False),
        ParamSpec("subthreshold_adaptation_strength", "1", 1.0, (-10.0, 10.0), (0.0, 5.0), 0.1,
                  "Subthreshold adaptation a: the adaptation current follows a·(v − leak), in "
                  "units of the leak conductance g_L = C/τ_mem (1 for the default neuron).",
                  calix=False),
        ParamSpec("spike_triggered_adaptation_increment", "1", 1.0, (-200.0, 200.0), (0.0, 50.0),
                  0.5, "Spike-triggered adaptation b: each spike adds b to the adaptation current "
                  "(same units as the synaptic current, i.e. weight units).", calix=False),
        ParamSpec("tau_adap", "s", 100e-6, (1e-6, 500e-6), (10e-6, 300e-6), 1e-6,
                  "Adaptation time constant τ_w: how fast the adaptation current decays.",
                  calix=False),
    )
}

#: Which parameters each neuron kind exposes, in display order.
NEURON_PARAMETERS = {
    "LIF": ("leak", "reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance",
            "refractory_time", "holdoff_time", "i_synin_gm", "synapse_dac_bias"),
    "LI": ("leak", "tau_mem", "tau_syn", "membrane_capacitance", "i_synin_gm", "synapse_dac_bias"),
    "AELIF": ("leak", "reset", "threshold", "tau_mem", "tau_syn", "membrane_capacitance",
              "refractory_time", "exponential_threshold", "exponential_slope",
              "subthreshold_adaptation_strength", "spike_triggered_adaptation_increment", "tau_adap",
              "holdoff_time", "i_synin_gm", "synapse_dac_bias"),
}


@dataclass(frozen=True)
class SwitchSpec:
    """One model switch of a neuron kind (hxtorch's boolean flags, spec §5.1).

    Attributes:
        name: hxtorch keyword (``exponential``).
        default: hxtorch module default.
        doc: one sentence of help.
        terms: the parameters that only act while the switch is on.
    """

    name: str
    default: bool
    doc: str
    terms: Tuple[str, ...] = ()


SWITCHES = {
    s.name: s
    for s in (
        SwitchSpec("exponential", True,
                   "Exponential term g_L·Δ_T·exp((v − V_T)/Δ_T): a sharp upswing above V_T.",
                   ("exponential_threshold", "exponential_slope")),
        SwitchSpec("subthreshold_adaptation", True,
                   "Subthreshold adaptation: the adaptation current follows a·(v − leak) with τ_w.",
                   ("subthreshold_adaptation_strength", "tau_adap")),
        SwitchSpec("spike_triggered_adaptation", True,
                   "Spike-triggered adaptation: each spike adds b to the adaptation current.",
                   ("spike_triggered_adaptation_increment", "tau_adap")),
    )
}

#: Which switches each neuron kind exposes, in display order (after its parameters).
NEURON_SWITCHES = {
    "AELIF": ("exponential", "subthreshold_adaptation", "spike_triggered_adaptation"),
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
