"""Parameter classes (spec §3, §13.8)."""

import pytest
import torch

from hxstudio.backend import (
    HXParameter,
    HXTransformedModelParameter,
    MixedHXModelParameter,
    ModelParameter,
)


def test_hx_parameter():
    p = HXParameter(80.)
    assert p.hardware_value == 80. and p.model_value == 80.
    p.hardware_value = 10.
    assert p.hardware_value == 10. and p.model_value == 10.
    p.model_value = 3.  # ignored by the getter (spec §15.5)
    assert p.model_value == 10.


def test_mixed_parameter():
    p = MixedHXModelParameter(1., 80.)
    assert p.hardware_value == 80. and p.model_value == 1.
    p.hardware_value = 10.
    p.model_value = 80.
    assert p.hardware_value == 10. and p.model_value == 80.


def test_transformed_parameter():
    p = HXTransformedModelParameter(1., lambda x: 80 * x)
    assert p.hardware_value == 80. and p.model_value == 1.
    p.model_value = 2.
    assert p.hardware_value == 160.
    p.hardware_value = 5.  # stored, ignored
    assert p.hardware_value == 160.


def test_model_parameter():
    p = ModelParameter(1.)
    assert p.hardware_value == 1. and p.model_value == 1.
    p.model_value = 2.
    assert p.hardware_value == 2. and p.model_value == 2.


def test_make_trainable_registers_parameter():
    p = ModelParameter(2e-6)
    assert not p.is_trainable()
    assert p.make_trainable() is p
    assert p.is_trainable()
    assert isinstance(p.model_value, torch.nn.Parameter)
    assert list(p.parameters()) == [p.model_value]
    assert p().item() == pytest.approx(2e-6)
    p.model_value = 3e-6  # stays trainable, value updated in place
    assert p.is_trainable() and p.model_value.item() == pytest.approx(3e-6)


def test_trainable_hx_parameter_keeps_reading_hardware_value():
    p = HXParameter(80.).make_trainable()
    assert p.is_trainable() and p.model_value == 80.
    assert not isinstance(p.model_value, torch.nn.Parameter)


def test_set_on_chip():
    calls = []
    p = MixedHXModelParameter(1., 80.)
    with pytest.raises(ValueError, match="^When executing on HW,set_on_chip_func needs to be "
                                         "provided.$"):
        p.set_on_chip("chip", "coords")
    p.make_trainable(lambda value, chip, coords: calls.append((value, chip, coords)))
    p.set_on_chip("chip", "coords")
    assert calls == [(80., "chip", "coords")]


def test_str():
    text = str(ModelParameter(1.))
    assert text.startswith("ModelParameter(at (0x")
    assert text.endswith("hardware_value=1.0, model_value=1.0, trainable=False)")
