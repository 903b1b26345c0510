"""Turn the stimulus of an input population into a spike array on the ``dt`` grid.

A spike at time ``t`` lands in step ``round(t/dt)`` (nearest grid point, as BSS-2 bins recorded
spikes, spec §7.1); spikes past the end are dropped; several spikes in one step count once (the
chip's input is binary, spec §16.2).
"""

from __future__ import annotations

import functools

import numpy as np

from hxstudio.network import DatasetSample, PoissonRate, RegularRate, SpikeTimes

__all__ = ["stimulus_spikes", "yinyang_sample"]


def stimulus_spikes(stimulus, size: int, steps: int, dt: float) -> np.ndarray:
    """Spikes of one input population.

    Args:
        stimulus: a :class:`~hxstudio.network.Stimulus` of the population.
        size: number of neurons ``N``.
        steps: number of time steps ``T``.
        dt: step in s.

    Returns:
        float32 array of 0/1, shape ``(T, N)``.
    """
    out = np.zeros((steps, size), dtype=np.float32)
    if isinstance(stimulus, SpikeTimes):
        for n, times in enumerate(stimulus.times):
            _put(out, n, np.asarray(times, dtype=np.float64), dt)
    elif isinstance(stimulus, RegularRate):
        times = np.arange(stimulus.start, steps * dt, 1.0 / stimulus.rate)
        for n in range(size):
            _put(out, n, times, dt)
    elif isinstance(stimulus, PoissonRate):
        rng = np.random.default_rng(stimulus.seed)
        out[:] = rng.random((steps, size)) < min(stimulus.rate * dt, 1.0)
    elif isinstance(stimulus, DatasetSample):
        features, _ = yinyang_sample(stimulus.split, stimulus.index)
        times = stimulus.t_early + features * (stimulus.t_late - stimulus.t_early)
        for n, t in enumerate(np.append(times, stimulus.t_bias)):
            _put(out, n, np.array([t]), dt)
    else:  # pragma: no cover - the document admits no other kind
        raise TypeError(f"unknown stimulus {stimulus!r}")
    return out


def _put(out: np.ndarray, n: int, times: np.ndarray, dt: float) -> None:
    # np.round is half-to-even like torch.round in hxtorch's CoordinatesToSpikes (spec §9.2)
    steps = np.round(times / dt).astype(np.int64)
    steps = steps[(steps >= 0) & (steps < out.shape[0])]
    out[steps, n] = 1.0


@functools.lru_cache(maxsize=2)
def _yinyang(split: str):
    from hxstudio.backend.datasets import YinYangDataset

    return YinYangDataset(size=5000, seed=42) if split == "train" else YinYangDataset(size=1000, seed=41)


def yinyang_sample(split: str, index: int):
    """Features ``(x, y, 1−x, 1−y)`` (float64, shape ``(4,)``) and class of one Yin-Yang sample.

    The splits are those of the hxtorch example (spec §11.1): train = 5000 samples, seed 42;
    test = 1000 samples, seed 41.
    """
    features, label = _yinyang(split)[index]
    return np.asarray(features, dtype=np.float64), int(label)
