"""NIR files ↔ network documents: every shared file opens and runs, exports re-read, semantics hold."""

import json
import warnings
from pathlib import Path

import nir
import numpy as np
import pytest
import torch

from hxstudio.backend.nir import ConversionConfig, from_nir
from hxstudio.errors import NIRError, NIRFileError, NIRWarning, UnsupportedNIRError
from hxstudio.examples import psp
from hxstudio.network import Network
from hxstudio.nir_io import export_nir, import_nir, nir_bytes, write_nir
from hxstudio.runner import run

SHARED = Path(__file__).parents[1] / "data" / "nir"  # copies of shared/nir (see its README)

# file → (dt, {population: (kind, size)}, time unit the auto mode picks)
FILES = {
    "NIR__lif_norse.nir": (5e-7, {"input": ("input", 1), "1": ("LIF", 1)}),
    "NIR__lif_rockpool.nir": (5e-7, {"input": ("input", 1), "1_LIFNeuronTorch": ("LIF", 1)}),
    "NIR__two_lif_neurons.nir": (1e-6, {"in": ("input", 1), "lif1": ("LIF", 1), "lif2": ("LIF", 1)}),
    "NIR__braille_noDelay_bias_zero.nir": (1e-7, {"input": ("input", 12), "lif1.lif": ("LIF", 38),
                                                  "lif2": ("LIF", 7), "fc1.bias": ("input", 1),
                                                  "fc2.bias": ("input", 1), "lif1.w_rec.bias": ("input", 1)}),
    "DEMO__braille_braille_checkpoint.nir": (1e-7, {"input": ("input", 12), "lif1.lif": ("LIF", 55),
                                                    "lif2": ("LIF", 7)}),
    "generated/handbuilt_linear_cubalif_linear_cubali.nir": (1e-6, {"input": ("input", 16), "lif1": ("LIF", 32),
                                                                    "li2": ("LI", 4)}),
    "generated/norse_linear_lifcell_libox.nir": (1e-6, {"input": ("input", 16), "1": ("LIF", 32), "3": ("LI", 4),
                                                        "0.bias": ("input", 1), "2.bias": ("input", 1)}),
    "generated/snntorch_linear_synaptic_vector.nir": (1e-7, {"input": ("input", 16), "1": ("LIF", 32),
                                                             "3": ("LIF", 4), "0.bias": ("input", 1),
                                                             "2.bias": ("input", 1)}),
}
BROKEN = "NIR__braille_noDelay_bias_zero_subgraph.nir"


def _import(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NIRWarning)
        return import_nir(path, **kwargs)


def test_every_shared_file_has_a_case():
    found = {str(p.relative_to(SHARED)) for p in SHARED.rglob("*.nir")}
    assert found == set(FILES) | {BROKEN}


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_opens_as_a_document_and_runs(name):
    dt, populations = FILES[name]
    net = _import(SHARED / name)
    assert net.dt == pytest.approx(dt) and net.steps == 200
    assert {p.name: (p.kind, p.size) for p in net.populations} == populations
    again = Network.from_json(net.to_json())            # a valid project file
    assert again == net
    result = run(net)
    for pop in net.populations:
        if pop.kind != "input":
            trace = result[pop.name].membrane_cadc
            assert trace.shape == (200, 1, pop.size) and np.isfinite(trace).all()
    graph = nir.read(_write(export_nir(net)))            # the export re-reads with type checking on
    assert {n for n, v in graph.nodes.items() if isinstance(v, nir.CubaLIF)} == \
        {p.name for p in net.populations if p.kind == "LIF"}


def _write(graph, path=None):
    import io

    from hxstudio.backend.nir import write

    buffer = io.BytesIO()
    write(buffer, graph)
    buffer.seek(0)
    return buffer


def test_the_broken_subgraph_file_is_refused_with_one_line():
    with pytest.raises(NIRError) as info:
        _import(SHARED / BROKEN)
    assert str(info.value) == (
        f"{BROKEN}, subgraph 'lif1': edge ('input', 'lif') names destination node 'lif', which does not "
        "exist; nodes: input, lif1, lin, output")


def test_braille_document_runs_end_to_end_and_is_laid_out_left_to_right():
    net = _import(SHARED / "NIR__braille_noDelay_bias_zero.nir")
    pos = {p.name: p.position for p in net.populations}
    assert pos["input"][0] < pos["lif1.lif"][0] < pos["lif2"][0]
    assert pos["fc2.bias"][0] < pos["lif2"][0] and pos["fc1.bias"][0] < pos["lif1.lif"][0]
    assert len(set(pos.values())) == len(pos)                      # nothing overlaps
    assert {j.name: (j.source, j.target) for j in net.projections} == {
        "fc1": ("input", "lif1.lif"), "lif1.w_rec": ("lif1.lif", "lif1.lif"), "fc2": ("lif1.lif", "lif2"),
        "fc1.bias→lif1.lif": ("fc1.bias", "lif1.lif"), "fc2.bias→lif2": ("fc2.bias", "lif2"),
        "lif1.w_rec.bias→lif1.lif": ("lif1.w_rec.bias", "lif1.lif")}
    lif1 = net.population("lif1.lif").params
    assert (lif1["leak"], lif1["threshold"], lif1["reset"]) == (80.0, 125.0, 80.0)
    assert lif1["tau_mem"] == pytest.approx(1e-6) and lif1["tau_syn"] == pytest.approx(2.2222e-7, rel=1e-4)
    assert lif1["refractory_time"] == 0.0
    flags = net.flags()
    assert "population 'lif2': tau_mem = 0.222222 µs is outside the calibrated range [0.5 µs, 60 µs]; " \
           "the mock runs it, BSS-2 cannot be calibrated to it" in flags
    result = run(net)
    assert result["lif1.lif"].spikes.sum() > 20 and result["lif2"].spikes.sum() > 20
    assert result["fc1.bias"].spikes.sum() == 200                  # the bias source fires every step


def test_document_import_reproduces_the_module_import():
    """The document (CADC LSB, capacitance in range, gains in the weights) runs the same model as
    from_nir (NIR values as model values): membrane_cadc = 80 + 45·v for v_leak 0, v_threshold 1."""
    path = SHARED / "NIR__braille_noDelay_bias_zero.nir"
    net = _import(path)
    spikes = (np.random.default_rng(0).random((200, 12)) < 0.2).astype(np.float32)
    net.update_population("input", stimulus={"kind": "spike_times", "times": [
        [float(t * net.dt) for t in np.flatnonzero(spikes[:, n])] for n in range(12)]})
    doc = run(net)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NIRWarning)
        snn = from_nir(nir.read(path), ConversionConfig(dt=net.dt))
    with torch.no_grad():
        out = snn({"input": torch.from_numpy(spikes)[:, None]})
    assert np.array_equal(doc["input"].spikes[:, 0], spikes)
    for name in ("lif1.lif", "lif2"):
        assert np.array_equal(doc[name].spikes, out[name].numpy()), name
        v = snn.hxnodes[snn._keys[name]]._output_handle.membrane_cadc.numpy()
        assert np.allclose(doc[name].membrane_cadc, 80 + 45 * v, atol=2e-3), name


def test_document_round_trip_through_nir(tmp_path):
    net = _import(SHARED / "NIR__braille_noDelay_bias_zero.nir")
    path = tmp_path / "braille.nir"
    write_nir(net, path)
    graph = nir.read(path)
    assert graph.metadata["time_unit"] == "s" and graph.metadata["dt"] == pytest.approx(1e-4)
    assert graph.metadata["potential_unit"] == "CADC LSB"
    assert isinstance(graph.nodes["fc1"], nir.Affine) and isinstance(graph.nodes["lif1.w_rec"], nir.Affine)
    assert ("lif1.w_rec", "lif1.lif") in graph.edges and ("lif2", "output") in graph.edges
    again = import_nir(path)
    assert again.dt == pytest.approx(net.dt)
    for pop in net.populations:
        other = again.population(pop.name)
        assert (other.kind, other.size) == (pop.kind, pop.size)
        for key, value in pop.params.items():
            assert other.params[key] == pytest.approx(value, rel=1e-6), (pop.name, key)
    for j in net.projections:
        w = np.asarray(j.init.weight) * j.scale
        k = again.projection(j.name)
        assert np.allclose(np.asarray(k.init.weight) * k.scale, w, rtol=1e-6)


def test_export_of_a_drawn_network_and_its_time_unit(tmp_path):
    net = psp()
    with pytest.warns(NIRWarning, match="refractory_time of 'neuron' has no NIR field"):
        graph = export_nir(net, time_unit="steps")
    lif = graph.nodes["neuron"]
    assert isinstance(lif, nir.CubaLIF)
    assert lif.tau_mem[0] == pytest.approx(10.0) and lif.tau_syn[0] == pytest.approx(10.0)  # 10 µs / 1 µs
    assert lif.v_threshold[0] == 125.0 and lif.r[0] == pytest.approx(1.0) and lif.w_in[0] == pytest.approx(10.0)
    assert graph.metadata["dt"] == 1.0 and graph.metadata["time_unit"] == "steps"
    assert set(graph.nodes) == {"excitatory", "inhibitory", "neuron", "excitatory→neuron",
                                "inhibitory→neuron", "output"}
    with pytest.warns(NIRWarning):
        data = nir_bytes(net)
    assert data[:8] == b"\x89HDF\r\n\x1a\n"


def test_heterogeneous_parameters_become_lists_and_run_per_neuron():
    tau = np.array([2e-3, 4e-3, 8e-3])
    graph = nir.NIRGraph.from_list(
        nir.Linear(weight=np.ones((3, 1), dtype=np.float32)),
        nir.CubaLIF(tau_syn=np.full(3, 2e-3), tau_mem=tau, r=np.ones(3), v_leak=np.zeros(3),
                    v_threshold=np.array([1.0, 2.0, 4.0])))
    net = import_nir(graph, dt=1e-7, name="het")
    params = net.population("cubalif").params
    assert params["tau_mem"] == [2e-6, 4e-6, 8e-6]
    assert params["threshold"] == 125.0 and params["leak"] == 80.0    # k = 45/v_th per neuron
    assert params["tau_syn"] == 2e-6
    # per-neuron k = 45, 22.5, 11.25 goes into the weight rows
    weight = np.asarray(net.projection("linear").init.weight)
    assert net.projection("linear").scale == 1.0
    assert weight[:, 0] / weight[0, 0] == pytest.approx([1.0, 0.5, 0.25])
    result = run(net)
    assert result["cubalif"].membrane_cadc.shape == (200, 1, 3)
    with pytest.raises(Exception, match="tau_mem has 2 per-neuron values; needs one per neuron \\(3\\)"):
        net.set_param("cubalif", "tau_mem", [1e-6, 2e-6])


def test_out_of_limits_values_refuse_the_import_with_one_line():
    graph = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((1, 1))), nir.CubaLIF(
        tau_syn=np.array([5e-3]), tau_mem=np.array([0.5]), r=np.ones(1), v_leak=np.zeros(1),
        v_threshold=np.ones(1)))
    with pytest.raises(NIRError) as info:
        import_nir(graph, time_unit="s", filename="slow.nir")
    assert str(info.value) == ("slow.nir: population 'cubalif': tau_mem = 500 µs is outside the calibrated range "
                               "[0.5 µs, 60 µs] and the hard limits [0.1 µs, 100 µs]")


def test_auto_time_unit_reads_norse_as_hardware_seconds():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = import_nir(SHARED / "generated/norse_linear_lifcell_libox.nir")
    assert any("read them as 'hardware_s' instead" in str(w.message) for w in caught)
    assert net.population("1").params["tau_mem"] == pytest.approx(1e-5, rel=1e-6)


def test_unsupported_and_malformed_files(tmp_path):
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2])), "delay": nir.Delay(delay=np.ones(2)),
                                "output": nir.Output(output_type=np.array([2]))},
                         edges=[("input", "delay"), ("delay", "output")], type_check=False)
    with pytest.raises(UnsupportedNIRError, match="delay.nir: node 'delay' of type Delay is not supported"):
        import_nir(graph, filename="delay.nir")
    data = (SHARED / "NIR__two_lif_neurons.nir").read_bytes()
    with pytest.raises(NIRFileError, match="^cut.nir: ") as info:
        import_nir(data[:1000], filename="cut.nir")
    assert "\n" not in str(info.value)


def test_failed_import_leaves_the_open_project_unchanged():
    from hxstudio.app import Studio

    studio = Studio(psp())
    before = studio.network.to_json()
    studio._nir_upload.filename = "broken.nir"
    studio._nir_upload.value = (SHARED / BROKEN).read_bytes()
    assert studio.network.to_json() == before
    assert studio._controls.error.startswith("broken.nir, subgraph 'lif1': edge ('input', 'lif')")
    studio._nir_upload.filename = "braille.nir"
    studio._nir_upload.value = (SHARED / "NIR__braille_noDelay_bias_zero.nir").read_bytes()
    assert [p.name for p in studio.network.populations][:3] == ["input", "lif1.lif", "lif2"]
    labels = {n["id"]: n["label"] for n in studio._editor.graph[0]}
    assert labels["lif2"] == "⚠ lif2" and labels["input"] == "input"
    assert studio.message.startswith("imported braille.nir: 6 populations, 6 projections, dt = 0.1 µs; ⚠ 5 values")
    studio._editor.on_select("node", "lif2")
    assert studio._params.values["tau_mem"] == pytest.approx(2.2222e-7, rel=1e-4)
    assert studio._params.note("tau_mem") == "⚠ outside the calibrated range [0.5 µs, 60 µs]: runs in the mock only"
    exported = studio._nir_file().getvalue()
    assert nir.read(_write(nir.read(__import__("io").BytesIO(exported)))).nodes["lif2"].tau_mem[0] == \
        pytest.approx(2.2222e-4, rel=1e-4)


def test_cli_import_and_export(tmp_path, capsys):
    from hxstudio.cli import main

    project, out = tmp_path / "braille.json", tmp_path / "braille.nir"
    assert main(["import", str(SHARED / "DEMO__braille_braille_checkpoint.nir"), "-o", str(project)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("warning: DEMO__braille_braille_checkpoint.nir fails nir's type check")
    assert "⚠ population 'lif2': tau_mem = 0.133333 µs is outside the calibrated range" in captured.out
    assert json.loads(project.read_text())["populations"][1]["name"] == "lif1.lif"
    assert main(["export", str(project), "--to", "nir", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (NIR, time constants in 's')"
    assert isinstance(nir.read(out).nodes["lif1.lif"], nir.CubaLIF)
    assert main(["import", str(SHARED / BROKEN)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: {BROKEN}, subgraph 'lif1': edge ('input', 'lif') names destination node 'lif', which does not "
        "exist; nodes: input, lif1, lin, output"]
    with pytest.raises(SystemExit):        # --to is a choice list
        main(["export", str(project), "--to", "onnx"])
