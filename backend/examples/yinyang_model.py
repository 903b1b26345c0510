"""The Yin-Yang network of hxtorch's example (spec §11.1): 5 inputs → LIF hidden layer → 3 LI.

The readout's maximum membrane over time is the score of each class. Written with
``import hxstudio.backend as hxsnn`` exactly as the hxtorch example is written with
``import hxtorch.spiking as hxsnn``.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Optional, Tuple

import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.chip.resources import N_COLUMNS
from hxstudio.backend.modules.neuron import capacitance_to_hardware
from hxstudio.backend.transforms.decode import MaxOverTime
from hxstudio.backend.transforms.weight_transforms import linear_saturating

__all__ = ["SNN", "Model"]


class SNN(torch.nn.Module):
    """Input (5 channels: x, y, 1-x, 1-y, bias) → ``n_hidden`` LIF → ``n_out`` LI readout.

    Args:
        n_in, n_hidden, n_out: layer sizes. Default: 5, 120, 3.
        mock: simulate in PyTorch (``True``) or run on the emulated BSS-2 chip (``False``;
            forward values from the chip, gradients from the model, spec §6.4). Default: ``True``.
        dt: integration step in s. Default: ``1e-6``.
        tau_mem, tau_syn: time constants of both layers in s. Default: ``6e-6``.
        alpha: surrogate steepness; accepted but, as in hxtorch, not passed to the LIF, which
            keeps 50 (spec §15.3). Default: 150.
        trace_shift_hidden, trace_shift_out: CADC time shifts in steps (hardware only).
        weight_init_hidden, weight_init_output: ``(mean, std)`` of the normal initial weights.
            Default: ``(0.2, 0.2)``, ``(0.0, 0.1)``.
        weight_scale: hardware LSB per model weight unit (hardware only). Default: 64.
        trace_scale: model units per CADC LSB (hardware only). Default: 1/50.
        input_repetitions: how often the 5 inputs are repeated (5 on BSS-2 to reach larger
            effective weights). Default: 1.
        synapse_type, neuron_type: :class:`~hxstudio.backend.Synapse`/:class:`~hxstudio.backend.LIF`
            (surrogate gradient) or the EventProp pair. Default: Synapse, LIF.
        hidden_cadc_recording: record the hidden membrane on hardware. Default: ``True``.
        device: torch device. Default: CPU.
        chip: the :class:`~hxstudio.backend.chip.EmulatedChip` of ``mock=False``; ``None``: the
            default chip.
        threshold_hw: hidden threshold in CADC LSB (hxtorch: 150; leak and reset are 80).

    As in hxtorch the readout is pinned to the bottom neuron row (circuits 256…), the hidden
    layer fills the top row first-fit (spec §8.2). The hidden layer's hardware capacitance is
    ``capacitance_to_hardware(tau_mem)`` (hxtorch: 63): the chip capacitance whose input gain
    ``dt/C`` equals the model's (``C = tau_mem``), so chip and model agree up to quantisation,
    mismatch and noise. The mock does not use it.

    Shape:
        Input: spikes ``(T, B, n_in)``. Output: readout membrane ``(T, B, n_out)``.

    Source: hxtorch ``examples/spiking/yinyang_model.py`` (spec §11.1).
    """

    def __init__(self, n_in: int = 5, n_hidden: int = 120, n_out: int = 3, mock: bool = True,
                 dt: float = 1e-6, tau_mem: float = 6e-6, tau_syn: float = 6e-6,
                 alpha: float = 150., trace_shift_hidden: int = 0, trace_shift_out: int = 0,
                 weight_init_hidden: Tuple[float, float] = (0.2, 0.2),
                 weight_init_output: Tuple[float, float] = (0.0, 0.1),
                 weight_scale: float = 64., trace_scale: float = 1. / 50.,
                 input_repetitions: int = 1, synapse_type: type = hxsnn.Synapse,
                 neuron_type: type = hxsnn.LIF, hidden_cadc_recording: bool = True,
                 device: Optional[torch.device] = None, chip: Optional[Any] = None,
                 threshold_hw: float = 150.):
        super().__init__()
        self.exp = hxsnn.Experiment(mock=mock, dt=dt, chip=chip)
        self.input_repetitions = input_repetitions
        self.device = torch.device("cpu") if device is None else device
        transform = partial(linear_saturating, scale=weight_scale)

        self.linear_h = synapse_type(n_in * input_repetitions, n_hidden, experiment=self.exp,
                                     transform=transform)
        self.lif_h = neuron_type(
            n_hidden, experiment=self.exp, tau_mem=tau_mem, tau_syn=tau_syn,
            membrane_capacitance=hxsnn.HXTransformedModelParameter(
                tau_mem, capacitance_to_hardware),
            leak=hxsnn.MixedHXModelParameter(0., 80), reset=hxsnn.MixedHXModelParameter(0., 80),
            threshold=hxsnn.MixedHXModelParameter(1., threshold_hw), i_synin_gm=500,
            synapse_dac_bias=1000, trace_scale=trace_scale,
            cadc_time_shift=trace_shift_hidden, shift_cadc_to_first=True,
            enable_cadc_recording=hidden_cadc_recording)
        self.linear_o = hxsnn.Synapse(n_hidden, n_out, experiment=self.exp, transform=transform)
        self.li_readout = hxsnn.LI(
            n_out, experiment=self.exp, tau_mem=tau_mem, tau_syn=tau_syn,
            leak=hxsnn.MixedHXModelParameter(0., 80), i_synin_gm=500, synapse_dac_bias=1000,
            trace_scale=trace_scale, cadc_time_shift=trace_shift_out, shift_cadc_to_first=True,
            placement_constraint=[N_COLUMNS + k for k in range(n_out)])

        with torch.no_grad():
            hidden = torch.normal(*weight_init_hidden, size=(n_hidden, n_in))
            self.linear_h.weight.copy_(hidden.repeat(1, input_repetitions))
            self.linear_o.weight.normal_(*weight_init_output)
        self.s_h: Optional[Any] = None
        self.to(self.device)

    def forward(self, spikes: torch.Tensor) -> torch.Tensor:
        """Run the network on ``(T, B, n_in)`` input spikes; return the readout membrane."""
        spikes = spikes.repeat(1, 1, self.input_repetitions)
        inputs = hxsnn.LIFObservables(spikes=spikes.to(self.device))
        self.s_h = self.lif_h(self.linear_h(inputs))
        readout = self.li_readout(self.linear_o(self.s_h))
        hxsnn.run(self.exp, spikes.shape[0])
        return readout.membrane_cadc


class Model(torch.nn.Module):
    """Encoder → :class:`SNN` → decoder, with the regulariser of the example.

    Args:
        encoder: maps ``(B, 4)`` coordinates to ``(T, B, 5)`` spikes.
        network: the :class:`SNN`.
        decoder: reduces ``(T, B, 3)`` to scores ``(B, 3)``. Default: :class:`MaxOverTime`.
        readout_scale: the scores are multiplied by it *without* autograd seeing it (as in
            hxtorch: it sharpens the softmax of the loss, the gradient is that of the unscaled
            scores). Default: 1.
    """

    def __init__(self, encoder: torch.nn.Module, network: SNN,
                 decoder: Optional[torch.nn.Module] = None, readout_scale: float = 1.):
        super().__init__()
        self.encoder = encoder
        self.network = network
        self.decoder = MaxOverTime() if decoder is None else decoder
        self.readout_scale = readout_scale

    def forward(self, coordinates: torch.Tensor) -> torch.Tensor:
        """Scores ``(B, 3)`` of a batch of ``(B, 4)`` coordinates."""
        traces = self.network(self.encoder(coordinates))
        scores = self.decoder(traces).clone()
        with torch.no_grad():
            scores *= self.readout_scale
        self.scores = scores
        return scores

    def regularize(self, reg_readout: float, reg_bursts: float, reg_w_hidden: float,
                   reg_w_output: float) -> torch.Tensor:
        """``reg_readout·mean(scores²) + reg_bursts·mean((Σ_t hidden spikes)²) +
        reg_w_hidden·mean(W_h²) + reg_w_output·mean(W_o²)`` of the last forward pass."""
        total = reg_readout * self.scores.pow(2).mean()
        spikes = self.network.s_h.spikes
        total = total + reg_bursts * spikes.sum(0).pow(2).mean()
        total = total + reg_w_hidden * self.network.linear_h.weight.pow(2).mean()
        total = total + reg_w_output * self.network.linear_o.weight.pow(2).mean()
        return total
