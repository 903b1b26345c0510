"""Population and projection base classes (spec §5, ``modules/types.py``)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..chip import PARAMETERS
from ..parameter import HXBaseParameter, as_parameter
from .hx_module import HXModule

__all__ = ["BasePopulation", "InputPopulation", "Population", "Projection"]


class BasePopulation(HXModule):
    """A group of ``size`` neurons.

    Args:
        size: number of neurons N.
        experiment, execution_instance, chip_coordinate: see :class:`HXModule`.
    """

    def __init__(self, size: int, experiment: Any, execution_instance: Optional[Any] = None,
                 chip_coordinate: Optional[Any] = None):
        super().__init__(experiment, execution_instance, chip_coordinate)
        self.size = size

    def has_trainable_params(self) -> bool:
        """Return whether a calibratable parameter is trainable (never, for a plain population)."""
        return False


class InputPopulation(BasePopulation):
    """A population that only emits externally given spikes."""


class Population(BasePopulation):
    """A population of neurons with calibratable parameters.

    Every key of :attr:`_calibratable_parameters_defaults` becomes an attribute holding a
    parameter object: taken from ``hxparams`` or the default, plain values wrapped as
    :class:`~hxstudio.backend.HXParameter`. Unknown keys in ``hxparams`` are ignored (as in
    hxtorch).

    Source: hxtorch ``modules/types.py`` (spec §5). The defaults of the class differ from the
    :class:`~hxstudio.backend.LIF` module defaults in ``refractory_time`` (2 µs, calix) and
    ``membrane_capacitance`` (63, no transform).
    """

    _calibratable_parameters_defaults: Dict[str, Any] = {
        **{name: spec.default for name, spec in PARAMETERS.items()},
        "refractory_time": 2e-6,
        "exponential_slope": 50e-3,
        "exponential_threshold": 110.,
        "subthreshold_adaptation_strength": 1.,
        "leak_adaptation": None,
        "spike_triggered_adaptation_increment": 1.,
        "tau_adap": 100e-6,
        "e_coba_reversal": None,
        "e_coba_reference": None,
    }

    def __init__(self, size: int, experiment: Any, execution_instance: Optional[Any] = None,
                 chip_coordinate: Optional[Any] = None, **hxparams: Any):
        super().__init__(size, experiment, execution_instance, chip_coordinate)
        for name, default in self._calibratable_parameters_defaults.items():
            setattr(self, name, as_parameter(hxparams.get(name, default)))

    def params_dict(self) -> Dict[str, HXBaseParameter]:
        """Return ``{name: parameter object}`` of all calibratable parameters."""
        return {name: getattr(self, name) for name in self._calibratable_parameters_defaults}

    def has_trainable_params(self) -> bool:
        """Return whether any calibratable parameter has a trainable model value."""
        return any(p.is_trainable() for p in self.params_dict().values())


class Projection(HXModule):
    """Connections from ``in_features`` source neurons to ``out_features`` target neurons."""

    def __init__(self, in_features: int, out_features: int, experiment: Any,
                 execution_instance: Optional[Any] = None, chip_coordinate: Optional[Any] = None):
        super().__init__(experiment, execution_instance, chip_coordinate)
        self.in_features = in_features
        self.out_features = out_features
