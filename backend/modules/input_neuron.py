"""External spike source (spec §5.6)."""

from __future__ import annotations

from ..functional import input_neuron
from ..handle import HandleBase, LIFObservables
from ._checks import check_time_major
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

    Raises:
        ShapeError: the spikes are not ``(T, B, size)``.

    Source: hxtorch.spiking ``modules/input_neuron.py`` (spec §5.6).
    """

    output_type = LIFObservables

    def forward_func(self, input: HandleBase, hw_data=None) -> HandleBase:
        """Return ``LIFObservables(spikes=input_neuron(input.spikes, hw_data))`` (identity in mock)."""
        spikes = check_time_major(self.describe(), "input spikes", getattr(input, "spikes", None),
                                  self.size)
        return LIFObservables(spikes=input_neuron(spikes, hw_data))

    def extra_repr(self) -> str:
        return f"size={self.size}"
