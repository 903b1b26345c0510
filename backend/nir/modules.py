"""Projection modules the NIR import needs beyond hxtorch's ``Synapse``."""

from __future__ import annotations

from typing import Any

import torch

from ..functional import linear
from ..handle import HandleBase, SynapseHandle
from ..modules import Synapse

__all__ = ["AffineSynapse"]


class AffineSynapse(Synapse):
    """A :class:`~hxstudio.backend.Synapse` plus a constant bias added in every step.

    ``graded_spikes = spikes @ weight.T + bias``: NIR's ``Affine`` node. In the mock the bias is an
    input current of ``bias`` per step. On BSS-2 a bias needs a source that spikes every step
    (hxstudio's documents model it so) or a neuron's constant-current source; it is not mapped to
    the chip here.

    Args:
        in_features, out_features, experiment, **kwargs: as :class:`~hxstudio.backend.Synapse`.

    Attributes:
        bias: ``(out_features,)`` parameter, zero-initialised.

    Example:
        >>> import hxstudio.backend as hxsnn
        >>> exp = hxsnn.Experiment(mock=True)
        >>> syn = AffineSynapse(1, 2, exp)
        >>> syn.bias.data[:] = torch.tensor([0.5, -1.])
        >>> syn.forward_func(hxsnn.LIFObservables(spikes=torch.zeros(3, 1, 1))).graded_spikes[0, 0]
        tensor([ 0.5000, -1.0000], grad_fn=<SelectBackward0>)
    """

    def __init__(self, in_features: int, out_features: int, experiment: Any, **kwargs: Any):
        super().__init__(in_features, out_features, experiment, **kwargs)
        self.bias = torch.nn.Parameter(torch.zeros(out_features, dtype=self.weight.dtype,
                                                   device=self.weight.device))

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Return ``SynapseHandle(graded_spikes=linear(input.spikes, weight, bias))``."""
        spikes = getattr(input, "spikes", None)
        if spikes is None:
            raise ValueError(
                f"AffineSynapse: input {type(input).__name__} holds no spikes; expected a handle "
                f"with spikes of shape (T, B, {self.in_features})")
        return SynapseHandle(graded_spikes=linear(spikes, self.weight, self.bias))
