"""The one error hierarchy of hxstudio (re-exported as :mod:`hxstudio.errors`).

Every class also derives from the builtin it refines, so ``except ValueError`` keeps working.
Messages name the object, the field, the value and what is allowed (``../shared/DESIGN.md``,
"Conventions").
"""

__all__ = [
    "HXStudioError",
    "ParameterRangeError",
    "ValidationError",
    "ProjectFileError",
    "ResourceError",
    "TargetUnavailableError",
]


class HXStudioError(Exception):
    """Base class of every error hxstudio raises on purpose."""


class ParameterRangeError(HXStudioError, ValueError):
    """A parameter value lies outside its allowed (calibrated) range.

    Args:
        where: the object that owns the field, e.g. ``"population 'hidden'"``.
        field: the field name, e.g. ``"tau_mem"``.
        value: the rejected value.
        low, high: the allowed closed range.
        unit: unit of ``value``, ``low`` and ``high`` (e.g. ``"s"``, ``"CADC LSB"``).
    """

    def __init__(self, where: str, field: str, value, low, high, unit: str = ""):
        self.where, self.field, self.value = where, field, value
        self.low, self.high, self.unit = low, high, unit
        super().__init__(
            f"{where}: {field} = {format_quantity(value, unit)} is outside the calibrated range "
            f"[{format_quantity(low, unit)}, {format_quantity(high, unit)}]"
        )


def format_quantity(value: float, unit: str) -> str:
    """``value`` with its unit for messages; seconds below 1 ms are shown in µs (hardware time)."""
    if unit == "s" and value != 0 and abs(value) < 1e-3:
        return f"{value * 1e6:g} µs"
    return f"{value:g} {unit}" if unit and unit != "1" else f"{value:g}"


class ValidationError(HXStudioError, ValueError):
    """A document (project file, network) is malformed: unknown field, missing reference, bad type."""


class ProjectFileError(HXStudioError, ValueError):
    """A project file cannot be read (not JSON, wrong schema version, truncated)."""


class ResourceError(HXStudioError, ValueError):
    """A network needs more chip resources (neuron circuits, synapse rows) than BSS-2 has."""


class TargetUnavailableError(HXStudioError, NotImplementedError):
    """The requested execution target (BSS-2 emulator or hardware) is not available here."""
