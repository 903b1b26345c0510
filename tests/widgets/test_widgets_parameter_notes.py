"""ParameterPanel notes: a line under a slider (per-neuron means, out-of-range flags)."""

from hxstudio.widgets import ParameterPanel

SPEC = {"name": "tau_mem", "label": "τ_mem", "unit": "s", "default": 10e-6, "calibrated": (0.5e-6, 60e-6),
        "soft": (1e-6, 60e-6), "step": 0.1e-6, "doc": "Membrane time constant."}


def test_notes_are_shown_under_their_slider_and_cleared():
    panel = ParameterPanel()
    panel.show("n · LIF × 3", [SPEC], {"tau_mem": 0.2e-6}, notes={"tau_mem": "⚠ outside the calibrated range"})
    assert panel.note("tau_mem") == "⚠ outside the calibrated range"
    tau = panel.widget("tau_mem")
    assert tau.value == 0.2 and (tau.start, tau.end) == (0.5, 60.0)  # the box shows what runs, the
    assert panel.readout("tau_mem") == "0.2 µs (bio 0.2 ms)"          # track the calibrated range
    texts = [getattr(row, "object", "") for row in panel._body.objects]
    assert "⚠ outside the calibrated range" in texts
    panel.show("n · LIF × 3", [SPEC], {"tau_mem": 10e-6})
    assert panel.note("tau_mem") == ""
    panel.clear()
    assert panel.note("tau_mem") == ""


def test_set_notes_changes_the_notes_in_place():
    panel = ParameterPanel()
    panel.show("n · LIF × 3", [SPEC], {"tau_mem": 10e-6})
    rows, tau = list(panel._body.objects), panel.widget("tau_mem")
    note = panel._notes["tau_mem"]
    assert panel.note("tau_mem") == "" and not note.visible
    panel.set_notes({"tau_mem": "⚠ outside <the> calibrated range", "leak": "not shown here"})
    assert panel.note("tau_mem") == "⚠ outside <the> calibrated range" and panel.note("leak") == ""
    assert note.visible and note.object == "⚠ outside &lt;the&gt; calibrated range"
    assert list(panel._body.objects) == rows and panel.widget("tau_mem") is tau  # nothing rebuilt
    panel.set_notes({})
    assert panel.note("tau_mem") == "" and not note.visible
