"""Spec §13.10 ``test_li_single``: learn the two decay factors of a ReadoutNeuronExp.

hxtorch compares ``membrane_cadc``, which there holds the synaptic current (field-order bug,
§5.5). Here the fields are fixed, so the test fits true membrane traces, with the spec's
data, optimiser, schedule, epochs and bar (final loss < 4e-4).
"""

import math
import warnings
from functools import partial

import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.transforms.weight_transforms import linear_saturating

DT = 1e-6


class Model(torch.nn.Module):
    def __init__(self, tau_mem: float, tau_syn: float, trainable: bool):
        super().__init__()
        self.exp = hxsnn.Experiment(mock=True, dt=DT)
        self.syn = hxsnn.Synapse(1, 1, self.exp, transform=partial(linear_saturating))
        self.syn.weight.data.fill_(1.)
        self.syn.weight.requires_grad_(False)
        tau_mem = hxsnn.ModelParameter(math.exp(-DT / tau_mem))
        tau_syn = hxsnn.ModelParameter(math.exp(-DT / tau_syn))
        if trainable:
            tau_mem.make_trainable()
            tau_syn.make_trainable()
        self.neuron = hxsnn.ReadoutNeuronExp(1, self.exp, leak=hxsnn.ModelParameter(0.),
                                             tau_mem=tau_mem, tau_syn=tau_syn)

    def forward(self, spikes):
        out = self.neuron(self.syn(hxsnn.LIFObservables(spikes=spikes)))
        hxsnn.run(self.exp, spikes.shape[0])
        return out


def test_li_single():
    torch.manual_seed(0)
    inputs = torch.bernoulli(torch.full((150, 150, 1), 0.05))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with torch.no_grad():
            target = Model(10e-6, 10e-6, trainable=False)(inputs).membrane_cadc.clone()
        model = Model(4e-6, 20e-6, trainable=True)
        assert sum(p.requires_grad for p in model.parameters()) == 2  # the two decays
        optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=16, gamma=0.8)
        losses = []
        for _ in range(80):
            optimizer.zero_grad()
            scores = model(inputs)
            loss = torch.nn.functional.mse_loss(scores.membrane_cadc, target)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
    assert losses[-1] < 4e-4, losses[-5:]
    assert losses[-1] < losses[0] / 10
    decay = math.exp(-DT / 10e-6)
    assert abs(float(model.neuron.tau_mem.model_value.detach()) - decay) < 0.03
    assert abs(float(model.neuron.tau_syn.model_value.detach()) - decay) < 0.03
