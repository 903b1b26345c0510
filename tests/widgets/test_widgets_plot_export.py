"""Data export (CSV/NPZ round-trip exactly), the SVG/PNG toolbar actions and the rate table."""

import csv
import io

import numpy as np
import pytest
from bokeh.models import CustomAction, SaveTool

from hxstudio.widgets import DataDownloads, RateSummary, TracePlot, csv_bytes, npz_bytes
from hxstudio.widgets.rates import rate_table


@pytest.fixture
def arrays():
    rng = np.random.default_rng(4)
    steps = 7
    return {
        "time": np.arange(steps) * 1e-6 / 3,  # float64 values that need 17 digits
        "hidden/spikes": (rng.random((steps, 1, 3)) < 0.4).astype(np.float32),
        "hidden/membrane_cadc": rng.normal(100, 30, (steps, 1, 3)).astype(np.float32),
        "out/current": rng.normal(0, 1, (steps, 2, 1)).astype(np.float32),
        "hidden/membrane_madc": rng.integers(0, 1024, (11, 1)),  # own clock: NPZ only
        "hidden/madc_neuron": np.array(2),
    }


def test_csv_round_trips_exactly(arrays):
    rows = list(csv.reader(io.StringIO(csv_bytes(arrays).decode())))
    header, body = rows[0], rows[1:]
    assert header == ["time_s"] + [f"hidden/spikes/b0/n{i}" for i in range(3)] + [
        f"hidden/membrane_cadc/b0/n{i}" for i in range(3)] + ["out/current/b0/n0", "out/current/b1/n0"]
    assert len(body) == 7
    table = {name: [row[i] for row in body] for i, name in enumerate(header)}
    np.testing.assert_array_equal(np.array(table["time_s"], dtype=np.float64), arrays["time"])
    for i in range(3):
        np.testing.assert_array_equal(np.array(table[f"hidden/membrane_cadc/b0/n{i}"], dtype=np.float32),
                                      arrays["hidden/membrane_cadc"][:, 0, i])
    np.testing.assert_array_equal(np.array(table["out/current/b1/n0"], dtype=np.float32),
                                  arrays["out/current"][:, 1, 0])
    with pytest.raises(ValueError, match="time"):
        csv_bytes({"x": np.zeros((2, 2))})


def test_npz_round_trips_exactly(arrays):
    with np.load(io.BytesIO(npz_bytes(arrays))) as loaded:
        assert sorted(loaded.files) == sorted(arrays)
        for key, value in arrays.items():
            assert loaded[key].dtype == value.dtype
            np.testing.assert_array_equal(loaded[key], value)


def test_download_buttons_build_files_from_the_current_result(arrays):
    current = {"arrays": None}
    downloads = DataDownloads(lambda: current["arrays"])
    assert downloads.npz.callback().getvalue() == b""  # nothing run yet
    current["arrays"] = arrays
    assert downloads.csv.callback().getvalue() == csv_bytes(arrays)
    assert downloads.npz.filename == "result.npz" and downloads.csv.filename == "result.csv"
    downloads.rename("yin-yang-result")
    assert (downloads.csv.filename, downloads.npz.filename) == ("yin-yang-result.csv", "yin-yang-result.npz")
    assert "hx-download-csv" in downloads.csv.css_classes and "hx-download-npz" in downloads.npz.css_classes


def test_plots_have_png_and_svg_export():
    fig = TracePlot().figure
    (save,) = fig.select(type=SaveTool)
    assert save.filename == "trace" and save.description == "Save as PNG"
    (svg,) = fig.select(type=CustomAction)
    assert svg.description == "Save as SVG"
    assert 'export("svg")' in svg.callback.code and svg.callback.args["name"] == "trace"


def test_rate_table_in_khz_of_hardware_time():
    spikes = {"in": np.zeros((100, 2)), "hidden": np.zeros((100, 1, 4))}
    spikes["in"][[1, 5, 9], [0, 0, 1]] = 1
    spikes["hidden"][:10, 0, 0] = 1
    rows = rate_table(spikes, duration=100e-6)  # 100 steps of 1 µs
    assert rows == {"population": ["in", "hidden"], "neurons": [2, 4], "spikes": [3, 10],
                    "rate_khz": [pytest.approx(15.0), pytest.approx(25.0)]}  # 3 / (2 · 100 µs) = 15 kHz
    summary = RateSummary()
    summary.update(spikes, 100e-6)
    assert summary.rate_source.data["spikes"] == [3, 10]
    assert summary.rate_source.data["label"] == ["3 spikes · 15.000 kHz", "10 spikes · 25.000 kHz"]
    assert list(summary.figure.y_range.factors) == ["in", "hidden"]
    assert "kHz" in summary.figure.xaxis[0].axis_label
    assert (summary.figure.x_range.start, summary.figure.x_range.end) == (0.0, 30.0)  # 25 kHz, rounded out
    spikes["hidden"][10, 0, 0] = 1                         # 27.5 kHz (+ 5 %): still fits, the axis stays
    summary.update(spikes, 100e-6)
    assert summary.rate_source.data["rate_khz"][1] == pytest.approx(27.5)
    assert (summary.figure.x_range.start, summary.figure.x_range.end) == (0.0, 30.0)
    spikes["hidden"][11, 0, 0] = 1                         # 30 kHz: the padded value leaves the axis
    summary.update(spikes, 100e-6)
    assert (summary.figure.x_range.start, summary.figure.x_range.end) == (0.0, 35.0)
