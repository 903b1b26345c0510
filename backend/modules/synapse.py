"""Dense signed projection (spec §5.7)."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

import torch

from ..functional import linear
from ..handle import HandleBase, SynapseHandle
from ..transforms.weight_transforms import linear_saturating
from .types import Projection

__all__ = ["Synapse"]


class Synapse(Projection):
    """All-to-all projection: ``graded_spikes = spikes @ weight.T``.

    Args:
        in_features: number of source neurons.
        out_features: number of target neurons.
        experiment, execution_instance, chip_coordinate: see :class:`~hxstudio.backend.HXModule`.
        device, dtype: of ``weight``.
        transform: maps ``weight`` to hardware weights (−63…63) when mapping onto BSS-2; never
            applied in the forward pass. Default: ``weight_transforms.linear_saturating``
            (scale 1, so weights below 0.5 in magnitude become 0 on the chip).
        plasticity_rule: on-chip plasticity kernel (hardware only, stored).

    Attributes:
        weight: ``(out_features, in_features)``, initialised ``U(-1/sqrt(in), 1/sqrt(in))`` like
            ``torch.nn.Linear``; no bias.

    Shape:
        Input: a handle with ``spikes`` ``(T, B, in_features)``.
        Output: :data:`~hxstudio.backend.SynapseHandle` with ``graded_spikes``
        ``(T, B, out_features)``.

    Raises:
        ValueError: the input handle holds no ``spikes``.

    Source: hxtorch.spiking ``modules/synapse.py`` (spec §5.7).
    """

    output_type = SynapseHandle

    def __init__(self, in_features: int, out_features: int, experiment: Any,
                 execution_instance: Optional[Any] = None, chip_coordinate: Optional[Any] = None,
                 device: Optional[torch.device] = None, dtype: Optional[torch.dtype] = None,
                 transform: Callable[[torch.Tensor], torch.Tensor] = linear_saturating,
                 plasticity_rule: Optional[Any] = None):
        super().__init__(in_features, out_features, experiment, execution_instance,
                         chip_coordinate)
        self.weight = torch.nn.Parameter(
            torch.empty((out_features, in_features), device=device, dtype=dtype))
        self.transform = transform
        self.plasticity_rule = plasticity_rule
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw ``weight`` from ``U(-1/sqrt(in_features), 1/sqrt(in_features))``."""
        torch.nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Return ``SynapseHandle(graded_spikes=linear(input.spikes, weight))``."""
        spikes = getattr(input, "spikes", None)
        if spikes is None:
            raise ValueError(
                f"Synapse: input {type(input).__name__} holds no spikes; expected a handle with "
                f"spikes of shape (T, B, {self.in_features})")
        return SynapseHandle(graded_spikes=linear(spikes, self.weight))

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"
