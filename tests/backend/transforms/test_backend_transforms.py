"""Weight transform, encoder and decoders (spec §9.1–§9.3, §13.4)."""

import functools

import pytest
import torch

from hxstudio.backend.transforms import decode, encode, weight_transforms


def test_linear_saturating():
    w = torch.tensor([-2., -0.004, 0.3, 1.])
    assert weight_transforms.linear_saturating(w).tolist() == pytest.approx([-2., -0.004, 0.3, 1.])
    scaled = functools.partial(weight_transforms.linear_saturating, scale=64.)
    assert scaled(w).tolist() == pytest.approx([-63., -0.256, 19.2, 63.])


def test_coordinates_to_spikes():
    enc = encode.CoordinatesToSpikes(seq_length=20, t_early=2e-6, t_late=12e-6)
    x = torch.tensor([[0., 0.5, 1.], [0.25, 0.75, 0.05]])
    spikes = enc(x)
    assert spikes.shape == (20, 2, 3) and spikes.dtype == torch.float32
    assert torch.equal(spikes.sum(0), torch.ones(2, 3))
    # 0.25 -> 4.5 us and 0.05 -> 2.5 us round half to even
    assert spikes.argmax(0).tolist() == [[2, 7, 12], [4, 10, 2]]


def test_coordinates_to_spikes_bias_and_range():
    enc = encode.CoordinatesToSpikes(10, 0., 5e-6, t_bias=8e-6)
    spikes = enc(torch.tensor([[0.2, 1.], [0.6, 0.]]))
    assert spikes.shape == (10, 2, 3)
    assert spikes[8, :, 2].tolist() == [1., 1.] and spikes[:, :, 2].sum() == 2
    with pytest.raises(ValueError, match=r"outside \[0, 4\)"):
        encode.CoordinatesToSpikes(4, 0., 5e-6)(torch.tensor([[1.]]))


def test_decoders():
    x = torch.zeros(100, 10, 100)
    x[torch.randint(0, 100, (10, 100)), torch.arange(10)[:, None], torch.arange(100)] = 1.
    assert torch.equal(decode.MaxOverTime()(x), torch.ones(10, 100))
    y = torch.zeros(100, 10, 100)
    y[3], y[4] = 1., 2.
    assert torch.equal(decode.SumOverTime()(y), torch.full((10, 100), 3.))
    z = torch.zeros(100, 10, 100)
    z[50] = 100.
    assert torch.equal(decode.MeanOverTime()(z), torch.ones(10, 100))
