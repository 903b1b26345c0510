"""Live runs in a real browser: traces grow while a long run goes on, Stop ends it and keeps the
partial traces; a run that raises shows its error and leaves the previous plots."""

import json
import time

import pytest

from hxstudio.network import ConstantInit, Network, PoissonRate

pytestmark = pytest.mark.browser

STEPS = 12_000  # long enough (several s) for the page to show several partial updates


def _upload(page, network: Network, name: str) -> None:
    page.set_input_files("input[type=file]", files=[{
        "name": name, "mimeType": "application/json", "buffer": network.to_json().encode()}])


# samples and last time (µs) of the first shown neuron's trace: its rows joined (a streamed row
# repeats the last point of the one before); computed in the page, long traces are large
_TIME_COLUMN = """() => {
    for (const doc of Bokeh.documents) {
        const src = doc.get_model_by_name('hx-trace-source');
        if (!src) continue;
        const column = (name) => src.data instanceof Map ? src.data.get(name) : src.data[name];
        const neuron = column('neuron') || [], xs = column('xs') || [];
        let count = 0, last = -1;
        for (let row = 0; row < neuron.length; row++) {
            if (neuron[row] !== neuron[0] || !xs[row].length) continue;
            count += xs[row].length - (count ? 1 : 0);
            last = xs[row][xs[row].length - 1];
        }
        return [count, last];
    }
    return [0, -1];
}"""


def _samples(page, ui) -> int:
    """Samples per trace in the page (long traces are decimated: this need not grow)."""
    return page.evaluate(_TIME_COLUMN)[0]


def _extent(page, ui) -> float:
    """Time (µs) of the last sample of the traces in the page: how far they reach."""
    return page.evaluate(_TIME_COLUMN)[1]


def _long_recurrent() -> Network:
    """8 LIF neurons with a self-projection (a RecurrentGroup, stepped one step at a time) over
    12 000 steps: several seconds of computing on this machine (≈ 1.5 ms per step)."""
    net = Network(name="long recurrent run", dt=1e-6, duration=STEPS * 1e-6)
    net.add_population("in", "input", 4, stimulus=PoissonRate(rate=20e3, seed=1), position=(40.0, 100.0))
    net.add_population("ring", "LIF", 8, position=(300.0, 100.0))
    net.add_projection("in", "ring", init=ConstantInit(value=30.0))
    net.add_projection("ring", "ring", init=ConstantInit(value=5.0))
    return net


def test_traces_grow_during_a_long_run_and_stop_keeps_them(page, ui):
    ui.wait_for(lambda: _samples(page, ui) == 38, what="the Yin-Yang traces")
    ui.wait_for(lambda: "ran 38 steps" in ui.text(page, ".hx-run-status"), what="the first run")
    before = _extent(page, ui)                             # 37 µs: the Yin-Yang run
    _upload(page, _long_recurrent(), "long.json")
    seen, progress = [], ""
    deadline = time.time() + 60
    while len(seen) < 3 and time.time() < deadline:        # several polls, each reaching further
        end = _extent(page, ui)
        if 0 < end < STEPS and (seen or end != before) and (not seen or end > seen[-1]):
            seen.append(end)
        if seen and f"/ {STEPS} µs" not in progress:
            progress = ui.text(page, ".hx-run-progress")
        time.sleep(0.1)
    assert len(seen) >= 3, seen
    assert f"/ {STEPS} µs" in progress                      # the progress shows the simulated time

    page.click(".hx-stop-button button")
    status = ui.wait_for(lambda: "stopped at" in (t := ui.text(page, ".hx-run-status")) and t,
                         timeout=10, what="the stopped status")
    stopped_at = float(status.split("stopped at ")[1].split(" / ")[0])
    assert seen[-1] < stopped_at < STEPS
    time.sleep(1.0)
    kept = _extent(page, ui)
    time.sleep(1.0)
    assert _extent(page, ui) == kept and _samples(page, ui) > 100   # nothing grows after Stop
    assert seen[-1] <= kept <= stopped_at                  # the partial traces stay
    assert "µs" not in ui.text(page, ".hx-run-progress")   # the progress goes with the run
    assert page.locator(".hx-stop-button button").is_disabled()


def test_a_run_that_raises_shows_the_error_and_keeps_the_plots(page, ui):
    ui.wait_for(lambda: _samples(page, ui) == 38, what="the Yin-Yang traces")
    ui.wait_for(lambda: "ran 38 steps" in ui.text(page, ".hx-run-status"), what="the first run")
    before = ui.source(page, "hx-trace-source")
    # the document accepts it; running it on the emulated chip raises: 600 neurons on 512 circuits
    net = Network(name="too big for the chip", dt=1e-6, duration=20e-6, target="emulator")
    net.add_population("in", "input", 1, position=(40.0, 100.0))
    net.add_population("a", "LIF", 300, position=(300.0, 40.0))
    net.add_population("b", "LIF", 300, position=(300.0, 200.0))
    net.add_projection("in", "a")
    net.add_projection("in", "b")
    _upload(page, net, "big.json")
    message = ui.wait_for(lambda: "run failed" in (t := ui.text(page, ".hx-run-error")) and t,
                          what="the run error")
    assert "neuron circuits" in message and "512" in message
    assert ui.source(page, "hx-trace-source") == before
    assert not page.locator(".hx-run-button button").is_disabled()
