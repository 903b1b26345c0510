"""Server-side cost of the plots: how long an update takes and how much data it sends.

Run: ``python benchmarks/bench_plots.py``. Prints, per scenario, the median and p95 time of one
update (Python, building and queueing the Bokeh messages) and the median size of the messages
the browser would receive (the serialized document patch). The browser-side latency and fps are
measured by ``benchmarks/bench_ui.py``.

Scenarios:
- re-run of each built-in example (a full replace of every plot, as after a parameter change);
- a 512-neuron × 1000-step run streamed in 20 chunks of 50 steps (traces, heatmap, raster);
- a 100 k-spike raster (binned on the server).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from bokeh.document import Document
from bokeh.document.events import DocumentPatchedEvent
from bokeh.protocol import Protocol

from hxstudio.examples import EXAMPLES, load_example
from hxstudio.runner import run
from hxstudio.widgets import ResultsView


class Sink:
    """Collects the patch messages a served document would send."""

    def __init__(self, view: ResultsView):
        self.doc = Document()
        for model in [*view.figures, view.rates.figure]:
            self.doc.add_root(model)
        self.events = []
        self.doc.callbacks.on_change(self.events.append)

    def take_bytes(self) -> int:
        """Size in bytes (JSON + binary buffers) of the patch message of the changes so far."""
        events = [e for e in self.events if isinstance(e, DocumentPatchedEvent)]
        self.events.clear()
        if not events:
            return 0
        message = Protocol().create("PATCH-DOC", events)
        return len(message.content_json) + sum(len(b.to_bytes()) for b in message.buffers)


def show(view: ResultsView, time_s, dt, populations, partial=False) -> None:
    membrane = {n: p["membrane"] for n, p in populations.items() if "membrane" in p}
    spikes = {n: p["spikes"] for n, p in populations.items() if "spikes" in p}
    view.traces.update(time_s, membrane, partial=partial)
    view.heatmap.update(time_s, membrane, partial=partial)
    view.raster.update(time_s, spikes, partial=partial)
    view.rates.update(spikes, len(time_s) * dt)


def batch0(result) -> dict:
    out = {}
    for name, pop in result.populations.items():
        out[name] = {}
        if pop.membrane_cadc is not None:
            out[name]["membrane"] = pop.membrane_cadc[:, 0, :]
        if pop.spikes is not None:
            out[name]["spikes"] = pop.spikes[:, 0, :]
    return out


def stats(label: str, times: list, sizes: list) -> None:
    times_ms = sorted(t * 1e3 for t in times)
    p95 = times_ms[min(len(times_ms) - 1, int(0.95 * len(times_ms)))]
    print(f"{label:<46} {statistics.median(times_ms):8.2f} {p95:8.2f} {statistics.median(sizes) / 1e3:10.1f}")


def main() -> None:
    print(f"{'scenario':<46} {'med ms':>8} {'p95 ms':>8} {'med kB':>10}")
    for name in EXAMPLES:
        result = run(load_example(name))
        view = ResultsView()
        sink = Sink(view)
        times, sizes = [], []
        for i in range(21):
            start = time.perf_counter()
            show(view, result.time, result.dt, batch0(result))
            times.append(time.perf_counter() - start)
            sizes.append(sink.take_bytes())
        stats(f"re-run '{name}' ({len(result.time)} steps, full replace)", times[1:], sizes[1:])

    rng = np.random.default_rng(0)
    steps, neurons, chunk = 1000, 512, 50
    dt = 1e-6
    time_s = np.arange(steps) * dt
    membrane = rng.normal(100, 20, (steps, neurons)).astype(np.float32)
    spikes = (rng.random((steps, neurons)) < 0.02).astype(np.float32)
    view = ResultsView()
    sink = Sink(view)
    times, sizes = [], []
    for k in range(chunk, steps + 1, chunk):
        start = time.perf_counter()
        show(view, time_s[:k], dt, {"p": {"membrane": membrane[:k], "spikes": spikes[:k]}}, partial=k < steps)
        times.append(time.perf_counter() - start)
        sizes.append(sink.take_bytes())
    stats(f"stream 512 × 1000 in chunks of {chunk} (per chunk)", times[1:], sizes[1:])

    big = {"p": {"spikes": (rng.random((2000, 100)) < 0.5).astype(np.float32)}}
    view = ResultsView()
    sink = Sink(view)
    times, sizes = [], []
    for _ in range(11):
        start = time.perf_counter()
        show(view, np.arange(2000) * dt, dt, big)
        times.append(time.perf_counter() - start)
        sizes.append(sink.take_bytes())
    stats(f"raster of {int(big['p']['spikes'].sum())} spikes (binned)", times[1:], sizes[1:])


if __name__ == "__main__":
    main()
