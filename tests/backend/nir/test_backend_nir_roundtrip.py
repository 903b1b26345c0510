"""to_nir(from_nir(g)) keeps every parameter and weight; exports type-check; hxtorch's NIR tests."""

import io
import random
import warnings

import nir
import numpy as np
import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.errors import NIRError, NIRFileError, NIRWarning, UnsupportedNIRError
from hxstudio.backend.nir import (
    AffineSynapse,
    ConversionConfig,
    from_nir,
    from_nir_data,
    read,
    suggest_dt,
    to_bytes,
    to_nir,
    to_nir_data,
    write,
)

RNG = np.random.default_rng(7)


def _a(*values):
    return np.array(values, dtype=np.float64)


def rich_graph():
    """Input, Affine, heterogeneous CubaLIF with a recurrent Linear, Linear → CubaLI, Scale → LIF,
    Linear → LI; two outputs; edges shuffled."""
    nodes = {
        "input": nir.Input(input_type=np.array([3])),
        "fc1": nir.Affine(weight=RNG.normal(size=(4, 3)).astype(np.float32),
                          bias=RNG.normal(size=4).astype(np.float32)),
        "hidden": nir.CubaLIF(tau_syn=_a(2e-3, 3e-3, 4e-3, 5e-3), tau_mem=_a(5e-3, 6e-3, 7e-3, 8e-3),
                              r=_a(1.0, 2.0, 3.0, 4.0), v_leak=_a(0.0, 0.1, -0.1, 0.2),
                              v_threshold=_a(1.0, 1.1, 1.2, 1.3), v_reset=_a(0.0, -0.1, 0.1, 0.0),
                              w_in=_a(1.0, 2.0, 0.5, 1.5)),
        "rec": nir.Linear(weight=RNG.normal(size=(4, 4)).astype(np.float32)),
        "fc2": nir.Linear(weight=RNG.normal(size=(2, 4)).astype(np.float32)),
        "readout": nir.CubaLI(tau_syn=_a(3e-3, 3e-3), tau_mem=_a(9e-3, 9e-3), r=_a(2.0, 2.0),
                              v_leak=_a(0.0, 0.0), w_in=_a(1.0, 1.0)),
        "gain": nir.Scale(scale=_a(0.5, -1.0, 2.0)),
        "plain": nir.LIF(tau=_a(4e-3, 4e-3, 6e-3), r=_a(1.0, 1.0, 2.0), v_leak=_a(0.0, 0.0, 0.0),
                         v_threshold=_a(0.5, 0.5, 0.5), v_reset=_a(0.0, 0.0, 0.0)),
        "fc3": nir.Linear(weight=RNG.normal(size=(2, 3)).astype(np.float32)),
        "leaky": nir.LI(tau=_a(5e-3, 5e-3), r=_a(1.0, 1.0), v_leak=_a(0.0, 0.0)),
        "output": nir.Output(output_type=np.array([2])),
        "output2": nir.Output(output_type=np.array([2])),
    }
    edges = [("input", "fc1"), ("fc1", "hidden"), ("hidden", "rec"), ("rec", "hidden"), ("hidden", "fc2"),
             ("fc2", "readout"), ("readout", "output"), ("input", "gain"), ("gain", "plain"),
             ("plain", "fc3"), ("fc3", "leaky"), ("leaky", "output2")]
    random.Random(3).shuffle(edges)
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _fields(node):
    return {k: v for k, v in vars(node).items() if k not in ("input_type", "output_type", "metadata")}


def _sample(snn, steps=20):
    return {name: (torch.rand(steps, 2, size) < 0.3).float() for name, size in snn.network.inputs.items()}


def test_round_trip_keeps_every_node_parameter_and_weight():
    graph = rich_graph()
    snn = from_nir(graph, ConversionConfig(dt=1e-6))
    assert isinstance(snn.hxnodes["fc1"], AffineSynapse)
    back = to_nir(snn, _sample(snn))
    assert set(back.nodes) == set(graph.nodes)
    assert set(back.edges) == set(graph.edges)
    for name, node in graph.nodes.items():
        other = back.nodes[name]
        assert type(other) is type(node), name
        fields, again = _fields(node), _fields(other)
        assert set(fields) == set(again), name
        for field, value in fields.items():
            assert np.allclose(np.asarray(again[field], dtype=float), np.asarray(value, dtype=float),
                               rtol=1e-6, atol=0), f"{name}.{field}"
    assert back.metadata["time_unit"] == "s" and back.metadata["dt"] == pytest.approx(1e-3)


def test_export_reads_back_with_type_checking(tmp_path):
    snn = from_nir(rich_graph(), ConversionConfig(dt=1e-6))
    graph = to_nir(snn, _sample(snn))
    path = tmp_path / "rich.nir"
    write(path, graph)
    again = nir.read(path)                       # nir's own reader, type checking on
    assert type(again.nodes["hidden"]).__name__ == "CubaLIF"
    assert np.allclose(again.nodes["hidden"].w_in, [1.0, 2.0, 0.5, 1.5])
    assert again.metadata["time_unit"] == "s"


def test_edge_order_does_not_change_the_result():
    graph = rich_graph()
    shuffled = nir.NIRGraph(nodes=graph.nodes, edges=list(reversed(graph.edges)), type_check=False)
    torch.manual_seed(0)
    a = from_nir(graph, ConversionConfig(dt=1e-6))
    b = from_nir(shuffled, ConversionConfig(dt=1e-6))
    x = _sample(a, steps=40)
    out_a, out_b = a(x), b(x)
    assert set(out_a) == {"input", "hidden", "plain", "output", "output2"}
    for key in out_a:
        assert torch.equal(out_a[key], out_b[key]), key
    assert out_a["hidden"].sum() > 0 and out_a["output"].shape == (40, 2, 2)


def test_recurrent_projection_is_used():
    graph = rich_graph()
    torch.manual_seed(1)
    snn = from_nir(graph, ConversionConfig(dt=1e-6))
    x = _sample(snn, steps=60)
    with torch.no_grad():
        with_rec = snn(x)["hidden"].clone()
        snn.hxnodes["rec"].weight.zero_()
        without = snn(x)["hidden"]
    assert not torch.equal(with_rec, without)


def test_scalar_parameters_are_broadcast_to_the_layer_size():
    node = nir.CubaLIF(tau_syn=np.array(2e-3), tau_mem=np.array(5e-3), r=np.array(1.0),
                       v_leak=np.array(0.0), v_threshold=np.array(1.0))
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([3])),
                                "fc": nir.Linear(weight=np.ones((5, 3))), "lif": node,
                                "output": nir.Output(output_type=np.array([]))},
                         edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")], type_check=False)
    snn = from_nir(graph, ConversionConfig(dt=1e-6))
    assert snn.hxnodes["lif"].size == 5
    out = snn({"input": torch.ones(10, 1, 3)})
    assert out["lif"].shape == (10, 1, 5)
    back = to_nir(snn, {"input": torch.ones(10, 1, 3)})
    assert back.nodes["lif"].tau_mem.shape == (5,) and np.allclose(back.nodes["lif"].tau_mem, 5e-3)


def test_nested_graph_is_flattened():
    inner = nir.NIRGraph(
        nodes={"in": nir.Input(input_type=np.array([2])),
               "lif": nir.LIF(tau=_a(5e-3, 5e-3), r=_a(1.0, 1.0), v_leak=_a(0.0, 0.0),
                              v_threshold=_a(0.2, 0.2)),
               "w": nir.Linear(weight=np.eye(2, dtype=np.float32)),
               "out": nir.Output(output_type=np.array([2]))},
        edges=[("in", "lif"), ("lif", "w"), ("w", "lif"), ("lif", "out")])
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2])),
                                "fc": nir.Linear(weight=np.eye(2, dtype=np.float32) * 3),
                                "block": inner, "output": nir.Output(output_type=np.array([2]))},
                         edges=[("input", "fc"), ("fc", "block"), ("block", "output")])
    snn = from_nir(graph, ConversionConfig(dt=1e-6))
    assert set(snn.nir_names.values()) >= {"block.lif", "block.w", "fc", "input"}
    out = snn({"input": torch.ones(30, 1, 2)})
    assert out["block.lif"].sum() > 0 and out["output"].shape == (30, 1, 2)


def test_unsupported_node_names_node_type_and_supported_types():
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([1, 4, 4])),
                                "conv": nir.Conv2d(input_shape=(4, 4), weight=np.ones((2, 1, 3, 3)),
                                                   stride=1, padding=0, dilation=1, groups=1,
                                                   bias=np.zeros(2)),
                                "output": nir.Output(output_type=np.array([2, 2, 2]))},
                         edges=[("input", "conv"), ("conv", "output")], type_check=False)
    with pytest.raises(UnsupportedNIRError) as info:
        from_nir(graph)
    message = str(info.value)
    assert "node 'conv' of type Conv2d is not supported" in message
    assert "supported types: Input, Output, Affine, Linear, Scale, Flatten, CubaLIF" in message
    assert isinstance(info.value, NotImplementedError) and "\n" not in message


def test_a_non_spiking_sender_and_an_algebraic_loop_are_refused():
    li = nir.LI(tau=_a(5e-3), r=_a(1.0), v_leak=_a(0.0))
    lif = nir.LIF(tau=_a(5e-3), r=_a(1.0), v_leak=_a(0.0), v_threshold=_a(1.0))
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([1])), "li": li,
                                "w": nir.Linear(weight=np.ones((1, 1))), "lif": lif},
                         edges=[("input", "li"), ("li", "w"), ("w", "lif")], type_check=False)
    with pytest.raises(NIRError, match="node 'li' \\(LI\\) does not spike but drives w"):
        from_nir(graph)
    loop = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([1])), "a": nir.Linear(weight=np.ones((1, 1))),
                               "b": nir.Linear(weight=np.ones((1, 1))), "lif": lif},
                        edges=[("input", "a"), ("a", "b"), ("b", "a"), ("b", "lif")], type_check=False)
    with pytest.raises(NIRError, match="has no neuron in it"):
        from_nir(loop)


def test_malformed_and_truncated_files_give_one_line(tmp_path):
    data = to_bytes(rich_graph())
    for content, pattern in [(b"not hdf5 at all", "not a readable NIR file"),
                             (data[: len(data) // 2], "not a readable NIR file|damaged or truncated")]:
        path = tmp_path / "bad.nir"
        path.write_bytes(content)
        with pytest.raises(NIRFileError, match=pattern) as info:
            read(path)
        assert str(info.value).startswith("bad.nir: ") and "\n" not in str(info.value)


def test_a_file_failing_the_type_check_is_read_again_with_a_warning():
    node = nir.LIF(tau=np.array(5e-3), r=np.array(1.0), v_leak=np.array(0.0), v_threshold=np.array(1.0))
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2])),
                                "fc": nir.Linear(weight=np.ones((2, 2))), "lif": node,
                                "output": nir.Output(output_type=np.array([2]))},
                         edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")], type_check=False)
    buffer = io.BytesIO()
    nir.write(buffer, graph, compression=None)
    with pytest.warns(NIRWarning, match=r"fails nir's type check \(.*type mismatch.*\); read again with type_check=False"):
        again = read(buffer.getvalue(), name="scalar.nir")
    assert type(again.nodes["lif"]).__name__ == "LIF"


def test_suggest_dt_and_the_unstable_dt_warning():
    lif = nir.CubaLIF(tau_syn=_a(2e-4), tau_mem=_a(1e-3), r=_a(10.0), v_leak=_a(0.0),
                      v_threshold=_a(1.0), w_in=_a(2.0))
    graph = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((1, 1))), lif)
    assert suggest_dt(graph) == pytest.approx(1e-7)                  # snnTorch: r = τ_mem/dt
    with pytest.warns(NIRWarning, match=r"ConversionConfig.dt = 1 µs is larger than tau_syn of 'cubalif' \(0.2 µs\)"):
        from_nir(graph, ConversionConfig(dt=1e-6))
    graph.metadata = {"dt": 5e-4, "time_unit": "s"}
    assert suggest_dt(graph) == pytest.approx(5e-7)


# -- hxtorch's own NIR tests (spec §13.7), written independently ---------------------------------

def test_hxtorch_cubali_and_cubalif_to_nir():
    exp = hxsnn.Experiment(mock=True)
    li = hxsnn.LI(10, exp, leak=hxsnn.MixedHXModelParameter(0.1, 80), tau_mem=0.02, tau_syn=0.005,
                  trace_scale=1.0, cadc_time_shift=0.001, shift_cadc_to_first=True)
    lif = hxsnn.LIF(10, exp, leak=hxsnn.MixedHXModelParameter(0.1, 80), reset=hxsnn.MixedHXModelParameter(0.5, 80),
                    threshold=hxsnn.MixedHXModelParameter(1.0, 150), tau_mem=0.02, tau_syn=0.005)
    syn1, syn2 = hxsnn.Synapse(5, 10, exp), hxsnn.Synapse(5, 10, exp)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.exp, self.syn1, self.syn2, self.li, self.lif = exp, syn1, syn2, li, lif

        def forward(self, x):
            h = hxsnn.LIFObservables(spikes=x)
            self.li(self.syn1(h))
            self.lif(self.syn2(h))
            hxsnn.run(self.exp, x.shape[0])

    graph = to_nir(Net(), torch.zeros(3, 1, 5))
    cubali, cubalif = graph.nodes["li"], graph.nodes["lif"]
    assert isinstance(cubali, nir.CubaLI) and isinstance(cubalif, nir.CubaLIF)
    assert cubali.tau_mem[0] == 20.0 and cubali.tau_syn[0] == 5.0 and cubali.v_leak[0] == pytest.approx(0.1)
    assert cubali.tau_mem.shape == (10,)
    assert cubalif.v_threshold[0] == 1.0 and cubalif.v_reset[0] == 0.5 and cubalif.tau_mem[0] == 20.0
    assert np.array_equal(graph.nodes["syn1"].weight, syn1.weight.detach().numpy())
    assert set(graph.edges) >= {("input", "syn1"), ("syn1", "li"), ("input", "syn2"), ("syn2", "lif")}


def test_hxtorch_from_nir_modules_and_network():
    weight = np.random.rand(5, 10).astype(np.float32)
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([10])), "linear": nir.Linear(weight=weight),
               "li": nir.CubaLI(tau_mem=np.array([20.0] * 5), tau_syn=np.array([5.0] * 5), r=np.ones(5),
                                v_leak=np.full(5, 0.1)),
               "output": nir.Output(output_type=np.array([5]))},
        edges=[("input", "linear"), ("linear", "li"), ("li", "output")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NIRWarning)   # 20 "ms" = 20 ms of hardware time: implausible
        snn = from_nir(graph, ConversionConfig(time_unit="ms"))
    li = snn.hxnodes["li"]
    assert isinstance(li, hxsnn.LI) and li.size == 5
    assert li.tau_mem.model_value == 0.02 and li.tau_syn.model_value == 0.005
    assert li.leak.model_value == pytest.approx(0.1)
    assert snn.hxnodes["linear"].weight.shape == (5, 10)
    assert np.array_equal(snn.hxnodes["linear"].weight.detach().numpy(), weight)

    lif_graph = nir.NIRGraph.from_list(
        nir.Input(input_type=np.array([5])), nir.Linear(weight=np.random.rand(10, 5)),
        nir.CubaLIF(tau_mem=np.array([0.02] * 10), tau_syn=np.array([0.005] * 10), r=np.ones(10),
                    v_leak=np.full(10, 0.1), v_reset=np.zeros(10), v_threshold=np.ones(10)))
    snn = from_nir(lif_graph, ConversionConfig())
    lif = snn.hxnodes["cubalif"]
    assert lif.reset.model_value == 0.0 and lif.threshold.model_value == 1.0
    assert lif.tau_mem.model_value == pytest.approx(0.02e-3)
    out = snn({"input": torch.randint(0, 2, (10, 100, 5)).float()})
    assert out["cubalif"].shape == (10, 100, 10)
    assert snn.spike_keys == ["input", "cubalif"]


def test_hxtorch_event_data_and_stable_conversion():
    snn = from_nir(nir.NIRGraph.from_list(nir.Linear(weight=np.ones((2, 2)))), ConversionConfig(dt=0.001))
    data = nir.NIRGraphData({"lif": nir.NIRNodeData({"spikes": nir.EventData(
        idx=np.random.randint(0, 10, (3, 5)), time=np.random.rand(3, 5) * 0.1, n_neurons=10, t_max=0.1)})})
    assert from_nir_data(data, snn)["lif"].shape == (100, 3, 10)
    spikes = {"lif": torch.randint(0, 2, (4, 10, 10)).float()}
    assert torch.equal(from_nir_data(to_nir_data(spikes, snn), snn)["lif"], spikes["lif"])
    with pytest.raises(NotImplementedError, match="Only spikes are supported"):
        from_nir_data(nir.NIRGraphData({"x": nir.NIRNodeData({"voltage": nir.TimeGriddedData(
            np.zeros((1, 2, 3)), 0.001)})}), snn)


def test_backend_exports_the_nir_names_lazily():
    import subprocess
    import sys

    code = ("import sys, hxstudio.backend as h; loaded = 'nir' in sys.modules; "
            "print(loaded, h.from_nir.__module__, h.ConversionConfig().time_unit)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "hxstudio.backend.nir.from_nir", "None"]
