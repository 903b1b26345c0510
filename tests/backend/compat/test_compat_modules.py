"""Spec §13.9 (run) and the chip-free module tests of hxtorch's hardware directory (§12, end)."""

import math
import warnings

import pytest
import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.modules import EventPropLIF, EventPropSynapse


def test_run_realistic():
    exp = hxsnn.Experiment(mock=True)
    taus = lambda: dict(tau_syn=hxsnn.ModelParameter(1), tau_mem=hxsnn.ModelParameter(1))  # noqa
    layers = [hxsnn.Synapse(5, 10, exp), hxsnn.LIF(10, exp, **taus()),
              hxsnn.Synapse(10, 20, exp), hxsnn.LIF(20, exp, **taus()),
              hxsnn.Synapse(20, 1, exp), hxsnn.LIF(1, exp, **taus())]
    handle = hxsnn.LIFObservables(spikes=torch.zeros(10, 1, 5), current=None,
                                  membrane_cadc=None, membrane_madc=None)
    outputs = []
    for layer in layers:
        handle = layer(handle)
        outputs.append(handle)
    assert all(getattr(h, "graded_spikes", None) is None and getattr(h, "spikes", None) is None
               for h in outputs)
    assert hxsnn.run(exp, None) is None
    shapes = [(10, 1, 10), (10, 1, 10), (10, 1, 20), (10, 1, 20), (10, 1, 1), (10, 1, 1)]
    for h, shape in zip(outputs, shapes):
        value = h.graded_spikes if hasattr(h, "graded_spikes") else h.spikes
        assert torch.equal(value, torch.zeros(shape))


def test_mock_get_hw_results_adds_no_nodes():
    exp = hxsnn.Experiment(mock=True)
    hxsnn.Synapse(2, 3, exp)(hxsnn.LIFObservables(spikes=torch.zeros(4, 1, 2)))
    before = exp.modules.graph.number_of_nodes()
    assert exp.get_hw_results(None) == ({}, None)
    assert exp.modules.graph.number_of_nodes() == before


class TestHXModules:
    def test_forward(self):
        exp = hxsnn.Experiment(mock=True)
        module = hxsnn.HXModule(exp)
        handle = hxsnn.TensorHandle()
        output = module(handle)
        assert isinstance(output, hxsnn.TensorHandle)
        assert exp.modules.has_module(module)
        node = exp.modules.get_id_by_module(module)
        (_, _, in_handle), = exp.modules.graph.in_edges(node, data="handle")
        (_, _, out_handle), = exp.modules.graph.out_edges(node, data="handle")
        assert in_handle is handle and out_handle is output

    def test_prepare_function(self):
        exp = hxsnn.Experiment(mock=True)

        class WithHw(hxsnn.HXModule):
            def forward_func(self, input, hw_data=None):
                return input, hw_data

        class WithoutHw(hxsnn.HXModule):
            def forward_func(self, input):
                return input

        assert WithHw(exp).func((None,), "hw_result") == (None, "hw_result")
        assert WithoutHw(exp).func((None,), "hw_result") is None

    def test_exec_forward(self):
        exp = hxsnn.Experiment(mock=True)
        seen = {}

        class Module(hxsnn.HXModule):
            output_type = hxsnn.LIFObservables

            def forward_func(self, input, hw_data=None):
                seen["hw"] = hw_data
                return hxsnn.LIFObservables(spikes=input.spikes)

        module = Module(exp)
        spikes = torch.ones(2, 1, 3)
        output = hxsnn.LIFObservables()
        module.exec_forward((hxsnn.LIFObservables(spikes=spikes),), output, {None: "hw_result"})
        assert seen["hw"] == "hw_result" and output.spikes is spikes


class TestHXModuleWrapper:
    def test_contains_and_update(self):
        exp = hxsnn.Experiment(mock=True)
        a, b, c = hxsnn.LIF(1, exp), hxsnn.LIF(1, exp), hxsnn.LIF(1, exp)
        wrapper = hxsnn.HXModuleWrapper(exp, a=a, b=b)
        assert wrapper.contains(a) and wrapper.contains([a, b]) and not wrapper.contains([c])
        wrapper.update(c=c)
        assert wrapper.contains(c) and not wrapper.contains(a) and wrapper.c is c

    def test_exec_forward(self):
        exp = hxsnn.Experiment(mock=True)
        a, b = hxsnn.LIF(1, exp), hxsnn.LIF(1, exp)
        results = (hxsnn.LIFObservables(spikes=torch.ones(1)),
                   hxsnn.LIFObservables(spikes=torch.zeros(1)))
        seen = {}

        class Wrapper(hxsnn.HXModuleWrapper):
            def forward_func(self, input, hw_data=None):
                seen["hw"] = hw_data
                return results

        wrapper = Wrapper(exp, a=a, b=b)
        outputs = (hxsnn.LIFObservables(), hxsnn.LIFObservables())
        wrapper.exec_forward((hxsnn.LIFObservables(),), outputs, {None: "hw"})
        assert seen["hw"] == ("hw", "hw")
        assert outputs[0].spikes is results[0].spikes and outputs[1].spikes is results[1].spikes

    def test_forward(self):
        exp = hxsnn.Experiment(mock=True)
        wrapper = hxsnn.HXModuleWrapper(exp, a=hxsnn.LIF(1, exp))
        wrapper()
        wrapper()
        assert exp.modules.wrappers == {wrapper: "w_0"}


class RecurrentLIF(hxsnn.HXModuleWrapper):
    """A LIF population with a recurrent Synapse, stepped one time step at a time.

    The recurrent input of step t is the population's spikes of step t-1, weighted by
    ``rec.weight``; each step applies the LIF step equations of §6.1 (no refractory period).
    """

    def forward_func(self, external, hw_data=None):
        lif, rec = self.lif, self.rec
        graded = external.graded_spikes
        steps, batch, size = graded.shape
        k = 1e-6 / lif.membrane_capacitance.model_value
        g_l = lif.membrane_capacitance.model_value / lif.tau_mem.model_value
        decay = 1 - 1e-6 / lif.tau_syn.model_value
        leak, reset = lif.leak.model_value, lif.reset.model_value
        threshold = lif.threshold.model_value
        v = torch.full((batch, size), float(leak))
        i = torch.zeros(batch, size)
        z = torch.zeros(batch, size)
        spikes, membrane, current, recurrent = [], [], [], []
        for t in range(steps):
            x = graded[t] + torch.nn.functional.linear(z, rec.weight)
            dv = k * (i + g_l * (leak - v))
            i = i * decay + x
            v = v + dv
            z = hxsnn.functional.threshold(v - threshold, lif.method, lif.alpha)
            v = (1 - z.detach()) * v + z.detach() * reset
            recurrent.append(x - graded[t])
            spikes.append(z)
            membrane.append(v)
            current.append(i)
        out = hxsnn.LIFObservables(spikes=torch.stack(spikes), membrane_cadc=torch.stack(membrane),
                                   current=torch.stack(current))
        return hxsnn.SynapseHandle(graded_spikes=torch.stack(recurrent)), out


def run_recurrent(rec_weight: float):
    torch.manual_seed(0)
    exp = hxsnn.Experiment(mock=True)
    params = dict(leak=hxsnn.ModelParameter(0.), reset=hxsnn.ModelParameter(0.),
                  threshold=hxsnn.ModelParameter(1.), refractory_time=0.)
    syn_in, lif = hxsnn.Synapse(2, 3, exp), hxsnn.LIF(3, exp, **params)
    rec = hxsnn.Synapse(3, 3, exp)
    with torch.no_grad():
        syn_in.weight.fill_(3.)
        rec.weight.fill_(rec_weight)
    wrapper = RecurrentLIF(exp, rec=rec, lif=lif)
    x = torch.zeros(30, 2, 2)
    x[3, :, 0] = 1.
    external = syn_in(hxsnn.LIFObservables(spikes=x))
    out = lif(external)                # register the population …
    lif(external, rec(out))            # … then close the loop through the recurrent synapse
    wrapper()
    hxsnn.run(exp, None)
    return exp, syn_in, lif, out, wrapper


def test_recurrent_lif_through_wrapper_end_to_end():
    exp, syn_in, lif, out, wrapper = run_recurrent(0.)
    # without recurrent weights, the wrapper's step loop equals the LIF module (refractory 0)
    reference = hxsnn.LIF(3, hxsnn.Experiment(mock=True), leak=hxsnn.ModelParameter(0.),
                          reset=hxsnn.ModelParameter(0.), threshold=hxsnn.ModelParameter(1.),
                          refractory_time=0.)
    expected = reference.forward_func(syn_in._output_handle)
    assert torch.equal(out.spikes, expected.spikes)
    assert torch.allclose(out.membrane_cadc, expected.membrane_cadc, atol=1e-6)
    silent = int(out.spikes.sum())
    assert silent > 0
    # with excitatory recurrence the population keeps firing after the single input
    _, _, _, loud, _ = run_recurrent(2.)
    assert int(loud.spikes.sum()) > 3 * silent
    assert int(loud.spikes[-5:].sum()) > 0


def test_recurrent_lif_trains():
    exp, syn_in, lif, out, wrapper = run_recurrent(0.5)
    out.spikes.sum().backward()
    assert syn_in.weight.grad.abs().sum() > 0 and wrapper.rec.weight.grad.abs().sum() > 0


def test_output_types():
    exp = hxsnn.Experiment(mock=True)
    graded = hxsnn.SynapseHandle()
    aelif = hxsnn.AELIF(44, exp)(graded)
    assert type(aelif) is type(hxsnn.Handle("adaptation_cadc", "adaptation_madc", "current",
                                            "membrane_cadc", "membrane_madc", "spikes"))
    assert all(getattr(aelif, f) is None for f in aelif.__dataclass_fields__)
    assert type(hxsnn.LIF(44, exp)(graded)) is hxsnn.LIFObservables
    assert type(hxsnn.LI(44, exp)(graded)) is hxsnn.LIObservables
    spikes = hxsnn.LIFObservables()
    assert type(hxsnn.Synapse(44, 33, exp)(spikes)) is hxsnn.SynapseHandle
    assert hxsnn.SparseSynapse(torch.ones(30, 44), exp).weight.shape == (44, 30)
    assert type(hxsnn.BatchDropout(44, 0.5, exp)(spikes)) is hxsnn.LIFObservables


def test_synapse_weight_shape_and_reset():
    syn = hxsnn.Synapse(44, 33, hxsnn.Experiment(mock=True))
    assert syn.weight.shape == (33, 44)
    torch.nn.init.zeros_(syn.weight)
    syn.reset_parameters()
    assert syn.weight.abs().sum() > 0 and syn.weight.abs().max() <= 1 / math.sqrt(44)


def test_batch_dropout_set_mask_and_func():
    torch.manual_seed(3)
    drop = hxsnn.BatchDropout(100, 0.5, hxsnn.Experiment(mock=True))
    first, second = drop.set_mask().clone(), drop.set_mask().clone()
    assert not torch.equal(first, second)
    drop.eval()
    first, second = drop.set_mask().clone(), drop.set_mask().clone()
    assert torch.equal(first, second) and bool(first.all())
    drop.train()
    mask = drop.set_mask()
    x = torch.ones(3, 2, 100)
    out = drop.func((hxsnn.LIFObservables(spikes=x),))
    assert torch.equal(out.spikes, x * mask)
    assert out.current is None  # fixed: hxtorch HEAD puts the result into .current (§15.1)


def test_batch_dropout_output_feeds_a_synapse():
    torch.manual_seed(4)
    exp = hxsnn.Experiment(mock=True)
    syn1, lif = hxsnn.Synapse(3, 20, exp), hxsnn.LIF(20, exp, threshold=hxsnn.ModelParameter(-1.))
    drop, syn2 = hxsnn.BatchDropout(20, 0.5, exp), hxsnn.Synapse(20, 2, exp)
    out = syn2(drop(lif(syn1(hxsnn.LIFObservables(spikes=torch.zeros(4, 1, 3))))))
    hxsnn.run(exp, None)
    expected = torch.nn.functional.linear(lif._output_handle.spikes * drop.mask, syn2.weight)
    assert torch.allclose(out.graded_spikes, expected)


def test_sparse_synapse_keeps_only_connections():
    torch.manual_seed(5)
    exp = hxsnn.Experiment(mock=True)
    connections = (torch.rand(30, 44) < 0.2).float()
    syn = hxsnn.SparseSynapse(connections.to_sparse(), exp)
    assert syn.weight.shape == (44, 30) and syn.in_features == 30 and syn.out_features == 44
    assert torch.equal(syn.mask, connections.t().bool())
    assert torch.all(syn.weight[~syn.mask] == 0) and torch.all(syn.weight[syn.mask] != 0)
    assert syn.connections.shape == (2, int(connections.sum()))
    optimiser = torch.optim.SGD(syn.parameters(), lr=1.)
    spikes = torch.ones(5, 2, 30)
    out = syn(hxsnn.LIFObservables(spikes=spikes))
    hxsnn.run(exp, None)
    assert torch.allclose(out.graded_spikes, spikes @ (syn.weight * syn.mask).t())
    out.graded_spikes.sum().backward()
    optimiser.step()  # the step moves unconnected weights …
    out = syn(hxsnn.LIFObservables(spikes=spikes))
    hxsnn.run(exp, None)  # … and the next forward pass zeroes them again
    assert torch.all(syn.weight[~syn.mask] == 0)


def exp_params(dt=1e-6, tau=6e-6):
    decay = hxsnn.ModelParameter(math.exp(-dt / tau))
    return dict(leak=hxsnn.ModelParameter(0.), tau_mem=decay, tau_syn=decay)


def test_neuron_exp_fields_are_not_scrambled():
    exp = hxsnn.Experiment(mock=True)
    syn = hxsnn.Synapse(1, 1, exp)
    torch.nn.init.constant_(syn.weight, 5.)
    lif = hxsnn.NeuronExp(1, exp, reset=hxsnn.ModelParameter(0.),
                          threshold=hxsnn.ModelParameter(1.), **exp_params())
    x = torch.zeros(20, 1, 1)
    x[2] = 1.
    out = lif(syn(hxsnn.LIFObservables(spikes=x)))
    with pytest.warns(DeprecationWarning):
        hxsnn.run(exp, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        spikes, membrane, current, _ = hxsnn.functional.exp_cuba_lif_integration(
            5 * x, leak=0., reset=0., threshold=1., tau_syn_exp=math.exp(-1 / 6),
            tau_mem_exp=math.exp(-1 / 6), method="superspike", alpha=50.)
    assert int(out.spikes.sum()) > 0 and out.membrane_madc is None
    assert torch.equal(out.spikes, spikes) and torch.allclose(out.membrane_cadc, membrane)
    assert torch.allclose(out.current, current)


def test_readout_neuron_exp_sums_inputs_and_fields_are_not_scrambled():
    exp = hxsnn.Experiment(mock=True)
    syn1, syn2 = hxsnn.Synapse(1, 2, exp), hxsnn.Synapse(1, 2, exp)
    readout = hxsnn.ReadoutNeuronExp(2, exp, **exp_params())
    x = torch.zeros(20, 1, 1)
    x[2] = 1.
    spikes = hxsnn.LIFObservables(spikes=x)
    out = readout(syn1(spikes), syn2(spikes))
    with pytest.warns(DeprecationWarning):
        hxsnn.run(exp, None)
    graded = syn1._output_handle.graded_spikes + syn2._output_handle.graded_spikes
    # the synaptic current is the (decaying) input; the membrane lags one step behind
    assert torch.allclose(out.current[2], graded[2])
    assert torch.equal(out.membrane_cadc[2], torch.zeros(1, 2))
    assert torch.allclose(out.membrane_cadc[3], (1 - math.exp(-1 / 6)) * graded[2])


def test_eventprop_forward_matches_lif_and_trains():
    torch.manual_seed(6)
    exp = hxsnn.Experiment(mock=True)
    params = dict(leak=hxsnn.ModelParameter(0.), reset=hxsnn.ModelParameter(0.),
                  threshold=hxsnn.ModelParameter(1.))
    syn, lif = EventPropSynapse(4, 8, exp), EventPropLIF(8, exp, **params)
    with torch.no_grad():
        syn.weight.uniform_(0., 2.)
    spikes = (torch.rand(40, 3, 4) < 0.2).float()
    graded = syn(hxsnn.LIFObservables(spikes=spikes))
    out = lif(graded)
    hxsnn.run(exp, None)
    assert graded.graded_spikes.shape == (2, 40, 3, 8)
    assert torch.equal(graded.graded_spikes[1], torch.zeros(40, 3, 8))
    reference = hxsnn.LIF(8, hxsnn.Experiment(mock=True), refractory_time=0., **params)
    expected = reference.forward_func(hxsnn.SynapseHandle(
        graded_spikes=graded.graded_spikes[0].detach()))
    assert int(out.spikes.sum()) > 0
    assert torch.equal(out.spikes, expected.spikes)
    assert torch.allclose(out.membrane_cadc, expected.membrane_cadc, atol=1e-6)
    assert torch.allclose(out.current[1:], expected.current[:-1], atol=1e-6)  # shifted (§6.6)
    out.spikes.sum().backward()
    assert syn.weight.grad is not None and syn.weight.grad.abs().sum() > 0
