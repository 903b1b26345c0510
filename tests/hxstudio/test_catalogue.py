"""The parameter catalogue: one table, complete and consistent, used by validation and sliders."""

import subprocess
import sys

import pytest

from hxstudio.backend.chip.parameters import NEURON_PARAMETERS, PARAMETERS
from hxstudio.catalogue import widget_specs


@pytest.mark.parametrize("spec", PARAMETERS.values(), ids=lambda s: s.name)
def test_every_spec_is_complete_and_consistent(spec):
    low, high = spec.calibrated
    assert spec.unit in ("s", "CADC LSB", "CapMem LSB", "1")  # "1": model units (AdEx a, b)
    assert spec.doc.endswith(".") and len(spec.doc) > 20
    assert low <= spec.default <= high
    assert low <= spec.soft[0] < spec.soft[1] <= high
    assert 0 < spec.step < high - low


def test_calix_ranges_from_the_spec():
    # spec §8.4 feasible ranges (times in s)
    assert PARAMETERS["leak"].calibrated == (50.0, 160.0)
    assert PARAMETERS["reset"].calibrated == (50.0, 160.0)
    assert PARAMETERS["threshold"].calibrated == (50.0, 220.0)
    assert PARAMETERS["tau_mem"].calibrated == (0.5e-6, 60e-6)
    assert PARAMETERS["tau_syn"].calibrated == (0.3e-6, 30e-6)
    assert PARAMETERS["refractory_time"].calibrated == (0.04e-6, 32e-6)
    assert PARAMETERS["i_synin_gm"].calibrated == (30.0, 800.0)


def test_widget_specs_come_from_the_table():
    specs = {s["name"]: s for s in widget_specs("LIF")}
    assert list(specs) == list(NEURON_PARAMETERS["LIF"])
    assert specs["tau_mem"]["calibrated"] == PARAMETERS["tau_mem"].calibrated
    assert specs["tau_mem"]["label"] == "τ_mem"
    assert specs["i_synin_gm"]["doc"].endswith("No effect in the mock.")
    assert [s["name"] for s in widget_specs("LI")] == list(NEURON_PARAMETERS["LI"])
    assert all(s["range_label"] == "Calibrated range" for s in widget_specs("LIF"))  # all calibrated by calix
    assert widget_specs("input") == []


def test_import_hxstudio_is_light():
    code = "import sys, hxstudio; print(sorted(m for m in ('torch', 'panel', 'bokeh') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"
