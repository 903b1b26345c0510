"""The hxtorch script export: the exported script, run with hxstudio.backend standing in for
hxtorch.spiking, gives exactly the spikes and traces of ``hxstudio.run``."""

import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import hxstudio
from hxstudio.cli import main
from hxstudio.codegen import export_hxtorch
from hxstudio.errors import ValidationError
from hxstudio.network import MatrixInit, Network, PoissonRate, RegularRate, SpikeTimes

NIR_DATA = Path(__file__).parents[1] / "data" / "nir"


def mixed() -> Network:
    """Every stimulus kind but datasets, per-neuron parameters, an explicit and a scaled constant
    weight, an unrecorded and an unconnected population, names that are not identifiers."""
    net = Network(name='mixed "net"', dt=0.5e-6, duration=60e-6)
    net.add_population("clock in", "input", 2, stimulus=RegularRate(rate=80e3, start=3e-6))
    net.add_population("noise", "input", 3, stimulus=PoissonRate(rate=150e3, seed=7))
    net.add_population("times", "input", 2, stimulus=SpikeTimes(times=[[5e-6, 5.25e-6, 20e-6], []]))
    net.add_population("2 hidden", "LIF", 4, params={"threshold": [110.0, 115.0, 120.0, 125.0],
                                                     "tau_mem": 8e-6, "membrane_capacitance": 40.0})
    net.add_population("idle", "LIF", 2, params={"leak": 90.0})
    net.add_population('out "LI"\\', "LI", 2)
    net.add_projection("clock in", "2 hidden", init=MatrixInit(weight=[[30.0, 0.1], [1 / 3, 12.5], [40.0, -7.25],
                                                                        [0.0, 22.0]]))
    net.add_projection("noise", "2 hidden", init={"kind": "normal", "mean": 10.0, "std": 4.0, "seed": 3}, scale=1.5)
    net.add_projection("times", "2 hidden", init={"kind": "constant", "value": 0.7}, scale=60.0)
    net.add_projection("2 hidden", 'out "LI"\\', init={"kind": "normal", "mean": 5.0, "std": 2.0, "seed": 4})
    net.add_projection("times", 'out "LI"\\', init={"kind": "constant", "value": -20.0})
    net.set(recording={"populations": ["idle", 'out "LI"\\']})
    return net


def nir_two_lif() -> Network:
    from hxstudio.nir_io import import_nir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return import_nir(NIR_DATA / "NIR__two_lif_neurons.nir")


NETWORKS = {
    **hxstudio.examples.EXAMPLES,  # every built-in example
    "yinyang_train_17": lambda: hxstudio.examples.yinyang(index=17, split="train"),
    "nir_two_lif": nir_two_lif,
    "mixed": mixed,
}


def run_script(path: Path, out: Path) -> dict:
    """Run the exported script's ``main`` in this process and return its arrays."""
    return runpy.run_path(str(path))["main"](str(out))


def assert_same(arrays: dict, reference: dict) -> None:
    assert list(arrays) == list(reference)
    for key, value in reference.items():
        assert arrays[key].dtype == value.dtype, key
        np.testing.assert_array_equal(arrays[key], value, err_msg=key)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_exported_script_reproduces_the_studio_run_exactly(name, tmp_path, hxtorch_stand_in):
    network = NETWORKS[name]()
    path = tmp_path / "model.py"
    path.write_text(export_hxtorch(network))
    reference = hxstudio.run(network).arrays()
    arrays = run_script(path, tmp_path / "out.npz")
    assert_same(arrays, reference)
    assert_same(dict(np.load(tmp_path / "out.npz")), reference)
    neurons = [f"{p.name}/spikes" for p in network.populations if p.kind not in ("input", "LI")]
    assert sum(reference[k].sum() for k in neurons) > 0  # a network that does something


@pytest.mark.parametrize("name", ["psp", "yinyang"])
def test_exported_emulator_script_reproduces_the_emulator_run_with_madc(name, tmp_path, hxtorch_stand_in):
    from hxstudio.backend.chip import default_chip

    network = NETWORKS[name]()
    network.set(target="emulator")
    path = tmp_path / "model.py"
    path.write_text(export_hxtorch(network))
    default_chip().reset_noise()  # the same trial-to-trial noise for both runs
    reference = hxstudio.run(network).arrays()
    default_chip().reset_noise()
    arrays = run_script(path, tmp_path / "out.npz")
    assert_same(arrays, reference)
    probe, neuron = network.madc_probe()
    assert arrays[f"{probe}/madc_neuron"] == neuron and arrays[f"{probe}/membrane_madc"].shape[0] > 1000
    assert "MOCK = False  # hxstudio target 'emulator': BrainScaleS-2 (mock=False)" in path.read_text()


def test_psp_script_reads_like_hxtorch_code():
    script = export_hxtorch(hxstudio.examples.psp())
    compile(script, "model.py", "exec")
    for line in [
        "import torch",
        "import hxtorch.spiking as hxsnn",
        "MOCK = True  # hxstudio target 'mock': hxtorch's ideal numerics",
        "DT = 1e-06  # integration step in s (hardware time)",
        "STEPS = 120  # time steps: 120 µs of hardware time",
        "    exp = hxsnn.Experiment(mock=MOCK, dt=DT)",
        "    # input population 'excitatory' (1 neuron)",
        "    excitatory_spikes = spike_train([[1e-05, 7e-05, 7.2e-05, 7.4e-05]])",
        "    excitatory_neuron.weight.data = torch.full((1, 1), 60.0)",
        "    inhibitory_neuron.weight.data = torch.full((1, 1), -60.0)",
        "    # LIF population 'neuron' (1 neuron)",
        "        threshold=125.0,",
        "        membrane_capacitance=capacitance(63.0),",
        "    handles['neuron'] = neuron(excitatory_neuron(handles['excitatory']), inhibitory_neuron(handles['inhibitory']))",
        "        hxsnn.run(exp, STEPS)",
        "    arrays['neuron/membrane_cadc'] = to_numpy(handles['neuron'].membrane_cadc)",
        'if __name__ == "__main__":',
    ]:
        assert line in script.splitlines(), line
    assert "def poisson_train" not in script and "def madc" not in script  # only the helpers it uses


def test_yinyang_script_writes_the_sample_as_spike_times():
    script = export_hxtorch(hxstudio.examples.yinyang())
    assert "    # Yin-Yang test sample 0 (class 0): features (x, y, 1-x, 1-y) = (0.680573, 0.320973, 0.319427, " \
           "0.679027)" in script
    assert "        [1.833374542822167e-05]," in script  # 2 µs + 0.680573… · 24 µs
    assert "    input_hidden = hxsnn.Synapse(5, 120, exp)" in script
    assert "    hidden_readout.weight.data = torch.tensor([" in script
    assert max(len(line) for line in script.splitlines() if not line.lstrip().startswith("#")) <= 120


def test_recurrent_network_is_refused_with_the_cycle_named():
    net = hxstudio.examples.psp()
    net.add_projection("neuron", "neuron", "self", init={"kind": "constant", "value": 5.0})
    with pytest.raises(ValidationError) as info:
        export_hxtorch(net)
    assert str(info.value) == ("export to hxtorch: population(s) 'neuron' form a cycle of projections "
                               "(recurrence); the hxtorch script export supports feed-forward networks only")


def test_cli_export_writes_a_script_that_runs_as_a_program(tmp_path, stand_in_source):
    project = tmp_path / "psp.json"
    hxstudio.examples.psp().save(project)
    script = tmp_path / "model.py"
    assert main(["export", str(project), "--to", "hxtorch", "-o", str(script)]) == 0
    out = tmp_path / "script.npz"
    proc = subprocess.run([sys.executable, "-c", f"{stand_in_source}; import runpy; sys.argv = ['model.py', "
                           f"{str(out)!r}]; runpy.run_path({str(script)!r}, run_name='__main__')"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["excitatory/spikes: 4 spikes", "inhibitory/spikes: 1 spikes",
                                        "neuron/spikes: 1 spikes", f"wrote {out}"]
    reference = tmp_path / "studio.npz"
    assert main(["run", str(project), "--out", str(reference)]) == 0
    assert_same(dict(np.load(out)), dict(np.load(reference)))


def test_cli_export_default_name_follows_the_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--example", "psp", "--to", "hxtorch"]) == 0
    assert (tmp_path / "psp.py").read_text() == export_hxtorch(hxstudio.examples.psp())
    assert capsys.readouterr().out == "wrote psp.py (hxtorch.spiking script, target 'mock'; run: python psp.py [OUT.npz])\n"
