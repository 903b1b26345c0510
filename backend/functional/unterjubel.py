"""``Unterjubel`` ("to slip in"): forward a recorded value, backward through the simulation (spec §6.4)."""

from __future__ import annotations

import torch

__all__ = ["Unterjubel"]


class Unterjubel(torch.autograd.Function):
    """``Unterjubel.apply(x_sim, x_hw)`` returns ``x_hw``; the gradient goes unchanged to ``x_sim``.

    This is how recorded hardware (or emulator) observables replace simulated values while the
    surrogate gradients of the model keep flowing. No gradient reaches ``x_hw``.

    Args:
        x_sim: the simulated value, shape ``S``.
        x_hw: the recorded value, broadcastable to ``S``.

    Example:
        >>> x = torch.zeros(2, requires_grad=True)
        >>> y = Unterjubel.apply(x, torch.tensor([3., 4.]))
        >>> y.sum().backward(); y.detach(), x.grad
        (tensor([3., 4.]), tensor([1., 1.]))
    """

    @staticmethod
    def forward(ctx, x_sim: torch.Tensor, x_hw: torch.Tensor) -> torch.Tensor:
        return x_hw.clone()

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        return grad_output, None
