"""Every NIR file of tests/data/nir/ (the team's shared/nir/) imports into modules and runs, or fails with its documented error."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from hxstudio.backend.errors import NIRError, NIRWarning
from hxstudio.backend.nir import ConversionConfig, RecurrentGroup, from_nir, read, suggest_dt

SHARED = Path(__file__).parents[2] / "data" / "nir"  # copies of shared/nir (see its README)

# file → (time unit, {population: (module class, size)}, expected dt in s, a NIRWarning that must occur)
FILES = {
    "NIR__lif_norse.nir": ("s", {"1": ("LIF", 1)}, 5e-7, None),
    "NIR__lif_rockpool.nir": ("s", {"1_LIFNeuronTorch": ("LIF", 1)}, 5e-7, "fails nir's type check"),
    "NIR__two_lif_neurons.nir": ("s", {"lif1": ("LIF", 1), "lif2": ("LIF", 1)}, 1e-6, None),
    "NIR__braille_noDelay_bias_zero.nir": ("s", {"lif1.lif": ("LIF", 38), "lif2": ("LIF", 7)}, 1e-7, None),
    "DEMO__braille_braille_checkpoint.nir": ("s", {"lif1.lif": ("LIF", 55), "lif2": ("LIF", 7)}, 1e-7,
                                             "fails nir's type check"),
    "generated/handbuilt_linear_cubalif_linear_cubali.nir": ("s", {"lif1": ("LIF", 32), "li2": ("LI", 4)},
                                                             1e-6, None),
    # Norse 1.1 writes τ = dt/τ_inv (norse#411): 1000× too small as seconds; as hardware seconds
    # they are the intended 10 µs / 5 µs
    "generated/norse_linear_lifcell_libox.nir": ("hardware_s", {"1": ("LIF", 32), "3": ("LI", 4)}, 1e-6,
                                                 "fails nir's type check"),
    "generated/snntorch_linear_synaptic_vector.nir": ("s", {"1": ("LIF", 32), "3": ("LIF", 4)}, 1e-7, None),
}
BROKEN = "NIR__braille_noDelay_bias_zero_subgraph.nir"


def test_every_shared_file_has_a_case():
    assert SHARED.is_dir(), f"{SHARED} is missing"
    found = {str(p.relative_to(SHARED)) for p in SHARED.rglob("*.nir")}
    assert found == set(FILES) | {BROKEN}


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_imports_and_runs(name):
    unit, populations, dt, warning = FILES[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = read(SHARED / name)
        assert suggest_dt(graph, unit) == pytest.approx(dt)
        snn = from_nir(graph, ConversionConfig(dt=dt, time_unit=unit))
    messages = [str(w.message) for w in caught if issubclass(w.category, NIRWarning)]
    if warning:
        assert any(warning in m for m in messages), messages
    else:
        assert messages == []
    for pop, (cls, size) in populations.items():
        module = snn.hxnodes[snn._keys[pop]]
        assert type(module).__name__ == cls and module.size == size
    torch.manual_seed(0)
    spikes = {n: (torch.rand(60, 2, s) < 0.3).float() for n, s in snn.network.inputs.items()}
    with torch.no_grad():
        out = snn(spikes)
    for pop, (cls, size) in populations.items():
        trace = snn.hxnodes[snn._keys[pop]]._output_handle.membrane_cadc
        assert trace.shape == (60, 2, size) and torch.isfinite(trace).all()
        if cls == "LIF":
            assert out[pop].shape == (60, 2, size)


def test_braille_runs_end_to_end_with_its_recurrent_loop():
    snn = from_nir(read(SHARED / "NIR__braille_noDelay_bias_zero.nir"), ConversionConfig(dt=1e-7))
    groups = [w for w in snn._wrappers.values()]
    assert len(groups) == 1 and isinstance(groups[0], RecurrentGroup)
    assert groups[0].population_names == ["lif1.lif"]
    torch.manual_seed(0)
    x = (torch.rand(200, 3, 12) < 0.2).float()
    with torch.no_grad():
        out = snn({"input": x})
        hidden = out["lif1.lif"].clone()
        snn.hxnodes[snn._keys["lif1.w_rec"]].weight.zero_()
        without = snn({"input": x})["lif1.lif"]
    assert out["output"].shape == (200, 3, 7) and torch.equal(out["output"], out["lif2"])
    assert hidden.sum() > 20 and out["lif2"].sum() > 20
    assert not torch.equal(hidden, without)     # the recurrent weights take part
    # the recurrent weights are mostly inhibitory: without them the hidden layer fires more
    assert without.sum() > hidden.sum()


def test_the_broken_subgraph_file_fails_with_one_line():
    with pytest.warns(NIRWarning, match="fails nir's type check"):
        graph = read(SHARED / BROKEN)
    with pytest.raises(NIRError) as info:
        from_nir(graph)
    assert str(info.value) == (
        "NIR graph, subgraph 'lif1': edge ('input', 'lif') names destination node 'lif', which does "
        "not exist; nodes: input, lif1, lin, output")


def test_norse_time_constants_are_flagged_as_implausible_in_seconds():
    graph = read(SHARED / "generated/norse_linear_lifcell_libox.nir", type_check=False)
    with pytest.warns(NIRWarning, match=r"tau_mem of '1' is 0.01 µs on BSS-2 when read as 's'.*another time unit"):
        from_nir(graph, ConversionConfig(dt=1e-9))
    assert np.isclose(graph.nodes["1"].tau_mem, 1e-5)
