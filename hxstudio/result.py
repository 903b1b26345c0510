"""Results of a run: per population spikes, membrane and current on a shared time axis."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

__all__ = ["PopulationResult", "Result", "ResultBuffer"]

#: Observables recorded on the step grid ``(T, B, N)`` (filled chunk by chunk by :class:`ResultBuffer`).
_STEP_GRID = ("spikes", "membrane_cadc", "current", "adaptation_cadc")


@dataclass
class PopulationResult:
    """Observables of one population; arrays are float32, time-major ``(T, B, N)``.

    Attributes:
        name, kind: the population's name and kind (``input``, ``LIF``, ``LI``, ``AELIF``).
        spikes: 0/1 spikes (input, LIF and AELIF); ``None`` for LI.
        membrane_cadc: membrane potential in CADC LSB (mock: the simulated membrane); ``None``
            for inputs and for populations not recorded.
        current: synaptic current (model units per step); ``None`` as ``membrane_cadc``.
        adaptation_cadc: adaptation current w of an AELIF population with adaptation (spec §6.1
            step 5; model current units, like ``current``; mock: simulated); ``None`` otherwise
            and as ``membrane_cadc``.
        membrane_madc: MADC samples of neuron ``madc_neuron``, raw 10-bit values 0…1023, shape
            ``(S, B)`` (≈ 29.4 samples per µs, not interpolated; spec §7.3); ``None`` unless this
            population holds the experiment's one MADC neuron (emulator and hardware only).
        madc_time: time of each MADC sample in s, shape ``(S, B)`` (chip timestamp in FPGA
            cycles / 125 MHz, spec §7.3); ``None`` as ``membrane_madc``.
        madc_neuron: index of the MADC neuron within the population; ``None`` as ``membrane_madc``.
    """

    name: str
    kind: str
    spikes: Optional[np.ndarray] = None
    membrane_cadc: Optional[np.ndarray] = None
    current: Optional[np.ndarray] = None
    adaptation_cadc: Optional[np.ndarray] = None
    membrane_madc: Optional[np.ndarray] = None
    madc_time: Optional[np.ndarray] = None
    madc_neuron: Optional[int] = None

    def madc_on_cadc_axis(self) -> Optional[np.ndarray]:
        """The MADC samples in CADC LSB, shape ``(S, B)``, for plotting over ``membrane_cadc``.

        Both ADCs span the same membrane voltage range, the MADC with 10 bits and the CADC with
        8, so ``cadc = madc / MADC_GAIN − 128`` (``MADC_GAIN = 4`` MADC LSB per CADC LSB, as in
        :mod:`hxstudio.backend.chip.adc`; ``− 128``: hxtorch's ``raw − 128`` CADC convention,
        spec §7.2). Exact on the emulator up to the MADC's read noise; on a real chip the two
        ADCs' offsets and gains differ by a few LSB. ``None`` without MADC data.
        """
        if self.membrane_madc is None:
            return None
        from hxstudio.backend.chip.adc import MADC_GAIN

        return self.membrane_madc / MADC_GAIN - 128.0

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
        target: where it ran (``"mock"``, ``"emulator"`` or ``"hardware"``).
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
        """Flat dict ``"<population>/<observable>" → array`` plus ``"time"`` (for NPZ/CSV).

        Observables: ``spikes``, ``membrane_cadc``, ``current``, ``adaptation_cadc`` (AELIF
        with adaptation) and, for the MADC neuron's
        population, ``membrane_madc``, ``madc_time`` and ``madc_neuron`` (a 0-d int array).
        """
        out = {"time": self.time}
        for n, p in self.populations.items():
            for obs in ("spikes", "membrane_cadc", "current", "adaptation_cadc", "membrane_madc", "madc_time"):
                value = getattr(p, obs)
                if value is not None:
                    out[f"{n}/{obs}"] = value
            if p.madc_neuron is not None:
                out[f"{n}/madc_neuron"] = np.array(p.madc_neuron)
        return out

    def head(self, steps: int) -> "Result":
        """The first ``steps`` steps: views of the step-grid observables and ``time``; the MADC
        fields (their own time base) as they are."""
        return self._map_steps(lambda array: array[:steps])

    def _map_steps(self, change) -> "Result":
        """A copy of this result whose ``time`` and step-grid arrays are ``change(array)``."""
        return replace(self, time=change(self.time), populations={
            name: replace(pop, **{obs: None if getattr(pop, obs) is None else change(getattr(pop, obs))
                                  for obs in _STEP_GRID})
            for name, pop in self.populations.items()})

    def save_npz(self, path: Union[str, Path]) -> None:
        """Write :meth:`arrays` to an ``.npz`` file (keys ``"<population>/<observable>"``)."""
        np.savez(path, **self.arrays())


class ResultBuffer:
    """One run's result, filled chunk by chunk into arrays allocated once for all ``steps``.

    :meth:`add` copies only the new chunk; :meth:`result` returns views of the steps added so
    far. (Joining all chunks for every partial plot update copied the whole run each time:
    ≈ 0.5 s per update at 40 000 steps of a 512-neuron network, measured.) The MADC fields
    (their own time base) come from the last chunk that has them.
    """

    def __init__(self, steps: int):
        self.steps = steps
        self.done = 0
        self._full: Optional[Result] = None

    def add(self, part: Result) -> None:
        """Append ``part``, the next ``len(part.time)`` steps of the run.

        Raises:
            ValueError: ``part`` comes from another run (dt, target or populations differ) or
                goes past ``steps``.
        """
        stop = self.done + len(part.time)
        if self._full is None:
            steps = max(self.steps, stop)  # arrays shaped like the first part's, for every step
            self._full = part._map_steps(lambda array: np.empty((steps, *array.shape[1:]), dtype=array.dtype))
        full = self._full
        if (part.dt, part.target, list(part.populations)) != (full.dt, full.target, list(full.populations)):
            raise ValueError("ResultBuffer.add: the part comes from another run (dt, target or populations differ)")
        if stop > len(full.time):
            raise ValueError(f"ResultBuffer.add: steps {self.done}…{stop} go past the run's {len(full.time)} steps")
        full.time[self.done:stop] = part.time
        for name, pop in part.populations.items():
            target = full.populations[name]
            for obs in _STEP_GRID:
                if getattr(pop, obs) is not None:
                    getattr(target, obs)[self.done:stop] = getattr(pop, obs)
            if pop.membrane_madc is not None:
                full.populations[name] = replace(target, membrane_madc=pop.membrane_madc, madc_time=pop.madc_time,
                                                 madc_neuron=pop.madc_neuron)
        self.done = stop

    def result(self) -> Optional[Result]:
        """The steps ``[0, done)`` (views; ``None`` before the first :meth:`add`)."""
        return None if self._full is None else self._full.head(self.done)

    def trim(self) -> None:
        """Keep only the steps added (a stopped run): copies, so the unused rest is freed."""
        if self._full is not None and self.done < len(self._full.time):
            self._full = self._full.head(self.done)._map_steps(np.copy)
