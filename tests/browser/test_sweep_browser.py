"""The sweep card in a real browser: a sweep started from the page fills the plot as points arrive.

The points are computed in the sweep's background thread and pushed to the page through the
Bokeh document's next-tick callbacks; this checks that path end to end (no console error, nothing
leaves 127.0.0.1: fixtures in ``conftest.py``).
"""

import math

import pytest

pytestmark = pytest.mark.browser


def test_sweep_from_the_page_fills_the_line(page, ui):
    page.get_by_text("Parameter sweep").first.click()
    button = page.locator(".hx-sweep-run button").first
    button.wait_for(timeout=15_000)
    button.click()
    data = ui.wait_for(lambda: (d := ui.source(page, "hx-sweep-source")) and len(d["value"]) == 9
                       and all(c > 0 for c in d["count"]) and d, timeout=60, what="all 9 sweep points")
    assert all(math.isfinite(v) for v in data["value"])          # rate:hidden of the Yin-Yang example
    assert data["value"][0] > data["value"][-1]                  # threshold 50 … 220: fewer spikes
    assert data["x"][0] == 50.0 and data["x"][-1] == 220.0
    status = ui.wait_for(lambda: "swept 9 points" in (t := ui.text(page, ".hx-sweep-plot pre")) and t,
                         what="the sweep status")
    assert "swept 9 points" in status
