"""Neuron parameters with a hardware value and a model value (spec §3).

The *hardware value* is the calibration target on BSS-2 (potentials in CADC LSB, times in s);
the *model value* enters the numerics of the integrator. The four classes differ only in how
the two are related:

========================================  ==========================  ==========================
class                                     ``hardware_value``          ``model_value``
========================================  ==========================  ==========================
``HXParameter(value)``                    stored value                the hardware value
``MixedHXModelParameter(model, hw)``      stored, independent         stored, independent
``HXTransformedModelParameter(m, f)``     ``f(model_value)``          stored
``ModelParameter(model)``                 the model value             stored
========================================  ==========================  ==========================

Example:
    >>> p = HXTransformedModelParameter(1., lambda x: 80 * x)
    >>> p.model_value = 2.
    >>> p.hardware_value
    160.0
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

import torch

__all__ = [
    "HXBaseParameter",
    "HXParameter",
    "MixedHXModelParameter",
    "HXTransformedModelParameter",
    "ModelParameter",
    "ParameterType",
    "TrainableHXParameter",
    "TrainableHXTransformedModelParameter",
    "TrainableMixedHXModelParameter",
    "TrainableModelParameter",
    "as_parameter",
]


class HXBaseParameter(torch.nn.Module):
    """Common base: stores ``_hardware_value`` and ``_model_value``.

    By default both are independent (:class:`MixedHXModelParameter`); subclasses replace the
    accessors that differ. A model value made
    trainable with :meth:`make_trainable` is a registered ``nn.Parameter``, so it shows up in
    ``model.parameters()`` of the module that owns this object.
    """

    def __init__(self, hardware_value: Any, model_value: Any):
        super().__init__()
        self._hardware_value = hardware_value
        self._model_value = model_value
        self._set_on_chip_func: Optional[Callable] = None

    # Default behaviour: two independent stored values. Subclasses replace a getter or setter.
    @property
    def hardware_value(self) -> Any:
        return self._hardware_value

    @hardware_value.setter
    def hardware_value(self, value: Any) -> None:
        self._hardware_value = value

    @property
    def model_value(self) -> Any:
        return self._model_value

    @model_value.setter
    def model_value(self, value: Any) -> None:
        self._set_model_value(value)

    def __setattr__(self, name: str, value: Any) -> None:
        # nn.Module.__setattr__ would register an nn.Parameter under the property's name.
        if name in ("hardware_value", "model_value"):
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def _set_model_value(self, value: Any) -> None:
        if self.is_trainable() and not isinstance(value, torch.nn.Parameter):
            with torch.no_grad():
                self._model_value.copy_(torch.as_tensor(value))
        else:
            self._model_value = value

    def forward(self) -> Any:
        """Return the stored model value."""
        return self._model_value

    def is_trainable(self) -> bool:
        """Return whether the stored model value is an ``nn.Parameter``."""
        return isinstance(self._model_value, torch.nn.Parameter)

    def make_trainable(self, set_on_chip_func: Optional[Callable] = None) -> "HXBaseParameter":
        """Turn the stored model value into an ``nn.Parameter`` and return ``self``.

        Args:
            set_on_chip_func: ``f(hardware_value, chip, coords)`` that writes the value into a
                chip configuration; needed only on hardware (:meth:`set_on_chip`).
        """
        if not self.is_trainable():
            self._model_value = torch.nn.Parameter(
                torch.as_tensor(self._model_value, dtype=torch.get_default_dtype()))
        self._set_on_chip_func = set_on_chip_func
        return self

    def set_on_chip(self, chip: Any, coords: Any) -> None:
        """Write the hardware value into ``chip`` via the function given to :meth:`make_trainable`.

        Raises:
            ValueError: no ``set_on_chip_func`` was given (message as in hxtorch, spec §3).
        """
        if self._set_on_chip_func is None:
            raise ValueError("When executing on HW,set_on_chip_func needs to be provided.")
        self._set_on_chip_func(self.hardware_value, chip, coords)

    def __str__(self) -> str:
        return (f"{type(self).__name__}(at ({hex(id(self))}), "
                f"hardware_value={self.hardware_value}, model_value={self.model_value}, "
                f"trainable={self.is_trainable()})")

    def extra_repr(self) -> str:
        return f"hardware_value={self.hardware_value}, model_value={self.model_value}"


class HXParameter(HXBaseParameter):
    """One value used both on the chip and in the model.

    Setting ``hardware_value`` sets both; ``model_value`` always reads the hardware value, so
    setting it (or :meth:`make_trainable`) does not change the numerics (spec §15.5).
    """

    def __init__(self, value: Any):
        super().__init__(value, value)

    def _set_both(self, value: Any) -> None:
        self._hardware_value = value
        self._set_model_value(value)

    hardware_value = property(HXBaseParameter.hardware_value.fget, _set_both)
    model_value = property(HXBaseParameter.hardware_value.fget, HXBaseParameter.model_value.fset)


class MixedHXModelParameter(HXBaseParameter):
    """Independent model value and hardware value (e.g. model threshold 1.0, hardware 150 LSB)."""

    def __init__(self, model_value: Any, hardware_value: Any):
        super().__init__(hardware_value, model_value)


class HXTransformedModelParameter(HXBaseParameter):
    """A model value whose hardware value is ``transform_func(model_value)``, computed on each read.

    Setting ``hardware_value`` stores the value but the getter ignores it.
    """

    def __init__(self, model_value: Any, transform_func: Callable[[Any], Any]):
        super().__init__(None, model_value)
        self.transform_func = transform_func

    hardware_value = property(lambda self: self.transform_func(self._model_value),
                              HXBaseParameter.hardware_value.fset)


class ModelParameter(HXBaseParameter):
    """A model value that is also reported as hardware value; setting ``hardware_value`` is ignored."""

    def __init__(self, model_value: Any):
        super().__init__(None, model_value)

    hardware_value = property(HXBaseParameter.model_value.fget, HXBaseParameter.hardware_value.fset)


class TrainableHXParameter(HXParameter):
    """One trainable value used both on the chip and in the model.

    Unlike ``HXParameter(value).make_trainable()``, whose model value keeps reading the (fixed)
    hardware value (spec §15.5), both ``hardware_value`` and ``model_value`` read the
    ``nn.Parameter`` here, so an optimiser step changes the numerics and the value written to the
    chip alike. Setting either property copies into the parameter.

    Args:
        value: initial value (number or tensor).
        set_on_hw_func: ``f(hardware_value, chip, coords)`` writing the value into a chip
            configuration before each hardware run (:meth:`set_on_chip`). Default: ``None``.

    Note:
        hxtorch has no ``Trainable*`` classes (spec §1); they are
        ``make_trainable(set_on_chip_func)`` in one constructor.

    Example:
        >>> p = TrainableHXParameter(80.)
        >>> isinstance(p.model_value, torch.nn.Parameter), float(p.hardware_value.detach())
        (True, 80.0)
    """

    def __init__(self, value: Any, set_on_hw_func: Optional[Callable] = None):
        super().__init__(value)
        self.make_trainable(set_on_hw_func)

    hardware_value = property(HXBaseParameter.model_value.fget, HXBaseParameter.model_value.fset)
    model_value = HXBaseParameter.model_value


class TrainableMixedHXModelParameter(MixedHXModelParameter):
    """:class:`MixedHXModelParameter` whose model value is an ``nn.Parameter`` from the start.

    Args:
        model_value, hardware_value: as for :class:`MixedHXModelParameter`.
        set_on_hw_func: see :class:`TrainableHXParameter`.
    """

    def __init__(self, model_value: Any, hardware_value: Any,
                 set_on_hw_func: Optional[Callable] = None):
        super().__init__(model_value, hardware_value)
        self.make_trainable(set_on_hw_func)


class TrainableHXTransformedModelParameter(HXTransformedModelParameter):
    """:class:`HXTransformedModelParameter` whose model value is an ``nn.Parameter``; the
    hardware value follows it through ``transform_func``.

    Args:
        model_value, transform_func: as for :class:`HXTransformedModelParameter`.
        set_on_hw_func: see :class:`TrainableHXParameter`.
    """

    def __init__(self, model_value: Any, transform_func: Callable[[Any], Any],
                 set_on_hw_func: Optional[Callable] = None):
        super().__init__(model_value, transform_func)
        self.make_trainable(set_on_hw_func)


class TrainableModelParameter(ModelParameter):
    """:class:`ModelParameter` whose model value is an ``nn.Parameter`` from the start.

    Args:
        model_value: initial model value.
        set_on_hw_func: see :class:`TrainableHXParameter`.

    Example:
        >>> tau = TrainableModelParameter(0.9)
        >>> list(tau.parameters())[0] is tau.model_value
        True
    """

    def __init__(self, model_value: Any, set_on_hw_func: Optional[Callable] = None):
        super().__init__(model_value)
        self.make_trainable(set_on_hw_func)


ParameterType = Union[HXParameter, MixedHXModelParameter, HXTransformedModelParameter,
                      ModelParameter]


def as_parameter(value: Any) -> HXBaseParameter:
    """Return ``value`` if it is a parameter object, else ``HXParameter(value)`` (also for ``None``)."""
    return value if isinstance(value, HXBaseParameter) else HXParameter(value)
