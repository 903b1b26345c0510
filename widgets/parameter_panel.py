"""Side panel that edits the parameters of the selected population or projection.

Population parameters come as plain spec dicts (the catalogue's ``ParamSpec``
as data) with values in SI units; the panel shows them in display units:

=============  ===========================  ==================================
spec ``unit``  slider unit                  read-out under the slider
=============  ===========================  ==================================
``"s"``        µs (hardware time)           ``"10.0 µs (bio 10 ms)"``
``"CADC LSB"`` CADC LSB                     ``"120 CADC LSB"``
``"CapMem LSB"`` CapMem LSB                 ``"500 CapMem LSB"``
``"1"``        (none)                       ``"0.5"``
=============  ===========================  ==================================

BSS-2 runs 1000× faster than biology: 1 µs hardware time ≙ 1 ms biological.
Model switches (spec ``"kind": "bool"``, e.g. AdEx's ``exponential``) are checkboxes.
Browser selectors: ``.hx-param-<name>`` on each slider/input/checkbox, ``.hx-readout-<name>``.
"""

from __future__ import annotations

import html

import math
from typing import Any

import panel as pn
import param
from panel.io.state import set_curdoc
from panel.viewable import Viewer

__all__ = ["ParameterPanel", "display_unit", "format_readout"]


# Panel hands a change from the browser to Python 50 ms late (``Syncable._debounce``, to batch
# a burst of changes) unless the property is one of the widget's ``_priority_changes``. A
# commit (slider release, Enter in a box, a new option) is one event the user waits on, so
# these widgets pass it on at once. The slider's number box commits its own way (_SliderBox).
class _FloatSlider(pn.widgets.FloatSlider):
    _priority_changes = ["value_throttled"]


class _SliderBox(pn.widgets.FloatInput):
    """The editable slider's number box. In a served page a value the browser sends for it
    (Enter, blur, an arrow key or spin button) is committed at once: ``on_commit(value)`` runs
    on the next tick of the event loop. Panel's own handling of that value (syncing the slider
    and the read-out, ≈ 20–25 ms of Python, measured) follows :attr:`_debounce` ms later,
    together with the box's ``value_throttled``, whose commit is then no change. Done the other
    way round, that handling held the GIL while the auto-run computed and delayed it by as much;
    150 ms keeps its message and the browser's slider re-render out of the frames that draw the
    auto-run's traces (the slider's handle has moved in the browser already).
    Elsewhere (a notebook) the box commits through ``value_throttled`` as before."""

    _debounce = 150
    _rename = {"on_commit": None}
    on_commit = param.Callable(default=None, allow_None=True, doc=(
        "on_commit(value): a value arrived from the browser's box (display units)."))

    def _server_change(self, doc, ref, subpath, attr, old, new) -> None:
        echo = attr in self._changing.get(ref, [])  # our own change coming back: no commit
        super()._server_change(doc, ref, subpath, attr, old, new)
        if attr == "value" and not echo and new is not None and self.on_commit is not None:
            doc.add_next_tick_callback(lambda: self._commit_now(doc, new))

    def _commit_now(self, doc, value: float) -> None:
        with set_curdoc(doc):
            self.on_commit(value)


class _EditableSlider(pn.widgets.EditableFloatSlider):
    _slider_widget = _FloatSlider
    _input_widget = _SliderBox


class _FloatInput(pn.widgets.FloatInput):
    _priority_changes = ["value"]


class _IntInput(pn.widgets.IntInput):
    _priority_changes = ["value"]


class _Select(pn.widgets.Select):
    _priority_changes = ["value"]


class _Checkbox(pn.widgets.Checkbox):
    _priority_changes = ["active"]


# unit -> (display unit, factor from SI to display)
_DISPLAY = {"s": ("µs", 1e6), "CADC LSB": ("CADC LSB", 1.0), "CapMem LSB": ("CapMem LSB", 1.0), "1": ("", 1.0)}


def _clean(x: float) -> float:
    """Drop float noise from unit conversions (1e-5 * 1e6 -> 10.0, not 10.000000000000002)."""
    return float(f"{x:.12g}")


def display_unit(unit: str) -> tuple[str, float]:
    """``(display unit, factor SI → display)`` for a spec unit; raises ValueError for unknown units."""
    try:
        return _DISPLAY[unit]
    except KeyError:
        raise ValueError(f"ParameterPanel: unknown unit {unit!r}, expected one of {sorted(_DISPLAY)}") from None


def _number(x: float) -> str:
    one_decimal = f"{x:.1f}"
    return one_decimal if math.isclose(float(one_decimal), x, rel_tol=1e-9, abs_tol=1e-12) else f"{x:.4g}"


def format_readout(value: float, unit: str) -> str:
    """Read-out text for an SI ``value``: ``format_readout(1e-5, "s") == "10.0 µs (bio 10 ms)"``."""
    shown, factor = display_unit(unit)
    x = _clean(value * factor)
    if unit == "s":
        return f"{_number(x)} µs (bio {x:.4g} ms)"
    return f"{x:.4g} {shown}".strip()


class ParameterPanel(Viewer):
    """Edit one population's (``show``) or projection's (``show_edge``) parameters.

    ``show(title, specs, values)``: one editable slider per spec. The slider's track
    (``start``/``end``) is the soft range, inside the calibrated range, in display units;
    a typed value outside the calibrated range is passed on to the owner, whose validation
    refuses it with a message naming the range. ``on_change(name, value)`` fires
    with the SI value when the slider is released or a typed value is committed,
    never on drag ticks. Each spec's ``doc`` is the tooltip of the ⓘ icon.

    ``show_edge(title, fields, values)``: numeric inputs and selects for projection
    settings (weight init etc.); each field is ``{"name", "label", "kind": "float" |
    "int" | "select", "options" (select), "value", "start"?, "end"?, "doc"}``, shown
    as FloatInput/IntInput (bounded by start/end) or Select with ``doc`` as tooltip;
    ``on_change(name, value)`` on commit (Enter/blur, or a new option).

    ``clear(message)``: show only a hint.
    """

    title = param.String(default="", doc="Heading shown above the controls.")
    values = param.Dict(default={}, doc="Current values by name; SI units for population specs. Read-only.",
                        constant=True)
    on_change = param.Callable(default=None, allow_None=True, doc=(
        "on_change(name, value): a value was committed; SI units for population specs. None to ignore."))

    def __init__(self, **params: Any):
        self._header = pn.pane.Markdown("", margin=(0, 10))
        self._body = pn.Column(sizing_mode="stretch_width")
        super().__init__(**params)
        self._widgets: dict[str, pn.widgets.Widget] = {}
        self._readouts: dict[str, pn.pane.HTML] = {}
        self._layout = pn.Column(self._header, self._body, sizing_mode="stretch_width",
                                 css_classes=["hx-parameter-panel"])
        self._sync_title()
        self.clear()

    def __panel__(self):
        return self._layout

    def widget(self, name: str) -> pn.widgets.Widget:
        """The widget editing ``name`` (for tests and browser tests)."""
        return self._widgets[name]

    def note(self, name: str) -> str:
        """The note under the slider of ``name`` (``""`` if none); see :meth:`show`."""
        pane = self._notes.get(name)
        return html.unescape(pane.object) if pane is not None and pane.visible else ""

    def readout(self, name: str) -> str:
        """The read-out text under the slider of ``name``, e.g. ``"10.0 µs (bio 10 ms)"``."""
        return self._readouts[name].object

    def clear(self, message: str = "Select a population or projection to edit it.") -> None:
        """Remove all controls and show ``message``."""
        self._set("", {}, {}, [pn.pane.Markdown(f"*{html.escape(message, quote=False)}*", css_classes=["hx-parameter-hint"])])

    def show(self, title: str, specs: list[dict], values: dict[str, float],
             notes: dict[str, str] | None = None) -> None:
        """Show one slider per spec. ``values`` maps name → SI value (default: the spec's default).

        Spec dicts: ``{"name", "label", "unit": "s" | "CADC LSB" | "CapMem LSB" | "1",
        "default", "calibrated": (lo, hi), "soft": (lo, hi), "step", "doc", "range_label"?}``, all
        in SI; ``range_label`` (default ``"Calibrated range"``) names ``calibrated`` in the tooltip.
        A value outside ``calibrated`` is shown as it is in the box and the read-out (it is what
        runs); the slider's handle sits at the nearest end of its track.
        A spec ``{"name", "label", "kind": "bool", "default", "doc"}`` is a checkbox;
        ``on_change(name, True/False)`` fires when it is toggled.
        ``notes`` (name → text) adds a line under a slider's read-out (CSS class
        ``hx-note-<name>``), e.g. "⚠ outside the calibrated range" or "mean of 38 per-neuron
        values" for a heterogeneous population whose ``values`` entry is the mean;
        :meth:`set_notes` changes them in place.
        """
        notes = notes or {}
        widgets, readouts, rows, current, panes = {}, {}, [], {}, {}
        for spec in specs:
            if spec.get("kind") == "bool":
                name, value = spec["name"], bool(values.get(spec["name"], spec["default"]))
                widgets[name], current[name] = self._checkbox(spec, value), value
                rows.append(pn.Row(widgets[name], pn.widgets.TooltipIcon(value=spec.get("doc") or spec["name"]),
                                   sizing_mode="stretch_width"))
                continue
            name, unit = spec["name"], spec["unit"]
            shown, factor = display_unit(unit)
            lo, hi = (_clean(v * factor) for v in spec["calibrated"])
            soft_lo, soft_hi = (_clean(v * factor) for v in spec.get("soft", spec["calibrated"]))
            value = float(values.get(name, spec["default"]))
            shown_value = _clean(value * factor)
            x = min(max(shown_value, lo), hi)  # where the handle sits on the track
            slider = _EditableSlider(
                label=f"{spec.get('label', name)} [{shown}]" if shown else spec.get("label", name),
                # no fixed_start/fixed_end: a typed value outside the calibrated range reaches the
                # owner, whose validation explains the range (bokeh would drop it silently)
                start=max(lo, min(soft_lo, x)), end=min(hi, max(soft_hi, x)),
                step=_clean(spec.get("step", (hi - lo) / 100 / factor) * factor), value=shown_value,
                sizing_mode="stretch_width", css_classes=[f"hx-param-{name}"],
            )
            readout = pn.pane.HTML(format_readout(value, unit), margin=(0, 10, 8, 10),
                                   styles={"color": "#555", "font-size": "12px"}, css_classes=[f"hx-readout-{name}"])
            slider.param.watch(lambda e, spec=spec: self._slider_changed(spec, e.new), "value_throttled")
            slider._value_edit.on_commit = lambda value, spec=spec: self._slider_changed(spec, value)
            slider.param.watch(lambda e, spec=spec: self._update_readout(spec, e.new), "value")
            range_label = spec.get("range_label", "Calibrated range")
            icon = pn.widgets.TooltipIcon(value=f"{spec.get('doc', '')} {range_label}: "
                                          f"{format_readout(spec['calibrated'][0], unit)} … "
                                          f"{format_readout(spec['calibrated'][1], unit)}.")
            note = pn.pane.HTML(html.escape(notes.get(name, ""), quote=False), visible=bool(notes.get(name)),
                                margin=(0, 10, 8, 10), styles={"color": "#b26a00", "font-size": "12px"},
                                css_classes=[f"hx-note-{name}"])
            rows += [pn.Row(slider, icon, sizing_mode="stretch_width"), readout, note]
            widgets[name], readouts[name], current[name], panes[name] = slider, readout, value, note
        self._set(title, widgets, readouts, rows, current, panes)

    def set_notes(self, notes: dict[str, str]) -> None:
        """Replace the notes under the sliders shown (name → text; a missing or empty text hides
        that slider's note) without rebuilding the panel: a value typed across the calibrated
        range's edge changes only its note (rebuilding the panel took ≈ 2 s in the browser)."""
        for name, pane in self._notes.items():
            text = html.escape(notes.get(name) or "", quote=False)
            if (pane.object, pane.visible) != (text, bool(text)):
                pane.param.update(object=text, visible=bool(text))

    def show_edge(self, title: str, fields: list[dict], values: dict[str, Any] | None = None) -> None:
        """Show inputs for projection ``fields``; ``values`` (name → value) overrides each field's ``value``."""
        values = values or {}
        widgets, rows, current = {}, [], {}
        for field in fields:
            name, kind = field["name"], field["kind"]
            value = values.get(name, field.get("value"))
            common = dict(label=field.get("label", name), description=field.get("doc") or None,
                          sizing_mode="stretch_width", css_classes=[f"hx-param-{name}"])
            if kind == "select":
                widget = _Select(options=list(field["options"]), value=value, **common)
            elif kind in ("float", "int"):
                cls = _FloatInput if kind == "float" else _IntInput
                cast = float if kind == "float" else int
                widget = cls(value=None if value is None else cast(value), start=field.get("start"),
                             end=field.get("end"), **common)
            else:
                raise ValueError(f"ParameterPanel.show_edge: field {name!r} has kind {kind!r}, "
                                 "expected 'float', 'int' or 'select'")
            widget.param.watch(lambda e, name=name: self._commit(name, e.new), "value")
            widgets[name], current[name] = widget, value
            rows.append(widget)
        self._set(title, widgets, {}, rows, current)

    # ---- internals --------------------------------------------------------------
    def _checkbox(self, spec: dict, value: bool) -> pn.widgets.Checkbox:
        box = _Checkbox(label=spec.get("label", spec["name"]), value=value,
                                  css_classes=[f"hx-param-{spec['name']}"])
        box.param.watch(lambda e, name=spec["name"]: self._commit(name, bool(e.new)), "value")
        return box

    def _set(self, title, widgets, readouts, rows, current=None, notes=None) -> None:
        self._widgets, self._readouts, self._notes = widgets, readouts, notes or {}
        with param.edit_constant(self):
            self.param.update(title=title, values=dict(current or {}))
        self._body.objects = rows

    def _update_readout(self, spec: dict, shown_value: float) -> None:
        factor = display_unit(spec["unit"])[1]
        self._readouts[spec["name"]].object = format_readout(_clean(shown_value / factor), spec["unit"])

    def _slider_changed(self, spec: dict, shown_value: float | None) -> None:
        if shown_value is not None:
            self._commit(spec["name"], _clean(shown_value / display_unit(spec["unit"])[1]))

    def _commit(self, name: str, value: Any) -> None:
        if self.values.get(name) == value:
            return
        with param.edit_constant(self):
            self.values = {**self.values, name: value}
        if self.on_change is not None:
            self.on_change(name, value)

    @param.depends("title", watch=True)
    def _sync_title(self) -> None:
        self._header.object = f"### {html.escape(self.title, quote=False)}" if self.title else ""
