"""Placement, synapse rows and the MADC rule of the emulated chip (spec §8.2, §8.3, §7.3)."""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip import MADCRecordingError, ResourceUsage, plan
from hxstudio.backend.errors import ResourceError


def test_plan_places_first_fit_and_counts_rows():
    usage = plan([("hidden", 120), ("out", 3, [256, 257, 258])],
                 [("in", 5, "hidden"), ("hidden", 120, "out")])
    assert usage.ok and usage.error is None
    assert usage.placement == {"hidden": list(range(120)), "out": [256, 257, 258]}
    assert (usage.neurons_used, usage.neurons_total, usage.rows_total) == (123, 512, 256)
    assert usage.rows_used == {"top": 10, "bottom": 240}


def test_plan_fills_around_constraints_and_spans_both_rows():
    usage = plan([("a", 2, [0, 2]), ("b", 300)], [("in", 4, "b"), ("in", 4, "a")])
    assert usage.placement["b"] == [1] + list(range(3, 302))
    # "in" reaches both hemispheres (b spans both); the second projection shares the rows
    assert usage.rows_used == {"top": 8, "bottom": 8}


def test_600_neurons_do_not_fit():
    usage = plan([("hidden", 600)], [("in", 5, "hidden")])
    assert not usage.ok
    assert usage.error == "population 'hidden' needs 600 neuron circuits, 512 of 512 are free"
    assert usage.neurons_used == 600 and usage.placement == {}


def test_second_population_gets_what_is_left():
    usage = plan([("a", 500), ("b", 20)], [])
    assert usage.error == "population 'b' needs 20 neuron circuits, 12 of 512 are free"
    assert usage.placement["a"] == list(range(500))


def test_synapse_row_overflow_names_population_need_and_rest():
    usage = plan([("hidden", 10)], [("a", 100, "hidden"), ("b", 40, "hidden")])
    assert usage.error == ("population 'hidden' needs 80 synapse rows in the top hemisphere for "
                           "its input from 'b' (2 per source neuron: excitatory + inhibitory), "
                           "56 of 256 are free")
    assert usage.rows_used == {"top": 280, "bottom": 0}


def test_constraint_overlap_and_range():
    assert plan([("a", 3), ("b", 2, [1, 300])], []).error == (
        "population 'b': placement_constraint circuit 1 is already used by population 'a'; "
        "509 of 512 circuits are free")
    assert "outside 0…511" in plan([("a", 1, [512])], []).error
    with pytest.raises(ValueError, match="'nowhere'"):
        plan([("a", 1)], [("in", 1, "nowhere")])


def test_usage_is_frozen():
    usage = plan([("a", 1)], [])
    with pytest.raises(Exception):
        usage.neurons_used = 3
    assert isinstance(usage, ResourceUsage)


def test_experiment_refuses_600_lif_neurons():
    exp = hxsnn.Experiment(mock=False)
    syn = hxsnn.Synapse(5, 600, exp)
    lif = hxsnn.LIF(600, exp)
    lif.name = "hidden"
    lif(syn(hxsnn.LIFObservables(spikes=torch.zeros(10, 1, 5))))
    with pytest.raises(ResourceError) as info:
        hxsnn.run(exp, 10)
    assert str(info.value) == "population 'hidden' needs 600 neuron circuits, 512 of 512 are free"
    assert exp.resources.error == str(info.value)
    assert exp.modules.graph.number_of_nodes() == 0  # the failed pass is dropped


def test_experiment_unnamed_population_and_row_overflow():
    exp = hxsnn.Experiment(mock=False)
    syn = hxsnn.Synapse(200, 10, exp)
    hxsnn.LIF(10, exp)(syn(hxsnn.LIFObservables(spikes=torch.zeros(10, 1, 200))))
    with pytest.raises(ResourceError, match=r"^population 'LIF#1' needs 400 synapse rows in the "
                                            r"top hemisphere for its input from 'InputNeuron#2'"):
        hxsnn.run(exp, 10)


def test_one_madc_neuron_per_experiment():
    exp = hxsnn.Experiment(mock=False)
    spikes = hxsnn.LIFObservables(spikes=torch.zeros(10, 1, 2))
    a = hxsnn.LIF(2, exp, enable_madc_recording=True, record_neuron_id=0)
    b = hxsnn.LI(2, exp, enable_madc_recording=True, record_neuron_id=1)
    b(hxsnn.Synapse(2, 2, exp)(a(hxsnn.Synapse(2, 2, exp)(spikes))))
    with pytest.raises(MADCRecordingError) as info:
        hxsnn.run(exp, 10)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ResourceError)
    assert str(info.value).startswith("Another HXModule already registered MADC recording.")
    assert "LIF#1" in str(info.value) and "LI#3" in str(info.value)
