"""Handle factory and aliases (spec §4.1, §13.5)."""

import dataclasses

import pytest
import torch

from hxstudio.backend import Handle, LIFObservables, LIObservables, SynapseHandle, TensorHandle

FIVE = ("spikes", "membrane_cadc", "current", "membrane_madc", "adaptation")


def filled():
    return Handle(**{name: torch.rand(3, 2) for name in FIVE})


def test_handle():
    handle = filled()
    assert isinstance(handle, type(Handle(*FIVE)))
    handle.spikes = None
    assert handle.holds("membrane_cadc")
    assert not handle.holds("spikes")
    assert not handle.holds("wrong_key")
    with pytest.raises(AssertionError):
        Handle("adaptation", "membrane_madc", "current").clone(handle)
    empty = Handle(*FIVE)
    empty.clone(handle)
    assert empty == handle


def test_fields_sorted_with_none_defaults():
    cls = type(Handle("spikes", "current", "membrane_cadc"))
    assert cls.__name__ == "Handle_current_membrane_cadc_spikes"
    assert [f.name for f in dataclasses.fields(cls)] == ["current", "membrane_cadc", "spikes"]
    assert cls("x").current == "x"  # positional order is alphabetical
    assert cls().spikes is None


def test_type_aliasing():
    assert LIFObservables is type(Handle("spikes", "membrane_cadc", "current", "membrane_madc"))
    assert LIObservables is type(Handle("membrane_cadc", "current", "membrane_madc"))
    assert SynapseHandle is type(Handle("graded_spikes"))
    assert TensorHandle is type(Handle("tensor"))


def test_keyword_construction_and_same_keys_both_ways():
    x = torch.ones(2)
    assert type(Handle(spikes=x)) is type(Handle("spikes"))
    assert Handle("spikes", spikes=x).spikes is x


def test_ambiguous_construction():
    with pytest.raises(Exception, match="Ambiguous Handle construction mode"):
        Handle("a", b=1)


def test_equality_uses_tensor_values():
    a = LIFObservables(spikes=torch.tensor([1., 0.]))
    assert a == LIFObservables(spikes=torch.tensor([1., 0.]))
    assert a != LIFObservables(spikes=torch.tensor([1., 1.]))
    assert a != LIFObservables(spikes=None)
    assert a != LIObservables()
    assert LIFObservables(current=1) == LIFObservables(current=1)


def test_str_names_class_and_fields():
    assert str(SynapseHandle(graded_spikes=3)) == "Handle_graded_spikes(graded_spikes=3)"
