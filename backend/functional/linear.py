"""Dense and masked linear maps used by the projections (spec §6.7)."""

from __future__ import annotations

from typing import Optional

import torch

from . import fused

__all__ = ["linear", "linear_sparse", "linear_exponential_clamp", "WeightRounding"]

#: Largest hardware weight magnitude (6-bit synapse weights).
_MAX_WEIGHT = 63.


def linear(input: torch.Tensor, weight: torch.Tensor,
           bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``input @ weight.T (+ bias)``: graded spikes of a dense projection.

    Mostly-zero float32 CPU inputs (spikes) are summed event by event
    (:func:`~hxstudio.backend.functional.fused.event_linear`): the same sums in input order,
    equal to the dense matmul up to float32 rounding. Everything else uses
    ``torch.nn.functional.linear``.

    Args:
        input: spikes ``(T, B, in)``.
        weight: ``(out, in)``.
        bias: ``(out,)`` or ``None``.
    Returns:
        ``(T, B, out)``.
    Source:
        hxtorch.spiking ``functional/linear.py`` (spec §6.7).

    Example:
        >>> linear(torch.tensor([[[1., 0.]]]), torch.tensor([[2., 3.]]))
        tensor([[[2.]]])
    """
    if fused.event_linear_applicable(input, weight, bias):
        return fused.event_linear(input, weight)
    if input.dim() > 2 and input.is_contiguous() and not fused.is_disabled():
        # Same numbers; PyTorch's 3-D path is several times slower for small batches.
        flat = torch.nn.functional.linear(input.reshape(-1, input.shape[-1]), weight, bias)
        return flat.reshape(*input.shape[:-1], flat.shape[-1])
    return torch.nn.functional.linear(input, weight, bias)


def linear_sparse(input: torch.Tensor, weight: torch.Tensor,
                  connections: Optional[torch.Tensor] = None,
                  bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Like :func:`linear`, after zeroing ``weight.data`` **in place** where ``connections`` is False.

    Args:
        connections: bool mask ``(out, in)``; ``None`` means dense.
    """
    if connections is not None:
        weight.data[~connections] = 0.
    return linear(input, weight, bias)


class WeightRounding(torch.autograd.Function):
    """``WeightRounding.apply(cap, weight)``: round ``weight`` to the 63-step grid of ``[-cap, cap]``.

    Forward ``round(weight / (cap / 63)) * cap / 63``; backward the identity for ``weight``
    (straight-through) and ``None`` for ``cap``.

    Example:
        >>> WeightRounding.apply(63., torch.tensor([0.4, 1.6]))
        tensor([0., 2.])
    """

    @staticmethod
    def forward(ctx, cap, weight: torch.Tensor) -> torch.Tensor:
        step = cap / _MAX_WEIGHT
        return torch.round(weight / step) * step

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        return None, grad_output


def linear_exponential_clamp(inputs: torch.Tensor, weight: torch.Tensor,
                             bias: Optional[torch.Tensor] = None, cap: float = 1.5,
                             start_weight: float = 61., quantize: bool = False) -> torch.Tensor:
    """:func:`linear` with weights that saturate smoothly at ``±cap`` (and are optionally rounded).

    With ``s = 1 / (1 - start_weight / 63)`` (31.5 for the defaults) and the knee
    ``k = start_weight / 63 · cap``, each weight becomes::

        w' = sign(w) · cap · (1 - exp(-s (|w|/cap - (1 - 1/s))) / s)    if |w| > k
        w' = w                                                          otherwise

    which is continuous with slope 1 at the knee and tends to ``±cap``. With ``quantize`` the
    result is rounded by :class:`WeightRounding` (63 steps per sign, straight-through gradient).
    This models BSS-2's 6-bit weight saturation in software; nothing calls it by default.

    Args:
        inputs: ``(T, B, in)``.
        weight: ``(out, in)``, model units.
        bias: ``(out,)`` or ``None``.
        cap: saturation value in model units. Default: 1.5.
        start_weight: hardware weight (of 63) where saturation starts. Default: 61.
        quantize: round to the hardware grid. Default: ``False``.
    Returns:
        ``(T, B, out)``.
    Source:
        hxtorch.spiking ``functional/linear.py`` (spec §6.7).

    Example:
        >>> w = torch.tensor([[10.]])
        >>> float(linear_exponential_clamp(torch.ones(1, 1, 1), w))
        1.5
    """
    slope = 1. / (1. - start_weight / _MAX_WEIGHT)
    knee = start_weight / _MAX_WEIGHT * cap
    magnitude = weight.abs()
    saturated = torch.sign(weight) * cap * (
        1. - torch.exp(-slope * (magnitude / cap - (1. - 1. / slope))) / slope)
    clamped = torch.where(magnitude > knee, saturated, weight)
    if quantize:
        clamped = WeightRounding.apply(cap, clamped)
    return linear(inputs, clamped, bias)
