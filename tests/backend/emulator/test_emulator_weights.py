"""Hardware weights: transform, clamp to ±63, round half away from zero, straight-through."""

from functools import partial

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import EmulatedChip, hardware_weight
from hxstudio.backend.transforms.weight_transforms import linear_saturating


def test_rounding_is_half_away_from_zero_and_clamped():
    w = torch.tensor([0.49, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 62.5, 63.4, 70., -80.])
    assert hardware_weight(w).tolist() == [0., 1., -1., 2., -2., 3., -3., 63., 63., 63., -63.]


def test_with_the_synapse_transform():
    transform = partial(linear_saturating, scale=64.)
    w = torch.tensor([0.5, 1 / 128, -1 / 128, 0.99 / 128, 1.0, -2.0, 0.3])
    assert hardware_weight(w, transform).tolist() == [32., 1., -1., 0., 63., -63., 19.]
    # SparseSynapse truncates toward zero (spec §15.8)
    assert hardware_weight(torch.tensor([1.9, -1.9]), truncate=True).tolist() == [1., -1.]


def test_gradient_passes_straight_through_rounding():
    w = torch.tensor([0.1, 0.5, 2.0, -0.3], requires_grad=True)
    hardware_weight(w, partial(linear_saturating, scale=40.)).sum().backward()
    # d/dw = scale inside ±63 (rounding is transparent), 0 where the clamp saturates (2·40 > 63)
    assert w.grad.tolist() == [40., 40., 0., 40.]


def test_default_transform_zeroes_weights_below_half_on_the_chip():
    """Default ``linear_saturating`` has scale 1: a model weight of 0.4 is 0 LSB (spec §5.7)."""
    def trace(weight):
        exp = hxsnn.Experiment(mock=False, chip=EmulatedChip(seed=0, noise=False))
        syn = hxsnn.Synapse(1, 1, exp)
        with torch.no_grad():
            syn.weight.fill_(weight)
        out = hxsnn.LI(1, exp)(syn(hxsnn.LIFObservables(spikes=torch.ones(30, 1, 1))))
        hxsnn.run(exp, 30)
        return out.membrane_cadc.detach().flatten()

    silent = trace(0.4)
    # flat at one CADC value (step 0 lies before the first sample: interpolated from 0, spec §7.2)
    assert torch.equal(silent[1:], torch.full_like(silent[1:], silent[1].item()))
    assert silent[0].item() == pytest.approx(silent[1].item(), abs=1e-4)
    assert trace(0.6).max() > silent[1] + 5  # 1 LSB every step adds up
