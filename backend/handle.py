"""Handles: the dataclasses that carry tensors between modules (spec §4.1).

A module call returns its (empty) output handle at once; :func:`~hxstudio.backend.run` fills it.
``Handle`` is a factory: one dataclass per set of field names, fields sorted alphabetically, every
field defaulting to ``None``, classes cached by name so that equal field sets give the same class.

Example:
    >>> import torch
    >>> h = LIFObservables(spikes=torch.ones(2, 1, 3))
    >>> h.holds("spikes"), h.holds("current")
    (True, False)
    >>> type(Handle("spikes", "membrane_cadc", "current", "membrane_madc")) is LIFObservables
    True
    >>> Handle(graded_spikes=1)
    Handle_graded_spikes(graded_spikes=1)
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict

import torch

__all__ = [
    "Handle",
    "HandleBase",
    "TensorHandle",
    "LIFObservables",
    "LIObservables",
    "SynapseHandle",
]

_REGISTRY: Dict[str, type] = {}


class HandleBase:
    """Methods shared by every class :func:`Handle` builds."""

    def holds(self, name: str) -> bool:
        """Return whether field ``name`` exists and is not ``None``."""
        return getattr(self, name, None) is not None

    def clone(self, other: "HandleBase") -> "HandleBase":
        """Copy every field of ``other`` into ``self`` and return ``self``.

        Raises:
            AssertionError: ``other`` has different field names (as in hxtorch, spec §13.5).
        """
        names = [f.name for f in dataclasses.fields(self)]
        assert names == [f.name for f in dataclasses.fields(other)], (
            f"cannot clone {type(other).__name__} into {type(self).__name__}: fields differ"
        )
        for name in names:
            setattr(self, name, getattr(other, name))
        return self

    def __eq__(self, other: Any) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
                if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                        and torch.equal(a, b)):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # mutable value object, like an ``eq=True`` dataclass


def Handle(*names: str, **values: Any) -> HandleBase:
    """Build a handle: empty from field names, or filled from keyword values.

    ``Handle('a', 'b')`` gives an instance with fields ``a`` and ``b`` set to ``None``;
    ``Handle(a=x, b=y)`` gives one holding ``x`` and ``y``. The class is named
    ``"Handle_" + "_".join(sorted(keys))``, so positional order is alphabetical.

    Raises:
        Exception: ``("Ambiguous Handle construction mode", names, values)`` when both forms are
            given with different keys (spec §4.1).
    """
    if names and values and set(names) != set(values):
        raise Exception("Ambiguous Handle construction mode", names, values)
    keys = sorted(values) if values else sorted(names)
    name = "Handle_" + "_".join(keys)
    cls = _REGISTRY.get(name)
    if cls is None:
        cls = dataclasses.make_dataclass(
            name, [(key, Any, dataclasses.field(default=None)) for key in keys],
            bases=(HandleBase,), eq=False)
        cls.__module__ = __name__
        _REGISTRY[name] = cls
    return cls(**values)


#: ``(tensor,)``: the default output of a module.
TensorHandle = type(Handle("tensor"))
#: ``(current, membrane_cadc, membrane_madc, spikes)``: output of LIF and InputNeuron.
LIFObservables = type(Handle("spikes", "membrane_cadc", "current", "membrane_madc"))
#: ``(current, membrane_cadc, membrane_madc)``: output of LI.
LIObservables = type(Handle("membrane_cadc", "current", "membrane_madc"))
#: ``(graded_spikes,)``: output of Synapse.
SynapseHandle = type(Handle("graded_spikes"))
