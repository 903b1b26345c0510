"""Speed of the hxstudio mock against snnTorch, Norse, a plain PyTorch loop and the exec path.

One network everywhere: 256 inputs → dense synapse → 256 current-based LIF neurons → dense
synapse → 10 leaky integrators (readout), dt = 1 µs, τ_mem = τ_syn = 10 µs, threshold 1, reset
and leak 0, inputs Bernoulli(p = 0.05) spikes of shape ``(T, B, 256)``. All implementations share
the same two weight matrices. Measured in the same process, one after the other, with the same
number of torch threads:

* ``hxsnn``: ``hxstudio.backend`` as a user writes it (Synapse → LIF → Synapse → LI, ``run``);
  the default LIF/LI take the fused compiled loop (``functional/fused.py``);
* ``hxtorch-style``: the same hxstudio modules forced onto the reference path, which executes
  the generated step code with ``exec`` once per step exactly as hxtorch's mock does (hxtorch
  itself needs the BSS-2 software stack and is not installable from PyPI);
* ``snntorch``: ``snntorch.Synaptic`` neurons in the documented per-step loop;
* ``norse``: ``norse.torch.LIF``/``LI`` modules applied to the whole sequence;
* ``plain``: a hand-written PyTorch time loop with a SuperSpike surrogate (no framework).

A peer that is not installed is skipped and named. Modes: ``forward`` (``torch.no_grad``) and
``fwd+bwd`` (forward with autograd plus ``loss.backward()``); ``bwd`` is the backward alone, to
check that its cost grows linearly with T. Each cell is the median of ``--repeats`` runs after one
warm-up run; ``ratio`` is the fastest peer's time divided by hxsnn's.

Usage::

    python benchmarks/bench_mock.py                 # B = 1, 64; T = 250, 500, 1000
    python benchmarks/bench_mock.py --quick         # B = 1, 64; T = 250 only, 2 repeats

Runs faster than 0.5 s are repeated up to 25 times (0.5 s in all), runs slower than 2 s once. The numbers depend on the machine and
on what else runs on it; compare ratios from one run, not times from different runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable, Dict, List, Optional

import torch

import hxstudio.backend as hxsnn
from hxstudio.backend.functional import fused
from hxstudio.backend.functional.superspike import SuperSpike

N_IN, N_HIDDEN, N_OUT = 256, 256, 10
DT, TAU = 1e-6, 10e-6
DECAY = 1 - DT / TAU  # 0.9 per step for current and membrane


def make_weights(seed: int = 0):
    """Hidden and readout weights ``(256, 256)`` and ``(10, 256)``; hidden rate about 5 %."""
    generator = torch.Generator().manual_seed(seed)
    w_hidden = torch.randn(N_HIDDEN, N_IN, generator=generator) * 0.1 + 0.01
    w_out = torch.randn(N_OUT, N_HIDDEN, generator=generator) * 0.1
    return w_hidden, w_out


# -- implementations: each returns forward(x) -> readout membrane (T, B, 10) ---------------------

def build_hxsnn(w_hidden, w_out, reference: bool = False) -> Callable:
    exp = hxsnn.Experiment(mock=True, dt=DT)
    syn_h = hxsnn.Synapse(N_IN, N_HIDDEN, exp)
    lif = hxsnn.LIF(N_HIDDEN, exp, leak=hxsnn.MixedHXModelParameter(0., 80),
                    reset=hxsnn.MixedHXModelParameter(0., 80),
                    threshold=hxsnn.MixedHXModelParameter(1., 125))
    syn_o = hxsnn.Synapse(N_HIDDEN, N_OUT, exp)
    li = hxsnn.LI(N_OUT, exp, leak=hxsnn.MixedHXModelParameter(0., 80))
    with torch.no_grad():
        syn_h.weight.copy_(w_hidden)
        syn_o.weight.copy_(w_out)
    params = [syn_h.weight, syn_o.weight]

    def forward(x):
        out = li(syn_o(lif(syn_h(hxsnn.LIFObservables(spikes=x)))))
        if reference:
            with fused.disabled():
                hxsnn.run(exp, x.shape[0])
        else:
            hxsnn.run(exp, x.shape[0])
        return out.membrane_cadc

    forward.params = params
    return forward


def build_plain(w_hidden, w_out) -> Callable:
    weights = [torch.nn.Parameter(w_hidden.clone()), torch.nn.Parameter(w_out.clone())]
    alpha = torch.tensor(50.)

    def forward(x):
        graded = torch.nn.functional.linear(x, weights[0])
        v = torch.zeros_like(graded[0])
        i = torch.zeros_like(graded[0])
        spikes = []
        for x_t in graded.unbind(0):  # unbind: one backward node, not T copies of the input
            dv = (DT / TAU) * (i - v)
            i = i * DECAY + x_t
            v = v + dv
            z = SuperSpike.apply(v - 1., alpha)
            v = v * (1 - z.detach())
            spikes.append(z)
        graded = torch.nn.functional.linear(torch.stack(spikes), weights[1])
        v = torch.zeros_like(graded[0])
        i = torch.zeros_like(graded[0])
        trace = []
        for x_t in graded.unbind(0):
            dv = (DT / TAU) * (i - v)
            i = i * DECAY + x_t
            v = v + dv
            trace.append(v)
        return torch.stack(trace)

    forward.params = weights
    return forward


def _linears(w_hidden, w_out):
    """Two bias-free ``nn.Linear`` layers holding the shared benchmark weights."""
    fc1 = torch.nn.Linear(N_IN, N_HIDDEN, bias=False)
    fc2 = torch.nn.Linear(N_HIDDEN, N_OUT, bias=False)
    with torch.no_grad():
        fc1.weight.copy_(w_hidden)
        fc2.weight.copy_(w_out)
    return fc1, fc2


def build_snntorch(w_hidden, w_out) -> Optional[Callable]:
    try:
        import snntorch
    except ImportError:
        return None
    fc1, fc2 = _linears(w_hidden, w_out)
    lif = snntorch.Synaptic(alpha=DECAY, beta=DECAY, threshold=1., reset_mechanism="zero")
    readout = snntorch.Synaptic(alpha=DECAY, beta=DECAY, threshold=1e9, reset_mechanism="none")

    def forward(x):
        syn1, mem1 = lif.reset_mem()
        syn2, mem2 = readout.reset_mem()
        trace = []
        for t in range(x.shape[0]):
            spk1, syn1, mem1 = lif(fc1(x[t]), syn1, mem1)
            _, syn2, mem2 = readout(fc2(spk1), syn2, mem2)
            trace.append(mem2)
        return torch.stack(trace)

    forward.params = [fc1.weight, fc2.weight]
    return forward


def build_norse(w_hidden, w_out) -> Optional[Callable]:
    try:
        import norse.torch as norse
    except ImportError:
        return None
    fc1, fc2 = _linears(w_hidden, w_out)
    lif = norse.LIF(norse.LIFParameters(tau_syn_inv=torch.tensor(1 / TAU),
                                        tau_mem_inv=torch.tensor(1 / TAU),
                                        v_leak=torch.tensor(0.), v_th=torch.tensor(1.),
                                        v_reset=torch.tensor(0.)), dt=DT)
    li = norse.LI(norse.LIParameters(tau_syn_inv=torch.tensor(1 / TAU),
                                     tau_mem_inv=torch.tensor(1 / TAU),
                                     v_leak=torch.tensor(0.)), dt=DT)

    def forward(x):
        spikes, _ = lif(fc1(x))
        trace, _ = li(fc2(spikes))
        return trace

    forward.params = [fc1.weight, fc2.weight]
    return forward


BUILDERS: Dict[str, Callable] = {
    "hxsnn": build_hxsnn,
    "hxtorch-style": lambda wh, wo: build_hxsnn(wh, wo, reference=True),
    "snntorch": build_snntorch,
    "norse": build_norse,
    "plain": build_plain,
}
PEERS = ("hxtorch-style", "snntorch", "norse", "plain")


# -- timing -----------------------------------------------------------------------------------

def _repeats(first: float, repeats: int) -> int:
    """More repeats for fast runs (medians resist a busy machine), one for runs over 2 s."""
    if first > 2.:
        return 1
    return max(repeats, min(25, int(0.5 / max(first, 1e-4))))


def _median(function: Callable[[], float], repeats: int) -> float:
    first = function()  # warm-up (compilation, allocator)
    return statistics.median(function() for _ in range(_repeats(first, repeats)))


def time_forward(forward: Callable, x: torch.Tensor, repeats: int) -> float:
    def once():
        start = time.perf_counter()
        with torch.no_grad():
            forward(x)
        return time.perf_counter() - start
    return _median(once, repeats)


def time_forward_backward(forward: Callable, x: torch.Tensor, repeats: int):
    """Median ``(forward + backward, backward alone)`` in s."""
    totals, backwards = [], []

    def once():
        for p in forward.params:
            p.grad = None
        start = time.perf_counter()
        loss = forward(x).sum()
        middle = time.perf_counter()
        loss.backward()
        end = time.perf_counter()
        totals.append(end - start)
        backwards.append(end - middle)
        return end - start

    first = once()
    totals.clear()
    backwards.clear()
    for _ in range(_repeats(first, repeats)):
        once()
    return statistics.median(totals), statistics.median(backwards)


def check_agreement(forwards: Dict[str, Callable], x: torch.Tensor) -> float:
    """Largest absolute difference between hxsnn's fused and reference readout traces."""
    with torch.no_grad():
        return float((forwards["hxsnn"](x) - forwards["hxtorch-style"](x)).abs().max())


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--steps", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="T = 250 only, 2 repeats")
    parser.add_argument("--skip", nargs="*", default=[], help="implementations to leave out")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quick:
        args.steps, args.repeats = [250], 2

    w_hidden, w_out = make_weights()
    forwards = {}
    for name, builder in BUILDERS.items():
        if name in args.skip:
            continue
        forward = builder(w_hidden, w_out)
        if forward is None:
            print(f"{name}: not installed, skipped")
            continue
        forwards[name] = forward
    names = list(forwards)
    peers = [n for n in names if n in PEERS]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, fused loop: "
          f"{'numba' if fused.AVAILABLE else 'unavailable (numba missing)'}")

    header = f"{'B':>3} {'T':>5} {'mode':<8}" + "".join(f"{n:>14}" for n in names) + \
        f"{'ratio':>8}  fastest peer"
    print(header)
    print("-" * len(header))
    generator = torch.Generator().manual_seed(1)
    for batch in args.batch_sizes:
        for steps in args.steps:
            x = (torch.rand(steps, batch, N_IN, generator=generator) < 0.05).float()
            if "hxsnn" in forwards and "hxtorch-style" in forwards and steps == args.steps[0]:
                print(f"    (B={batch}, T={steps}: fused vs exec readout max |diff| = "
                      f"{check_agreement(forwards, x):.1e})")
            rows = {"forward": {}, "fwd+bwd": {}, "bwd": {}}
            for name, forward in forwards.items():
                rows["forward"][name] = time_forward(forward, x, args.repeats)
                rows["fwd+bwd"][name], rows["bwd"][name] = time_forward_backward(
                    forward, x, args.repeats)
            for mode, times in rows.items():
                cells = "".join(f"{times[n] * 1e3:>12.1f}ms" for n in names)
                ratio, fastest = "", ""
                if "hxsnn" in times and peers:
                    fastest = min(peers, key=lambda n: times[n])
                    ratio = f"{times[fastest] / times['hxsnn']:>7.1f}x"
                print(f"{batch:>3} {steps:>5} {mode:<8}{cells}{ratio:>8}  {fastest}")


if __name__ == "__main__":
    main()
