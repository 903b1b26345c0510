"""Built-in example networks (the studio opens ``yinyang`` when no project is given).

* :func:`yinyang`: the hxtorch Yin-Yang network (spec §11.1): 5 spike inputs (one Yin-Yang
  sample, encoded in a 38 µs window) → 120 LIF → 3 LI, seeded random weights.
* :func:`psp`: one LIF neuron driven by one excitatory and one inhibitory source: an EPSP, an
  IPSP, then three EPSPs that sum up to a spike.
* :func:`adex`: one AdEx (AELIF) neuron driven by a regular input: spike-frequency adaptation.
"""

from __future__ import annotations

from hxstudio.network import ConstantInit, DatasetSample, Network, NormalInit, RegularRate, SpikeTimes

__all__ = ["EXAMPLES", "yinyang", "psp", "adex", "load_example"]

#: CADC LSB from leak (80) to threshold (125): hxtorch's model unit "1" for these examples.
_MODEL_UNIT = 45.0


def yinyang(index: int = 0, split: str = "test") -> Network:
    """The Yin-Yang network of hxtorch's example, untrained, on sample ``index`` of ``split``.

    Weights are hxtorch's mock initialisation in model units (hidden N(0.8, 0.2), output
    N(0, 0.1); spec §11.1), with ``scale = 45`` CADC LSB per model unit (threshold 125 − leak 80).
    Hidden τ_mem = τ_syn = 6 µs with capacitance matched to τ_mem (37.8 LSB ≙ 6 µs); the readout
    keeps the default capacitance (spec §5.3).
    """
    net = Network(name="Yin-Yang (hxtorch example, untrained)", dt=1e-6, duration=38e-6)
    net.add_population("input", "input", 5, position=(40.0, 160.0),
                       stimulus=DatasetSample(split=split, index=index))
    net.add_population("hidden", "LIF", 120, position=(320.0, 160.0), params={
        "tau_mem": 6e-6, "tau_syn": 6e-6, "membrane_capacitance": 63 * 6 / 10})
    net.add_population("readout", "LI", 3, position=(600.0, 160.0), params={
        "tau_mem": 6e-6, "tau_syn": 6e-6})
    net.add_projection("input", "hidden", "input→hidden",
                       init=NormalInit(mean=0.8, std=0.2, seed=1), scale=_MODEL_UNIT)
    net.add_projection("hidden", "readout", "hidden→readout",
                       init=NormalInit(mean=0.0, std=0.1, seed=2), scale=_MODEL_UNIT)
    return net


def psp() -> Network:
    """A single LIF neuron and its postsynaptic potentials (teaching demo).

    The excitatory source spikes at 10 µs (one EPSP, peak ≈ 0.387·60 ≈ 23 CADC LSB) and at 70, 72,
    74 µs (three EPSPs that sum above threshold); the inhibitory one at 40 µs (one IPSP).
    """
    net = Network(name="PSP demo: one LIF neuron", dt=1e-6, duration=120e-6)
    net.add_population("excitatory", "input", 1, position=(40.0, 60.0),
                       stimulus=SpikeTimes(times=[[10e-6, 70e-6, 72e-6, 74e-6]]))
    net.add_population("inhibitory", "input", 1, position=(40.0, 260.0),
                       stimulus=SpikeTimes(times=[[40e-6]]))
    net.add_population("neuron", "LIF", 1, position=(340.0, 160.0))
    net.add_projection("excitatory", "neuron", "excitatory→neuron", init=ConstantInit(value=60.0))
    net.add_projection("inhibitory", "neuron", "inhibitory→neuron", init=ConstantInit(value=-60.0))
    return net


def adex() -> Network:
    """One AdEx neuron (AELIF, spec §5.1) under a constant drive: spike-frequency adaptation.

    A regular input at 200 kHz (one spike every 5 µs, weight 40) drives the neuron above threshold.
    Each spike adds b = 5 to the adaptation current, which decays with τ_adap = 100 µs, and the
    subthreshold term (a = 1) adds to it, so the inter-spike intervals grow from 10 µs to about
    24 µs (first spikes at 14, 24, 34, 45, 58, 72 µs). Other parameters are the AELIF defaults.
    """
    net = Network(name="AdEx demo: spike-frequency adaptation", dt=1e-6, duration=300e-6)
    net.add_population("drive", "input", 1, position=(40.0, 160.0), stimulus=RegularRate(rate=200e3))
    net.add_population("adex", "AELIF", 1, position=(340.0, 160.0),
                       params={"spike_triggered_adaptation_increment": 5.0})
    net.add_projection("drive", "adex", "drive→adex", init=ConstantInit(value=40.0))
    return net


EXAMPLES = {"yinyang": yinyang, "psp": psp, "adex": adex}


def load_example(name: str) -> Network:
    """A fresh copy of the built-in example ``name``.

    Raises:
        KeyError: listing the example names.
    """
    try:
        return EXAMPLES[name]()
    except KeyError:
        raise KeyError(f"unknown example {name!r}; choose one of: {', '.join(EXAMPLES)}") from None
