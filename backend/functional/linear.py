"""Dense and masked linear maps used by the projections (spec §6.7)."""

from __future__ import annotations

from typing import Optional

import torch

__all__ = ["linear", "linear_sparse"]


def linear(input: torch.Tensor, weight: torch.Tensor,
           bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``input @ weight.T (+ bias)``: graded spikes of a dense projection.

    Args:
        input: spikes ``(T, B, in)``.
        weight: ``(out, in)``.
        bias: ``(out,)`` or ``None``.
    Returns:
        ``(T, B, out)``.
    """
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
