"""EventProp: exact gradients of LIF spike times by the adjoint method (spec §6.6).

:class:`EventPropSynapseFunction` produces the stacked input ``(2, T, B, N)`` that
:class:`EventPropLIFFunction` integrates: index 0 carries the graded spikes forward, and in the
backward pass index 0 returns the adjoint of the synaptic current (for the weight gradient) and
index 1 that of the membrane minus the current (for the presynaptic spikes).
Wunderlich & Pehle, "Event-based backpropagation can compute exact gradients for spiking neural
networks", Sci. Rep. 11, 12829 (2021).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import torch

__all__ = ["EventPropLIFFunction", "EventPropSynapseFunction"]


class EventPropSynapseFunction(torch.autograd.Function):
    """``EventPropSynapseFunction.apply(spikes, weight)``: dense projection for EventProp.

    Forward: ``y = spikes @ weight.T``; returns ``stack(y, zeros_like(y))``, ``(2, T, B, out)``.
    Backward, with ``G`` the ``(2, T, B, out)`` incoming gradient: ``grad_spikes = G[1] @ weight``
    and ``grad_weight = sum over T and B of G[0]ᵀ spikes``.

    Args:
        spikes: ``(T, B, in)``.
        weight: ``(out, in)``.
    Source:
        hxtorch.spiking ``functional/eventprop.py`` (spec §6.6).
    """

    @staticmethod
    def forward(ctx, input: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(input, weight)
        output = torch.nn.functional.linear(input, weight)
        return torch.stack((output, torch.zeros_like(output)))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, weight = ctx.saved_tensors
        grad_input = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output[1] @ weight
        if ctx.needs_input_grad[1]:
            grad_weight = torch.einsum("tbo,tbi->oi", grad_output[0], input)
        return grad_input, grad_weight


class EventPropLIFFunction(torch.autograd.Function):
    """``EventPropLIFFunction.apply(input, leak, reset, threshold, tau_syn, tau_mem, hw_data, dt)``.

    Forward (mock): index 0 holds the initial state ``z = 0, i = 0, v = E_L``; then for
    ``t = 0 … T-2``, with the *current updated first*::

        i = i (1 - dt/τ_s) + input[0][t]
        v = v + dt/τ_m (E_L - v + i)
        z = [v > ϑ]                      (plain Heaviside)
        v = (1 - z) v + z V_r

    stored at index ``t + 1``. Membrane and spikes equal the AELIF mock with ``C = τ_m`` and no
    refractory period; the current is one index later. With ``hw_data = (spikes, cadc)`` the
    recorded values are returned instead (current ``None``).

    Backward (adjoint, only the spike gradient ``g`` is used): from ``λ_v = λ_i = 0``, for
    ``t = T-1 … 1``::

        dv⁻ = E_L - ϑ + i[t-1];   dv⁺ = E_L - V_r + i[t-1]
        λ_i[t-1] = λ_i[t] + dt/τ_s (λ_v[t] - λ_i[t])
        λ_v[t-1] = λ_v[t] (1 - dt/τ_m)
        λ_v[t-1] = (1 - z[t]) λ_v[t-1] + z[t] dv⁺/dv⁻ λ_v[t-1] + z[t] g[t]/dv⁻   (NaN/Inf → 0)

    and returns ``stack(λ_i τ_s, λ_v - λ_i)`` for ``input``; no parameter gradients.

    Args:
        input: ``(2, T, B, N)`` from :class:`EventPropSynapseFunction`.
        leak, reset, threshold: potentials (model values), scalar or ``(N,)``.
        tau_syn, tau_mem: time constants in s.
        hw_data: ``(spikes, cadc)`` recorded on hardware, or ``None``.
        dt: step in s.
    Returns:
        ``(spikes, membrane, current)``, each ``(T, B, N)`` (current ``None`` with ``hw_data``).
    Source:
        hxtorch.spiking ``functional/eventprop.py`` (spec §6.6).
    """

    @staticmethod
    def forward(ctx, input: torch.Tensor, leak, reset, threshold, tau_syn, tau_mem,
                hw_data: Any = None, dt: float = 1e-6):
        graded = input[0]
        if hw_data is not None:
            spikes, membrane = hw_data[0], hw_data[1]
            current = None
        else:
            i = torch.zeros_like(graded[0])
            z = torch.zeros_like(graded[0])
            v = i + leak
            spikes, membrane, current = [z], [v], [i]
            for t in range(graded.shape[0] - 1):
                i = i * (1 - dt / tau_syn) + graded[t]
                v = v + dt / tau_mem * (leak - v + i)
                z = (v > threshold).to(v.dtype)
                v = (1 - z) * v + z * reset
                spikes.append(z)
                membrane.append(v)
                current.append(i)
            spikes, membrane, current = (torch.stack(spikes), torch.stack(membrane),
                                         torch.stack(current))
        ctx.save_for_backward(graded, spikes, current)
        ctx.params = (leak, reset, threshold, tau_syn, tau_mem, dt)
        return spikes, membrane, current

    @staticmethod
    def backward(ctx, grad_spikes: torch.Tensor, grad_membrane: Optional[torch.Tensor],
                 grad_current: Optional[torch.Tensor]):
        graded, spikes, current = ctx.saved_tensors
        leak, reset, threshold, tau_syn, tau_mem, dt = ctx.params
        if current is None:
            current = torch.zeros_like(graded)
            i = torch.zeros_like(graded[0])
            for t in range(graded.shape[0] - 1):
                i = i * (1 - dt / tau_syn) + graded[t]
                current[t + 1] = i
        lambda_v = torch.zeros_like(graded)
        lambda_i = torch.zeros_like(graded)
        for t in range(graded.shape[0] - 1, 0, -1):
            dv_minus = leak - threshold + current[t - 1]
            dv_plus = leak - reset + current[t - 1]
            lambda_i[t - 1] = lambda_i[t] + dt / tau_syn * (lambda_v[t] - lambda_i[t])
            lambda_v[t - 1] = lambda_v[t] * (1 - dt / tau_mem)
            out = torch.nan_to_num(spikes[t] * grad_spikes[t] / dv_minus, nan=0., posinf=0.,
                                   neginf=0.)
            jump = torch.nan_to_num(spikes[t] * dv_plus / dv_minus, nan=0., posinf=0., neginf=0.)
            lambda_v[t - 1] = ((1 - spikes[t]) * lambda_v[t - 1] + jump * lambda_v[t - 1]
                               + out)
        grad_input = torch.stack((lambda_i * tau_syn, lambda_v - lambda_i))
        return grad_input, None, None, None, None, None, None, None
