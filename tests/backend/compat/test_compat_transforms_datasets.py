"""Spec §13.12 (Yin-Yang data set), §9.1–§9.3 (transforms), §6.7 (clamped linear), §9.5 (utils)."""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.datasets import YinYangDataset
from hxstudio.backend.functional import WeightRounding, linear_exponential_clamp
from hxstudio.backend.transforms.encode import (
    CoordinatesToSpikes,
    PixelsToSpikeTimes,
    SpikeTimesToDense,
    SpikeTimesToSparseTensor,
)
from hxstudio.backend.transforms.weight_transforms import linear_saturating
from hxstudio.backend.utils import MixinHXModelMapper


def test_item_dimensions_sum_and_types():
    data = YinYangDataset(size=5)
    assert len(data) == 5 and all(data[k][0].shape == (4,) for k in range(5))
    sample, target = YinYangDataset(size=1)[0]
    assert sample[0] + sample[2] == 1. and sample[1] + sample[3] == 1.
    assert all(isinstance(value, float) for value in sample) and isinstance(target, int)


def test_which_class_and_distances():
    data = YinYangDataset(size=1)
    name = lambda x, y: data.class_names[data.which_class(x, y)]  # noqa: E731
    assert name(0.26, 0.52) == "dot" and name(0.74, 0.48) == "dot"
    assert name(0.76, 0.34) == "yin" and name(0.23, 0.65) == "yang"
    assert data.dist_to_right_dot(0.4, 0.1) == pytest.approx(0.531507, abs=1e-6)
    assert data.dist_to_left_dot(0.4, 0.1) == pytest.approx(0.427200, abs=1e-6)
    with pytest.raises(ValueError, match="must not be larger than 'r_big' / 2"):
        YinYangDataset(r_small=0.3, r_big=0.5)


def test_coordinates_to_spikes_yinyang_encoding():
    """§11.1: 4 features spike once at round(2 + 24·x) µs, the bias at 2 µs; T = 38."""
    encoder = CoordinatesToSpikes(seq_length=int(38e-6 / 1e-6), t_early=2e-6, t_late=26e-6,
                                  dt=1e-6, t_bias=2e-6)
    x = torch.tensor([[0., 0.5, 1., 0.25]])
    spikes = encoder(x)
    assert spikes.shape == (38, 1, 5) and torch.equal(spikes.sum(0), torch.ones(1, 5))
    assert spikes.argmax(0).tolist() == [[2, 14, 26, 8, 2]]


def test_pixels_to_spike_times():
    encoder = PixelsToSpikeTimes(tau=20, threshold=0.2, t_max=1.0)
    times = encoder(torch.tensor([[0.1, 0.2, 1.0]]))
    assert times.shape == (1, 3)
    assert times[0, 0] == 1.0  # below threshold: t_max
    assert times[0, 1] == 1.0  # at threshold: ln(huge) clamped to t_max
    assert times[0, 2] == pytest.approx(min(1., 20 * torch.log(torch.tensor(1 / 0.8)).item()))


def test_spike_times_to_sparse_and_dense():
    times = torch.tensor([[0.5e-6, 3.7e-6], [150e-6, 0.]])  # (C=2, x=2); 150 µs is dropped
    sparse = SpikeTimesToSparseTensor(1e-6, size=100)(times)
    assert sparse.is_sparse and sparse.shape == (100, 2, 2) and sparse.dtype == torch.long
    dense = SpikeTimesToDense(1e-6, size=100)(times)
    assert torch.equal(dense, sparse.to_dense())
    assert dense.sum() == 3 and dense[0, 0, 0] == 1 and dense[3, 0, 1] == 1
    assert dense[0, 1, 1] == 1


def test_linear_saturating():
    weight = torch.tensor([-2., -0.3, 0.4, 3.])
    assert torch.equal(linear_saturating(weight), weight)
    assert torch.equal(linear_saturating(weight, scale=64.), torch.tensor([-63., -19.2, 25.6, 63.]))


def test_linear_exponential_clamp_and_weight_rounding():
    inputs = torch.eye(5).unsqueeze(1)  # each step one input channel: output = weights
    weight = torch.tensor([[0.5, 1.4, 1.6, 3., -50.]], requires_grad=True)
    result = linear_exponential_clamp(inputs, weight).flatten()
    out = result.detach()
    assert out[0] == pytest.approx(0.5) and out[1] == pytest.approx(1.4)  # below the knee 1.452
    assert 1.45 < out[2] < 1.5 and 1.45 < out[3] <= 1.5 and out[4] == pytest.approx(-1.5)
    assert bool((torch.diff(out[:4]) > 0).all())  # monotone
    result.sum().backward()
    assert weight.grad[0, 0] == 1. and 0 <= weight.grad[0, 4] < 1e-6  # saturated: no slope
    quantized = linear_exponential_clamp(inputs, weight, quantize=True).flatten().detach()
    step = 1.5 / 63
    assert torch.allclose(quantized / step, torch.round(quantized / step), atol=1e-4)
    w = torch.tensor([0.4, 1.6], requires_grad=True)
    WeightRounding.apply(63., w).sum().backward()
    assert torch.equal(w.grad, torch.ones(2))  # straight-through


def test_model_mapper():
    class Net(MixinHXModelMapper, torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.exp = hxsnn.Experiment(mock=True)
            self.syn = hxsnn.Synapse(3, 2, self.exp)

    net = Net()
    net.map_from({"linear.weight": torch.ones(2, 3)}, {"syn.weight": "linear.weight"})
    assert torch.equal(net.syn.weight.detach(), torch.ones(2, 3))
    with pytest.raises(KeyError, match="syn.weight"):
        net.map_from({}, {})
