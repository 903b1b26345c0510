"""The parameter catalogue shown to users: the chip's table plus presentation.

Ranges, units and defaults come from :mod:`hxstudio.backend.chip.parameters` (one source of
truth); this module only adds labels and turns specs into the plain dicts the widgets take.
"""

from __future__ import annotations

from hxstudio.backend.chip.parameters import (
    NEURON_PARAMETERS,
    NEURON_SWITCHES,
    PARAMETERS,
    SWITCHES,
    ParamSpec,
    SwitchSpec,
)

__all__ = ["LABELS", "kind_specs", "kind_switches", "defaults", "widget_specs", "ParamSpec", "SwitchSpec"]

#: Display labels; the keys are the hxtorch keywords.
LABELS = {
    "leak": "leak",
    "reset": "reset",
    "threshold": "threshold",
    "tau_mem": "τ_mem",
    "tau_syn": "τ_syn",
    "membrane_capacitance": "membrane capacitance",
    "refractory_time": "refractory time",
    "holdoff_time": "holdoff time",
    "i_synin_gm": "i_synin_gm",
    "synapse_dac_bias": "synapse DAC bias",
    "exponential_threshold": "V_T (exp. threshold)",
    "exponential_slope": "Δ_T (exp. slope)",
    "subthreshold_adaptation_strength": "a (subthreshold adaptation)",
    "spike_triggered_adaptation_increment": "b (spike-triggered adaptation)",
    "tau_adap": "τ_adap",
    "exponential": "exponential term",
    "subthreshold_adaptation": "subthreshold adaptation",
    "spike_triggered_adaptation": "spike-triggered adaptation",
}

#: Appended to the help of parameters calix does not calibrate (spec §5.1).
NOT_CALIBRATED = ("Not calibrated by calix: on BSS-2 hxtorch writes the value raw into a CapMem cell; "
                  "the range is what hxstudio accepts.")


def kind_specs(kind: str) -> list[ParamSpec]:
    """The specs of a neuron kind (``"LIF"``, ``"LI"``, ``"AELIF"``) in display order; ``[]`` for inputs."""
    return [PARAMETERS[n] for n in NEURON_PARAMETERS.get(kind, ())]


def kind_switches(kind: str) -> list[SwitchSpec]:
    """The model switches of a neuron kind (AELIF's ``exponential``…); ``[]`` for the others."""
    return [SWITCHES[n] for n in NEURON_SWITCHES.get(kind, ())]


def defaults(kind: str) -> dict[str, float | bool]:
    """Default hardware values of every parameter of ``kind``, then its switches."""
    return {s.name: s.default for s in (*kind_specs(kind), *kind_switches(kind))}


def _doc(s: ParamSpec) -> str:
    doc = s.doc if s.mock else s.doc + " No effect in the mock."
    return doc if s.calix else f"{doc} {NOT_CALIBRATED}"


def widget_specs(kind: str) -> list[dict]:
    """Plain-data specs for :class:`hxstudio.widgets.ParameterPanel` (no torch types).

    Parameters come first (sliders; ``range_label`` names what ``calibrated`` is), then the
    switches as ``{"name", "label", "kind": "bool", "default", "doc"}`` (checkboxes).
    """
    sliders = [
        {
            "name": s.name,
            "label": LABELS[s.name],
            "unit": s.unit,
            "default": s.default,
            "calibrated": s.calibrated,
            "range_label": "Calibrated range" if s.calix else "Accepted range",
            "soft": s.soft,
            "step": s.step,
            "doc": _doc(s),
        }
        for s in kind_specs(kind)
    ]
    switches = [{"name": s.name, "label": LABELS[s.name], "kind": "bool", "default": s.default, "doc": s.doc}
                for s in kind_switches(kind)]
    return sliders + switches
