"""CADC and MADC readout of the emulated chip (spec §7.2, §7.3)."""

import math

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import EmulatedChip
from hxstudio.backend.chip.adc import (CADC_PERIOD_DRAM, CADC_PERIOD_SRAM, cadc_sample,
                                       cadc_to_dense, post_process_cadc)

US = 1e-6


def samples(times_us, values):
    times = torch.tensor(times_us, dtype=torch.float64).reshape(-1, 1, 1) * US
    return torch.tensor(values, dtype=torch.float32).reshape(-1, 1, 1), times


def test_to_dense_linear_matches_hxtorch_rule():
    values, times = samples([0.5, 2.5], [10., 30.])
    dense = cadc_to_dense(values, times, 4 * US, US).flatten()
    assert dense.shape == (5,)
    # g=0: between the fake sample (−1 s, 0) and (0.5 µs, 10): 10·1/(1 + 0.5e-6)
    assert dense[0].item() == pytest.approx(10 / (1 + 0.5e-6), abs=1e-5)
    assert dense[1:].tolist() == [15., 25., 30., 30.]  # 10 + 20·(g − 0.5)/2, then hold


def test_to_dense_nearest_and_unknown_mode():
    values, times = samples([0.5, 2.5], [10., 30.])
    assert cadc_to_dense(values, times, 4 * US, US, "nn").flatten().tolist() == \
        [10., 10., 30., 30., 30.]
    with pytest.raises(RuntimeError, match=r"^Mode 'cubic' is not supported yet\. Supported "
                                           r"modes are: 'linear', 'nn'\.$"):
        cadc_to_dense(values, times, 4 * US, US, "cubic")


def test_to_dense_ignores_samples_after_the_run():
    values, times = samples([1.0, math.inf], [7., 99.])
    assert cadc_to_dense(values, times, 3 * US, US).flatten()[1:].tolist() == [7., 7., 7.]


def test_post_processing_order():
    trace = torch.arange(5.).reshape(5, 1, 1)
    assert post_process_cadc(trace.clone(), 1).flatten().tolist() == [1, 2, 3, 4, 4]
    assert post_process_cadc(trace.clone(), -2).flatten().tolist() == [0, 0, 0, 1, 2]
    assert post_process_cadc(trace.clone(), -1, shift_cadc_to_first=True,
                             trace_offset=100., trace_scale=0.5).flatten().tolist() == \
        [0, 0, 0.5, 1, 1.5]
    per_neuron = post_process_cadc(torch.ones(2, 1, 2), trace_offset=torch.tensor([1., 3.]),
                                   trace_scale=torch.tensor([2., 0.5]))
    assert per_neuron[0, 0].tolist() == [0., -1.]


def test_cadc_sampling_period_quantisation_and_saturation():
    membrane = torch.tensor([300., 80.4, 80.6, -5.]).expand(61, 25, 4)
    generator = torch.Generator().manual_seed(0)
    for period, expected in ((CADC_PERIOD_SRAM, 30), (CADC_PERIOD_DRAM, 10)):
        values, times = cadc_sample(membrane, 60 * US, US, period, generator)
        counts = torch.isfinite(times).sum(0)
        assert counts.min() >= expected - 1 and counts.max() <= expected + 1
        gaps = times.diff(dim=0)
        gaps = gaps[torch.isfinite(gaps)]
        assert gaps.min() >= 0.9 * period - 1e-12 and gaps.max() <= 1.1 * period + 1e-12
    assert values[0, 0].tolist() == [127., -48., -47., -128.]  # 8 bit, raw − 128


def emulated_trace(dram):
    exp = hxsnn.Experiment(mock=False, chip=EmulatedChip(seed=2, noise=False))
    syn = hxsnn.Synapse(1, 3, exp)
    with torch.no_grad():
        syn.weight.fill_(63.)
    spikes = torch.zeros(40, 2, 1)
    spikes[5] = 1.
    out = hxsnn.LIF(3, exp, threshold=200., enable_cadc_recording_placement_in_dram=dram)(
        syn(hxsnn.LIFObservables(spikes=spikes)))
    hxsnn.run(exp, 50)
    assert out.membrane_cadc.shape == (40, 2, 3)  # min(T_input, runtime + 1)
    assert out.membrane_madc is None
    return out.membrane_cadc.detach()


def test_emulated_cadc_trace_is_interpolated_between_samples():
    """DRAM placement samples every ≈6 µs: between samples the trace on the 1 µs grid is a
    straight line, so most second differences vanish; SRAM (≈2 µs) follows the PSP closely."""
    dram, sram = emulated_trace(True), emulated_trace(False)
    straight = dram[5:].diff(n=2, dim=0).abs() < 1e-3
    assert straight.float().mean() > 0.5
    assert (sram[5:].diff(n=2, dim=0).abs() < 1e-3).float().mean() < 0.2
    assert dram[0].mean().item() == pytest.approx(-48, abs=3)
    assert sram.max() - sram[0].max() == pytest.approx(22, abs=4)  # 63 LSB · 0.35 CADC/LSB


def test_madc_shape_rate_and_values():
    exp = hxsnn.Experiment(mock=False, chip=EmulatedChip(seed=0))
    syn = hxsnn.Synapse(1, 4, exp)
    out = hxsnn.LIF(4, exp, enable_madc_recording=True, record_neuron_id=2)(
        syn(hxsnn.LIFObservables(spikes=torch.zeros(110, 10, 1))))
    hxsnn.run(exp, 110)
    madc = out.membrane_madc
    assert madc.shape == (2, 3235, 10)  # hxtorch test_spiking_modules: 29.4 samples/µs
    assert madc.requires_grad is False
    stamps = madc[0, :, 0]
    assert stamps[0] == 0 and stamps[-1] == pytest.approx(110e-6 * 125e6, rel=1e-3)
    assert madc[1].min() >= 0 and madc[1].max() <= 1023
    assert madc[1].mean().item() == pytest.approx(4 * 80, abs=12)  # resting at leak 80


def test_trace_offset_per_circuit_dict():
    """hxtorch accepts ``trace_offset``/``trace_scale`` keyed by neuron coordinate (spec §5.1);
    here by circuit index, resolved with the placement."""
    def trace(offset):
        exp = hxsnn.Experiment(mock=False, chip=EmulatedChip(seed=0, noise=False))
        syn = hxsnn.Synapse(1, 2, exp)
        out = hxsnn.LI(2, exp, trace_offset=offset, placement_constraint=[300, 7])(
            syn(hxsnn.LIFObservables(spikes=torch.zeros(5, 1, 1))))
        hxsnn.run(exp, 5)
        return out.membrane_cadc.detach()[-1, 0]

    assert (trace(0.) - trace({300: 10., 7: -4.})).tolist() == [10., -4.]
    with pytest.raises(ValueError, match=r"trace_offset has no entry for circuit 7"):
        trace({300: 1.})
