"""JupyterLab in a real browser: notebook 01 runs and the studio renders inline, offline.

A JupyterLab server (loopback, random token) serves a scratch copy of ``notebooks/01``; chromium
opens it, runs every cell through the *Run → Run All Cells* menu and waits for the studio's canvas
nodes and Bokeh plots. The ``guarded_page`` guards fail the test on any request leaving 127.0.0.1
and on any console error. The server gets fresh settings/config folders and has every feature that
reaches the internet switched off: the news feed and update check (``news_url=None``,
``NeverCheckForUpdate``, ``fetchNews: "false"``) and the PyPI extension manager (``readonly``).

Set ``HXSTUDIO_NOTEBOOK_SCREENSHOT=docs/notebook.png`` to save the README's screenshot.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "01_getting_started.ipynb"
#: Generous bounds: a loaded 2-core CI machine needs about a minute for the whole run.
START_S, RUN_MS = 120, 240_000


@pytest.fixture
def jupyterlab(tmp_path, require, free_port):
    """``(url, token, log)`` of a JupyterLab server on 127.0.0.1 serving a copy of notebook 01."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        require(False, "jupyterlab is not installed (pip install jupyterlab)")
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root)
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path / "jupyterlab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + START_S
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=10)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield url, token, tmp_path / "jupyterlab.log"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _run_all_cells(page, tries=3):
    """Run → Run All Cells; again if no cell was queued (the menu entry stays disabled until the
    notebook panel is active, which can take a while on a loaded machine)."""
    queued = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    for _ in range(tries):
        page.locator(".jp-Notebook").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(queued, timeout=20_000)
            return
        except Exception:
            page.keyboard.press("Escape")
    pytest.fail("Run → Run All Cells queued no cell")


@pytest.mark.browser
def test_notebook_01_runs_in_jupyterlab(jupyterlab, guarded_page):
    url, token, log = jupyterlab
    with guarded_page(f"{url}/lab/tree/{NOTEBOOK.name}?token={token}", ".jp-Notebook", timeout=START_S * 1000) as page:
        idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
        page.locator(".jp-Notebook .jp-RenderedMarkdown h1").first.wait_for(timeout=START_S * 1000)  # cells shown
        page.locator(".jp-StatusBar-TextItem").filter(has_text=re.compile(r"ipykernel\) \| Idle")).wait_for(
            timeout=START_S * 1000)  # the kernel is connected (the execution indicator is idle before that)
        _run_all_cells(page)
        # the studio, inline in the last code cell: three populations on the canvas, Bokeh plots
        try:
            page.wait_for_selector(".jp-OutputArea .react-flow__node", timeout=RUN_MS)
        except Exception:
            pytest.fail("no studio canvas; status bar: " + page.locator(".jp-StatusBar-Widget").inner_text()
                        + "\noutputs:\n" + "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
                        + "\nserver log:\n" + log.read_text()[-4000:])
        page.wait_for_selector(idle, timeout=RUN_MS)
        nodes = page.locator(".react-flow__node").all_inner_texts()
        assert len(nodes) == 3
        assert all(any(name in node for node in nodes) for name in ("excitatory", "inhibitory", "neuron")), nodes
        page.locator(".jp-OutputArea .bk-Canvas").nth(1).wait_for(timeout=RUN_MS)  # (CSS pierces shadow roots)
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
        text = "\n".join(outputs)
        assert "EPSP peak: 103.245 CADC LSB" in text
        assert "spike counts: {'excitatory': 4, 'inhibitory': 1, 'neuron': 1}" in text
        assert "Traceback" not in text
        target = os.environ.get("HXSTUDIO_NOTEBOOK_SCREENSHOT")
        if target:
            page.locator(".react-flow").first.scroll_into_view_if_needed()
            page.screenshot(path=target)
