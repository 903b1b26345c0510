"""Population and projection base classes (spec §5, ``modules/types.py``)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import numpy as np
import torch

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

    #: Whether :meth:`params_from_calibration` overwrites the hardware values (spec §5, §8.4).
    read_params_from_calibration: bool = True
    #: Per-circuit calibration keys (``(512,)`` targets) and whether they are times (µs ↔ s).
    _CALIB_PER_CIRCUIT = {"leak": False, "reset": False, "threshold": False,
                          "membrane_capacitance": False, "tau_mem": True,
                          "refractory_time": True, "holdoff_time": True}
    #: Per-synaptic-input keys (``(2, 512)`` targets) and whether they are times.
    _CALIB_PER_INPUT = {"tau_syn": True, "e_coba_reversal": False, "e_coba_reference": False}

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

    # -- calibration round trip (spec §8.4, §13.11) -----------------------------------------

    def params_from_calibration(self, spiking_calib_target: Any, neurons: Sequence[int]) -> None:
        """Overwrite the hardware values from a calibration target (spec §8.4 case 2).

        Scalar targets become ``(N,)`` values; ``(512,)`` targets are indexed by ``neurons``
        (the first circuit of each logical neuron), ``(2, 512)`` targets give ``(2, N)`` values,
        a global ``(2,)`` ``i_synin_gm`` gives ``(2, N)``. Times are converted µs → s. ``None``
        targets (and CUBA ``e_coba_*`` defaults: ``[+inf, −inf]`` / NaN) leave the value as is.
        Skipped when :attr:`read_params_from_calibration` is ``False``. For an
        :class:`~hxstudio.backend.HXParameter` this also changes the model value.

        Args:
            spiking_calib_target: a :class:`~hxstudio.backend.chip.SpikingCalibTarget`.
            neurons: neuron-circuit indices (0…511), one per neuron of the module.
        """
        if not self.read_params_from_calibration:
            return
        target = spiking_calib_target.neuron_target
        coords = np.asarray(list(neurons), dtype=int)
        dtype = torch.get_default_dtype()
        for key, param in self.params_dict().items():
            if not hasattr(target, key) or param is None:
                continue
            value = getattr(target, key)
            if value is None:
                continue
            if key in ("i_synin_gm", "synapse_dac_bias"):
                arr = np.asarray(value, dtype=object)
                if arr.ndim == 1 and any(v is None for v in arr):
                    continue
                arr = arr.astype(float)
                if arr.ndim == 0:
                    out = np.full(self.size, float(arr))
                else:
                    out = np.repeat(arr.reshape(-1, 1), self.size, axis=1)
            else:
                arr = np.asarray(value, dtype=float)
                if arr.ndim == 0:
                    out = np.full(self.size, float(arr))
                elif arr.ndim == 1:
                    out = arr[coords]
                else:
                    out = arr[:, coords]
                if key == "e_coba_reversal" and out.ndim == 2 and np.all(
                        out == np.array([[np.inf], [-np.inf]])):
                    continue
                if key == "e_coba_reference" and np.all(np.isnan(out)):
                    continue
                if self._CALIB_PER_CIRCUIT.get(key) or self._CALIB_PER_INPUT.get(key):
                    out = out * 1e-6
            param.hardware_value = torch.tensor(out, dtype=dtype)

    def calibration_from_params(self, spiking_calib_target: Any, neurons: Sequence[int]) -> None:
        """Write the hardware values into a calibration target (spec §8.4 case 1).

        The target's per-circuit fields must be dense arrays
        (:meth:`~hxstudio.backend.chip.NeuronCalibTarget.DenseDefault`): ``(512,)`` for
        leak/reset/threshold/membrane_capacitance/tau_mem/refractory_time/holdoff_time and
        ``(2, 512)`` for tau_syn/e_coba_*; values are written at ``neurons``. Times go s → µs;
        ``refractory_time`` only if the module fires. ``e_coba_reversal`` ``None`` becomes
        ``[+inf, −inf]`` (CUBA), ``e_coba_reference`` ``None`` NaN. ``i_synin_gm`` (``(2,)``) and
        ``synapse_dac_bias`` are global: a ``None`` entry is filled, a different value raises.

        Args:
            spiking_calib_target: a :class:`~hxstudio.backend.chip.SpikingCalibTarget`.
            neurons: neuron-circuit indices (0…511), one per neuron of the module.

        Raises:
            AttributeError: ``'i_synin_gm[i]' requires same value for all neurons`` or
                ``'synapse_dac_bias' requires same value for all neurons`` on a conflict.
        """
        target = spiking_calib_target.neuron_target
        coords = np.asarray(list(neurons), dtype=int)
        params = self.params_dict()

        for key, is_time in self._CALIB_PER_CIRCUIT.items():
            if key == "refractory_time" and not getattr(self, "fire", True):
                continue
            value = _to_numpy(params[key].hardware_value)
            getattr(target, key)[coords] = value * 1e6 if is_time else value

        for key, is_time in self._CALIB_PER_INPUT.items():
            hw = params[key].hardware_value
            if hw is None:
                if key == "e_coba_reversal":
                    value = np.array([[np.inf], [-np.inf]])
                elif key == "e_coba_reference":
                    value = np.array(np.nan)
                else:
                    continue
            else:
                value = _per_input(_to_numpy(hw), self.size)
                if is_time:
                    value = value * 1e6
            getattr(target, key)[:, coords] = value

        gm = _per_input(_to_numpy(params["i_synin_gm"].hardware_value), self.size)
        gm = np.broadcast_to(gm, (2, self.size)) if gm.ndim else np.full(2, float(gm))
        current = target.i_synin_gm
        for i in range(2):
            row = np.unique(np.asarray(gm[i]).ravel())
            if row.size != 1:
                raise AttributeError(f"'i_synin_gm[{i}]' requires same value for all neurons")
            new = row[0].item()
            if current[i] is None:
                current[i] = new
            elif current[i] != new:
                raise AttributeError(f"'i_synin_gm[{i}]' requires same value for all neurons")

        dac = np.unique(_to_numpy(params["synapse_dac_bias"].hardware_value).ravel())
        if dac.size != 1:
            raise AttributeError("'synapse_dac_bias' requires same value for all neurons")
        new = dac[0].item()
        if target.synapse_dac_bias is None:
            target.synapse_dac_bias = new
        elif target.synapse_dac_bias != new:
            raise AttributeError("'synapse_dac_bias' requires same value for all neurons")


def _to_numpy(value: Any) -> np.ndarray:
    """Return ``value`` (number, tensor or array) as a float numpy array."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def _per_input(value: np.ndarray, size: int) -> np.ndarray:
    """Shape a per-synaptic-input value for ``target[:, coords] = value``.

    A scalar or ``(N,)`` value applies to both inputs, a ``(2,)`` value (with N ≠ 2) to each
    input, a ``(2, N)`` value row-wise.
    """
    if value.ndim == 1 and value.shape[0] == 2 and size != 2:
        return value[:, np.newaxis]
    return value


class Projection(HXModule):
    """Connections from ``in_features`` source neurons to ``out_features`` target neurons."""

    def __init__(self, in_features: int, out_features: int, experiment: Any,
                 execution_instance: Optional[Any] = None, chip_coordinate: Optional[Any] = None):
        super().__init__(experiment, execution_instance, chip_coordinate)
        self.in_features = in_features
        self.out_features = out_features
