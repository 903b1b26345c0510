"""Containers for recorded hardware data (spec §4.2, §9.6).

In mock mode nothing is recorded; these types describe the ``hw_data`` a hardware or emulator run
passes to :func:`~hxstudio.backend.functional.cuba_aelif_integration`, which then injects it.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Dict, Optional

import torch

__all__ = ["AnalogObservable", "HardwareObservables", "HardwareObservablesExtractor",
           "ReadoutSource"]


@dataclasses.dataclass
class AnalogObservable:
    """One analog trace of a population as recorded by the two ADCs.

    Attributes:
        cadc: CADC samples on the ``dt`` grid, shape ``(T, B, N)``; injected into the model.
        madc: raw MADC samples of one neuron, shape ``(2, S, B)``; passed through unchanged.
    """

    cadc: Optional[torch.Tensor] = None
    madc: Optional[torch.Tensor] = None


class ReadoutSource(enum.Enum):
    """What the CADC/MADC of a neuron reads: the membrane (``VOLTAGE``) or the adaptation state."""

    VOLTAGE = "voltage"
    ADAPTATION = "adaptation"


@dataclasses.dataclass
class HardwareObservables:
    """The raw data recorded for one population in a hardware (or emulator) run.

    Attributes:
        spikes: recorded spike events, or ``None``.
        cadc: recorded CADC samples, or ``None``.
        madc: recorded MADC samples, or ``None``.
    """

    spikes: Optional[Any] = None
    cadc: Optional[Any] = None
    madc: Optional[Any] = None


class HardwareObservablesExtractor:
    """Collects :class:`HardwareObservables` per module descriptor after a run.

    In mock mode nothing is recorded and :meth:`get` returns ``None`` for every descriptor.
    """

    def __init__(self):
        self._data: Dict[Any, HardwareObservables] = {}

    def set_data(self, network_graph: Any, result_map: Dict[Any, HardwareObservables]) -> None:
        """Store the observables of a run, keyed by module descriptor."""
        self._data = dict(result_map or {})

    def get(self, descriptor: Any) -> Optional[HardwareObservables]:
        """The observables recorded for ``descriptor``, or ``None``."""
        return self._data.get(descriptor)
