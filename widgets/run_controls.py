"""Run button with a status line and an error box."""

from __future__ import annotations

import html

from typing import Any

import panel as pn
import param
from panel.viewable import Viewer

__all__ = ["RunControls"]


class RunControls(Viewer):
    """A "Run" button, a status text and a red error box.

    Pressing the button calls ``on_run()`` unless ``busy``. The owner sets ``busy``
    while a run is in progress (the button is then disabled and shows a spinner),
    ``status`` for progress text and ``error`` for a failure message ('' hides it).
    Browser selectors: ``.hx-run-button``, ``.hx-run-status``, ``.hx-run-error``.
    """

    busy = param.Boolean(default=False, doc="A run is in progress: the button is disabled.")
    status = param.String(default="", doc="Status text shown next to the button.")
    error = param.String(default="", doc="Error message shown in a red box; '' hides it.")
    on_run = param.Callable(default=None, allow_None=True, doc="on_run(): the Run button was pressed. None to ignore.")

    def __init__(self, **params: Any):
        self._button = pn.widgets.Button(label="▶ Run", color="primary", width=100, css_classes=["hx-run-button"])
        self._status = pn.pane.Str("", css_classes=["hx-run-status"], margin=(12, 10))
        self._alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width",
                                    css_classes=["hx-run-error"])
        super().__init__(**params)
        self._button.on_click(self._clicked)
        self._layout = pn.Column(pn.Row(self._button, self._status), self._alert, sizing_mode="stretch_width")
        self._sync()

    def __panel__(self):
        return self._layout

    def click(self) -> None:
        """Press the button from Python (same as a user click)."""
        self._clicked()

    def _clicked(self, _event=None) -> None:
        if not self.busy and self.on_run is not None:
            self.on_run()

    @param.depends("busy", "status", "error", watch=True)
    def _sync(self) -> None:
        self._button.param.update(disabled=self.busy, loading=self.busy)
        # texts carry user-chosen names: escape them, the panes render HTML
        self._status.object = html.escape(self.status, quote=False)
        self._alert.param.update(object=html.escape(self.error, quote=False), visible=bool(self.error))
