"""Issue #3, item 5: wrong shapes, bad dt or tau, weights that do not fit, mixed experiments.

Every error comes from ``hxstudio.backend.errors``, also derives from the builtin it refines,
and names the module and the offending value.
"""

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.errors import (
    ExperimentMismatchError,
    HXStudioError,
    ParameterValueError,
    ShapeError,
)


def spikes(*shape):
    return hxsnn.LIFObservables(spikes=torch.zeros(*shape))


@pytest.mark.parametrize("dt", [-1e-6, 0., float("nan"), "1e-6"])
def test_experiment_rejects_bad_dt(dt):
    with pytest.raises(ParameterValueError, match=r"Experiment: dt = .* must be a finite number > 0"):
        hxsnn.Experiment(mock=True, dt=dt)
    exp = hxsnn.Experiment(mock=True)
    with pytest.raises(ValueError):
        exp.dt = dt
    assert exp.dt == 1e-6


@pytest.mark.parametrize("field", ["tau_mem", "tau_syn"])
@pytest.mark.parametrize("value", [0., -5e-6, torch.tensor([1e-5, -1e-6, 1e-5])])
def test_neuron_rejects_non_positive_tau(field, value):
    with pytest.raises(ParameterValueError) as info:
        hxsnn.LIF(3, hxsnn.Experiment(mock=True), **{field: value})
    message = str(info.value)
    assert message.startswith("LIF(size=3, flags=leaky+fire): ") and f"{field} = " in message
    assert ("-5e-06" in message or " 0 s" in message or "min -1e-06" in message)
    assert isinstance(info.value, (HXStudioError, ValueError))


def test_tau_set_after_construction_is_checked_at_run():
    exp = hxsnn.Experiment(mock=True)
    syn, li = hxsnn.Synapse(2, 2, exp), hxsnn.LI(2, exp)
    li.tau_mem.hardware_value = -1e-6
    li(syn(spikes(5, 1, 2)))
    with pytest.raises(ParameterValueError, match=r"^LI\(size=2, flags=leaky\): tau_mem = -1e-06 s"):
        hxsnn.run(exp, None)


def test_negative_refractory_time():
    with pytest.raises(ParameterValueError, match="refractory_time = -1e-06 s .* must be >= 0"):
        hxsnn.LIF(2, hxsnn.Experiment(mock=True), refractory_time=-1e-6)


def test_synapse_input_shape():
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(5, 10, exp)
    syn(spikes(8, 2, 4))
    with pytest.raises(ShapeError) as info:
        hxsnn.run(exp, None)
    assert str(info.value) == ("Synapse(in_features=5, out_features=10): input spikes has shape "
                               "(8, 2, 4), expected (T, B, 5)")


def test_synapse_weight_replaced_with_wrong_shape():
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(5, 10, exp)
    syn.weight = torch.nn.Parameter(torch.zeros(5, 10))
    syn(spikes(8, 2, 5))
    with pytest.raises(ShapeError, match=r"weight has shape \(5, 10\), expected .* = \(10, 5\)"):
        hxsnn.run(exp, None)


def test_weight_matrix_not_matching_population():
    exp = hxsnn.Experiment(mock=True)
    syn, lif = hxsnn.Synapse(5, 10, exp), hxsnn.LIF(20, exp)
    lif(syn(spikes(8, 2, 5)))
    with pytest.raises(ShapeError) as info:
        hxsnn.run(exp, None)
    assert str(info.value).startswith(
        "LIF(size=20, flags=leaky+fire): input 0 graded_spikes has shape (8, 2, 10), expected "
        "(T, B, 20)")
    assert exp.modules.graph.number_of_nodes() == 0


def test_neuron_inputs_must_be_time_major_and_agree():
    exp = hxsnn.Experiment(mock=True)
    li = hxsnn.LI(3, exp)
    with pytest.raises(ShapeError, match=r"has shape \(2, 3\), expected \(T, B, 3\)"):
        li.forward_func(hxsnn.SynapseHandle(graded_spikes=torch.zeros(2, 3)))
    with pytest.raises(ShapeError, match=r"input 1 .* but the other inputs have \(T, B\) = \(4, 1\)"):
        li.forward_func(hxsnn.SynapseHandle(graded_spikes=torch.zeros(4, 1, 3)),
                        hxsnn.SynapseHandle(graded_spikes=torch.zeros(5, 1, 3)))


def test_input_neuron_and_dropout_shapes():
    exp = hxsnn.Experiment(mock=True)
    with pytest.raises(ShapeError, match=r"^InputNeuron\(size=4\): input spikes has shape"):
        hxsnn.InputNeuron(4, exp).forward_func(spikes(3, 1, 5))
    with pytest.raises(ShapeError, match=r"^BatchDropout\(size=4, dropout=0.5\)"):
        hxsnn.BatchDropout(4, 0.5, exp).forward_func(spikes(3, 1, 5))


def test_module_of_another_experiment():
    exp1, exp2 = hxsnn.Experiment(mock=True), hxsnn.Experiment(mock=True)
    syn1 = hxsnn.Synapse(2, 3, exp1)
    lif2 = hxsnn.LIF(3, exp2)
    handle = syn1(spikes(4, 1, 2))
    with pytest.raises(ExperimentMismatchError) as info:
        lif2(handle)
    message = str(info.value)
    assert message.startswith("LIF(size=3, flags=leaky+fire): input 0 is the output of "
                              "Synapse(in_features=2, out_features=3), which belongs to another "
                              "Experiment")
    assert isinstance(info.value, ValueError)


def test_wrapper_over_modules_of_another_experiment():
    exp1, exp2 = hxsnn.Experiment(mock=True), hxsnn.Experiment(mock=True)
    wrapper = hxsnn.HXModuleWrapper(exp1, lif=hxsnn.LIF(1, exp2))
    with pytest.raises(ExperimentMismatchError, match="wrapped module 'lif' .* another Experiment"):
        wrapper()


def test_module_without_experiment():
    with pytest.raises(ExperimentMismatchError, match=r"^Synapse\(.*\) was created with "
                                                      "experiment=None"):
        hxsnn.Synapse(2, 2, None)(spikes(3, 1, 2))


def test_sparse_synapse_connections_must_be_2d():
    with pytest.raises(ShapeError, match="connections must be a 2-D"):
        hxsnn.SparseSynapse(torch.ones(3), hxsnn.Experiment(mock=True))


def test_eventprop_lif_needs_stacked_input():
    exp = hxsnn.Experiment(mock=True)
    lif = hxsnn.modules.EventPropLIF(3, exp)
    with pytest.raises(ShapeError, match=r"expected \(2, T, B, 3\) from an EventPropSynapse"):
        lif.forward_func(hxsnn.SynapseHandle(graded_spikes=torch.zeros(4, 1, 3)))
