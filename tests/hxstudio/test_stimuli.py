"""Stimuli become spikes on the dt grid at the expected steps."""

import numpy as np

from hxstudio.network import DatasetSample, PoissonRate, RegularRate, SpikeTimes
from hxstudio.stimuli import stimulus_spikes, yinyang_sample


def test_spike_times_land_on_nearest_step_and_past_end_is_dropped():
    s = stimulus_spikes(SpikeTimes(times=[[10e-6, 10.4e-6, 99e-6], [0.0, 20.6e-6]]), 2, 50, 1e-6)
    assert s.shape == (50, 2) and s.dtype == np.float32
    assert np.flatnonzero(s[:, 0]).tolist() == [10]
    assert np.flatnonzero(s[:, 1]).tolist() == [0, 21]


def test_regular_rate():
    s = stimulus_spikes(RegularRate(rate=100e3, start=5e-6), 3, 40, 1e-6)
    for n in range(3):
        assert np.flatnonzero(s[:, n]).tolist() == [5, 15, 25, 35]


def test_poisson_is_seeded_and_has_the_right_rate():
    a = stimulus_spikes(PoissonRate(rate=50e3, seed=7), 100, 1000, 1e-6)
    b = stimulus_spikes(PoissonRate(rate=50e3, seed=7), 100, 1000, 1e-6)
    c = stimulus_spikes(PoissonRate(rate=50e3, seed=8), 100, 1000, 1e-6)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert abs(a.mean() - 0.05) < 0.003   # 1e5 Bernoulli(0.05) draws: sd 0.0007


def test_yinyang_sample_encoding_matches_hxtorch_example():
    features, label = yinyang_sample("test", 3)
    assert features.shape == (4,) and label in (0, 1, 2)
    assert abs(features[0] + features[2] - 1) < 1e-12
    s = stimulus_spikes(DatasetSample(split="test", index=3), 5, 38, 1e-6)
    expected = np.round(2 + 24 * features).astype(int).tolist() + [2]
    assert [int(np.flatnonzero(s[:, n])[0]) for n in range(5)] == expected
    assert s.sum() == 5
