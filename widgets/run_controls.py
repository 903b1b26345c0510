"""Run and Stop buttons, run progress, an "auto-run" switch, a status line and an error box."""

from __future__ import annotations

import html

from typing import Any

import panel as pn
import param
from panel.viewable import Viewer

__all__ = ["RunControls"]


class RunControls(Viewer):
    """A "Run" button, a "Stop" button, the progress of a run, an auto-run switch, a status text
    and a red error box.

    Pressing Run calls ``on_run()`` unless ``busy``; pressing Stop calls ``on_stop()`` while
    ``busy``. The owner sets ``busy`` while a run is in progress (Run is then disabled and shows
    a spinner, Stop is enabled), ``progress`` for the simulated time done (e.g.
    ``"312 / 1000 µs"``; shown while busy), ``status`` for other text and ``error`` for a failure
    message ('' hides it). ``auto_run`` is the user's "re-run on every change" switch; the owner
    reads it. Browser selectors: ``.hx-run-button``, ``.hx-stop-button``, ``.hx-run-progress``,
    ``.hx-auto-run``, ``.hx-run-status``, ``.hx-run-error``.
    """

    busy = param.Boolean(default=False, doc="A run is in progress: Run is disabled, Stop enabled.")
    progress = param.String(default="", doc="Simulated time done while a run is in progress.")
    auto_run = param.Boolean(default=False, doc="Re-run automatically after every change.")
    status = param.String(default="", doc="Status text shown next to the buttons.")
    error = param.String(default="", doc="Error message shown in a red box; '' hides it.")
    on_run = param.Callable(default=None, allow_None=True, doc="on_run(): the Run button was pressed. None to ignore.")
    on_stop = param.Callable(default=None, allow_None=True, doc="on_stop(): the Stop button was pressed. None to ignore.")

    def __init__(self, **params: Any):
        self._button = pn.widgets.Button(label="▶ Run", color="primary", width=100, css_classes=["hx-run-button"])
        self._stop = pn.widgets.Button(label="■ Stop", color="danger", width=90, disabled=True,
                                       css_classes=["hx-stop-button"])
        self._progress = pn.pane.Str("", css_classes=["hx-run-progress"], margin=(12, 10), width=150)
        self._status = pn.pane.Str("", css_classes=["hx-run-status"], margin=(12, 10))
        self._alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width",
                                    css_classes=["hx-run-error"])
        super().__init__(**params)
        self._auto = pn.widgets.Checkbox.from_param(self.param.auto_run, name="auto-run on change",
                                                    css_classes=["hx-auto-run"], margin=(14, 10), width=170)
        self._button.on_click(self._clicked)
        self._stop.on_click(self._stop_clicked)
        self._layout = pn.Column(pn.Row(self._button, self._stop, self._progress, self._auto, self._status),
                                 self._alert, sizing_mode="stretch_width")
        self._sync()

    def __panel__(self):
        return self._layout

    def click(self) -> None:
        """Press Run from Python (same as a user click)."""
        self._clicked()

    def click_stop(self) -> None:
        """Press Stop from Python (same as a user click)."""
        self._stop_clicked()

    def _clicked(self, _event=None) -> None:
        if not self.busy and self.on_run is not None:
            self.on_run()

    def _stop_clicked(self, _event=None) -> None:
        if self.busy and self.on_stop is not None:
            self.on_stop()

    @param.depends("busy", "progress", "status", "error", watch=True)
    def _sync(self) -> None:
        self._button.param.update(disabled=self.busy, loading=self.busy)
        self._stop.disabled = not self.busy
        self._progress.object = html.escape(self.progress, quote=False)
        # texts carry user-chosen names: escape them, the panes render HTML
        self._status.object = html.escape(self.status, quote=False)
        self._alert.param.update(object=html.escape(self.error, quote=False), visible=bool(self.error))
