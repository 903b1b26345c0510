"""SuperSpike, threshold, Unterjubel, refractory_update, linear maps (spec §6.2–§6.4, §6.7)."""

import pytest
import torch

from hxstudio.backend.functional import (
    SuperSpike,
    Unterjubel,
    batch_dropout,
    linear,
    linear_sparse,
    refractory_update,
    superspike_func,
    threshold,
)


def test_threshold_forward_is_strict_heaviside():
    x = torch.tensor([-1., -1e-7, 0., 1e-7, 2.])
    assert threshold(x, "superspike", 50.).tolist() == [0., 0., 0., 1., 1.]


def test_threshold_unknown_method():
    with pytest.raises(ValueError, match=r"^Threshold function 'sigmoid' is not implemented yet$"):
        threshold(torch.zeros(1), "sigmoid", 50.)


@pytest.mark.parametrize("x, alpha, expected", [(0.1, 50., 1 / 36), (-0.02, 50., 0.25),
                                                (0.0, 10., 1.), (0.5, 2., 0.25)])
def test_superspike_backward(x, alpha, expected):
    v = torch.tensor([x], requires_grad=True)
    superspike_func(v, alpha).backward(torch.tensor([3.]))
    assert v.grad.item() == pytest.approx(3. * expected)


def test_superspike_no_gradient_for_alpha():
    alpha = torch.tensor(50., requires_grad=True)
    x = torch.tensor([0.3], requires_grad=True)
    SuperSpike.apply(x, alpha).sum().backward()
    assert alpha.grad is None and x.grad is not None


def test_unterjubel_forwards_hw_and_passes_gradient():
    sim = torch.tensor([1., 2.], requires_grad=True)
    hw = torch.tensor([5., 7.], requires_grad=True)
    out = Unterjubel.apply(sim * 3, hw)
    assert torch.equal(out, hw.detach())
    out.sum().backward()
    assert sim.grad.tolist() == [3., 3.] and hw.grad is None


def test_refractory_update_counts_down():
    z = torch.tensor([[1., 0., 0.]])
    v = torch.tensor([[0.5, 0.6, 0.7]])
    r = torch.tensor([[0., 2., 0.5]])
    z2, v2, r2 = refractory_update(z, v, r, None, None, reset=-1., refractory_time=3e-6,
                                   dt=1e-6)
    assert z2.tolist() == [[1., 0., 0.]]
    assert v2.tolist() == [[0.5, -1., -1.]]
    assert r2.tolist() == [[3., 1., 0.]]


def test_refractory_update_suppresses_spikes_and_injects_hw():
    z = torch.tensor([[1., 1.]])
    v = torch.tensor([[0.5, 0.6]])
    r = torch.tensor([[1., 0.]])
    z2, v2, r2 = refractory_update(z, v, r, torch.tensor([[1., 0.]]), torch.tensor([[9., 8.]]),
                                   reset=0., refractory_time=1e-6, dt=1e-6)
    assert z2.tolist() == [[1., 0.]] and v2.tolist() == [[9., 8.]]
    assert r2.tolist() == [[1., 0.]]


def test_linear_and_linear_sparse():
    x = torch.ones(2, 1, 3)
    w = torch.arange(6.).reshape(2, 3)
    assert linear(x, w)[0, 0].tolist() == [3., 12.]
    mask = torch.tensor([[True, False, True], [False, True, False]])
    out = linear_sparse(x, w, mask)
    assert out[0, 0].tolist() == [2., 4.]
    assert w.tolist() == [[0., 0., 2.], [0., 4., 0.]]  # zeroed in place


def test_batch_dropout():
    x = torch.ones(4, 2, 3)
    out = batch_dropout(x, torch.tensor([True, False, True]))
    assert out.sum(dim=(0, 1)).tolist() == [8., 0., 8.]
