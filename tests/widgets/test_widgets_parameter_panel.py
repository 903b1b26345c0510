"""ParameterPanel: slider bounds = calibrated range, display units, commit-only callbacks."""

import asyncio

import param
import pytest

from hxstudio.widgets import ParameterPanel, format_readout

SPECS = [
    {"name": "tau_mem", "label": "τ_mem", "unit": "s", "default": 10e-6, "calibrated": (0.5e-6, 60e-6),
     "soft": (1e-6, 30e-6), "step": 0.1e-6, "doc": "Membrane time constant."},
    {"name": "threshold", "label": "threshold", "unit": "CADC LSB", "default": 120.0, "calibrated": (50.0, 220.0),
     "soft": (80.0, 200.0), "step": 1.0, "doc": "Spike threshold."},
    {"name": "i_synin_gm", "label": "i_synin_gm", "unit": "CapMem LSB", "default": 500.0,
     "calibrated": (30.0, 800.0), "soft": (100.0, 700.0), "step": 10.0, "doc": "Synaptic input OTA bias."},
]


@pytest.fixture
def panel():
    p = ParameterPanel()
    p.calls = []
    p.on_change = lambda name, value: p.calls.append((name, value))
    p.show("hidden · LIF", SPECS, {"tau_mem": 20e-6})
    return p


def test_readout_format():
    assert format_readout(10e-6, "s") == "10.0 µs (bio 10 ms)"
    assert format_readout(0.5e-6, "s") == "0.5 µs (bio 0.5 ms)"
    assert format_readout(1.25e-6, "s") == "1.25 µs (bio 1.25 ms)"
    assert format_readout(120.0, "CADC LSB") == "120 CADC LSB"
    assert format_readout(0.5, "1") == "0.5"
    with pytest.raises(ValueError, match="mV"):
        format_readout(1.0, "mV")


def test_slider_bounds_are_calibrated_range_in_display_units(panel):
    tau = panel.widget("tau_mem")
    assert (tau.start, tau.end) == (1.0, 30.0)  # µs: the soft span
    assert (tau.fixed_start, tau.fixed_end) == (None, None)  # typed values reach the owner's validation
    assert tau.step == pytest.approx(0.1)
    assert tau.value == 20.0 and tau.label == "τ_mem [µs]"
    assert panel.readout("tau_mem") == "20.0 µs (bio 20 ms)"
    thr = panel.widget("threshold")
    assert (thr.start, thr.end) == (80.0, 200.0)
    assert thr.value == 120.0 and thr.label == "threshold [CADC LSB]"  # default used when no value given
    assert panel.readout("threshold") == "120 CADC LSB"
    assert panel.widget("i_synin_gm").label == "i_synin_gm [CapMem LSB]"
    assert panel.values == {"tau_mem": 20e-6, "threshold": 120.0, "i_synin_gm": 500.0}
    assert panel.title == "hidden · LIF"


def test_doc_is_tooltip(panel):
    tooltips = [obj.value for obj in panel.__panel__().select(lambda o: type(o).__name__ == "TooltipIcon")]
    assert any(t.startswith("Membrane time constant.") and "0.5 µs (bio 0.5 ms)" in t for t in tooltips)


def test_drag_ticks_do_not_fire_release_does(panel):
    tau = panel.widget("tau_mem")
    tau._slider._process_events({"value": 12.3})  # a drag tick from the browser
    assert panel.calls == []
    assert panel.readout("tau_mem") == "12.3 µs (bio 12.3 ms)"  # the read-out follows the drag
    tau._slider._process_events({"value_throttled": 12.3})  # mouse-up
    assert panel.calls == [("tau_mem", 12.3e-6)]
    assert panel.values["tau_mem"] == 12.3e-6


def test_typed_value_commits_in_si(panel):
    thr = panel.widget("threshold")
    thr._value_edit._process_events({"value": 150.0, "value_throttled": 150.0})
    assert panel.calls == [("threshold", 150.0)]


def test_typed_value_commits_before_the_slider_follows(panel, served_document):
    # Enter in the box of a served page: the browser sends value, then value_throttled
    thr = panel.widget("threshold")
    box, doc = thr._value_edit, served_document
    seen = []
    panel.on_change = lambda name, value: seen.append((name, value, thr._slider.value, panel.readout(name)))
    box._server_change(doc, "ref", None, "value", 120.0, 150.0)
    box._server_change(doc, "ref", None, "value_throttled", 120.0, 150.0)
    assert [delay for _, delay in doc.timeouts] == [150]  # Panel's sync: one batch, 150 ms later
    (commit,) = doc.next_tick
    commit()
    assert seen == [("threshold", 150.0, 120.0, "120 CADC LSB")]  # committed before the echo
    panel_sync, _ = doc.timeouts[0]
    asyncio.run(panel_sync())
    assert (thr._slider.value, panel.readout("threshold")) == (150.0, "150 CADC LSB")
    assert len(seen) == 1  # value_throttled: no second commit
    box._server_change(doc, "ref", None, "value", 150.0, 151.0)  # an arrow key: one step, one commit
    doc.next_tick[-1]()
    assert [s[:2] for s in seen] == [("threshold", 150.0), ("threshold", 151.0)]


def test_value_outside_calibration_is_shown_as_it_is():
    p = ParameterPanel()
    p.show("x", SPECS[:1], {"tau_mem": 100e-6})  # calibrated up to 60 µs: what runs is 100 µs
    tau = p.widget("tau_mem")
    assert tau.value == 100.0 and tau._value_edit.value == 100.0
    assert (tau.start, tau.end) == (1.0, 60.0)  # the track stays inside the calibrated range
    assert p.readout("tau_mem") == "100.0 µs (bio 100 ms)"


def test_show_edge_fields():
    p = ParameterPanel()
    calls = []
    p.on_change = lambda name, value: calls.append((name, value))
    fields = [
        {"name": "init", "label": "Weight init", "kind": "select", "options": ["constant", "normal"],
         "value": "normal", "doc": "Initial weight distribution."},
        {"name": "mean", "label": "Mean", "kind": "float", "value": 0.0, "start": -63.0, "end": 63.0, "doc": "Mean."},
        {"name": "seed", "label": "Seed", "kind": "int", "value": 1, "start": 0, "doc": "RNG seed."},
    ]
    p.show_edge("in → hidden", fields, {"mean": 5.0})
    assert p.widget("init").options == ["constant", "normal"] and p.widget("init").value == "normal"
    assert p.widget("mean").value == 5.0 and (p.widget("mean").start, p.widget("mean").end) == (-63.0, 63.0)
    assert p.widget("mean").description == "Mean."
    p.widget("init").value = "constant"
    p.widget("seed").value = 7
    assert calls == [("init", "constant"), ("seed", 7)]
    with pytest.raises(ValueError, match="kind"):
        p.show_edge("x", [{"name": "a", "kind": "text", "value": ""}])


def test_clear_shows_hint(panel):
    panel.clear("Nothing selected.")
    assert panel.values == {} and panel.title == ""
    (hint,) = panel._body.objects
    assert "Nothing selected." in hint.object
    with pytest.raises(KeyError):
        panel.widget("tau_mem")


def test_typed_value_outside_the_calibrated_range_reaches_the_owner(panel):
    seen = []
    panel.on_change = lambda name, value: seen.append((name, value))
    tau = panel.widget("tau_mem")
    with param.edit_constant(tau):
        tau.value_throttled = 1000.0   # µs, typed into the box
    assert seen == [("tau_mem", pytest.approx(1e-3))]
