"""How much of the BrainScaleS-2 chip a network needs: neuron circuits and synapse rows."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param
from panel.viewable import Viewer

__all__ = ["ResourceMeter"]

_HEMISPHERES = ("top", "bottom")


class ResourceMeter(Viewer):
    """Bars for neuron circuits used / total and synapse rows used / total per hemisphere.

    Plain numbers in (the owner computes them, e.g. from the emulator's placement): ``neurons_used``
    of ``neurons_total`` (512 on BSS-2), ``rows_used`` ``{"top": n, "bottom": m}`` of ``rows_total``
    (256 per hemisphere). A bar over its total, or a non-empty ``error``, turns the meter red and
    shows the error text. Browser selectors: ``.hx-resource-meter`` (with ``.hx-resource-over``
    while over budget), ``.hx-resource-error``.
    """

    neurons_used = param.Integer(default=0, bounds=(0, None), doc="Neuron circuits the network needs.")
    neurons_total = param.Integer(default=512, bounds=(1, None), doc="Neuron circuits on the chip.")
    rows_used = param.Dict(default={"top": 0, "bottom": 0},
                           doc='Synapse rows needed per hemisphere: {"top": n, "bottom": m}.')
    rows_total = param.Integer(default=256, bounds=(1, None), doc="Synapse rows per hemisphere.")
    error = param.String(default="", doc="Why the network does not fit ('' if it fits); shown in red.")
    visible = param.Boolean(default=True, doc="Whether the meter is shown (e.g. only off the mock).")

    def __init__(self, **params: Any):
        self._pane = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        super().__init__(**params)
        self._layout = pn.Column(self._pane, sizing_mode="stretch_width", css_classes=["hx-resource-meter"],
                                 visible=self.visible)
        self._render()

    def __panel__(self):
        return self._layout

    @property
    def over(self) -> bool:
        """Whether the network does not fit (an error, or a count over its total)."""
        rows = [self.rows_used.get(h, 0) for h in _HEMISPHERES]
        return bool(self.error) or self.neurons_used > self.neurons_total or max(rows) > self.rows_total

    @param.depends("visible", watch=True)
    def _show(self) -> None:
        self._layout.visible = self.visible

    @param.depends("neurons_used", "neurons_total", "rows_used", "rows_total", "error", watch=True)
    def _render(self) -> None:
        over = self.over
        bars = [_bar("neurons", self.neurons_used, self.neurons_total)]
        bars += [_bar(f"synapse rows ({h})", self.rows_used.get(h, 0), self.rows_total) for h in _HEMISPHERES]
        error = (f'<div class="hx-resource-error" style="color:#b00020">{html.escape(self.error, quote=False)}</div>'
                 if self.error else "")
        self._pane.object = f'<div style="display:flex;flex-wrap:wrap;gap:4px 18px">{"".join(bars)}</div>{error}'
        self._layout.css_classes = ["hx-resource-meter"] + (["hx-resource-over"] if over else [])


def _bar(label: str, used: int, total: int) -> str:
    over = used > total
    color = "#d62728" if over else "#1f77b4"
    width = min(100.0, 100.0 * used / total)
    return (f'<div class="hx-resource-bar" style="min-width:180px">'
            f'<span style="color:{"#b00020" if over else "inherit"}">{label}: {used} / {total}</span>'
            f'<div style="height:6px;background:#e5e5e5;border-radius:3px">'
            f'<div style="height:6px;width:{width:.1f}%;background:{color};border-radius:3px"></div></div></div>')
