"""Counter-based refractory period of one integration step (spec §6.3)."""

from __future__ import annotations

from typing import Optional, Tuple

import torch

from .unterjubel import Unterjubel

__all__ = ["refractory_update"]


def refractory_update(
    z: torch.Tensor,
    v: torch.Tensor,
    ref_state: torch.Tensor,
    spikes_hw: Optional[torch.Tensor],
    membrane_hw: Optional[torch.Tensor],
    *,
    reset,
    refractory_time,
    dt: float,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Hold refractory neurons at reset, suppress their spikes and advance the counters.

    With ``m = [r > 0]``::

        v <- (1 - m) v + m V_r          (then v <- Unterjubel(v, membrane_hw) if given)
        z <- (1 - m) z                  (then z <- Unterjubel(z, spikes_hw) if given)
        r <- (1 - z) relu(r - m) + z tau_ref / dt

    A spike therefore leaves the neuron silent and at reset for ``ceil(tau_ref / dt)`` steps.
    No gradient flows through the mask or the counter.

    Args:
        z: spikes of this step, ``(B, N)``.
        v: membrane after the spike reset, ``(B, N)``.
        ref_state: refractory counter ``r`` in steps, ``(B, N)`` or ``(N,)``.
        spikes_hw, membrane_hw: recorded spikes / membrane of this step ``(B, N)``, or ``None``.
        reset: reset potential V_r (model value), scalar or ``(N,)``.
        refractory_time: tau_ref in s, scalar or ``(N,)``.
        dt: step in s.
    Returns:
        ``(z, v, ref_state)``, each ``(B, N)``.
    Source:
        hxtorch ``functional/refractory.py`` (spec §6.3).
    """
    mask = (ref_state > 0).to(v.dtype)
    v = (1 - mask) * v + mask * reset
    if membrane_hw is not None:
        v = Unterjubel.apply(v, membrane_hw)
    z = (1 - mask) * z
    if spikes_hw is not None:
        z = Unterjubel.apply(z, spikes_hw)
    fired = z.detach()
    ref_state = (1 - fired) * torch.relu(ref_state - mask) + fired * (refractory_time / dt)
    return z, v, ref_state
