"""Spec §13.4 (decoders) and §13.5 (handles)."""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.transforms.decode import MaxOverTime, MeanOverTime, SumOverTime


def test_max_over_time():
    x = torch.zeros(100, 10, 100)
    times = torch.randint(0, 100, (10, 100))
    x.scatter_(0, times.unsqueeze(0), 1.)
    out = MaxOverTime()(x)
    assert out.shape == (10, 100) and torch.equal(out, torch.ones(10, 100))


def test_sum_over_time():
    x = torch.zeros(100, 10, 100)
    times = torch.randint(0, 99, (10, 100)).unsqueeze(0)
    x.scatter_(0, times, 1.)
    x.scatter_(0, times + 1, 2.)
    assert torch.equal(SumOverTime()(x), torch.full((10, 100), 3.))


def test_mean_over_time():
    x = torch.zeros(100, 10, 100)
    x.scatter_(0, torch.randint(0, 100, (1, 10, 100)), 100.)
    assert torch.equal(MeanOverTime()(x), torch.ones(10, 100))


def test_handle():
    tensors = [torch.randn(3, 2, 1) for _ in range(5)]
    handle = hxsnn.Handle(spikes=tensors[0], membrane_cadc=tensors[1], current=tensors[2],
                          membrane_madc=tensors[3], adaptation=tensors[4])
    empty = hxsnn.Handle("spikes", "membrane_cadc", "current", "membrane_madc", "adaptation")
    assert isinstance(handle, type(empty))
    handle.spikes = None
    assert handle.holds("membrane_cadc") and not handle.holds("spikes")
    assert not handle.holds("wrong_key")
    with pytest.raises(AssertionError):
        hxsnn.Handle("adaptation", "membrane_madc", "current").clone(handle)
    empty.clone(handle)
    assert empty == handle
    assert empty.membrane_cadc is tensors[1]


def test_type_aliasing():
    assert hxsnn.LIFObservables is type(hxsnn.Handle("spikes", "membrane_cadc", "current",
                                                     "membrane_madc"))
    assert hxsnn.LIObservables is type(hxsnn.Handle("membrane_cadc", "current", "membrane_madc"))
    assert hxsnn.SynapseHandle is type(hxsnn.Handle("graded_spikes"))
    assert hxsnn.TensorHandle is type(hxsnn.Handle("tensor"))


def test_fields_are_alphabetical_and_ambiguity_raises():
    assert [f for f in hxsnn.LIFObservables.__dataclass_fields__] == \
        ["current", "membrane_cadc", "membrane_madc", "spikes"]
    assert hxsnn.LIFObservables(1).current == 1  # positional order is alphabetical (§4.1)
    with pytest.raises(Exception, match="Ambiguous Handle construction mode"):
        hxsnn.Handle("a", b=1)
