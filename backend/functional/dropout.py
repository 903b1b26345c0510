"""Batch dropout: one neuron mask shared by every batch entry (spec §6.8)."""

from __future__ import annotations

import torch

__all__ = ["batch_dropout"]


def batch_dropout(input: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Return ``input * mask``.

    Args:
        input: spikes ``(T, B, N)``.
        mask: ``(N,)``, bool or float; broadcast over time and batch.
    """
    return input * mask.to(input.device)
