"""Spec §13.11 ``TestPopulation``: the calibration round trip of ``Population`` (spec §8.4).

calix targets are replaced by :mod:`hxstudio.backend.chip.calib_target`, halco coordinates by
neuron-circuit indices (the first circuit of each logical neuron).
"""

import numpy as np
import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import NeuronCalibTarget, SpikingCalibTarget
from hxstudio.backend.modules.types import Population

SIZE = 25
SINGLE = list(range(23, 48))            # single-circuit neurons 23…47
DOUBLE = list(range(0, 2 * SIZE, 2))    # 2-circuit neurons anchored at 0, 2, …, 48
TIMES = ("tau_mem", "refractory_time", "holdoff_time")
PLAIN = ("leak", "reset", "threshold", "membrane_capacitance")


def _explicit_params():
    return dict(
        leak=hxsnn.HXParameter(80), reset=hxsnn.HXParameter(70),
        threshold=hxsnn.HXParameter(125), tau_mem=hxsnn.HXParameter(10e-6),
        tau_syn=hxsnn.HXParameter(10e-6), i_synin_gm=hxsnn.HXParameter(500),
        e_coba_reversal=hxsnn.HXParameter(None), e_coba_reference=hxsnn.HXParameter(None),
        membrane_capacitance=hxsnn.HXParameter(63), refractory_time=hxsnn.HXParameter(2e-6),
        synapse_dac_bias=hxsnn.HXParameter(600), holdoff_time=hxsnn.HXParameter(0))


def _expected(target_value, coords, is_time):
    arr = np.asarray(target_value, dtype=float)
    out = np.full(SIZE, float(arr)) if arr.ndim == 0 else (
        arr[coords] if arr.ndim == 1 else arr[:, coords])
    return out * 1e-6 if is_time else out


@pytest.mark.parametrize("coords", [SINGLE, DOUBLE], ids=["single", "double"])
@pytest.mark.parametrize("explicit", [False, True], ids=["default", "explicit"])
@pytest.mark.parametrize("dense", [False, True], ids=["scalar", "dense"])
def test_params_from_calibration(coords, explicit, dense):
    module = Population(SIZE, experiment=hxsnn.Experiment(),
                        **(_explicit_params() if explicit else {}))
    target = SpikingCalibTarget(NeuronCalibTarget.DenseDefault()) if dense \
        else SpikingCalibTarget()
    if dense:  # make the per-circuit values distinguishable
        nt = target.neuron_target
        nt.leak = nt.leak + np.arange(512)
        nt.tau_mem = nt.tau_mem + np.arange(512) / 100
        nt.tau_syn = nt.tau_syn + np.arange(2 * 512).reshape(2, 512) / 100
    module.params_from_calibration(target, coords)
    nt = target.neuron_target
    for key in TIMES + PLAIN:
        hw = getattr(module, key).hardware_value
        assert hw.shape == (SIZE,), key
        np.testing.assert_allclose(hw.numpy(), _expected(getattr(nt, key), coords, key in TIMES),
                                   rtol=1e-6, err_msg=key)
    tau_syn = module.tau_syn.hardware_value
    assert tau_syn.shape == ((2, SIZE) if dense else (SIZE,))
    np.testing.assert_allclose(tau_syn.numpy(), _expected(nt.tau_syn, coords, True), rtol=1e-6)
    assert module.e_coba_reversal.hardware_value is None
    assert module.e_coba_reference.hardware_value is None
    # HXParameter: the model value follows
    assert module.leak.model_value is module.leak.hardware_value


def test_params_from_calibration_skipped():
    module = Population(SIZE, experiment=hxsnn.Experiment(), leak=hxsnn.HXParameter(90))
    module.read_params_from_calibration = False
    module.params_from_calibration(SpikingCalibTarget(), SINGLE)
    assert module.leak.hardware_value == 90


def _dense_target():
    neuron_target = NeuronCalibTarget.DenseDefault()
    neuron_target.synapse_dac_bias = None
    neuron_target.i_synin_gm = [None, None]
    return SpikingCalibTarget(neuron_target=neuron_target)


def _module_values(kind):
    gen = torch.Generator().manual_seed(0)
    rand = lambda low, high, shape=(SIZE,): low + (high - low) * torch.rand(shape, generator=gen)  # noqa
    if kind == "number":
        return dict(leak=80, reset=70, threshold=125, tau_mem=10e-6, tau_syn=10e-6,
                    i_synin_gm=500, membrane_capacitance=63, refractory_time=2e-6,
                    synapse_dac_bias=600, holdoff_time=0.)
    if kind == "0d":
        return dict(leak=torch.tensor(80.), reset=torch.tensor(70.),
                    threshold=torch.tensor(125.), tau_mem=torch.tensor(10e-6),
                    tau_syn=torch.tensor(10e-6), i_synin_gm=torch.tensor(500),
                    membrane_capacitance=torch.tensor(63), refractory_time=torch.tensor(2e-6),
                    synapse_dac_bias=torch.tensor(600), holdoff_time=torch.tensor(0.))
    return dict(leak=rand(60, 100), reset=rand(60, 80), threshold=rand(110, 150),
                tau_mem=rand(5e-6, 20e-6), tau_syn=rand(5e-6, 20e-6, (2, SIZE)),
                i_synin_gm=torch.tensor([450, 550]),
                membrane_capacitance=torch.randint(20, 64, (SIZE,), generator=gen),
                refractory_time=rand(1e-6, 4e-6), synapse_dac_bias=torch.full((SIZE,), 700),
                holdoff_time=rand(0, 1e-6))


def _np(value):
    return value.double().numpy() if isinstance(value, torch.Tensor) else np.asarray(value, float)


@pytest.mark.parametrize("coords", [SINGLE, DOUBLE], ids=["single", "double"])
@pytest.mark.parametrize("kind", ["number", "0d", "full"])
def test_calibration_from_params(coords, kind):
    values = _module_values(kind)
    module = Population(SIZE, experiment=hxsnn.Experiment(), **values)
    target = _dense_target()
    module.calibration_from_params(target, coords)
    nt = target.neuron_target

    for key in PLAIN:
        assert getattr(nt, key).shape == (512,)
        np.testing.assert_allclose(getattr(nt, key)[coords],
                                   np.broadcast_to(_np(values[key]), (SIZE,)), rtol=1e-6)
    for key in TIMES:
        assert getattr(nt, key).shape == (512,)
        np.testing.assert_allclose(getattr(nt, key)[coords],
                                   np.broadcast_to(_np(values[key]) * 1e6, (SIZE,)), rtol=1e-5)
    assert nt.e_coba_reversal.shape == (2, 512)
    np.testing.assert_array_equal(nt.e_coba_reversal[:, coords],
                                  np.broadcast_to([[np.inf], [-np.inf]], (2, SIZE)))
    assert nt.e_coba_reference.shape == (2, 512)
    assert np.all(np.isnan(nt.e_coba_reference[:, coords]))
    assert nt.tau_syn.shape == (2, 512)
    np.testing.assert_allclose(nt.tau_syn[:, coords],
                               np.broadcast_to(_np(values["tau_syn"]) * 1e6, (2, SIZE)),
                               rtol=1e-5)
    assert np.asarray(nt.i_synin_gm).shape == (2,)
    np.testing.assert_array_equal(np.asarray(nt.i_synin_gm, dtype=float),
                                  np.broadcast_to(_np(values["i_synin_gm"]), (2,)))
    assert nt.synapse_dac_bias == np.unique(_np(values["synapse_dac_bias"]))[0]

    # conflicts with preset global values
    target = _dense_target()
    target.neuron_target.i_synin_gm = [400, None]
    with pytest.raises(AttributeError, match=r"'i_synin_gm\[0\]' requires same value"):
        module.calibration_from_params(target, coords)
    target = _dense_target()
    target.neuron_target.synapse_dac_bias = 600 if kind == "full" else 650
    with pytest.raises(AttributeError, match="'synapse_dac_bias' requires same value"):
        module.calibration_from_params(target, coords)


def test_calibration_from_params_inconsistent_module():
    target = _dense_target()
    module = Population(SIZE, experiment=hxsnn.Experiment(),
                        i_synin_gm=torch.arange(SIZE) + 400.)
    with pytest.raises(AttributeError, match=r"'i_synin_gm\[0\]' requires same value for all"):
        module.calibration_from_params(target, SINGLE)
    module = Population(SIZE, experiment=hxsnn.Experiment(),
                        synapse_dac_bias=torch.arange(SIZE) + 400.)
    with pytest.raises(AttributeError, match="'synapse_dac_bias' requires same value for all"):
        module.calibration_from_params(_dense_target(), SINGLE)


def test_refractory_only_when_firing_and_round_trip():
    exp = hxsnn.Experiment()
    li = hxsnn.LI(SIZE, exp, tau_mem=20e-6)
    target = _dense_target()
    li.calibration_from_params(target, SINGLE)
    np.testing.assert_allclose(target.neuron_target.refractory_time[SINGLE], 2.)  # untouched
    np.testing.assert_allclose(target.neuron_target.tau_mem[SINGLE], 20., rtol=1e-6)

    lif = hxsnn.LIF(SIZE, exp, tau_mem=15e-6, refractory_time=3e-6, leak=90)
    lif.calibration_from_params(target, SINGLE)
    np.testing.assert_allclose(target.neuron_target.refractory_time[SINGLE], 3., rtol=1e-6)
    back = Population(SIZE, experiment=exp)
    back.params_from_calibration(target, SINGLE)
    np.testing.assert_allclose(back.tau_mem.hardware_value.numpy(), 15e-6, rtol=1e-6)
    np.testing.assert_allclose(back.leak.hardware_value.numpy(), 90.)
    assert back.tau_syn.hardware_value.shape == (2, SIZE)
    assert back.i_synin_gm.hardware_value.shape == (2, SIZE)
    assert back.e_coba_reversal.hardware_value is None
