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


def test_stop_progress_and_auto_run():
    calls = []
    controls = RunControls(on_run=lambda: calls.append("run"), on_stop=lambda: calls.append("stop"))
    assert controls._stop.disabled and "hx-stop-button" in controls._stop.css_classes
    controls.click_stop()                       # nothing to stop while idle
    assert calls == []
    controls.param.update(busy=True, progress="312 / 1000 µs")
    assert not controls._stop.disabled and controls._progress.object == "312 / 1000 µs"
    controls._stop.clicks += 1
    assert calls == ["stop"]
    controls.param.update(busy=False, progress="")
    assert controls._stop.disabled and controls._progress.object == ""
    assert controls.auto_run is False and "hx-auto-run" in controls._auto.css_classes
    controls._auto.value = True                 # the user ticks the box
    assert controls.auto_run is True
    controls.auto_run = False
    assert controls._auto.value is False
