"""Every notebook executes top to bottom (nbclient) and shows the values it teaches.

The kernel runs with ``CI=1``: the notebooks then use their small settings (shorter runs, coarser
grids). Notebooks 02… end with a cell printing ``RESULTS {json}``; the checks below read it.
"""

import json
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
#: PSP amplitude per unit weight for τ_mem = τ_syn = C = 10 µs, dt = 1 µs (hxtorch.spiking spec §6.1).
PSP_PER_WEIGHT = 0.38742


def _execute(path, require, monkeypatch):
    try:
        import nbformat
        from jupyter_client.kernelspec import KernelSpecManager
        from nbclient import NotebookClient
    except ImportError as exc:
        require(False, f"notebook tools missing: {exc}")
    require("python3" in KernelSpecManager().find_kernel_specs(), "no python3 Jupyter kernel (pip install ipykernel)")
    monkeypatch.setenv("CI", "1")  # the kernel inherits the environment: small settings
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _text(nb) -> str:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            out.append(o.get("text", ""))
    return "".join(out)


def _results(nb) -> dict:
    lines = [line for line in _text(nb).splitlines() if line.startswith("RESULTS ")]
    assert len(lines) == 1, f"expected one RESULTS line, got {len(lines)}"
    return json.loads(lines[0][len("RESULTS "):])


def _rendered(cell) -> bool:
    """Whether a code cell's output is a Panel/Bokeh view."""
    return any("application/vnd.holoviews_exec.v0+json" in o.get("data", {}) or "text/html" in o.get("data", {})
               for o in cell.outputs)


def check_01(nb):
    text = _text(nb)
    assert "before run: None" in text
    assert "after run: (120, 1, 1)" in text
    assert "EPSP peak: 103.245 CADC LSB" in text
    assert "spike steps: [" in text and "spike steps: []" not in text
    assert "spike counts: {'excitatory': 4, 'inhibitory': 1, 'neuron':" in text
    studio_cell = next(c for c in nb.cells if "hxstudio.Studio(" in c.source)
    assert _rendered(studio_cell)


def check_02(nb):
    r = _results(nb)
    # PSP amplitude ∝ weight, excitatory and inhibitory alike
    assert r["psp_per_weight"] == pytest.approx([PSP_PER_WEIGHT] * 5, rel=1e-4)
    currents, rates = r["fi_currents"], r["fi_rates_khz"]
    assert currents[0] == 0 and len(currents) == len(rates) == 21
    assert all(b >= a for a, b in zip(rates, rates[1:])), f"f–I curve not monotonic: {rates}"
    # silent up to the rheobase threshold − leak = 45, firing above it
    assert all(f == 0 for i, f in zip(currents, rates) if i <= 45)
    assert all(f > 0 for i, f in zip(currents, rates) if i > 45)
    # golden rates of the discrete model (CI: 500 steps): I = 50 → 21 spikes, 80 → 54, 200 → 123
    by_current = dict(zip(currents, rates))
    assert by_current[50.0] == pytest.approx(42.0, abs=1e-3)
    assert by_current[80.0] == pytest.approx(108.0, abs=1e-3)
    assert by_current[200.0] == pytest.approx(246.0, abs=1e-3)
    # the live widget and the plots rendered
    assert sum(_rendered(c) for c in nb.cells if c.cell_type == "code") >= 3


def check_03(nb):
    r = _results(nb)
    # weights 2, 3, 4, 5 (I = 20…50): LIF rheobase is I = 45; the exponential term lowers it below 30
    off, on = r["exp_counts_off"], r["exp_counts_on"]
    assert off[:3] == [0, 0, 0] and off[3] > 0
    assert on[0] == 0 and all(n > 0 for n in on[1:])
    assert all(a >= b for a, b in zip(on, off)), (on, off)
    isi = r["isi"]
    tonic, adapting, bursting = isi["tonic"], isi["adapting"], isi["bursting"]
    assert len(tonic) > 5 and max(tonic) - min(tonic) <= 1, tonic          # regular
    assert all(b >= a for a, b in zip(adapting, adapting[1:])), adapting    # adaptation: the ISI grows
    assert adapting[-1] >= 2 * adapting[0], adapting
    long_gaps = [d for d in bursting if d > 50]
    assert len(long_gaps) >= 2 and min(bursting) <= 5, bursting             # bursts: short ISIs, long pauses
    assert len(bursting) - len(long_gaps) >= 2 * len(long_gaps), bursting   # ≥ 3 spikes per burst


def check_04(nb):
    r = _results(nb)
    # 50 LSB per model unit, clamp ±63, round half away from zero (12.5 → 13, −12.5 → −13)
    assert r["quantised"] == [0.0, 0.0, 13.0, -13.0, 38.0, 50.0, 63.0, -63.0]
    assert r["quantised_grad"] == [50.0] * 6 + [0.0, 0.0]  # straight through, zero where clamped
    # MADC: 3235 samples in 110 µs (hxtorch's hardware test), 10-bit values around 4 · (80 + 0…25)
    assert r["madc_samples"] == 3235 and r["madc_samples_per_us"] == pytest.approx(29.41, abs=0.01)
    low, high = r["madc_value_range"]
    assert 300 <= low < 330 < high <= 1023
    # calibration shrinks every spread: potentials ≈ 20 → 2 LSB, τ ≈ 3 → 0.5 µs (30 % → 5 %), gain 0.3 → 0.1
    spread = r["spread"]
    assert set(spread) == {"leak", "reset", "threshold", "tau_mem", "tau_syn", "synaptic_gain"}
    for name, (raw, calibrated) in spread.items():
        assert calibrated < raw / 2.5, (name, raw, calibrated)
    for name in ("leak", "reset", "threshold"):
        assert spread[name] == pytest.approx([20.0, 2.0], rel=0.15), name
    for name in ("tau_mem", "tau_syn"):
        assert spread[name] == pytest.approx([3.0, 0.5], rel=0.15), name
    rate = r["rate_spread"]  # 100 identical neurons: lockstep in the mock, spread on the chip
    assert rate["mock"] == 0 and 0 < rate["calibrated chip"] < rate["uncalibrated chip"] / 3
    # trace scaling: rest at leak 80 reads 80 − 128 = −48; scaled PSP matches the mock's
    assert r["rest_raw"] == pytest.approx(-48.0, abs=3.0)
    assert r["psp_peak_chip"] == pytest.approx(r["psp_peak_mock"], abs=0.05) and r["psp_peak_mock"] > 0.25
    assert "512" in r["resource_error"] and "600" in r["resource_error"] and "'hidden'" in r["resource_error"]
    counts = r["net_counts"]  # chip ≠ mock; same seed → same result; another seed → another chip
    assert counts["mock"] > 0 and counts["chip seed 1"] > 0
    assert counts["chip seed 1"] != counts["mock"]
    assert counts["chip seed 1"] == counts["chip seed 1 again"]
    assert sum(_rendered(c) for c in nb.cells if c.cell_type == "code") >= 5


def check_05(nb):
    r = _results(nb)
    assert len(r["mock_test_acc"]) == len(r["mock_train_acc"]) == r["mock_epochs"] == 2   # CI settings
    assert r["mock_test_acc"][-1] > 1 / 3 + 0.25, r["mock_test_acc"]                      # well above chance
    assert 0 < r["chip_acc"] <= 1 and r["chip_loss"] > 0                                   # reported
    assert len(r["loop_test_loss"]) == len(r["loop_train_loss"]) == len(r["loop_test_acc"]) == r["loop_epochs"] == 2
    # in-the-loop training lowers the loss: per epoch in training, and on the chip's test set
    assert r["loop_train_loss"][-1] < r["loop_train_loss"][0], r["loop_train_loss"]
    assert r["loop_test_loss"][-1] < r["chip_loss"], (r["loop_test_loss"], r["chip_loss"])
    assert sum(_rendered(c) for c in nb.cells if c.cell_type == "code") >= 3             # data, dashboard ×2


def check_06(nb):
    r = _results(nb)
    assert set(r["roundtrip_identical"]) == {"input", "1", "3", "0.bias", "2.bias"}
    assert all(r["roundtrip_identical"].values()), r["roundtrip_identical"]
    assert r["roundtrip_counts"] == r["changed_counts"]
    original, changed = r["original_counts"], r["changed_counts"]
    assert original["input"] == changed["input"] > 0        # the same seeded Poisson input
    assert original["1"] > 0 and original["3"] > 0
    assert changed["3"] > original["3"]                     # lower threshold → more output spikes
    assert changed["1"] != original["1"]                    # stronger input weights
    studio_cell = next(c for c in nb.cells if "hxstudio.Studio(" in c.source)
    assert _rendered(studio_cell)


def check_07(nb):
    r = _results(nb)
    assert r["shape"] == [4, 3] and r["errors"] == 0
    assert r["weights"] == [2.0, 4.0, 6.0, 8.0] and r["thresholds"] == [110.0, 125.0, 140.0]
    rates = r["rates_khz"]
    for j in range(3):  # rate rises with the weight at every threshold
        column = [row[j] for row in rates]
        assert all(b >= a for a, b in zip(column, column[1:])) and column[-1] > column[0], column
    for row in rates:   # and falls with the threshold at every weight
        assert all(b <= a for a, b in zip(row, row[1:])), row
    assert rates[0] == [0.0, 0.0, 0.0]          # weight 2: silent
    assert rates[3][0] == pytest.approx(140.0)  # weight 8, threshold 110: 140 spikes in 10 neurons · 100 µs


CHECKS = {"01_getting_started.ipynb": check_01, "02_single_neuron.ipynb": check_02,
          "03_adex_dynamics.ipynb": check_03, "04_mock_to_chip.ipynb": check_04,
          "05_learning.ipynb": check_05, "06_nir_exchange.ipynb": check_06, "07_quick_tuning.ipynb": check_07}


@pytest.mark.notebook
def test_every_notebook_is_checked():
    assert [p.name for p in NOTEBOOKS if p.name in CHECKS] == sorted(CHECKS)
    assert [p.name for p in NOTEBOOKS if p.name not in CHECKS] == [], "add a check for each new notebook"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean_with_exercises(path):
    """Stored without outputs (no CDN paths or stale numbers in git); 02… have hidden solutions."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: outputs not cleared"
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert markdown.startswith(f"# {path.name[:2]} · ") and "**Goal:**" in markdown[:600], f"{path.name}: title, goal"
    assert "## Exercises" in markdown and "<details><summary>Solution" in markdown


@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(CHECKS), ids=[n[:2] for n in sorted(CHECKS)])
def test_notebook_executes(name, require, monkeypatch):
    nb = _execute(NOTEBOOK_DIR / name, require, monkeypatch)
    CHECKS[name](nb)
