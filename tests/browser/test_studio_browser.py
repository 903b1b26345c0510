"""The studio in a real browser: Debian chromium driven by Playwright against ``hxstudio serve``.

Fails on any request that leaves 127.0.0.1 and on any console error.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.browser

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``hxstudio serve`` on a free loopback port (run from a scratch folder)."""
    port = _free_port()
    cwd = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen([sys.executable, "-m", "hxstudio.cli", "serve", "--port", str(port)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=5).status == 200:
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("hxstudio serve exited:\n" + proc.stdout.read())
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("hxstudio serve did not answer within 90 s")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(chromium, server):
    """A fresh page on the studio; after the test, asserts no external request and no console error."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        external, errors = [], []
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        page.wait_for_selector(".react-flow__node", timeout=60_000)
        yield page
        browser.close()
    assert external == [], f"requests left 127.0.0.1: {external}"
    assert errors == [], f"console errors: {errors}"


def _source(page, name: str) -> dict:
    """Data of the Bokeh ColumnDataSource called ``name`` in the page, as plain lists."""
    return page.evaluate(
        """name => {
            for (const doc of Bokeh.documents) {
                const src = doc.get_model_by_name(name);
                if (src) {
                    const out = {};
                    const entries = src.data instanceof Map ? src.data.entries() : Object.entries(src.data);
                    for (const [k, v] of entries) out[k] = Array.from(v, x => (x && x.length !== undefined && typeof x !== 'string') ? Array.from(x) : x);
                    return out;
                }
            }
            return null;
        }""",
        name,
    )


def _text(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => (e.shadowRoot || e).textContent")


def _wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_example_runs_and_threshold_change_updates_plots(page):
    ids = page.eval_on_selector_all(".react-flow__node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == ["hidden", "input", "readout"]
    edges = page.eval_on_selector_all(".react-flow__edge", "es => es.map(e => e.dataset.id)")
    assert sorted(edges) == ["hidden→readout", "input→hidden"]

    before = _wait_for(lambda: _source(page, "hx-trace-source"), what="trace data")
    raster = _source(page, "hx-raster-source")
    assert len(before["ys"]) == 32 and len(before["ys"][0]) == 38      # 32 hidden neurons × 38 steps
    assert len(raster["x"]) > 5                                         # input spikes and hidden spikes

    page.click('.react-flow__node[data-id="hidden"]')
    box = page.locator(".hx-param-threshold input").first
    box.wait_for(timeout=15_000)
    box.fill("100")
    box.press("Enter")
    page.click(".hx-run-button button")
    after = _wait_for(lambda: (d := _source(page, "hx-trace-source")) and d["ys"] != before["ys"] and d,
                      what="the trace to change after Run")
    raster_after = _source(page, "hx-raster-source")
    assert len(raster_after["x"]) > len(raster["x"])     # a lower threshold makes more hidden spikes
    assert max(max(y) for y in after["ys"]) <= 100.0 + 1e-3  # nothing is stored above threshold
    status = _text(page, ".hx-run-status")
    assert "ran 38 steps on the mock" in status


def test_bad_upload_shows_the_message_and_keeps_the_project(page, tmp_path):
    project = json.loads(subprocess.run([sys.executable, "-m", "hxstudio.cli", "example", "psp"],
                                        capture_output=True, text=True, check=True).stdout)
    project["populations"][2]["params"]["tau_mem"] = 1.0
    page.set_input_files("input[type=file]", files=[{
        "name": "bad.json", "mimeType": "application/json", "buffer": json.dumps(project).encode()}])
    message = _wait_for(lambda: "calibrated range" in (t := _text(page, ".hx-run-error")) and t,
                        what="the upload error")
    assert "bad.json: population 'neuron': tau_mem = 1 s is outside the calibrated range [0.5 µs, 60 µs]" in message
    ids = page.eval_on_selector_all(".react-flow__node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == ["hidden", "input", "readout"]
