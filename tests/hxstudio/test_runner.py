"""Translation and run of network documents on the mock, against values from the spec."""

import numpy as np
import pytest

import hxstudio
from hxstudio.examples import psp, yinyang
from hxstudio.network import ConstantInit, Network, SpikeTimes
from hxstudio.translate import weights


def _reference_lif(drive, *, leak=80.0, reset=80.0, threshold=125.0, tau_mem=10e-6, tau_syn=10e-6,
                   c=10e-6, refractory_steps=1, dt=1e-6):
    """An independent, plain-Python reading of spec §6.1 for one neuron (no torch)."""
    v, i, r = leak, 0.0, 0
    vs, zs = [], []
    for x in drive:
        dv = dt / c * (i + c / tau_mem * (leak - v))
        i = i * (1 - dt / tau_syn) + x
        v = v + dv
        z = 1.0 if v > threshold else 0.0
        if z:
            v = reset
        if r > 0:
            v, z = reset, 0.0
            r -= 1
        if z:
            r = refractory_steps
        vs.append(v)
        zs.append(z)
    return np.array(vs), np.array(zs)


def test_psp_example_matches_the_spec_golden_trace():
    result = hxstudio.run(psp())
    v = result["neuron"].membrane_cadc
    assert v.shape == (120, 1, 1) and v.dtype == np.float32
    assert np.allclose(result.time[:3], [0, 1e-6, 2e-6])
    # one EPSP of weight 60 from rest 80: v[11] = 80 + 0.1·60; peak 80 + 60·0.38742 at step 19/20
    assert v[10, 0, 0] == pytest.approx(80.0)
    assert v[11, 0, 0] == pytest.approx(86.0, abs=1e-4)
    assert v[20, 0, 0] == pytest.approx(80 + 60 * 0.38742, abs=2e-3)
    drive = np.zeros(120)
    drive[[10, 70, 72, 74]] += 60.0
    drive[40] -= 60.0
    ref_v, ref_z = _reference_lif(drive)
    assert np.allclose(v[:, 0, 0], ref_v, atol=1e-3)
    spikes = result["neuron"].spikes[:, 0, 0]
    assert np.array_equal(spikes, ref_z.astype(np.float32))
    assert np.flatnonzero(spikes).tolist() == np.flatnonzero(ref_z).tolist() != []
    # membrane at the spike step is the reset, and the next step is silent at reset
    k = int(np.flatnonzero(spikes)[0])
    assert v[k, 0, 0] == 80.0 and v[k + 1, 0, 0] == 80.0 and spikes[k + 1] == 0
    assert result["excitatory"].spikes[:, 0, 0].nonzero()[0].tolist() == [10, 70, 72, 74]
    assert result["excitatory"].membrane_cadc is None


def test_yinyang_example_shapes_and_activity():
    result = hxstudio.run(yinyang(index=0))
    assert result["input"].spikes.shape == (38, 1, 5)
    assert result["hidden"].spikes.shape == (38, 1, 120)
    assert result["hidden"].membrane_cadc.shape == (38, 1, 120)
    assert result["readout"].membrane_cadc.shape == (38, 1, 3)
    assert result["readout"].spikes is None
    assert result.spike_counts()["input"] == 5
    assert 0 < result.spike_counts()["hidden"] < 120 * 19   # some but not all hidden neurons fire
    # untouched hidden membrane before the first input arrives (step 2 + 1-step delay) is the leak
    assert np.all(result["hidden"].membrane_cadc[:3] == 80.0)


def test_weights_follow_the_init_and_scale():
    net = yinyang()
    w = weights(net, net.projection("input→hidden"))
    assert w.shape == (120, 5) and w.dtype == np.float32
    expected = 45.0 * np.random.default_rng(1).normal(0.8, 0.2, (120, 5))
    assert np.allclose(w, expected, rtol=1e-6)


def test_parameter_change_changes_the_trace():
    net = psp()
    before = hxstudio.run(net)["neuron"].membrane_cadc
    net.set_param("neuron", "leak", 90.0)
    after = hxstudio.run(net)["neuron"].membrane_cadc
    assert after[5, 0, 0] == pytest.approx(90.0)
    assert not np.allclose(before, after)


def test_several_projections_sum_and_unconnected_neurons_rest():
    net = Network(duration=30e-6)
    net.add_population("a", "input", 1, stimulus=SpikeTimes(times=[[5e-6]]))
    net.add_population("n", "LI", 1)
    net.add_population("lonely", "LIF", 2)
    net.add_projection("a", "n", init=ConstantInit(value=10.0))
    net.add_projection("a", "n", "second", init=ConstantInit(value=20.0))
    result = hxstudio.run(net)
    assert result["n"].membrane_cadc[6, 0, 0] == pytest.approx(80 + 0.1 * 30.0, abs=1e-4)
    assert np.all(result["lonely"].membrane_cadc == 80.0)


def test_recording_selection_drops_traces():
    net = psp()
    net.set(recording={"populations": []})
    result = hxstudio.run(net)
    assert result["neuron"].membrane_cadc is None and result["neuron"].spikes is not None


def test_recurrent_projections_run():
    # issue #5: cycles run in a RecurrentGroup (see test_translate_recurrent.py for the numbers)
    net = psp()
    net.add_population("other", "LIF", 1)
    net.add_projection("neuron", "other", init=ConstantInit(value=200.0))
    net.add_projection("other", "neuron", init=ConstantInit(value=-50.0))
    result = hxstudio.run(net)
    assert result["other"].spikes.sum() >= 1
    assert result["neuron"].membrane_cadc.shape == result["other"].membrane_cadc.shape
