"""Fixtures of the hxstudio tests: ``hxtorch_stand_in`` makes ``import hxtorch.spiking`` give
:mod:`hxstudio.backend` (``stand_in_source``: the same for a subprocess), ``no_hxtorch`` makes it
fail as on a machine without hxtorch."""

import sys
import types

import pytest

import hxstudio.backend

_STAND_IN = ("import sys, types, hxstudio.backend as b; m = types.ModuleType('hxtorch'); m.spiking = b; "
            "sys.modules['hxtorch'] = m; sys.modules['hxtorch.spiking'] = b")


@pytest.fixture
def hxtorch_stand_in(monkeypatch):
    """``hxtorch`` / ``hxtorch.spiking`` in ``sys.modules`` point at :mod:`hxstudio.backend`."""
    package = types.ModuleType("hxtorch")
    package.spiking = hxstudio.backend
    monkeypatch.setitem(sys.modules, "hxtorch", package)
    monkeypatch.setitem(sys.modules, "hxtorch.spiking", hxstudio.backend)
    return hxstudio.backend


@pytest.fixture
def no_hxtorch(monkeypatch):
    """``import hxtorch`` raises ``ModuleNotFoundError`` (as when it is not installed)."""
    monkeypatch.setitem(sys.modules, "hxtorch", None)
    monkeypatch.delitem(sys.modules, "hxtorch.spiking", raising=False)


@pytest.fixture
def stand_in_source():
    """Python source that installs the stand-in in a fresh interpreter (for scripts run in a
    subprocess with ``python -c``)."""
    return _STAND_IN


@pytest.fixture
def six_hundred_lif():
    """A project that fits the mock but not the chip: 2 × 300 LIF neurons on the emulator target."""
    from hxstudio.network import Network

    net = Network(name="600 LIF", duration=20e-6, target="emulator")
    net.add_population("in", "input", 2)
    net.add_population("a", "LIF", 300)
    net.add_population("b", "LIF", 300)
    net.add_projection("in", "a")
    net.add_projection("a", "b")
    return net
