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
