"""Dropout of whole neurons, one mask for the batch (spec §5.9)."""

from __future__ import annotations

from typing import Any, Optional

import torch

from ..functional import batch_dropout
from ..handle import HandleBase, LIFObservables
from ._checks import check_time_major
from .hx_module import HXFunctionalModule

__all__ = ["BatchDropout"]


class BatchDropout(HXFunctionalModule):
    """Drop each of ``size`` neurons with probability ``dropout``, the same for every batch entry.

    Must follow exactly one neuron module (LIF, LI, AELIF), which receives the same mask; the
    mask is redrawn at every :func:`~hxstudio.backend.run`. In ``eval()`` nothing is dropped.

    Args:
        size: number of neurons N.
        dropout: drop probability in [0, 1].
        experiment: the :class:`~hxstudio.backend.Experiment`.

    Shape:
        Input and output: :data:`~hxstudio.backend.LIFObservables` with ``spikes`` ``(T, B, N)``.
        The output holds only ``spikes`` (hxtorch puts it in ``current`` by mistake, spec §15.1).

    Source: hxtorch.spiking ``modules/batch_dropout.py`` (spec §5.9).
    """

    output_type = LIFObservables

    def __init__(self, size: int, dropout: float, experiment: Any):
        super().__init__(experiment)
        self.size = size
        self.dropout = dropout
        self.mask: Optional[torch.Tensor] = None

    def set_mask(self) -> torch.Tensor:
        """Draw (training) or clear (eval) the ``(size,)`` bool mask; store and return it."""
        if self.training:
            self.mask = torch.rand(self.size) > self.dropout
        else:
            self.mask = torch.ones(self.size, dtype=torch.bool)
        return self.mask

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Return ``LIFObservables(spikes=input.spikes * mask)``.

        Raises:
            ShapeError: the spikes are not ``(T, B, size)``.
        """
        spikes = check_time_major(self.describe(), "input spikes", getattr(input, "spikes", None),
                                  self.size)
        mask = self.mask if self.mask is not None else self.set_mask()
        return LIFObservables(spikes=batch_dropout(spikes, mask))

    def extra_repr(self) -> str:
        return f"size={self.size}, dropout={self.dropout}"
