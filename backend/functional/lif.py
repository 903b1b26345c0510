"""LIF integrators of older hxtorch generations (spec §6.5, §14).

* :func:`exp_cuba_lif_integration`: the deprecated exponential-Euler LIF behind
  :class:`~hxstudio.backend.modules.NeuronExp`; its own loop (no ``dt``: the decay factors carry it).
* :func:`cuba_lif_integration`, :func:`cuba_refractory_lif_integration`,
  :func:`cuba_iaf_integration`, :func:`cuba_refractory_iaf_integration`: the 2024-06…2025-06
  API, thin wrappers over :func:`~hxstudio.backend.functional.cuba_aelif_integration` with the
  flags and parameters that reproduce them exactly; they take the fused loop where it applies.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Tuple

import torch

from ..handle import Handle
from ..observables import AnalogObservable
from .aelif import CuBaStepCode, cuba_aelif_integration
from .superspike import threshold as threshold_function
from .unterjubel import Unterjubel

__all__ = [
    "exp_cuba_lif_integration",
    "cuba_lif_integration",
    "cuba_refractory_lif_integration",
    "cuba_iaf_integration",
    "cuba_refractory_iaf_integration",
]

Tensor = torch.Tensor


def _hw_parts(hw_data: Any) -> Tuple[Optional[Tensor], Optional[Tensor], Optional[Tensor]]:
    """``(spikes, cadc, madc)`` of a Gen-B tuple or a ``Handle(voltage=…, spikes=…)``."""
    if hw_data is None:
        return None, None, None
    if isinstance(hw_data, (tuple, list)):
        spikes, cadc, madc = (tuple(hw_data) + (None, None, None))[:3]
        return spikes, cadc, madc
    voltage = getattr(hw_data, "voltage", None)
    return (getattr(hw_data, "spikes", None), getattr(voltage, "cadc", None),
            getattr(voltage, "madc", None))


def exp_cuba_lif_integration(input: Tensor, *, leak, reset, threshold, tau_syn_exp, tau_mem_exp,
                             method: str, alpha, hw_data: Any = None
                             ) -> Tuple[Tensor, Tensor, Tensor, Optional[Tensor]]:
    """Deprecated exponential-Euler LIF: decay factors instead of time constants.

    With ``a_m = tau_mem_exp`` and ``a_s = tau_syn_exp`` (meant to be ``exp(-dt/τ)``), from
    ``z = 0, v = E_L, i = 0``, per step ``t``::

        1. v = a_m (v - E_L) + E_L + (1 - a_m) i     (old i; then Unterjubel(v, V_hw[t]))
        2. i = a_s i + x_t
        3. z = Θ(v - ϑ)                            (or Unterjubel(z, Z_hw[t]))
        4. v = (1 - sg(z)) v + sg(z) V_r             only without a recorded voltage

    No refractoriness. Θ is the Heaviside step with surrogate ``method``/``alpha``.

    Args:
        input: ``(T, B, N)``.
        leak, reset, threshold: potentials (model values), scalar or ``(N,)``.
        tau_syn_exp, tau_mem_exp: decay factors per step, in (0, 1].
        method, alpha: surrogate gradient (see ``threshold``).
        hw_data: ``Handle(voltage=AnalogObservable(cadc, madc), adaptation=…, spikes=…)`` or a
            ``(spikes, cadc, madc)`` tuple; present traces are injected and T becomes the
            shortest length.
    Returns:
        ``(spikes, membrane, current, membrane_madc)``: three ``(T, B, N)`` tensors and the
        recorded MADC data (or ``None``).
    Warns:
        DeprecationWarning: always; prefer :class:`~hxstudio.backend.LIF`.
    Source:
        hxtorch.spiking ``functional/lif.py`` (spec §6.5).
    """
    warnings.warn("exp_cuba_lif_integration is deprecated; use cuba_aelif_integration (LIF)",
                  DeprecationWarning, stacklevel=2)
    z_hw, v_hw, madc = _hw_parts(hw_data)
    steps = min(len(s) for s in (input, v_hw, z_hw) if s is not None)
    i = torch.zeros_like(input[0])
    v = i + leak
    spikes, membrane, current = [], [], []
    for t, x in enumerate(input[:steps].unbind(0)):
        v = tau_mem_exp * (v - leak) + leak + (1 - tau_mem_exp) * i
        if v_hw is not None:
            v = Unterjubel.apply(v, v_hw[t])
        i = tau_syn_exp * i + x
        z = threshold_function(v - threshold, method, alpha)
        if z_hw is not None:
            z = Unterjubel.apply(z, z_hw[t])
        if v_hw is None:
            v = (1 - z.detach()) * v + z.detach() * reset
        spikes.append(z)
        membrane.append(v)
        current.append(i)
    return torch.stack(spikes), torch.stack(membrane), torch.stack(current), madc


def _aelif_lif(input, *, leak, reset, threshold, tau_syn, c_mem, g_l, refractory_time, method,
               alpha, hw_data, dt, refractory):
    z_hw, v_hw, madc = _hw_parts(hw_data)
    handle = None
    if any(x is not None for x in (z_hw, v_hw, madc)):
        handle = Handle(voltage=AnalogObservable(cadc=v_hw, madc=madc), adaptation=None,
                        spikes=z_hw)
    code = CuBaStepCode(fire=True, refractory=refractory, hw_voltage_trace_available=v_hw is not None,
                        hw_spikes_available=z_hw is not None).generate()
    membrane, membrane_madc, current, _, _, spikes = cuba_aelif_integration(
        input, leak=leak, reset=reset, threshold=threshold, tau_syn=tau_syn, c_mem=c_mem,
        g_l=g_l, refractory_time=refractory_time, method=method, alpha=alpha, exp_slope=None,
        exp_threshold=None, subthreshold_adaptation_strength=None,
        spike_triggered_adaptation_increment=None, tau_adap=None, integration_step_code=code,
        hw_data=handle, dt=dt, fire=True, refractory=refractory)
    return spikes, membrane, current, membrane_madc


def cuba_lif_integration(input: Tensor, *, leak, reset, threshold, tau_syn, tau_mem,
                         method: str = "superspike", alpha=50., hw_data: Any = None,
                         dt: float = 1e-6) -> Tuple[Tensor, Tensor, Tensor, Optional[Tensor]]:
    """LIF of the 2024-06…2025-06 API: :func:`cuba_aelif_integration` with ``C = τ_mem``,
    ``g_L = 1`` and no refractory period, i.e. ``dv = dt/τ_mem (E_L - v + i)`` (spec §14).

    Args:
        input: ``(T, B, N)``.
        leak, reset, threshold: potentials (model values).
        tau_syn, tau_mem: time constants in s.
        method, alpha: surrogate gradient. Default: ``"superspike"``, 50.
        hw_data: ``(spikes, cadc, madc)`` tuple (or a Handle as for the AELIF integrator).
        dt: step in s. Default: ``1e-6``.
    Returns:
        ``(spikes, membrane, current, membrane_madc)``.

    Example:
        >>> x = torch.zeros(30, 1, 1); x[10] = 1.
        >>> z, v, i, _ = cuba_lif_integration(x, leak=0., reset=0., threshold=1.,
        ...                                   tau_syn=10e-6, tau_mem=10e-6)
        >>> round(float(v.max()), 5)
        0.38742
    """
    return _aelif_lif(input, leak=leak, reset=reset, threshold=threshold, tau_syn=tau_syn,
                      c_mem=tau_mem, g_l=1., refractory_time=0., method=method, alpha=alpha,
                      hw_data=hw_data, dt=dt, refractory=False)


def cuba_refractory_lif_integration(input: Tensor, *, leak, reset, threshold, tau_syn, tau_mem,
                                    refractory_time, method: str = "superspike", alpha=50.,
                                    hw_data: Any = None, dt: float = 1e-6
                                    ) -> Tuple[Tensor, Tensor, Tensor, Optional[Tensor]]:
    """:func:`cuba_lif_integration` plus the refractory period ``refractory_time`` in s
    (``refractory_update``, spec §6.3, §14)."""
    return _aelif_lif(input, leak=leak, reset=reset, threshold=threshold, tau_syn=tau_syn,
                      c_mem=tau_mem, g_l=1., refractory_time=refractory_time, method=method,
                      alpha=alpha, hw_data=hw_data, dt=dt, refractory=True)


def cuba_iaf_integration(input: Tensor, *, reset, threshold, tau_syn, tau_mem,
                         method: str = "superspike", alpha=50., hw_data: Any = None,
                         dt: float = 1e-6) -> Tuple[Tensor, Tensor, Tensor, Optional[Tensor]]:
    """Integrate-and-fire without leak: ``dv = dt/τ_mem · i``, ``v₀ = reset`` (spec §14).

    Computed as :func:`cuba_aelif_integration` with ``leak = reset`` (the start value) and
    ``g_L = 0`` (no leak current), which is exactly the old IAF update.
    """
    return _aelif_lif(input, leak=reset, reset=reset, threshold=threshold, tau_syn=tau_syn,
                      c_mem=tau_mem, g_l=0., refractory_time=0., method=method, alpha=alpha,
                      hw_data=hw_data, dt=dt, refractory=False)


def cuba_refractory_iaf_integration(input: Tensor, *, reset, threshold, tau_syn, tau_mem,
                                    refractory_time, method: str = "superspike", alpha=50.,
                                    hw_data: Any = None, dt: float = 1e-6
                                    ) -> Tuple[Tensor, Tensor, Tensor, Optional[Tensor]]:
    """:func:`cuba_iaf_integration` plus the refractory period ``refractory_time`` in s."""
    return _aelif_lif(input, leak=reset, reset=reset, threshold=threshold, tau_syn=tau_syn,
                      c_mem=tau_mem, g_l=0., refractory_time=refractory_time, method=method,
                      alpha=alpha, hw_data=hw_data, dt=dt, refractory=True)
