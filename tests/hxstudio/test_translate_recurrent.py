"""Recurrent documents run (RecurrentGroup); per-neuron parameters reach the modules; limits and flags."""

import numpy as np
import pytest

from hxstudio.errors import ParameterRangeError, ValidationError
from hxstudio.network import ConstantInit, MatrixInit, Network, SpikeTimes
from hxstudio.runner import run
from hxstudio.translate import build, groups

DT = 1e-6


def _network():
    """input → A (2 LIF, self-projection, refractory 2 µs) ⇄ B (1 LIF); a cycle A → B → A."""
    net = Network(name="loop", dt=DT, duration=80e-6)
    net.add_population("in", "input", 1, stimulus=SpikeTimes(times=[[3e-6, 4e-6, 30e-6]]))
    net.add_population("A", "LIF", 2, params={"threshold": 100.0, "refractory_time": 2e-6,
                                              "tau_mem": [8e-6, 12e-6], "membrane_capacitance": 40.0})
    net.add_population("B", "LIF", 1, params={"threshold": 90.0, "refractory_time": 0.0, "tau_syn": 4e-6})
    net.add_projection("in", "A", init=MatrixInit(weight=[[120.0], [90.0]]))
    net.add_projection("A", "A", init=MatrixInit(weight=[[0.0, 25.0], [30.0, 0.0]]))
    net.add_projection("A", "B", init=MatrixInit(weight=[[40.0, 40.0]]))
    net.add_projection("B", "A", init=ConstantInit(value=-35.0))
    return net


class _Pop:
    """Independent reference of one population: the integrator's documented step (spec §6.1, §6.3)."""

    def __init__(self, n, p):
        self.p, self.c = p, p["membrane_capacitance"] / 63 * 10e-6
        self.tau_mem = np.broadcast_to(np.asarray(p["tau_mem"], float), (n,))
        self.v, self.i, self.r, self.z = np.full(n, p["leak"]), np.zeros(n), np.zeros(n), np.zeros(n)
        self.vs, self.zs = [], []

    def step(self, x):
        p = self.p
        dv = DT / self.c * (self.i + self.c / self.tau_mem * (p["leak"] - self.v))
        self.i = self.i * (1 - DT / p["tau_syn"]) + x
        self.v = self.v + dv
        z = (self.v > p["threshold"]).astype(float)
        self.v = np.where(z > 0, p["reset"], self.v)
        if p["refractory_time"] > 0:
            mask = self.r > 0
            self.v = np.where(mask, p["reset"], self.v)
            z = np.where(mask, 0.0, z)
            self.r = (1 - z) * np.maximum(self.r - mask, 0) + z * p["refractory_time"] / DT
        self.z = z
        self.vs.append(self.v.copy()), self.zs.append(z)


def test_recurrent_network_matches_an_independent_step_loop():
    net = _network()
    assert [[p.name for p in g] for g in groups(net)] == [["in"], ["A", "B"]]
    result = run(net)
    a = _Pop(2, net.population("A").params)
    b = _Pop(1, net.population("B").params)
    s = result["in"].spikes[:, 0, 0]
    w_in, w_aa, w_ab = np.array([120.0, 90.0]), np.array([[0, 25.0], [30.0, 0]]), np.array([[40.0, 40.0]])
    for t in range(net.steps):
        z_b_previous = b.z.copy()
        a.step(w_in * s[t] + w_aa @ a.z + (-35.0) * z_b_previous)   # a.z is still z_A[t-1]
        b.step(w_ab @ a.z)                                          # z_A[t]: A comes first
    assert np.array_equal(result["A"].spikes[:, 0], np.array(a.zs))
    assert np.array_equal(result["B"].spikes[:, 0], np.array(b.zs))
    assert np.allclose(result["A"].membrane_cadc[:, 0], np.array(a.vs), atol=1e-3)
    assert np.allclose(result["B"].membrane_cadc[:, 0], np.array(b.vs), atol=1e-3)
    assert result["A"].spikes.sum() >= 4 and result["B"].spikes.sum() >= 1   # the loop is exercised


def test_self_projection_keeps_a_neuron_firing():
    net = Network(name="self", dt=DT, duration=40e-6)
    net.add_population("in", "input", 1, stimulus=SpikeTimes(times=[[2e-6]]))
    net.add_population("n", "LIF", 1, params={"threshold": 100.0, "refractory_time": 0.0})
    net.add_projection("in", "n", init=ConstantInit(value=60.0))
    quiet = run(net)["n"].spikes.sum()
    net.add_projection("n", "n", init=ConstantInit(value=80.0))
    built = build(net)
    assert len(built.wrappers) == 1 and built.wrappers[0].population_names == ["n"]
    loud = run(net)["n"].spikes.sum()
    assert quiet == 1 and loud > 20


def test_per_neuron_parameters_reach_the_module_as_tensors():
    net = _network()
    module = build(net).modules["A"]
    assert module.tau_mem.model_value.tolist() == pytest.approx([8e-6, 12e-6])
    assert module.threshold.model_value == 100.0


def test_limits_refuse_and_calibrated_range_flags():
    net = _network()
    net.set_param("B", "tau_syn", 0.2e-6)                     # outside calibrated, inside limits
    flags = net.flags()
    assert "population 'B': tau_syn = 0.2 µs is outside the calibrated range [0.3 µs, 30 µs]; the mock runs it, " \
           "BSS-2 cannot be calibrated to it" in flags
    assert "population 'B': refractory_time = 0 s is outside the calibrated range [0.04 µs, 32 µs]; the mock " \
           "runs it, BSS-2 cannot be calibrated to it" in flags
    assert run(net)["B"].membrane_cadc.shape == (80, 1, 1)    # flags do not block the mock
    with pytest.raises(ParameterRangeError, match=r"^population 'B': tau_syn = 0.05 µs is outside the "
                       r"calibrated range \[0.3 µs, 30 µs\] and the hard limits \[0.1 µs, 100 µs\]$"):
        net.set_param("B", "tau_syn", 0.05e-6)
    net.set_param("A", "leak", [70.0, 90.0])
    assert net.population("A").params["leak"] == [70.0, 90.0]
    net.set_param("A", "leak", [75.0, 75.0])                    # equal values collapse
    assert net.population("A").params["leak"] == 75.0
    with pytest.raises(ParameterRangeError, match="leak = 300 CADC LSB"):
        net.set_param("A", "leak", [80.0, 300.0])


def test_version_1_files_load_and_version_2_is_written():
    data = _network().model_dump()
    data["schema_version"] = 1
    data["populations"][1]["params"]["tau_mem"] = 10e-6
    net = Network.from_dict(data)
    assert net.schema_version == 2
    with pytest.raises(ValidationError, match="schema_version = 3 is not supported; this hxstudio reads 1, 2"):
        Network.from_dict({**data, "schema_version": 3})
