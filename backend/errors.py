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
    "ShapeError",
    "ParameterValueError",
    "ExperimentMismatchError",
    "NIRError",
    "NIRFileError",
    "UnsupportedNIRError",
    "HXStudioWarning",
    "NIRWarning",
    "format_quantity",
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
        limits: the hard limits ``(low, high)`` when the value lies outside them as well; the
            message then names both ranges.
    """

    def __init__(self, where: str, field: str, value, low, high, unit: str = "", limits=None):
        self.where, self.field, self.value = where, field, value
        self.low, self.high, self.unit = low, high, unit
        #: ``(low, high)`` hard limits when the value is outside them too (``None`` otherwise).
        self.limits = limits
        text = (f"{where}: {field} = {format_quantity(value, unit)} is outside the calibrated range "
                f"[{format_quantity(low, unit)}, {format_quantity(high, unit)}]")
        if limits is not None:
            text += (f" and the hard limits [{format_quantity(limits[0], unit)}, "
                     f"{format_quantity(limits[1], unit)}]")
        super().__init__(text)


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


class ShapeError(HXStudioError, ValueError):
    """A tensor or weight matrix does not fit the module it is given to.

    Raised, for example, when a ``Synapse(5, 10)`` gets spikes with 4 channels, when its weight is
    not ``(10, 5)``, or when a ``LIF(20)`` is fed a projection with 10 outputs. The message names
    the module, the tensor, the shape it got and the shape allowed.
    """


class ParameterValueError(HXStudioError, ValueError):
    """A model value that no model allows: a time constant or ``dt`` that is not positive, a
    negative refractory time. The message names the object, the field and the value."""


class ExperimentMismatchError(HXStudioError, ValueError):
    """Modules of different :class:`~hxstudio.backend.Experiment` objects were connected (a
    handle produced in one experiment fed to a module of another, a wrapper over foreign
    modules), or a module without an experiment was called. The message names both modules."""


class NIRError(HXStudioError, ValueError):
    """A NIR graph cannot be converted (unknown sizes, an algebraic loop, a non-spiking sender)."""


class NIRFileError(NIRError):
    """A NIR file cannot be read: not HDF5, truncated, or not a NIR graph."""


class UnsupportedNIRError(NIRError, NotImplementedError):
    """A NIR node type has no BSS-2 counterpart (e.g. ``Conv2d``); names the node and the
    supported types. Also a :class:`NotImplementedError`, as in hxtorch's ``from_nir``."""


class HXStudioWarning(UserWarning):
    """Base class of the warnings hxstudio issues on legal but suspicious input."""


class NIRWarning(HXStudioWarning):
    """A NIR file needed a fallback (type check off, dropped readout) or holds implausible values."""
