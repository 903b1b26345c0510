"""Results of a run: per population spikes, membrane and current on a shared time axis."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

import numpy as np

__all__ = ["PopulationResult", "Result"]


@dataclass
class PopulationResult:
    """Observables of one population; arrays are float32, time-major ``(T, B, N)``.

    Attributes:
        name, kind: the population's name and kind (``input``, ``LIF``, ``LI``).
        spikes: 0/1 spikes (input and LIF); ``None`` for LI.
        membrane_cadc: membrane potential in CADC LSB (mock: the simulated membrane); ``None``
            for inputs and for populations not recorded.
        current: synaptic current (model units per step); ``None`` as ``membrane_cadc``.
    """

    name: str
    kind: str
    spikes: Optional[np.ndarray] = None
    membrane_cadc: Optional[np.ndarray] = None
    current: Optional[np.ndarray] = None

    @property
    def size(self) -> int:
        """Number of neurons ``N``."""
        arr = next(a for a in (self.spikes, self.membrane_cadc, self.current) if a is not None)
        return arr.shape[-1]


@dataclass
class Result:
    """Everything one run produced.

    Attributes:
        time: time of each step in s, shape ``(T,)`` (``t = k·dt``).
        dt: step in s.
        populations: name → :class:`PopulationResult`.
        target: where it ran (``"mock"``).
    """

    time: np.ndarray
    dt: float
    populations: dict = field(default_factory=dict)
    target: str = "mock"

    def __getitem__(self, name: str) -> PopulationResult:
        return self.populations[name]

    @property
    def duration(self) -> float:
        """Simulated time in s (``T·dt``)."""
        return len(self.time) * self.dt

    def spike_counts(self) -> dict:
        """Total spike count per spiking population (summed over batch and neurons)."""
        return {n: int(p.spikes.sum()) for n, p in self.populations.items() if p.spikes is not None}

    def mean_rates(self) -> dict:
        """Mean firing rate per neuron in Hz of hardware time, per spiking population."""
        out = {}
        for n, p in self.populations.items():
            if p.spikes is not None:
                batch, size = p.spikes.shape[1], p.spikes.shape[2]
                out[n] = float(p.spikes.sum()) / (batch * size * self.duration)
        return out

    def arrays(self) -> dict:
        """Flat dict ``"<population>/<observable>" → array`` plus ``"time"`` (for NPZ/CSV)."""
        out = {"time": self.time}
        for n, p in self.populations.items():
            for obs in ("spikes", "membrane_cadc", "current"):
                value = getattr(p, obs)
                if value is not None:
                    out[f"{n}/{obs}"] = value
        return out

    def save_npz(self, path: Union[str, Path]) -> None:
        """Write :meth:`arrays` to an ``.npz`` file (keys ``"<population>/<observable>"``)."""
        np.savez(path, **self.arrays())
