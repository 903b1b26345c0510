"""EventProp modules: a LIF layer and its input projection with adjoint gradients (spec §5.4, §5.7).

Use them as a pair: ``EventPropLIF(EventPropSynapse(spikes))``. The synapse emits the stacked
``(2, T, B, N)`` tensor that carries the adjoint variables backwards; see
:mod:`hxstudio.backend.functional.eventprop`.
"""

from __future__ import annotations

from typing import Any

import torch

from ..errors import ShapeError
from ..functional import EventPropLIFFunction, EventPropSynapseFunction
from ..handle import HandleBase, LIFObservables, SynapseHandle
from .neuron import LIF
from .synapse import Synapse, _input_spikes

__all__ = ["EventPropLIF", "EventPropSynapse"]


class EventPropSynapse(Synapse):
    """:class:`~hxstudio.backend.Synapse` whose output feeds an :class:`EventPropLIF`.

    Arguments as in :class:`~hxstudio.backend.Synapse`.

    Shape:
        Input: a handle with ``spikes`` ``(T, B, in_features)``. Output:
        :data:`~hxstudio.backend.SynapseHandle` with ``graded_spikes``
        ``(2, T, B, out_features)`` (graded spikes, zeros).

    Source: hxtorch.spiking ``modules/synapse.py`` (spec §5.7).
    """

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Return ``SynapseHandle(graded_spikes=EventPropSynapseFunction.apply(spikes, weight))``."""
        return SynapseHandle(graded_spikes=EventPropSynapseFunction.apply(
            _input_spikes(self, input), self.weight))


class EventPropLIF(LIF):
    """LIF trained with exact EventProp gradients instead of a surrogate.

    Arguments as in :class:`~hxstudio.backend.LIF`; ``refractory_time``,
    ``membrane_capacitance`` (C = τ_mem is used) and the surrogate are ignored (spec §5.4).

    Shape:
        Input: exactly one handle from an :class:`EventPropSynapse`, ``graded_spikes``
        ``(2, T, B, N)``. Output: :data:`~hxstudio.backend.LIFObservables` with ``spikes``,
        ``membrane_cadc``, ``current`` ``(T, B, N)``.

    Raises:
        ValueError: not exactly one input.
        ShapeError: the input is not ``(2, T, B, size)``.

    Source: hxtorch.spiking ``modules/neuron.py`` (spec §5.4).
    """

    def forward_func(self, *inputs: HandleBase, hw_data: Any = None) -> HandleBase:
        """Integrate the stacked input with :class:`~hxstudio.backend.functional.EventPropLIFFunction`."""
        where = self.describe()
        if len(inputs) != 1:
            raise ValueError(f"{where}: takes exactly one input (from an EventPropSynapse), "
                             f"got {len(inputs)}")
        graded = getattr(inputs[0], "graded_spikes", None)
        if not isinstance(graded, torch.Tensor) or graded.dim() != 4 or graded.shape[0] != 2 \
                or graded.shape[-1] != self.size:
            raise ShapeError(
                f"{where}: input graded_spikes has shape "
                f"{tuple(getattr(graded, 'shape', ()))}, expected (2, T, B, {self.size}) from an "
                "EventPropSynapse")
        self._check_parameters()
        hw = None
        if hw_data is not None:
            voltage = getattr(hw_data, "voltage", None)
            hw = (getattr(hw_data, "spikes", None), getattr(voltage, "cadc", None))
        spikes, membrane, current = EventPropLIFFunction.apply(
            graded, self.leak.model_value, self.reset.model_value, self.threshold.model_value,
            self.tau_syn.model_value, self.tau_mem.model_value, hw, self.experiment.dt)
        return LIFObservables(spikes=spikes, membrane_cadc=membrane, current=current,
                              membrane_madc=None)
