"""Shared test helpers.

Browser and notebook tests skip when chromium / Playwright / a Jupyter kernel are missing, except
under ``HXSTUDIO_REQUIRE_ALL=1`` (set by ``.ci/run``), where a missing piece is a failure.
"""

import os

import pytest

REQUIRE_ALL = os.environ.get("HXSTUDIO_REQUIRE_ALL") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip the calling test unless ``condition`` holds; fail instead under HXSTUDIO_REQUIRE_ALL=1."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (HXSTUDIO_REQUIRE_ALL=1: browser and notebook tests must run)")
    pytest.skip(reason)


@pytest.fixture
def chromium():
    """Path of Debian's chromium, after checking Playwright imports (skip/fail as :func:`require`)."""
    path = "/usr/bin/chromium"
    require(os.path.exists(path), "Debian chromium is not installed (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "playwright is not installed (pip install playwright)")
    return path


@pytest.fixture(name="require")
def require_fixture():
    """The :func:`require` helper as a fixture."""
    return require


class _ServedDocument:
    """Stands in for a served Bokeh document: keeps the callbacks scheduled on it (``next_tick``:
    callbacks; ``timeouts``: ``(callback, delay_ms)``) instead of running them."""

    session_context = True

    def __init__(self):
        self.next_tick, self.timeouts = [], []

    def add_next_tick_callback(self, callback):
        self.next_tick.append(callback)

    def add_timeout_callback(self, callback, delay_ms):
        self.timeouts.append((callback, delay_ms))


@pytest.fixture
def served_document():
    """A :class:`_ServedDocument`."""
    return _ServedDocument()
