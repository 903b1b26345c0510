"""Leaky-integrator integrators of older hxtorch generations (spec §6.5, §14).

:func:`exp_cuba_li_integration` is the deprecated exponential-Euler readout behind
:class:`~hxstudio.backend.modules.ReadoutNeuronExp`; :func:`cuba_li_integration` is the
2024-06…2025-06 API, a thin wrapper over
:func:`~hxstudio.backend.functional.cuba_aelif_integration`.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Sequence, Tuple, Union

import torch

from ..handle import Handle
from ..observables import AnalogObservable
from .aelif import CuBaStepCode, cuba_aelif_integration
from .unterjubel import Unterjubel

__all__ = ["exp_cuba_li_integration", "cuba_li_integration"]

Tensor = torch.Tensor


def _summed(input: Union[Tensor, Sequence[Tensor]]) -> Tensor:
    return input if isinstance(input, torch.Tensor) else torch.stack(tuple(input)).sum(0)


def _voltage(hw_data: Any) -> Tuple[Optional[Tensor], Optional[Tensor]]:
    """``(cadc, madc)`` of a Gen-B ``(cadc, madc)`` tuple or a ``Handle(voltage=…)``."""
    if hw_data is None:
        return None, None
    if isinstance(hw_data, (tuple, list)):
        cadc, madc = (tuple(hw_data) + (None, None))[:2]
        return cadc, madc
    voltage = getattr(hw_data, "voltage", None)
    return getattr(voltage, "cadc", None), getattr(voltage, "madc", None)


def exp_cuba_li_integration(input: Union[Tensor, Sequence[Tensor]], *, leak, tau_syn_exp,
                            tau_mem_exp, hw_data: Any = None
                            ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
    """Deprecated exponential-Euler leaky integrator: decay factors instead of time constants.

    With ``a_m = tau_mem_exp``, ``a_s = tau_syn_exp`` (meant to be ``exp(-dt/τ)``), from
    ``v = E_L, i = 0``, per step ``t``::

        1. v = a_m (v - E_L) + E_L + (1 - a_m) i     (old i; then Unterjubel(v, V_hw[t]))
        2. i = a_s i + x_t

    Args:
        input: ``(T, B, N)`` or a sequence of them (summed).
        leak: resting potential (model value).
        tau_syn_exp, tau_mem_exp: decay factors per step; scalars, ``(N,)`` or trainable
            0-d tensors.
        hw_data: ``Handle(voltage=AnalogObservable(cadc, madc), …)`` or ``(cadc, madc)``; with it,
            T becomes ``min(T, len(cadc))``.
    Returns:
        ``(membrane, current, membrane_madc)``: two ``(T, B, N)`` tensors and the recorded MADC
        data (or ``None``).
    Raises:
        ValueError: ``hw_data`` is given without a CADC trace.
    Warns:
        DeprecationWarning: always; prefer :class:`~hxstudio.backend.LI`.
    Source:
        hxtorch.spiking ``functional/li.py`` (spec §6.5).
    """
    warnings.warn("exp_cuba_li_integration is deprecated; use cuba_aelif_integration (LI)",
                  DeprecationWarning, stacklevel=2)
    input = _summed(input)
    v_hw, madc = _voltage(hw_data)
    if hw_data is not None and v_hw is None:
        raise ValueError("exp_cuba_li_integration: hw_data holds no CADC membrane trace "
                         "(voltage.cadc is None)")
    steps = input.shape[0] if v_hw is None else min(input.shape[0], len(v_hw))
    i = torch.zeros_like(input[0])
    v = i + leak
    membrane, current = [], []
    for t, x in enumerate(input[:steps].unbind(0)):
        v = tau_mem_exp * (v - leak) + leak + (1 - tau_mem_exp) * i
        if v_hw is not None:
            v = Unterjubel.apply(v, v_hw[t])
        i = tau_syn_exp * i + x
        membrane.append(v)
        current.append(i)
    return torch.stack(membrane), torch.stack(current), madc


def cuba_li_integration(input: Union[Tensor, Sequence[Tensor]], *, leak, tau_syn, tau_mem,
                        hw_data: Any = None, dt: float = 1e-6
                        ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
    """Leaky integrator of the 2024-06…2025-06 API: :func:`cuba_aelif_integration` with
    ``fire=False``, ``C = τ_mem`` and ``g_L = 1``, i.e. ``dv = dt/τ_mem (E_L - v + i)``.

    Args:
        input: ``(T, B, N)`` or a sequence of them (summed).
        leak: resting potential (model value).
        tau_syn, tau_mem: time constants in s.
        hw_data: ``(cadc, madc)`` tuple or a ``Handle(voltage=…)``; the CADC trace is injected.
        dt: step in s. Default: ``1e-6``.
    Returns:
        ``(membrane, current, membrane_madc)``.

    Example:
        >>> x = torch.zeros(30, 1, 1); x[10] = 1.
        >>> v, i, _ = cuba_li_integration(x, leak=0., tau_syn=6e-6, tau_mem=6e-6)
        >>> round(float(v.max()), 4)
        0.4019
    """
    v_hw, madc = _voltage(hw_data)
    handle = None
    if v_hw is not None or madc is not None:
        handle = Handle(voltage=AnalogObservable(cadc=v_hw, madc=madc), adaptation=None,
                        spikes=None)
    code = CuBaStepCode(fire=False, hw_voltage_trace_available=v_hw is not None).generate()
    membrane, membrane_madc, current, _, _, _ = cuba_aelif_integration(
        _summed(input), leak=leak, reset=None, threshold=None, tau_syn=tau_syn, c_mem=tau_mem,
        g_l=1., refractory_time=0., method="superspike", alpha=50., exp_slope=None,
        exp_threshold=None, subthreshold_adaptation_strength=None,
        spike_triggered_adaptation_increment=None, tau_adap=None, integration_step_code=code,
        hw_data=handle, dt=dt, fire=False)
    return membrane, current, membrane_madc
