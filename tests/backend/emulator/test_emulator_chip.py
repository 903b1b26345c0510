"""The emulated chip: seeds, fixed-pattern spread, calibration and hardware-mode injection."""

import warnings

import numpy as np
import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import (CalibrationRangeWarning, EmulatedChip, NeuronCalibTarget,
                                   calibrate, default_chip)
from hxstudio.backend.chip.emulator import MISMATCH


def lif_run(chip, weight=40., n=8, steps=60):
    """One input spiking every 5 steps into ``n`` LIF neurons; returns (spikes, cadc)."""
    exp = hxsnn.Experiment(mock=False, chip=chip)
    syn = hxsnn.Synapse(1, n, exp)
    with torch.no_grad():
        syn.weight.fill_(weight)
    spikes = torch.zeros(steps, 3, 1)
    spikes[::5] = 1.
    out = hxsnn.LIF(n, exp)(syn(hxsnn.LIFObservables(spikes=spikes)))
    hxsnn.run(exp, steps)
    return out.spikes.detach(), out.membrane_cadc.detach()


def test_same_seed_same_results_and_runs_differ_by_noise():
    a, b = EmulatedChip(seed=5), EmulatedChip(seed=5)
    first_a, first_b = lif_run(a), lif_run(b)
    assert all(torch.equal(x, y) for x, y in zip(first_a, first_b))
    assert first_a[0].sum() > 0
    second = lif_run(a)
    assert not torch.equal(second[1], first_a[1])  # trial-to-trial noise, run 1 ≠ run 0
    assert a.runs == 2
    a.reset_noise()
    assert all(torch.equal(x, y) for x, y in zip(lif_run(a), first_a))
    other = lif_run(EmulatedChip(seed=6))
    assert not torch.equal(other[1], first_a[1])


def test_without_noise_runs_repeat_exactly():
    chip = EmulatedChip(seed=1, noise=False)
    assert torch.equal(lif_run(chip)[1], lif_run(chip)[1])


def resting_levels(chip):
    exp = hxsnn.Experiment(mock=False, chip=chip)
    li = hxsnn.LI(256, exp)
    li(hxsnn.Synapse(1, 256, exp)(hxsnn.LIFObservables(spikes=torch.zeros(40, 1, 1))))
    hxsnn.run(exp, 40)
    return li._output_handle.membrane_cadc[-1, 0].detach()


def test_spread_is_smaller_after_calibration():
    calibrated = resting_levels(EmulatedChip(seed=0, noise=False))
    raw = resting_levels(EmulatedChip(seed=0, calibrated=False, noise=False))
    assert 1. < calibrated.std().item() < 3.  # MISMATCH: 2 LSB after calibration
    assert 15. < raw.std().item() < 25.       # 20 LSB before
    assert calibrated.mean().item() == pytest.approx(-48., abs=1.)


def test_calibrate_is_cached_per_seed_and_reports_the_residual():
    target = {"leak": 80., "threshold": 125., "tau_mem": 10e-6}
    result = calibrate(target, EmulatedChip(seed=3))
    assert calibrate(dict(target), EmulatedChip(seed=3)) is result
    assert calibrate(target, EmulatedChip(seed=4)) is not result
    assert result.chip_seed == 3 and result.targets["leak"].shape == (512,)
    chip = EmulatedChip(seed=3)
    np.testing.assert_allclose(result.settings["leak"], 80. - chip.raw_deviation("leak"))
    np.testing.assert_allclose(result.realised("leak"), 80. + chip.residual_deviation("leak"))
    np.testing.assert_allclose(result.settings["tau_mem"] * chip.raw_deviation("tau_mem"),
                               10e-6)
    assert result.spread["leak"] == pytest.approx(MISMATCH["leak"][2], rel=0.1)
    assert result.spread["tau_mem"] == pytest.approx(10e-6 * MISMATCH["tau_mem"][2], rel=0.1)
    assert not result.uncalibrated["leak"].any()


def test_calibrate_warns_outside_the_calix_range():
    target = NeuronCalibTarget.DenseDefault()
    target.leak[:4] = 170.
    target.tau_mem[10] = 80.  # µs, as calix stores it
    chip = EmulatedChip(seed=7)
    with pytest.warns(CalibrationRangeWarning) as records:
        result = calibrate(target, chip)
    texts = [str(r.message) for r in records]
    assert any(t.startswith("calibrate: leak = 170 CADC LSB (4 circuits, first 0) is outside the "
                            "calibrated range [50 CADC LSB, 160 CADC LSB]") for t in texts)
    assert any("tau_mem = 80 µs" in t and "[0.5 µs, 60 µs]" in t for t in texts)
    assert result.uncalibrated["leak"][:4].all() and not result.uncalibrated["leak"][4:].any()
    np.testing.assert_allclose(result.residual["leak"][:4], chip.raw_deviation("leak")[:4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert calibrate(target, chip) is result  # cached: no second warning


def test_forward_values_come_from_the_chip_gradients_from_the_model():
    """§6.4: with leak model 0 ↔ hardware 80 the injected trace rests near −48 (chip), not 0."""
    exp = hxsnn.Experiment(mock=False, chip=EmulatedChip(seed=0))
    syn = hxsnn.Synapse(1, 2, exp)
    with torch.no_grad():
        syn.weight.fill_(30.)
    lif = hxsnn.LIF(2, exp, leak=hxsnn.MixedHXModelParameter(0., 80),
                    reset=hxsnn.MixedHXModelParameter(0., 80),
                    threshold=hxsnn.MixedHXModelParameter(1., 125))
    spikes = torch.zeros(30, 1, 1)
    spikes[[5, 6, 7]] = 1.
    out = lif(syn(hxsnn.LIFObservables(spikes=spikes)))
    hxsnn.run(exp, 30)
    assert out.membrane_cadc[:5].mean().item() == pytest.approx(-48., abs=5.)
    assert out.membrane_cadc.max().item() > -35.  # the PSPs of the chip (3 × 30 LSB)
    # the chip stays below its threshold (125 ↔ −3): no spikes, although the model's v ≫ 1
    assert out.spikes.sum() == 0
    assert exp.resources.placement == {"LIF#1": [0, 1]}
    out.membrane_cadc.sum().backward()
    assert syn.weight.grad is not None and syn.weight.grad.abs().sum() > 0


def test_experiment_signature_and_default_chip():
    exp = hxsnn.Experiment(False, 2e-6)
    assert (exp.mock, exp.dt, exp.chip) == (False, 2e-6, default_chip())
    assert default_chip().seed == 0 and default_chip().calibrated
    chip = EmulatedChip(seed=9, calibrated=False)
    assert hxsnn.Experiment(mock=False, chip=chip).chip is chip
    assert hxsnn.Experiment(True).mock is True


def test_recurrent_network_is_refused():
    exp = hxsnn.Experiment(mock=False)
    syn_in, syn_rec = hxsnn.Synapse(1, 2, exp), hxsnn.Synapse(2, 2, exp)
    lif = hxsnn.LIF(2, exp)
    wrapper = hxsnn.HXModuleWrapper(exp, lif=lif, syn_rec=syn_rec)
    handle = syn_in(hxsnn.LIFObservables(spikes=torch.zeros(5, 1, 1)))
    out = lif(handle, syn_rec(lif._output_handle))
    wrapper()
    with pytest.raises(hxsnn.errors.TargetUnavailableError, match="feed-forward"):
        hxsnn.run(exp, 5)
