"""Export a network document as a self-contained hxtorch.spiking script ("Export hxtorch script",
``hxstudio export PROJECT.json --to hxtorch``).

The script imports only ``numpy``, ``torch`` and ``hxtorch.spiking as hxsnn``. It builds the same
modules :func:`hxstudio.translate.build` builds (``Experiment(mock=…)`` from the document's
target, ``InputNeuron``/``Synapse``/``LIF``/``LI`` with every parameter as a hardware value,
weights as literal float32 matrices), runs ``hxsnn.run(exp, STEPS)`` without gradients and, run as
a program, writes an ``.npz`` with the keys of :meth:`hxstudio.result.Result.arrays`. Stimuli become
spike tensors in the script: literal spike times (a Yin-Yang sample as its encoded spike times),
``np.arange`` for regular rates, the seeded ``numpy`` generator for Poisson trains, so the script
reproduces :func:`hxstudio.run` bit for bit when ``hxstudio.backend`` stands in for
``hxtorch.spiking``.

Limits: networks with a cycle of projections (recurrence) run in hxstudio's ``RecurrentGroup``,
which is not part of ``hxtorch.spiking``; exporting them raises :class:`ValidationError`.

Example:
    >>> from hxstudio.examples import psp
    >>> script = export_hxtorch(psp())
    >>> "import hxtorch.spiking as hxsnn" in script
    True
"""

from __future__ import annotations

import builtins
import keyword
import re

import numpy as np

from hxstudio import __version__
from hxstudio.errors import ValidationError
from hxstudio.network import DatasetSample, Network, PoissonRate, RegularRate, SpikeTimes
from hxstudio.stimuli import stimulus_spikes, yinyang_sample
from hxstudio.translate import C_FULL_SCALE, groups, madc_kwargs, weights

__all__ = ["export_hxtorch"]

#: Longest line of number lists in the script.
_WIDTH = 100

_SPIKE_TRAIN = '''

def spike_train(times):
    """0/1 input spikes (STEPS, 1, N) from one list of spike times in s per neuron.

    A spike at time t lands in step round(t / DT) (half to even, the nearest grid point as BSS-2
    bins spikes); spikes past the end are dropped.
    """
    spikes = np.zeros((STEPS, len(times)), dtype=np.float32)
    for n, neuron_times in enumerate(times):
        k = np.round(np.asarray(neuron_times, dtype=np.float64) / DT).astype(np.int64)
        spikes[k[(k >= 0) & (k < STEPS)], n] = 1.0
    return torch.from_numpy(spikes)[:, None, :]
'''

_POISSON = '''

def poisson_train(rate, seed, size):
    """0/1 Poisson input spikes (STEPS, 1, size): Bernoulli(rate * DT) per step from
    numpy.random.default_rng(seed)."""
    spikes = np.random.default_rng(seed).random((STEPS, size)) < min(rate * DT, 1.0)
    return torch.from_numpy(spikes.astype(np.float32))[:, None, :]
'''

_CAPACITANCE = f'''

def capacitance(c):
    """hxtorch's membrane capacitance parameter for c capacitor LSB (63 = full scale): model value
    c / 63 * 10 µs, as hxtorch's default HXTransformedModelParameter(10e-6, m -> m / 10e-6 * 63)."""
    return hxsnn.HXTransformedModelParameter(c / 63.0 * {C_FULL_SCALE!r}, lambda m: m / {C_FULL_SCALE!r} * 63.0)
'''

_MADC = '''

FPGA_CLOCK_HZ = 125e6  # MADC timestamps count FPGA cycles at 125 MHz


def madc(handle):
    """MADC samples of the recorded neuron: raw 10-bit values (S, B) and their times in s (S, B);
    membrane_madc is (2, S, B): row 0 timestamps in FPGA cycles, row 1 values."""
    raw = to_numpy(handle.membrane_madc)
    return raw[1], raw[0].astype(np.float64) / FPGA_CLOCK_HZ
'''


def export_hxtorch(network: Network) -> str:
    """The document as a runnable, readable hxtorch.spiking script (Python source).

    Args:
        network: a validated document without cycles of projections.

    Returns:
        Python source text; ``python model.py [OUT.npz]`` runs it and writes the arrays.

    Raises:
        ValidationError: the network has a cycle of projections (recurrence), which
            ``hxtorch.spiking`` has no public wrapper for.
    """
    for group in groups(network):
        names = {p.name for p in group}
        if len(group) > 1 or any(j.source in names and j.target in names for j in network.projections):
            raise ValidationError(
                f"export to hxtorch: population(s) {', '.join(repr(p.name) for p in group)} form a cycle of "
                "projections (recurrence); the hxtorch script export supports feed-forward networks only")
    names = _identifiers(network)
    probe = None if network.target == "mock" else network.madc_probe()
    stimuli = {type(p.stimulus) for p in network.populations if p.kind == "input"}
    body = [
        "def build():",
        '    """The experiment and the output handle of every population (handles fill on run)."""',
        "    exp = hxsnn.Experiment(mock=MOCK, dt=DT)",
        "    handles = {}",
    ]
    for group in groups(network):
        pop = group[0]
        body.append("")
        body += [f"    {line}" for line in (_input(network, pop, names) if pop.kind == "input"
                                            else _neuron(network, pop, names, probe))]
    body += ["    return exp, handles"]
    helpers = ""
    if stimuli & {SpikeTimes, RegularRate, DatasetSample}:
        helpers += _SPIKE_TRAIN
    if PoissonRate in stimuli:
        helpers += _POISSON
    if any(p.kind != "input" for p in network.populations):
        helpers += _CAPACITANCE
    helpers += '''

def to_numpy(tensor):
    """A recorded tensor as a float32 numpy array."""
    return tensor.detach().to(torch.float32).cpu().numpy()
'''
    if probe is not None:
        helpers += _MADC
    return "\n".join([
        _header(network),
        "",
        "import sys",
        "",
        "import numpy as np",
        "import torch",
        "",
        "import hxtorch.spiking as hxsnn",
        "",
        f"MOCK = {network.target == 'mock'}  # hxstudio target {network.target!r}: "
        + ("hxtorch's ideal numerics" if network.target == "mock" else "BrainScaleS-2 (mock=False)"),
        f"DT = {network.dt!r}  # integration step in s (hardware time)",
        f"STEPS = {network.steps}  # time steps: {network.steps * network.dt * 1e6:g} µs of hardware time",
        helpers,
        "",
        *body,
        "",
        "",
        *_main(network, probe),
        "",
    ])


def _header(network: Network) -> str:
    target = {
        "mock": "mock: Experiment(mock=True), hxtorch's ideal numerics; set MOCK = False for BrainScaleS-2",
        "emulator": "emulator: Experiment(mock=False); with hxstudio.backend standing in for\n"
                    "hxtorch.spiking it runs on hxstudio's emulated chip, with hxtorch on BrainScaleS-2",
        "hardware": "hardware: Experiment(mock=False), runs on BrainScaleS-2",
    }[network.target]
    name = network.name.replace('"""', "'''").replace("\\", "\\\\")
    return (f'"""{name}: exported by hxstudio {__version__} as an hxtorch.spiking script.\n\n'
            f"Target: {target}.\n"
            "Run: python THIS_FILE.py [OUT.npz]  (default OUT: results.npz)\n"
            "It writes spikes and traces under the keys of hxstudio's Result.arrays():\n"
            '"time", "<population>/spikes", "<population>/membrane_cadc", "<population>/current" and,\n'
            'where recorded, "<population>/membrane_madc", "<population>/adaptation_cadc"….\n'
            "Neuron parameters are hardware values: potentials in CADC LSB, times in s of hardware time\n"
            '(1 µs on the chip = 1 ms biological). Tensors are time-major (T, B, N)."""')


def _identifiers(network: Network) -> dict:
    """A distinct Python identifier for every population and projection name."""
    out, taken = {}, {"exp", "handles", "np", "torch", "hxsnn", "sys", *dir(builtins)}
    for name in [p.name for p in network.populations] + [j.name for j in network.projections]:
        stem = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_").lower() or "node"
        if stem[0].isdigit() or keyword.iskeyword(stem):
            stem = f"n_{stem}"
        ident, k = stem, 1
        while ident in taken:
            k += 1
            ident = f"{stem}_{k}"
        taken.add(ident)
        out[name] = ident
    return out


def _input(network: Network, pop, names: dict) -> list:
    stim, var = pop.stimulus, names[pop.name]
    lines = [f"# input population {pop.name!r} ({_count(pop.size)})"]
    if isinstance(stim, SpikeTimes):
        lines.append("# spike times in s, one list per neuron")
        spikes = _call("spike_train([", [_numbers(times) for times in stim.times], "])")
    elif isinstance(stim, DatasetSample):
        features, label = yinyang_sample(stim.split, stim.index)
        times = np.append(stim.t_early + features * (stim.t_late - stim.t_early), stim.t_bias)
        lines += [f"# Yin-Yang {stim.split} sample {stim.index} (class {label}): features (x, y, 1-x, 1-y) = "
                  f"{_numbers(features, 6)}",
                  f"# spike once at t_early + value * (t_late - t_early), t_early = {stim.t_early!r} s, "
                  f"t_late = {stim.t_late!r} s; bias neuron at t_bias = {stim.t_bias!r} s"]
        spikes = _call("spike_train([", [f"[{float(t)!r}]" for t in times], "])")
    elif isinstance(stim, RegularRate):
        lines.append(f"# every neuron spikes at {stim.rate:g} Hz from {stim.start!r} s on")
        spikes = [f"spike_train([np.arange({stim.start!r}, STEPS * DT, 1.0 / {stim.rate!r})] * {pop.size})"]
    elif isinstance(stim, PoissonRate):
        lines.append(f"# independent Poisson trains at {stim.rate:g} Hz, seed {stim.seed}")
        spikes = [f"poisson_train({stim.rate!r}, {stim.seed}, {pop.size})"]
    else:  # pragma: no cover - the document admits no other kind
        raise TypeError(f"unknown stimulus {stim!r}")
    spikes[0] = f"{var}_spikes = {spikes[0]}"
    lines += spikes
    lines += [f"{var} = hxsnn.InputNeuron({pop.size}, exp)",
              f"handles[{pop.name!r}] = {var}(hxsnn.LIFObservables(spikes={var}_spikes))"]
    return lines


def _neuron(network: Network, pop, names: dict, probe) -> list:
    lines, inputs = [], []
    for j in network.projections:
        if j.target != pop.name:
            continue
        source = network.population(j.source)
        syn, w = names[j.name], weights(network, j)
        lines.append(f"# projection {j.name!r}: {j.source!r} -> {j.target!r}, weight (target, source) = {w.shape}"
                     + (f", {j.scale:g} x {_describe(j.init)}" if j.scale != 1 else f", {_describe(j.init)}"))
        lines.append(f"{syn} = hxsnn.Synapse({source.size}, {pop.size}, exp)")
        if np.all(w == w.flat[0]):
            lines.append(f"{syn}.weight.data = torch.full({w.shape}, {_f32(w.flat[0])})")
        else:
            lines += _call(f"{syn}.weight.data = torch.tensor([", [_numbers(row, f32=True) for row in w], "])")
        inputs.append(f"{syn}(handles[{j.source!r}])")
    if not inputs:  # an unconnected population relaxes at its leak (as hxstudio's translation)
        inputs.append(f"hxsnn.SynapseHandle(graded_spikes=torch.zeros(STEPS, 1, {pop.size}))")
    var = names[pop.name]
    lines.append(f"# {pop.kind} population {pop.name!r} ({_count(pop.size)})")
    kwargs = []
    for name, value in pop.params.items():
        text = f"torch.tensor({_numbers(value)})" if isinstance(value, list) else repr(value)
        kwargs.append(f"{name}=capacitance({text})" if name == "membrane_capacitance" else f"{name}={text}")
    kwargs += [f"{k}={v!r}" for k, v in madc_kwargs(probe, pop.name).items()]
    lines += _call(f"{var} = hxsnn.{pop.kind}(", [str(pop.size), "exp", *kwargs], ")")
    lines.append(f"handles[{pop.name!r}] = {var}({', '.join(inputs)})")
    return lines


def _main(network: Network, probe) -> list:
    lines = [
        'def main(out="results.npz"):',
        '    """Run the network once and save its spikes and traces to ``out`` (.npz)."""',
        "    exp, handles = build()",
        "    with torch.no_grad():",
        "        hxsnn.run(exp, STEPS)",
        '    arrays = {"time": np.arange(STEPS) * DT}',
    ]
    for pop in network.populations:
        h = f"handles[{pop.name!r}]"
        if pop.kind != "LI":
            lines.append(f'    arrays[{pop.name + "/spikes"!r}] = to_numpy({h}.spikes)')
        if pop.kind != "input" and network.recorded(pop.name):
            lines.append(f'    arrays[{pop.name + "/membrane_cadc"!r}] = to_numpy({h}.membrane_cadc)')
            lines.append(f'    arrays[{pop.name + "/current"!r}] = to_numpy({h}.current)')
            if {"subthreshold_adaptation", "spike_triggered_adaptation"} & set(pop.adex_terms()):
                lines.append(f'    arrays[{pop.name + "/adaptation_cadc"!r}] = to_numpy({h}.adaptation_cadc)')
        if probe and probe[0] == pop.name:
            lines.append(f'    arrays[{pop.name + "/membrane_madc"!r}], arrays[{pop.name + "/madc_time"!r}] = madc({h})')
            lines.append(f'    arrays[{pop.name + "/madc_neuron"!r}] = np.array({probe[1]})')
    lines += [
        "    np.savez(out, **arrays)",
        "    for key, value in arrays.items():",
        '        if key.endswith("/spikes"):',
        '            print(f"{key}: {int(value.sum())} spikes")',
        '    print(f"wrote {out}")',
        "    return arrays",
        "",
        "",
        'if __name__ == "__main__":',
        "    main(*sys.argv[1:])",
    ]
    return lines


def _count(n: int) -> str:
    return f"{n} neuron" + ("s" if n != 1 else "")


def _describe(init) -> str:
    if init.kind == "constant":
        return f"constant {init.value:g}"
    if init.kind == "normal":
        return f"N({init.mean:g}, {init.std:g}^2) from numpy.random.default_rng({init.seed})"
    return "explicit matrix"


def _f32(x) -> str:
    """Shortest text that reads back as the float32 ``x`` (through a Python float, as torch.tensor
    does); the exact float64 repr if the short one would round differently."""
    x = np.float32(x)
    short = str(x)
    return short if np.float32(float(short)) == x else repr(float(x))


def _numbers(values, digits: int | None = None, f32: bool = False) -> str:
    if digits is not None:
        return "(" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"
    return "[" + ", ".join(_f32(v) if f32 else repr(float(v)) for v in values) + "]"


def _call(opening: str, items: list, closing: str) -> list:
    """``opening item, item, … closing`` on one line, or one line per item (wrapped) if too long."""
    one = f"{opening}{', '.join(items)}{closing}"
    if len(one) <= _WIDTH and "\n" not in one:
        return [one]
    lines = [opening]
    for item in items:
        lines += [f"    {part}" for part in _wrap(item + ",")]
    return lines + [closing]


def _wrap(text: str) -> list:
    """Split a long ``[a, b, …],`` list after commas so that lines stay near :data:`_WIDTH`."""
    if len(text) <= _WIDTH:
        return [text]
    lines, line = [], ""
    for part in text.split(", "):
        if line and len(line) + len(part) + 2 > _WIDTH:
            lines.append(line + ",")
            line = "    " + part
        else:
            line = f"{line}, {part}" if line else part
    return lines + [line]
