"""The parameter catalogue shown to users: the chip's table plus presentation.

Ranges, units and defaults come from :mod:`hxstudio.backend.chip.parameters` (one source of
truth); this module only adds labels and turns specs into the plain dicts the widgets take.
"""

from __future__ import annotations

from hxstudio.backend.chip.parameters import NEURON_PARAMETERS, PARAMETERS, ParamSpec

__all__ = ["LABELS", "kind_specs", "defaults", "widget_specs", "ParamSpec"]

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
}


def kind_specs(kind: str) -> list[ParamSpec]:
    """The specs of a neuron kind (``"LIF"`` or ``"LI"``) in display order; ``[]`` for inputs."""
    return [PARAMETERS[n] for n in NEURON_PARAMETERS.get(kind, ())]


def defaults(kind: str) -> dict[str, float]:
    """Default hardware values of every parameter of ``kind``."""
    return {s.name: s.default for s in kind_specs(kind)}


def widget_specs(kind: str) -> list[dict]:
    """Plain-data specs for :class:`hxstudio.widgets.ParameterPanel` (no torch types)."""
    return [
        {
            "name": s.name,
            "label": LABELS[s.name],
            "unit": s.unit,
            "default": s.default,
            "calibrated": s.calibrated,
            "soft": s.soft,
            "step": s.step,
            "doc": s.doc if s.mock else s.doc + " No effect in the mock.",
        }
        for s in kind_specs(kind)
    ]
