"""RunControls: button → on_run unless busy; status text; red error box."""

from hxstudio.widgets import RunControls


def test_run_busy_status_error():
    calls = []
    controls = RunControls(on_run=lambda: calls.append("run"))
    controls._button.clicks += 1
    assert calls == ["run"]
    controls.busy = True
    assert controls._button.disabled and controls._button.loading
    controls.click()
    assert calls == ["run"]
    controls.param.update(busy=False, status="done in 0.4 s")
    assert not controls._button.disabled and controls._status.object == "done in 0.4 s"
    assert not controls._alert.visible
    controls.error = "ParameterRangeError: tau_mem = 70 µs outside 0.5–60 µs"
    assert controls._alert.visible and controls._alert.alert_type == "danger"
    assert "tau_mem" in controls._alert.object
    controls.error = ""
    assert not controls._alert.visible
