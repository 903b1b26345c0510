"""External spike source (spec §5.6)."""

from __future__ import annotations

from ..handle import HandleBase, LIFObservables
from .types import InputPopulation

__all__ = ["InputNeuron"]


class InputNeuron(InputPopulation):
    """A population that emits the spikes it is given.

    In mock mode it is the identity on ``spikes``. On BSS-2 every non-zero entry becomes one
    spike event, so graded values are lost.

    Args:
        size: number of inputs N.
        experiment, execution_instance, chip_coordinate: see :class:`~hxstudio.backend.HXModule`.

    Shape:
        Input and output: :data:`~hxstudio.backend.LIFObservables` with ``spikes`` ``(T, B, N)``.

    Source: hxtorch.spiking ``modules/input_neuron.py`` (spec §5.6).
    """

    output_type = LIFObservables

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Return ``LIFObservables(spikes=input.spikes)``."""
        return LIFObservables(spikes=input.spikes)
