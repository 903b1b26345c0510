"""SweepPanel driven from Python: SI specs out, cells filled with seed means, clicks call back."""

import math

import numpy as np
import pytest
from bokeh.document import Document
from pyviz_comms import Comm

from hxstudio.widgets import SweepPanel
from hxstudio.widgets.sweep_panel import ADDRESS

OPTIONS = [
    {"name": "hidden.threshold", "label": "hidden.threshold", "unit": "CADC LSB", "value": 125.0,
     "soft": (50.0, 220.0), "step": 1.0, "integer": False},
    {"name": "hidden.tau_mem", "label": "hidden.tau_mem", "unit": "s", "value": 10e-6,
     "soft": (1e-6, 60e-6), "step": 0.1e-6, "integer": False},
    {"name": "input→hidden.init.seed", "label": "input→hidden.init.seed", "unit": "1", "value": 1.0,
     "soft": (1.0, 10.0), "step": 1.0, "integer": True},
]


@pytest.fixture
def panel():
    return SweepPanel(options=OPTIONS, metrics=["rate:hidden", "latency:hidden"])


def _choose(panel, k, name, start, stop, count):
    axis = panel._axis[k]
    axis["name"].value = name
    axis["start"].value, axis["stop"].value, axis["count"].value = start, stop, count


def test_inputs_show_display_units_and_run_sends_si(panel):
    sent = []
    panel.on_run = sent.append
    _choose(panel, 0, "hidden.tau_mem", 2.0, 10.0, 3)
    assert panel._axis[0]["start"].label == "from (µs)"
    _choose(panel, 1, "input→hidden.init.seed", 1.0, 3.0, 5)
    panel._seeds.value = 2
    panel._metric.value = "latency:hidden"
    panel.run()
    assert sent == [{"axes": [{"name": "hidden.tau_mem", "values": [2e-6, 6e-6, 10e-6]},
                              {"name": "input→hidden.init.seed", "values": [1, 2, 3]}],
                     "metric": "latency:hidden", "seeds": 2, "executor": "local"}]


def test_choosing_a_parameter_prefills_its_soft_range(panel):
    panel._axis[0]["name"].value = "hidden.tau_mem"
    assert (panel._axis[0]["start"].value, panel._axis[0]["stop"].value) == (1.0, 60.0)
    panel._axis[0]["name"].value = "hidden.threshold"
    assert (panel._axis[0]["start"].value, panel._axis[0]["stop"].value) == (50.0, 220.0)
    assert panel._axis[1]["name"].value == "(none)"


def test_bad_choices_show_an_error_and_send_nothing(panel):
    sent = []
    panel.on_run = sent.append
    _choose(panel, 0, "hidden.threshold", 100.0, 140.0, 3)
    _choose(panel, 1, "hidden.threshold", 100.0, 140.0, 3)
    panel.run()
    assert sent == [] and panel.error == "choose two different parameters"
    assert panel._alert.visible
    panel._axis[1]["name"].value = "(none)"
    panel._executor.value = ADDRESS
    assert panel._address.visible
    panel.run()
    assert panel.error.startswith("type the scheduler address")
    panel._address.value = "tcp://127.0.0.1:8786"
    panel.run()
    assert sent[-1]["executor"] == "tcp://127.0.0.1:8786" and panel.error == ""


def test_heatmap_fills_with_seed_means_and_click_picks(panel):
    axes = [{"name": "hidden.threshold", "values": [100.0, 120.0]},
            {"name": "hidden.tau_mem", "values": [5e-6, 10e-6, 20e-6]}]
    panel.begin(axes, "rate:hidden", "Hz", total=12)
    assert panel.running and panel._cancel.disabled is False and panel._run.disabled
    assert panel._rect.visible and not panel._line.visible
    assert np.isnan(panel.values).all() and panel.values.shape == (2, 3)
    panel.add([
        {"values": {"hidden.threshold": 100.0, "hidden.tau_mem": 10e-6}, "value": 2000.0, "error": ""},
        {"values": {"hidden.threshold": 100.0, "hidden.tau_mem": 10e-6}, "value": 4000.0, "error": ""},
        {"values": {"hidden.threshold": 120.0, "hidden.tau_mem": 5e-6}, "value": math.nan, "error": "refused"},
        {"values": {"hidden.threshold": 120.0, "hidden.tau_mem": 20e-6}, "value": 1000.0, "error": ""},
    ])
    values = panel.values
    assert values[0, 1] == 3000.0 and values[1, 2] == 1000.0  # mean over seeds
    assert np.isnan(values[1, 0]) and np.isnan(values[0, 0])
    row = 1 * 3 + 0
    assert panel.source.data["errors"][row] == 1 and panel.source.data["count"][row] == 1
    assert panel.source.data["shown"][1] == "3 kHz"
    assert panel.source.data["label"][1] == "hidden.threshold = 100 CADC LSB, hidden.tau_mem = 10 µs"
    assert panel.source.data["y"][1] == 3.0  # kHz: colour and line use display units
    assert (panel.color_mapper.low, panel.color_mapper.high) == (1.0, 3.0)
    assert panel.done == 4 and panel._progress.value == 4 and panel._progress.max == 12
    assert panel.figure.xaxis.major_label_overrides == {0: "100", 1: "120"}
    assert panel.figure.yaxis.major_label_overrides == {0: "5", 1: "10", 2: "20"}
    picked = []
    panel.on_pick = picked.append
    panel.pick(5)
    assert picked == [{"hidden.threshold": 120.0, "hidden.tau_mem": 20e-6}]
    cancelled = []
    panel.on_cancel = lambda: cancelled.append(True)
    panel._cancel.clicks += 1
    assert cancelled == [True]
    panel.finish("cancelled after 4 of 12 points")
    assert not panel.running and panel._cancel.disabled and panel._status.object == "cancelled after 4 of 12 points"


def test_one_parameter_draws_a_line(panel):
    panel.begin([{"name": "hidden.tau_mem", "values": [1e-6, 2e-6, 4e-6]}], "latency:hidden", "s")
    assert panel._line.visible and panel._dots.visible and not panel._rect.visible
    assert panel.source.data["x"] == [1.0, 2.0, 4.0]  # µs
    panel.add([{"values": {"hidden.tau_mem": 2e-6}, "value": 7.5e-5, "error": ""}])
    assert panel.source.data["value"][1] == 7.5e-5 and panel.source.data["shown"][1] == "75 µs"
    assert panel.source.data["y"][1] == pytest.approx(75.0)
    assert panel.figure.yaxis.axis_label == "latency:hidden [µs]"
    assert panel.total == 3


def test_builds_a_bokeh_model(panel):
    model = panel.__panel__().get_root(Document(), Comm())
    assert model is not None
    panel.begin([{"name": "hidden.threshold", "values": [100.0, 110.0]}], "rate:hidden", "Hz")
    panel.add([{"values": {"hidden.threshold": 110.0}, "value": 5.0, "error": ""}])
    assert panel.values.tolist()[1] == 5.0
