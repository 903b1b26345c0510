"""The emulated chip reproduces the measured BSS-2 figures of spec §12 / §8.5 within ±10 %.

Each test repeats the hxtorch hardware measurement (``utils/dynamic_range``) on the emulator,
chip seed 0, calibrated: 100 neurons, batch 10, 100 steps of 1 µs.
"""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import EmulatedChip

T, B, N = 100, 10, 100


def run(kind, spikes, weight, **params):
    """``spikes (T, B, n_in)`` → Synapse (all weights ``weight``, hardware LSB) → ``kind(N)``."""
    exp = hxsnn.Experiment(mock=False, chip=EmulatedChip(seed=0))
    syn = hxsnn.Synapse(spikes.shape[2], N, exp)
    with torch.no_grad():
        syn.weight.fill_(weight)
    out = kind(N, exp, **params)(syn(hxsnn.LIFObservables(spikes=spikes)))
    hxsnn.run(exp, T)
    return out


def baseline():
    """Mean CADC value of silent neurons (``Boundaries`` baseline)."""
    return run(hxsnn.LI, torch.zeros(T, B, 1), 0.).membrane_cadc.mean().item()


def test_resting_level_at_leak_80_is_minus_45():
    level = baseline()
    assert level == pytest.approx(-45, rel=0.1)  # emulator: −48.4 (raw 80 − 128 plus noise)


@pytest.mark.parametrize("sign, figure", [(1., 100.), (-1., -103.)])
def test_saturation(sign, figure):
    """Strong drive (4 inputs, weight ±63, every step): mean of the last 20 % of the run."""
    trace = run(hxsnn.LI, torch.ones(T, B, 4), sign * 63.).membrane_cadc
    assert trace[int(0.8 * T):].mean().item() == pytest.approx(figure, rel=0.1)
    assert trace.max().item() <= 100. and trace.min().item() >= -103.


def threshold_distance():
    """``Threshold``: max over time of (trace − baseline) per neuron, mean over the neurons that
    spike (hxtorch warns about the others): a constant drive of one input spiking every step."""
    out = run(hxsnn.LIF, torch.ones(T, B, 1), 8., leak=80., reset=80., threshold=125.)
    spiking = out.spikes.sum(0) >= 3
    assert spiking.float().mean() > 0.95  # a few circuits with low synaptic gain stay below
    return (out.membrane_cadc - baseline()).amax(0)[spiking].mean().item()


def test_trace_scale_at_threshold_125_is_one_over_45():
    assert 1. / threshold_distance() == pytest.approx(1. / 45., rel=0.1)  # emulator: 1/42.7


def test_weight_scale_is_50_lsb_per_model_unit():
    """``WeightScaling``: PSP amplitude of one input spike at t = 10 over hardware weights
    −63…63 (10 points), linear fit per neuron; the mock's PSP per model weight is 0.38742
    (C = τ = 10 µs, spec §6.1); scale = mean(sw/hw) · (threshold − leak = 45 CADC)."""
    weights = torch.linspace(-63, 63, 10).round()
    spikes = torch.zeros(T, B, 1)
    spikes[10] = 1.
    amplitudes = []
    for w in weights:
        trace = run(hxsnn.LI, spikes, float(w), shift_cadc_to_first=True).membrane_cadc
        amplitudes.append((trace.amax(0) if w >= 0 else trace.amin(0)).mean(0))
    amplitudes = torch.stack(amplitudes)
    hw_scales = (amplitudes * weights[:, None]).sum(0) / weights.pow(2).sum()
    scale = (0.38742 / hw_scales).mean().item() * 45.
    assert scale == pytest.approx(50., rel=0.1)  # emulator: 51.6
