"""Hardware synapse weights: transform, saturate to ±63, round half away from zero (spec §5.7).

BSS-2 synapses hold a 6-bit magnitude (0…63); the sign comes from the excitatory or inhibitory
row, so a signed hardware weight lies in −63…63 (spec §8.1).
"""

from __future__ import annotations

from typing import Callable, Optional

import torch

__all__ = ["hardware_weight", "MAX_WEIGHT"]

#: Largest synapse weight magnitude (6 bit; ``lola.SynapseWeightMatrix.Value.max``).
MAX_WEIGHT = 63


class _RoundStraightThrough(torch.autograd.Function):
    """Forward: ``sign(w)·floor(|w| + 0.5)`` (or ``trunc(w)``); backward: identity."""

    @staticmethod
    def forward(ctx, weight: torch.Tensor, truncate: bool) -> torch.Tensor:
        if truncate:
            return torch.trunc(weight)
        return torch.sign(weight) * torch.floor(weight.abs() + 0.5)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        return grad_output, None


def hardware_weight(weight: torch.Tensor,
                    transform: Optional[Callable[[torch.Tensor], torch.Tensor]] = None,
                    truncate: bool = False) -> torch.Tensor:
    """The signed synapse weights in LSB the chip uses for ``weight``.

    ``round_half_away(clamp(transform(weight), −63, 63))``; the transform is the projection's
    (default :func:`~hxstudio.backend.transforms.weight_transforms.linear_saturating`, scale 1).
    The rounding passes gradients straight through (the clamp's gradient is zero outside ±63).

    Args:
        weight: model weights, any shape (``(out_features, in_features)`` for a Synapse).
        transform: model → hardware map; ``None`` means the identity.
        truncate: truncate magnitudes toward zero instead of rounding (what hxtorch does for a
            :class:`~hxstudio.backend.SparseSynapse`, spec §15.8).
    Returns:
        Tensor of ``weight``'s shape with integer values in −63…63 (float dtype).

    Source: hxtorch ``Synapse.add_to_network_graph`` (spec §5.7, §16.1).

    Example:
        >>> hardware_weight(torch.tensor([0.49, 0.5, -0.5, 1.5, -2.5, 70., -80.]))
        tensor([  0.,   1.,  -1.,   2.,  -3.,  63., -63.])
    """
    hw = weight if transform is None else transform(weight)
    hw = torch.clamp(hw, -MAX_WEIGHT, MAX_WEIGHT)
    return _RoundStraightThrough.apply(hw, truncate)
