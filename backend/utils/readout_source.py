"""What the CADC and MADC of a neuron read (spec §9.6)."""

from ..observables import ReadoutSource

__all__ = ["ReadoutSource"]
