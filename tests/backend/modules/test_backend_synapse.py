"""Synapse module and gradients through a LIF (spec §5.7, §6.2)."""

import math

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.transforms import weight_transforms


def test_weight_shape_and_init():
    torch.manual_seed(0)
    syn = hxsnn.Synapse(16, 40, hxsnn.Experiment(mock=True))
    assert syn.weight.shape == (40, 16) and isinstance(syn.weight, torch.nn.Parameter)
    bound = 1 / math.sqrt(16)
    assert syn.weight.abs().max() <= bound and syn.weight.abs().max() > 0.8 * bound
    assert [name for name, _ in syn.named_parameters()] == ["weight"]
    assert syn.transform is weight_transforms.linear_saturating
    before = syn.weight.detach().clone()
    syn.reset_parameters()
    assert not torch.equal(before, syn.weight)


def test_factory_kwargs():
    syn = hxsnn.Synapse(2, 3, None, dtype=torch.float64)
    assert syn.weight.dtype == torch.float64


def test_graded_spikes_are_linear():
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(3, 2, exp)
    spikes = torch.bernoulli(torch.full((5, 4, 3), 0.5))
    out = syn(hxsnn.LIFObservables(spikes=spikes))
    hxsnn.run(exp, None)
    assert torch.allclose(out.graded_spikes, spikes @ syn.weight.T)


def test_input_without_spikes():
    syn = hxsnn.Synapse(3, 2, hxsnn.Experiment(mock=True))
    with pytest.raises(ValueError, match=r"^Synapse\(in_features=3, out_features=2\): input "
                       r"Handle_current_membrane_cadc_membrane_madc holds no spikes"):
        syn.forward_func(hxsnn.LIObservables(current=torch.zeros(1)))


def test_gradient_reaches_weight_through_lif():
    torch.manual_seed(0)
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(5, 4, exp)
    with torch.no_grad():
        syn.weight.mul_(20.)
    lif = hxsnn.LIF(4, exp, leak=hxsnn.ModelParameter(0.), reset=hxsnn.ModelParameter(0.),
                    threshold=hxsnn.ModelParameter(0.3))
    spikes = torch.bernoulli(torch.full((40, 3, 5), 0.3))
    out = lif(syn(hxsnn.LIFObservables(spikes=spikes)))
    hxsnn.run(exp, None)
    assert out.spikes.shape == (40, 3, 4) and out.spikes.sum() > 0
    out.spikes.sum().backward()
    assert syn.weight.grad is not None and syn.weight.grad.abs().sum() > 0


def test_superspike_gradient_of_single_step():
    """d spike / d weight through one step equals dt/C * x / (alpha |v - thr| + 1)^2."""
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(1, 1, exp)
    with torch.no_grad():
        syn.weight.fill_(2.)
    lif = hxsnn.LIF(1, exp, leak=hxsnn.ModelParameter(0.), reset=hxsnn.ModelParameter(0.),
                    threshold=hxsnn.ModelParameter(0.5))
    x = torch.zeros(2, 1, 1)
    x[0] = 1.
    out = lif(syn(hxsnn.LIFObservables(spikes=x)))
    hxsnn.run(exp, None)
    # step 1: v = 0.1 * i = 0.1 * w = 0.2 < 0.5: no spike, surrogate slope at v - thr = -0.3
    assert out.spikes.sum() == 0
    out.spikes[1].sum().backward()
    assert syn.weight.grad.item() == pytest.approx(0.1 / (50 * 0.3 + 1) ** 2, rel=1e-5)
