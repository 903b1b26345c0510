"""Browser-test fixtures: one ``hxstudio serve`` per session, a guarded page per test, UI helpers.

``page`` fails the test on any request that leaves 127.0.0.1 and on any console error;
``guarded_page(url, ready)`` opens any other local page (JupyterLab) under the same guards. ``ui`` bundles
the helpers: ``ui.source(page, name)`` (a Bokeh ColumnDataSource's data), ``ui.traces(page)`` (the
trace plot's traces, neuron → ``(time µs, values)``), ``ui.text(page, selector)`` (text inside a Panel
component's shadow root), ``ui.wait_for(predicate, timeout, what)``.
"""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def free_port():
    """The function that finds a free loopback port."""
    return _free_port


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """``hxstudio serve`` on a free loopback port (run from a scratch folder); every page gets its
    own studio session, so tests do not see each other's edits."""
    port = _free_port()
    cwd = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen([sys.executable, "-m", "hxstudio.cli", "serve", "--port", str(port)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=30).status == 200:  # a page builds a studio: slow under load
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("hxstudio serve exited:\n" + proc.stdout.read())
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("hxstudio serve did not answer within 180 s")
    yield url
    proc.terminate()
    proc.wait(10)


@contextlib.contextmanager
def guarded_page(chromium, url, ready, timeout=60_000):
    """A fresh chromium page on ``url``, once ``ready`` (a selector) shows; on leaving, asserts that
    no request left 127.0.0.1 and that the console logged no error."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        external, errors = [], []
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.wait_for_selector(ready, timeout=timeout)
        yield page
        browser.close()
    assert external == [], f"requests left 127.0.0.1: {external}"
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def page(chromium, server):
    """A fresh page on the studio; after the test, asserts no external request and no console error."""
    with guarded_page(chromium, server, ".react-flow__node") as page:
        yield page


@pytest.fixture(name="guarded_page")
def guarded_page_fixture(chromium):
    """:func:`guarded_page` with chromium filled in: ``with guarded_page(url, ready) as page: …``."""
    return lambda url, ready, timeout=60_000: guarded_page(chromium, url, ready, timeout)


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


def _traces(page) -> dict:
    """The trace plot's traces in the page: neuron → ``(time µs, values)`` (``{}`` before any)."""
    from hxstudio.widgets.plots import joined_traces

    data = _source(page, "hx-trace-source")
    return joined_traces(data) if data else {}


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


@pytest.fixture
def ui():
    """The page helpers: ``source``, ``traces``, ``text``, ``wait_for`` (see the module docstring)."""
    return SimpleNamespace(source=_source, traces=_traces, text=_text, wait_for=_wait_for)
