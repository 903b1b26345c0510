"""Dense and sparse signed projections (spec §5.7, §5.8)."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

import torch

from ..errors import ShapeError
from ..functional import linear, linear_sparse
from ..handle import HandleBase, SynapseHandle
from ..transforms.weight_transforms import linear_saturating
from ._checks import check_features
from .types import Projection

__all__ = ["Synapse", "SparseSynapse"]


def _input_spikes(module: Projection, input: HandleBase) -> torch.Tensor:
    """``input.spikes`` checked to be ``(T, B, in_features)``; the weight checked too."""
    where = module.describe()
    spikes = getattr(input, "spikes", None)
    if spikes is None:
        raise ValueError(
            f"{where}: input {type(input).__name__} holds no spikes; expected a handle with "
            f"spikes of shape (T, B, {module.in_features})")
    shape = (module.out_features, module.in_features)
    if tuple(module.weight.shape) != shape:
        raise ShapeError(f"{where}: weight has shape {tuple(module.weight.shape)}, expected "
                         f"(out_features, in_features) = {shape}")
    return check_features(where, "input spikes", spikes, module.in_features)


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
        ShapeError: the spikes do not end in ``in_features`` (``(T, B, in_features)``, or one
            step ``(B, in_features)``), or ``weight`` was replaced by a tensor that is not
            ``(out_features, in_features)``.

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
        return SynapseHandle(graded_spikes=linear(_input_spikes(self, input), self.weight))

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class SparseSynapse(Projection):
    """Projection with a fixed connection pattern: ``graded_spikes = spikes @ (weight * mask).T``.

    Only connected pairs carry a weight: ``weight`` is zeroed where ``mask`` is ``False`` at
    construction and again (in place) on every forward pass, so an optimiser step cannot grow a
    connection. On BSS-2 only existing connections occupy synapses.

    Args:
        connections: ``(in_features, out_features)`` tensor, dense or sparse; non-zero means
            connected. (Note the order: the transpose of ``weight``.)
        experiment, execution_instance, chip_coordinate: see :class:`~hxstudio.backend.HXModule`.
        device, dtype: of ``weight``.
        transform: maps ``weight`` to hardware weights on BSS-2; unused in the mock.
            Default: ``weight_transforms.linear_saturating``.

    Attributes:
        mask: bool ``(out_features, in_features)``.
        connections: ``(2, nnz)`` index list ``[[out…], [in…]]`` of the connected pairs.
        weight: ``(out_features, in_features)``, initialised like :class:`Synapse`, zero where
            not connected.

    Shape:
        Input: a handle with ``spikes`` ``(T, B, in_features)``. Output:
        :data:`~hxstudio.backend.SynapseHandle` ``(T, B, out_features)``.

    Raises:
        ShapeError: ``connections`` is not 2-D; the spikes or ``weight`` do not fit.

    Note:
        On BSS-2 hxtorch truncates the hardware weight magnitudes of a SparseSynapse toward zero
        (the dense Synapse rounds); the mock never applies the transform (spec §5.8, §15.8).

    Source: hxtorch.spiking ``modules/sparse_synapse.py`` (spec §5.8).

    Example:
        >>> import hxstudio.backend as hxsnn
        >>> exp = hxsnn.Experiment(mock=True)
        >>> syn = hxsnn.SparseSynapse(torch.eye(3, 2), exp)
        >>> syn.weight.shape, int(syn.mask.sum())
        (torch.Size([2, 3]), 2)
    """

    output_type = SynapseHandle

    def __init__(self, connections: torch.Tensor, experiment: Any,
                 execution_instance: Optional[Any] = None, chip_coordinate: Optional[Any] = None,
                 device: Optional[torch.device] = None, dtype: Optional[torch.dtype] = None,
                 transform: Callable[[torch.Tensor], torch.Tensor] = linear_saturating):
        if not isinstance(connections, torch.Tensor) or connections.dim() != 2:
            raise ShapeError(
                f"SparseSynapse: connections must be a 2-D (in_features, out_features) tensor, "
                f"got {getattr(connections, 'shape', type(connections).__name__)}")
        dense = connections.to_dense() if connections.is_sparse else connections
        mask = (dense != 0).t().contiguous()
        super().__init__(mask.shape[1], mask.shape[0], experiment, execution_instance,
                         chip_coordinate)
        self.register_buffer("mask", mask.to(device=device), persistent=False)
        self.connections = mask.nonzero().t()
        self.weight = torch.nn.Parameter(
            torch.empty((self.out_features, self.in_features), device=device, dtype=dtype))
        self.transform = transform
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw ``weight`` like :class:`Synapse`, then zero it where not connected."""
        torch.nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        with torch.no_grad():
            self.weight[~self.mask] = 0.

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Return ``SynapseHandle(graded_spikes=linear_sparse(input.spikes, weight, mask))``."""
        return SynapseHandle(graded_spikes=linear_sparse(_input_spikes(self, input), self.weight,
                                                         self.mask))

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"connections={int(self.mask.sum())}")
