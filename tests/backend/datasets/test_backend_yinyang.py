"""Yin-Yang data set (spec §9.4, §13.12)."""

import numpy as np
import pytest

from hxstudio.backend.datasets import YinYangDataset


def test_item_dimensions():
    data = YinYangDataset(size=5)
    assert len(data) == 5
    assert all(data[i][0].shape == (4,) for i in range(5))


def test_sum():
    sample, _ = YinYangDataset(size=1)[0]
    assert sample[0] + sample[2] == 1.
    assert sample[1] + sample[3] == 1.


def test_type():
    data = YinYangDataset(size=10)
    for sample, target in data:
        assert all(isinstance(v, float) for v in sample)
        assert sample.dtype == np.float64 and isinstance(target, int)


def test_deterministic_and_classes_balanced():
    a, b = YinYangDataset(size=300, seed=3), YinYangDataset(size=300, seed=3)
    assert all(np.array_equal(a[i][0], b[i][0]) for i in range(300))
    counts = np.bincount([t for _, t in a], minlength=3)
    assert counts.sum() == 300 and counts.min() > 70
    for sample, target in a:
        assert a.which_class(sample[0], sample[1]) == target


def test_first_sample_matches_rng_sequence():
    """Replays np.random.RandomState(42): randint(3), then rand(2) until accepted."""
    data = YinYangDataset(size=1)
    rng = np.random.RandomState(42)
    goal = rng.randint(3)
    while True:
        x, y = rng.rand(2)
        if np.hypot(x - 0.5, y - 0.5) <= 0.5 and data.which_class(x, y) == goal:
            break
    assert data[0][1] == goal
    assert np.array_equal(data[0][0], np.array([x, y, 1 - x, 1 - y]))


def test_which_class():
    data = YinYangDataset(size=1)
    name = lambda x, y: data.class_names[data.which_class(x, y)]  # noqa: E731
    assert name(0.26, 0.52) == "dot"
    assert name(0.74, 0.48) == "dot"
    assert name(0.76, 0.34) == "yin"
    assert name(0.23, 0.65) == "yang"


def test_distances():
    data = YinYangDataset(size=1)
    assert round(data.dist_to_right_dot(0.4, 0.1), 6) == 0.531507
    assert round(data.dist_to_left_dot(0.4, 0.1), 6) == 0.4272


def test_transform_and_radius_check():
    data = YinYangDataset(size=2, transform=lambda s: s * 2)
    assert data[0][0][0] + data[0][0][2] == pytest.approx(2.)
    with pytest.raises(ValueError, match="must not be larger than 'r_big' / 2"):
        YinYangDataset(r_small=0.25, r_big=0.5)
