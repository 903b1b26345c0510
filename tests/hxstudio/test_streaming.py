"""Chunked runs in a worker thread (RunSession) and the studio's live run: equal results, Stop,
progress, failures that keep the last results, auto-run on change."""

import contextlib
import time

import numpy as np
import pytest

from hxstudio.app import Studio
from hxstudio.examples import load_example, psp
from hxstudio.network import ConstantInit, MatrixInit, Network, NormalInit, PoissonRate, SpikeTimes
from hxstudio.runner import run
from hxstudio.streaming import RunSession
from hxstudio.widgets.plots import joined_traces


def _recurrent():
    """input → A (2 LIF, self-projection, refractory 2 µs) ⇄ B (1 LIF)."""
    net = Network(name="loop", dt=1e-6, duration=300e-6)
    net.add_population("in", "input", 1, stimulus=SpikeTimes(times=[[3e-6, 4e-6, 30e-6, 150e-6]]))
    net.add_population("A", "LIF", 2, params={"threshold": 100.0, "refractory_time": 2e-6,
                                              "tau_mem": [8e-6, 12e-6], "membrane_capacitance": 40.0})
    net.add_population("B", "LIF", 1, params={"threshold": 90.0, "refractory_time": 0.0})
    net.add_projection("in", "A", init=MatrixInit(weight=[[120.0], [90.0]]))
    net.add_projection("A", "A", init=MatrixInit(weight=[[0.0, 25.0], [30.0, 0.0]]))
    net.add_projection("A", "B", init=MatrixInit(weight=[[40.0, 40.0]]))
    net.add_projection("B", "A", init=ConstantInit(value=-35.0))
    return net


def _big(steps=20_000, size=256):
    """Poisson input → ``size`` LIF neurons, ``steps`` µs: long enough to stop half-way."""
    net = Network(name="big", dt=1e-6, duration=steps * 1e-6)
    net.add_population("in", "input", 20, stimulus=PoissonRate(rate=50e3, seed=3))
    net.add_population("hidden", "LIF", size)
    net.add_projection("in", "hidden", init=NormalInit(mean=20.0, std=10.0, seed=4))
    return net


def _assert_same(a, b, steps=None):
    expected = a.arrays()
    got = b.arrays()
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        value = value if steps is None else value[:steps]
        assert np.array_equal(got[key], value), key


@pytest.mark.parametrize("make", [lambda: load_example("yinyang"), psp, _recurrent])
def test_chunked_run_equals_one_shot(make):
    network = make()
    expected = run(network)
    # a tiny chunk time forces many small chunks (sizes adapt: 8, then 1…32 steps)
    session = RunSession(network, chunk_time=1e-5, first_chunk=8).start(background=False)
    assert session.state == "finished" and session.error is None
    assert session.chunks > 3 and session.done == network.steps
    _assert_same(expected, session.result())
    spiking = [p for p in expected.populations.values() if p.kind == "LIF"]
    assert sum(int(p.spikes.sum()) for p in spiking) > 0


def test_stop_ends_the_run_quickly_and_keeps_the_steps_computed():
    network = _big()
    progress = []
    session = RunSession(network, on_progress=lambda s: progress.append(s.done)).start()
    deadline = time.monotonic() + 60
    while session.done < 2000 and time.monotonic() < deadline:
        time.sleep(0.01)
    asked = time.monotonic()
    assert session.stop(timeout=5.0)
    took = time.monotonic() - asked
    assert took < 0.5, f"stop took {took:.3f} s"   # the benchmark reports the real figure
    assert session.state == "stopped" and 2000 <= session.done < network.steps
    assert progress == sorted(progress) and len(progress) >= 2
    assert session.progress == f"{session.done:g} / 20000 µs"
    partial = session.result()
    assert len(partial.time) == session.done
    network.set(duration=session.done * 1e-6)       # the same run, cut where it stopped
    _assert_same(run(network), partial)


def test_a_failing_run_reports_its_error():
    network = _big(steps=200)
    # the document refuses NaN weights (ValidationError), so break the run itself
    session = RunSession(network, hxsnn=_Broken()).start()
    assert session.wait(10)
    assert session.state == "failed" and str(session.error) == "weights are NaN"
    assert session.result() is None


class _Broken:
    """A module namespace whose Experiment cannot be built."""

    def Experiment(self, **_):
        raise FloatingPointError("weights are NaN")


def _long_psp(steps=40_000):
    net = psp()
    net.set(duration=steps * 1e-6)
    return net


def test_studio_streams_partial_results_and_stops():
    studio = Studio(psp())
    first = studio.result
    shown = []
    original = studio._show_result

    def record(result, partial=False, t_end=None, report=None):
        shown.append((len(result.time), partial))
        original(result, partial=partial, t_end=t_end, report=report)

    studio._show_result = record
    studio.network = _big(100_000, size=512)
    studio.run(background=True)
    session = studio.run_session
    deadline = time.monotonic() + 60
    while sum(p for _, p in shown) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert studio._controls.busy and not studio._controls._stop.disabled
    assert studio._controls.progress.endswith(" / 100000 µs")
    studio._controls.click_stop()
    assert session.state == "stopped"
    partial_lengths = [n for n, p in shown if p]
    assert len(partial_lengths) >= 2 and partial_lengths == sorted(partial_lengths)
    assert shown[-1] == (session.done, False)            # the stopped run's steps stay on screen
    assert studio.result is not first and len(studio.result.time) == session.done
    assert not studio._controls.busy and studio._controls.progress == ""
    assert studio.message.startswith(f"stopped at {session.done:g} / 100000 µs")


def test_studio_failed_run_keeps_the_previous_results(monkeypatch):
    studio = Studio(psp())
    good = studio.result
    shown = {k: list(v) for k, v in studio._traces.trace_source.data.items()}
    from hxstudio.backend.stream import ChunkedRun

    advance = ChunkedRun.advance

    def fails_later(self, steps):
        if self.done >= 100:
            raise FloatingPointError("membrane is NaN")
        return advance(self, steps)

    monkeypatch.setattr(ChunkedRun, "advance", fails_later)
    studio.network = _long_psp(2000)
    studio.run()
    assert studio.run_session.state == "failed" and studio.run_session.done >= 100
    assert studio.result is good
    assert {k: list(v) for k, v in studio._traces.trace_source.data.items()} == shown
    assert studio._controls.error == "run failed: membrane is NaN"
    assert not studio._controls.busy


def test_a_new_run_supersedes_the_one_in_progress():
    studio = Studio(psp())
    studio.network = _long_psp(60_000)
    studio.run(background=True)
    old = studio.run_session
    studio.network = psp()
    studio.run()
    assert old.state == "stopped" and studio.run_session.state == "finished"
    assert len(studio.result.time) == 120 and "ran 120 steps" in studio.message


def test_auto_run_runs_at_once_then_once_after_a_burst_of_edits(monkeypatch):
    monkeypatch.setattr("hxstudio.app.AUTO_RUN_DELAY", 0.5)  # wide enough for a loaded machine
    studio = Studio(psp())
    runs = []
    original = studio.run
    studio.run = lambda *a, **k: (runs.append(studio.network.population("neuron").params["leak"]),
                                  original(*a, **k))
    studio._editor.on_select("node", "neuron")
    studio._params.on_change("leak", 85.0)
    time.sleep(0.3)
    assert runs == []                                 # auto-run is off
    studio._controls.auto_run = True
    studio._params.on_change("leak", 86.0)          # after a quiet spell: runs at once
    assert runs == [86.0] and studio.result["neuron"].membrane_cadc[0, 0, 0] == 86.0
    for value in (87.0, 88.0):                       # a burst: each edit within the delay …
        studio._params.on_change("leak", value)
    assert runs == [86.0]                            # … waits for the burst to pause
    deadline = time.monotonic() + 20
    while studio.result["neuron"].membrane_cadc[0, 0, 0] != 88.0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)                                   # time for a (wrong) further run
    assert runs == [86.0, 88.0]
    assert studio.result["neuron"].membrane_cadc[0, 0, 0] == 88.0


def test_served_traces_go_first_and_the_status_follows_with_the_overview(monkeypatch, served_document):
    import hxstudio.app as app

    studio = Studio(psp())
    before = studio.message
    doc = served_document
    monkeypatch.setattr(app, "_served_document", lambda: doc)
    monkeypatch.setattr(app, "set_curdoc", lambda _doc: contextlib.nullcontext())
    monkeypatch.setattr(app.pn.io, "hold", lambda *a, **k: contextlib.nullcontext())
    studio.network.set_param("neuron", "leak", 70.0)
    result = run(studio.network)
    studio._show_result(result, report="ran again")
    membrane = result.populations["neuron"].membrane_cadc[:, 0, 0]
    np.testing.assert_array_equal(joined_traces(studio._traces.trace_source.data)[0][1], membrane)  # drawn now
    assert studio.message == before and [delay for _, delay in doc.timeouts] == [app.OVERVIEW_DELAY_MS]
    doc.timeouts.pop()[0]()
    assert studio.message == "ran again"
    # a report made meanwhile (a failed run) is not overwritten by the waiting one
    studio._show_result(result, report="ran once more")
    studio._report("run failed: NaN weights", error=True)
    doc.timeouts.pop()[0]()
    assert studio.message == "run failed: NaN weights"


def test_a_served_run_sends_the_next_partial_update_once_the_page_has_drawn_the_last(monkeypatch, served_document):
    """Back-pressure on the browser: a partial update waits until the page says it has drawn the
    one before (DrawAck), or ACK_TIMEOUT for a page that never answers."""
    from hxstudio import app

    studio = Studio(psp())
    doc = served_document
    monkeypatch.setattr(app, "_served_document", lambda: doc)
    monkeypatch.setattr(app, "set_curdoc", lambda _doc: contextlib.nullcontext())
    network = _long_psp(2000)
    session = RunSession(network)
    session.state = "running"  # a run in progress whose first 500 steps are computed
    session._add(run(network).head(500))
    live = app._LiveRun(session, doc, posted=time.monotonic() - 1.0)
    studio._live = live
    ack = studio._plots.ack

    studio._on_run_progress(live)                       # posted …
    assert live.pending and len(doc.next_tick) == 1
    doc.next_tick.pop()()                               # … and sent, numbered
    assert not live.pending and live.unacked == ack.sent >= 1
    live.posted -= 1.0                                  # well past PARTIAL_INTERVAL
    studio._on_run_progress(live)
    assert doc.next_tick == []                          # the page has not drawn it yet: nothing new
    ack.drawn = ack.sent                                # the page's answer
    assert live.unacked == 0
    studio._on_run_progress(live)
    assert len(doc.next_tick) == 1                      # the next update goes out
    doc.next_tick.pop()()
    live.posted -= app.ACK_TIMEOUT + 0.1                # a page that never answers
    studio._on_run_progress(live)
    assert len(doc.next_tick) == 1
