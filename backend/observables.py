"""Containers for recorded hardware data (spec §4.2, §9.6).

In mock mode nothing is recorded; these types describe the ``hw_data`` a hardware or emulator run
passes to :func:`~hxstudio.backend.functional.cuba_aelif_integration`, which then injects it.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Optional

import torch

__all__ = ["AnalogObservable", "ReadoutSource"]


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
