"""Heaviside spike function with the SuperSpike surrogate gradient (spec §6.2).

Forward ``(x > 0)``; backward ``grad / (alpha * |x| + 1)**2`` (Zenke & Ganguli, Neural Comput. 2018).
"""

from __future__ import annotations

import torch

__all__ = ["SuperSpike", "superspike_func", "threshold"]


class SuperSpike(torch.autograd.Function):
    """Autograd function ``SuperSpike.apply(input, alpha)``.

    Args:
        input: membrane minus threshold, any shape (usually ``(B, N)``).
        alpha: steepness of the surrogate, a 0-d tensor. No gradient flows to it.
    Returns:
        ``(input > 0)`` in ``input``'s dtype: 1 strictly above threshold, else 0.
    """

    @staticmethod
    def forward(ctx, input: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(input, alpha)
        return (input > 0).to(input.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, alpha = ctx.saved_tensors
        return grad_output / (alpha * input.abs() + 1.0) ** 2, None


def superspike_func(input: torch.Tensor, alpha: float) -> torch.Tensor:
    """Apply :class:`SuperSpike` with steepness ``alpha`` (a float or tensor)."""
    return SuperSpike.apply(input, torch.as_tensor(alpha))


def threshold(input: torch.Tensor, method: str, alpha: float) -> torch.Tensor:
    """Spike where ``input > 0``, with the surrogate gradient named by ``method``.

    Args:
        input: membrane minus threshold, any shape.
        method: ``"superspike"`` (the only surrogate hxtorch implements).
        alpha: steepness of the surrogate; hxtorch's module default is 50.
    Raises:
        ValueError: ``"Threshold function '<method>' is not implemented yet"``.
    Source:
        hxtorch ``functional/threshold.py`` (spec §6.2).

    Example:
        >>> threshold(torch.tensor([-0.1, 0.0, 0.2]), "superspike", 50.)
        tensor([0., 0., 1.])
    """
    if method != "superspike":
        raise ValueError(f"Threshold function '{method}' is not implemented yet")
    return superspike_func(input, alpha)
