"""Spec §13.8 (parameter classes), §3 (make_trainable) and the Trainable* classes."""

import pytest
import torch

import hxstudio.backend as hxsnn


def test_hx_parameter():
    p = hxsnn.HXParameter(80.)
    assert p.hardware_value == 80. and p.model_value == 80.
    p.hardware_value = 10.
    assert p.hardware_value == 10. and p.model_value == 10.


def test_mixed_parameter():
    p = hxsnn.MixedHXModelParameter(1., 80.)
    assert p.hardware_value == 80. and p.model_value == 1.
    p.hardware_value = 10.
    p.model_value = 80.
    assert p.hardware_value == 10. and p.model_value == 80.


def test_transformed_parameter():
    p = hxsnn.HXTransformedModelParameter(1., lambda x: 80 * x)
    assert p.hardware_value == 80. and p.model_value == 1.
    p.model_value = 2.
    assert p.hardware_value == 160.


def test_model_parameter():
    p = hxsnn.ModelParameter(1.)
    assert p.hardware_value == 1. and p.model_value == 1.
    p.model_value = 2.
    assert p.hardware_value == 2. and p.model_value == 2.


def test_make_trainable_registers_parameter_and_set_on_chip():
    calls = []
    p = hxsnn.ModelParameter(0.5).make_trainable(lambda value, chip, coords: calls.append(
        (float(value.detach()), chip, coords)))
    assert p.is_trainable() and isinstance(p.model_value, torch.nn.Parameter)
    p.set_on_chip("chip", "coords")
    assert calls == [(0.5, "chip", "coords")]
    with pytest.raises(ValueError, match="set_on_chip_func needs to be provided"):
        hxsnn.ModelParameter(1.).set_on_chip(None, None)
    assert "trainable=True" in str(p)


def test_hx_parameter_trainable_is_ineffective_but_trainable_hx_parameter_is_not():
    """§15.5: HXParameter's model value keeps reading the hardware value after make_trainable;
    TrainableHXParameter reads the nn.Parameter for both."""
    plain = hxsnn.HXParameter(80.).make_trainable()
    assert not isinstance(plain.model_value, torch.nn.Parameter)
    trainable = hxsnn.TrainableHXParameter(80., lambda *args: None)
    assert trainable.model_value is trainable.hardware_value
    assert isinstance(trainable.model_value, torch.nn.Parameter)
    trainable.hardware_value = 70.
    assert float(trainable.model_value.detach()) == 70.


@pytest.mark.parametrize("make", [
    lambda: hxsnn.TrainableModelParameter(6e-6),
    lambda: hxsnn.TrainableMixedHXModelParameter(6e-6, 6e-6),
    lambda: hxsnn.TrainableHXTransformedModelParameter(6e-6, lambda m: m * 1e6),
    lambda: hxsnn.TrainableHXParameter(6e-6),
])
def test_trainable_values_are_updated_by_an_optimiser(make):
    """A trainable tau_syn of an LI readout is in model.parameters() and moves with Adam."""
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(1, 1, exp)
    li = hxsnn.LI(1, exp, leak=hxsnn.ModelParameter(0.), tau_syn=make())
    model = torch.nn.ModuleList([syn, li])
    tau = li.tau_syn.model_value
    assert any(p is tau for p in model.parameters())
    before = float(tau.detach())
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-6)
    x = torch.zeros(20, 1, 1)
    x[2] = 1.
    out = li(syn(hxsnn.LIFObservables(spikes=x)))
    hxsnn.run(exp, None)
    out.membrane_cadc.sum().backward()
    assert tau.grad is not None and float(tau.grad) != 0.
    optimiser.step()
    assert float(tau.detach()) != before
    if isinstance(li.tau_syn, hxsnn.HXTransformedModelParameter):
        assert float(li.tau_syn.hardware_value.detach()) == pytest.approx(
            float(tau.detach()) * 1e6)
