"""Neuron morphologies: how many BSS-2 neuron circuits form one logical neuron (spec §8.1).

Only single-compartment neurons exist in hxtorch (more compartments raise there as well). The
mock numerics ignore the morphology; it matters for placement on the chip (512 circuits).
"""

from __future__ import annotations

from .errors import ResourceError

__all__ = ["Morphology", "SingleCompartmentNeuron"]


class Morphology:
    """Base class: a logical neuron built from ``circuits`` connected neuron circuits."""

    #: Number of neuron circuits per logical neuron.
    circuits: int = 1
    #: Number of compartments.
    compartments: int = 1


class SingleCompartmentNeuron(Morphology):
    """One compartment of ``size`` neuron circuits (default 1).

    Args:
        size: neuron circuits per logical neuron, 1…512. More circuits give a larger membrane
            capacitance and more synapse rows per neuron; they are filled column-wise (top and
            bottom circuit of a column first) unless ``expand_horizontally``.
        expand_horizontally: fill along a row instead. Default: ``False``.

    Raises:
        ResourceError: ``size`` outside 1…512.

    Example:
        >>> SingleCompartmentNeuron(2).circuits
        2
    """

    def __init__(self, size: int = 1, expand_horizontally: bool = False):
        if not isinstance(size, int) or not 1 <= size <= 512:
            raise ResourceError(f"SingleCompartmentNeuron: size = {size!r} neuron circuits, "
                                "allowed 1…512 (BSS-2 has 512)")
        self.size = size
        self.circuits = size
        self.expand_horizontally = expand_horizontally

    def __repr__(self) -> str:
        return (f"SingleCompartmentNeuron(size={self.size}, "
                f"expand_horizontally={self.expand_horizontally})")
