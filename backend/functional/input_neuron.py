"""The input population's function: identity, or the recorded input spikes injected (spec §6.8)."""

from __future__ import annotations

from typing import Optional

import torch

from .unterjubel import Unterjubel

__all__ = ["input_neuron"]


def input_neuron(input: torch.Tensor, hw_data: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Return ``input``, or ``Unterjubel(input, hw_data[:T])`` when input spikes were recorded.

    Args:
        input: spikes ``(T, B, N)``.
        hw_data: recorded input spikes ``(T', B, N)`` with ``T' >= T`` (input loopback), or
            ``None``.
    Returns:
        ``(T, B, N)``: the recorded values in the forward pass, gradients to ``input``.
    Source:
        hxtorch.spiking ``functional/input_neuron.py`` (spec §6.8).

    Example:
        >>> x = torch.ones(2, 1, 1)
        >>> input_neuron(x) is x
        True
    """
    if hw_data is None:
        return input
    return Unterjubel.apply(input, hw_data[:input.shape[0]])
