"""A NIR neuron imported and simulated equals the NIR ODE integrated with forward Euler at dt.

The references below integrate the equations of NIR's docstrings (``nir/ir/neuron.py``) directly,
in NIR time units, with spikes as pulses of height 1 lasting one step (the convention of snnTorch
and the NIR paper). They share no code with hxstudio.
"""

import numpy as np
import nir
import pytest
import torch

from hxstudio.backend.nir import ConversionConfig, from_nir

DT = 1e-6          # s of hardware time
H = DT / 1e-3      # the same step in NIR seconds (biological time, BSS-2 runs 1000x faster)
T = 120


def _spikes(steps, seed=0, p=0.15):
    return (np.random.default_rng(seed).random(steps) < p).astype(np.float64)


def _euler_cuba(s, w, tau_syn, tau_mem, r, v_leak, w_in, v_th=None, v_reset=0.0):
    """Forward Euler: record[t] is the state after the step that consumed input s[t]."""
    i, v = 0.0, v_leak
    vs, is_, zs = [], [], []
    for t in range(len(s)):
        v_next = v + H / tau_mem * (v_leak - v + r * i)
        i = i + H / tau_syn * (-i + w_in * w * s[t])
        v = v_next
        z = v_th is not None and v > v_th
        if z:
            v = v_reset
        vs.append(v), is_.append(i), zs.append(float(z))
    return np.array(vs), np.array(is_), np.array(zs)


def _euler_plain(s, w, tau, r, v_leak, v_th=None, v_reset=0.0):
    """Forward Euler of τ dv/dt = v_leak − v + R·I with I the weighted spikes; record[t] = v_t."""
    v, previous = v_leak, 0.0
    vs, zs = [], []
    for t in range(len(s)):
        v = v + H / tau * (v_leak - v + r * w * previous)
        z = v_th is not None and v > v_th
        if z:
            v = v_reset
        vs.append(v), zs.append(float(z))
        previous = s[t]
    return np.array(vs), np.array(zs)


def _graph(node, w):
    return nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([1])), "w": nir.Linear(weight=np.array([[w]])),
               "n": node, "output": nir.Output(output_type=np.array([1]))},
        edges=[("input", "w"), ("w", "n"), ("n", "output")])


def _run(graph, s):
    snn = from_nir(graph, ConversionConfig(dt=DT))
    x = torch.tensor(s, dtype=torch.float32)[:, None, None]
    snn(x)
    module = snn.hxnodes["n"]
    handle = module._output_handle
    spikes = handle.spikes[:, 0, 0].detach().numpy() if getattr(handle, "spikes", None) is not None else None
    return handle.membrane_cadc[:, 0, 0].detach().numpy(), handle.current[:, 0, 0].detach().numpy(), spikes


def test_cubalif_matches_forward_euler():
    p = dict(tau_syn=2e-3, tau_mem=5e-3, r=3.0, v_leak=-0.2, w_in=1.5)
    v_th, v_reset, w = 0.6, -0.5, 4.0
    node = nir.CubaLIF(**{k: np.array([v]) for k, v in p.items()}, v_threshold=np.array([v_th]),
                       v_reset=np.array([v_reset]))
    s = _spikes(T)
    v_ref, i_ref, z_ref = _euler_cuba(s, w, **p, v_th=v_th, v_reset=v_reset)
    v, i, z = _run(_graph(node, w), s)
    assert z_ref.sum() >= 5                     # the test exercises threshold and reset
    assert np.array_equal(z, z_ref)
    assert np.allclose(v, v_ref, atol=1e-5)
    # the module's current is I in units of weighted spikes: I = w_in·dt/τ_syn · i
    assert np.allclose(i * p["w_in"] * H / p["tau_syn"], i_ref, atol=1e-5)


def test_cubali_matches_forward_euler_with_per_neuron_parameters():
    tau_mem = np.array([4e-3, 8e-3])
    node = nir.CubaLI(tau_syn=np.array([1e-3, 3e-3]), tau_mem=tau_mem, r=np.array([2.0, 0.5]),
                      v_leak=np.array([0.1, -0.3]), w_in=np.array([1.0, 2.0]))
    g = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([1])),
                            "w": nir.Linear(weight=np.array([[1.5], [-2.0]])), "n": node,
                            "output": nir.Output(output_type=np.array([2]))},
                     edges=[("input", "w"), ("w", "n"), ("n", "output")])
    s = _spikes(T, seed=1)
    snn = from_nir(g, ConversionConfig(dt=DT))
    snn(torch.tensor(s, dtype=torch.float32)[:, None, None])
    v = snn.hxnodes["n"]._output_handle.membrane_cadc[:, 0].detach().numpy()
    assert isinstance(snn.hxnodes["n"].tau_mem.model_value, torch.Tensor)   # heterogeneous → tensor
    for n, w in enumerate((1.5, -2.0)):
        v_ref, _, _ = _euler_cuba(s, w, tau_syn=[1e-3, 3e-3][n], tau_mem=tau_mem[n], r=[2.0, 0.5][n],
                                  v_leak=[0.1, -0.3][n], w_in=[1.0, 2.0][n])
        assert np.allclose(v[:, n], v_ref, atol=1e-5)
        assert abs(v_ref[-1] - [0.1, -0.3][n]) > 1e-3   # the input moved the membrane


def test_lif_matches_forward_euler_with_one_step_delay():
    tau, r, v_leak, v_th, w = 4e-3, 2.0, 0.0, 0.5, 3.0
    node = nir.LIF(tau=np.array([tau]), r=np.array([r]), v_leak=np.array([v_leak]),
                   v_threshold=np.array([v_th]))
    s = _spikes(T, seed=2, p=0.3)
    v_ref, z_ref = _euler_plain(s, w, tau, r, v_leak, v_th)
    v, _, z = _run(_graph(node, w), s)
    assert z_ref.sum() >= 5
    assert np.array_equal(z, z_ref)
    assert np.allclose(v, v_ref, atol=1e-5)


def test_li_matches_forward_euler():
    tau, r, v_leak, w = 3e-3, 1.5, 0.25, -1.0
    node = nir.LI(tau=np.array([tau]), r=np.array([r]), v_leak=np.array([v_leak]))
    s = _spikes(T, seed=3, p=0.3)
    v_ref, _ = _euler_plain(s, w, tau, r, v_leak)
    v, _, z = _run(_graph(node, w), s)
    assert z is None
    assert np.allclose(v, v_ref, atol=1e-5)
    assert v.min() < v_leak - 0.05


def test_if_integrates_without_leak():
    r, v_th, w = 200.0, 1.0, 1.0      # dv = h·R·w per input spike = 0.2
    node = nir.IF(r=np.array([r]), v_threshold=np.array([v_th]), v_reset=np.array([0.0]))
    s = np.zeros(20)
    s[[1, 3, 5, 7, 9, 11]] = 1
    v, _, z = _run(_graph(node, w), s)
    # v rises by 0.2 one step after each input spike and never decays; the 6th rise crosses 1.0
    assert v[2] == pytest.approx(0.2, abs=1e-6) and v[4] == pytest.approx(0.4, abs=1e-6)
    assert v[10] == pytest.approx(1.0, abs=1e-5) and z[:12].sum() == 0
    assert z[12] == 1 and v[12] == 0.0


@pytest.mark.filterwarnings("ignore::hxstudio.backend.errors.NIRWarning")  # 5 units is implausible in most
@pytest.mark.parametrize("unit, factor", [("s", 1e-3), ("ms", 1e-3), ("hardware_s", 1.0), ("steps", DT)])
def test_time_unit_sets_the_hardware_time_constants(unit, factor):
    node = nir.CubaLIF(tau_syn=np.array([2.0]), tau_mem=np.array([5.0]), r=np.ones(1),
                       v_leak=np.zeros(1), v_threshold=np.ones(1))
    snn = from_nir(_graph(node, 1.0), ConversionConfig(dt=DT, time_unit=unit))
    assert snn.hxnodes["n"].tau_mem.model_value == pytest.approx(5.0 * factor)
    assert snn.hxnodes["n"].tau_syn.model_value == pytest.approx(2.0 * factor)
