"""Maps from model weights to BSS-2 hardware weights (spec §9.1)."""

from __future__ import annotations

import torch

__all__ = ["linear_saturating"]


def linear_saturating(weight: torch.Tensor, scale: float = 1., min_weight: float = -63.,
                      max_weight: float = 63.) -> torch.Tensor:
    """Return ``clamp(scale * weight, min_weight, max_weight)``, not rounded.

    Used only when a projection is mapped to hardware, where the magnitudes are then rounded to
    the 6-bit synapse weights (0…63 per sign). Typical use:
    ``functools.partial(linear_saturating, scale=64.)``.

    Args:
        weight: model weights, any shape.
        scale: hardware LSB per model unit. Default: 1.
        min_weight, max_weight: saturation limits in hardware LSB. Default: −63, 63.
    Returns:
        Tensor of ``weight``'s shape.
    Source:
        hxtorch.spiking ``transforms/weight_transforms.py`` (spec §9.1).

    Example:
        >>> linear_saturating(torch.tensor([-2., 0.3, 1.]), scale=40.)
        tensor([-63.,  12.,  40.])
    """
    return torch.clamp(scale * weight, min_weight, max_weight)
