"""ParameterPanel switches (``"kind": "bool"`` specs, e.g. AdEx's ``exponential``) and range labels."""

import panel as pn

from hxstudio.widgets import ParameterPanel

SPECS = [
    {"name": "tau_adap", "label": "τ_adap", "unit": "s", "default": 100e-6, "calibrated": (1e-6, 500e-6),
     "soft": (10e-6, 300e-6), "step": 1e-6, "doc": "Adaptation time constant.", "range_label": "Accepted range"},
    {"name": "subthreshold_adaptation_strength", "label": "a", "unit": "1", "default": 1.0,
     "calibrated": (-10.0, 10.0), "soft": (0.0, 5.0), "step": 0.1, "doc": "Subthreshold adaptation."},
    {"name": "exponential", "label": "exponential term", "kind": "bool", "default": True,
     "doc": "Exponential term."},
]


def _panel(values):
    p = ParameterPanel()
    p.calls = []
    p.on_change = lambda name, value: p.calls.append((name, value))
    p.show("adex · AELIF", SPECS, values)
    return p


def test_a_bool_spec_is_a_checkbox_that_reports_toggles():
    panel = _panel({"exponential": False})
    box = panel.widget("exponential")
    assert isinstance(box, pn.widgets.Checkbox)
    assert (box.label, box.value, box.css_classes) == ("exponential term", False, ["hx-param-exponential"])
    assert panel.values["exponential"] is False
    box.value = True
    assert panel.calls == [("exponential", True)] and panel.values["exponential"] is True
    box.value = True  # no change, no call
    assert panel.calls == [("exponential", True)]


def test_switch_default_and_slider_neighbours():
    panel = _panel({})
    assert panel.widget("exponential").value is True
    assert panel.readout("tau_adap") == "100.0 µs (bio 100 ms)"
    assert panel.readout("subthreshold_adaptation_strength") == "1"
    assert (panel.widget("tau_adap").start, panel.widget("tau_adap").end) == (10.0, 300.0)


def test_range_label_names_the_range_in_the_tooltip():
    panel = _panel({})
    icons = [obj for row in panel._body.objects if isinstance(row, pn.Row) for obj in row.objects
             if isinstance(obj, pn.widgets.TooltipIcon)]
    assert icons[0].value == "Adaptation time constant. Accepted range: 1.0 µs (bio 1 ms) … 500.0 µs (bio 500 ms)."
    assert icons[1].value == "Subthreshold adaptation. Calibrated range: -10 … 10."
    assert icons[2].value == "Exponential term."
