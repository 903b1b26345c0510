"""Decoders that reduce a ``(T, B, N)`` trace over time to ``(B, N)`` (spec §9.3)."""

from __future__ import annotations

import torch

__all__ = ["MaxOverTime", "SumOverTime", "MeanOverTime"]


class MaxOverTime(torch.nn.Module):
    """Maximum over dim 0 (time): ``(T, B, N)`` → ``(B, N)``."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input.amax(0)


class SumOverTime(torch.nn.Module):
    """Sum over dim 0 (time): ``(T, B, N)`` → ``(B, N)``."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input.sum(0)


class MeanOverTime(torch.nn.Module):
    """Mean over dim 0 (time): ``(T, B, N)`` → ``(B, N)``."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input.mean(0)
