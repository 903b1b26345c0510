"""Editor for the stimulus of one input population.

Stimulus dicts use SI units (hardware time, s and Hz)::

    {"kind": "spike_times", "times": [[1e-5, 2e-5], [], ...]}   # one list per neuron, s
    {"kind": "regular", "rate": 2e4, "start": 0.0}              # Hz, s
    {"kind": "poisson", "rate": 2e4, "seed": 0}                 # Hz, int
    {"kind": "dataset", "dataset": "yinyang", "index": 0, "split": "train"}

The editor shows times in µs and rates in kHz of hardware time, each with the
biological equivalent (BSS-2 runs 1000× faster: 1 µs ≙ 1 ms, 1 kHz ≙ 1 Hz).
Browser selectors: ``.hx-stim-kind``, ``.hx-stim-times`` (textarea), ``.hx-stim-rate``,
``.hx-stim-start``, ``.hx-stim-seed``, ``.hx-stim-index``, ``.hx-stim-split``, ``.hx-stim-error``.
"""

from __future__ import annotations

import html

import math
from typing import Any

import panel as pn
import param
from panel.viewable import Viewer

__all__ = ["StimulusEditor", "format_spike_times", "parse_spike_times", "STIMULUS_KINDS", "DATASETS"]

STIMULUS_KINDS = {"Spike times": "spike_times", "Regular": "regular", "Poisson": "poisson", "Dataset": "dataset"}
DATASETS = ("yinyang",)
_DEFAULTS = {
    "spike_times": {"kind": "spike_times", "times": []},
    "regular": {"kind": "regular", "rate": 2e4, "start": 0.0},
    "poisson": {"kind": "poisson", "rate": 2e4, "seed": 0},
    "dataset": {"kind": "dataset", "dataset": "yinyang", "index": 0, "split": "train"},
}


def _clean(x: float) -> float:
    return float(f"{x:.12g}")


def parse_spike_times(text: str, size: int) -> list[list[float]]:
    """Parse one line per neuron of comma-separated µs times into lists of seconds.

    Missing trailing lines mean "no spikes"; each neuron's times are sorted.
    Raises ValueError with a message naming the line for bad numbers, negative
    times or more lines than neurons.
    """
    lines = text.rstrip().splitlines() if text.strip() else []
    if len(lines) > size:
        raise ValueError(f"{len(lines)} lines, but the population has {size} neuron{'s' * (size != 1)}")
    times = []
    for number, line in enumerate(lines, start=1):
        row = []
        for token in (t.strip() for t in line.split(",")):
            if not token:
                continue
            try:
                value = float(token)
            except ValueError:
                raise ValueError(f"line {number}: {token!r} is not a number") from None
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"line {number}: {token!r} is not a time ≥ 0 µs")
            row.append(_clean(value * 1e-6))
        times.append(sorted(row))
    return times + [[] for _ in range(size - len(times))]


def format_spike_times(times: list[list[float]]) -> str:
    """Inverse of :func:`parse_spike_times`: seconds to lines of µs (trailing empty lines dropped)."""
    lines = [", ".join(f"{_clean(t * 1e6):g}" for t in row) for row in times]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


class StimulusEditor(Viewer):
    """Edit an input population's stimulus: explicit spike times, regular, Poisson or a data set.

    ``show(population_name, size, stimulus)`` loads a stimulus dict (SI units, see
    the module docstring) without firing callbacks. User edits call
    ``on_change(stimulus)`` with the complete new dict; a spike-time text that does
    not parse shows an inline error and calls nothing.
    """

    population = param.String(default="", doc="Name of the input population being edited.")
    size = param.Integer(default=1, bounds=(1, None), doc="Number of neurons in the population.")
    stimulus = param.Dict(default=dict(_DEFAULTS["regular"]), constant=True, doc=(
        "Current stimulus dict in SI units (last valid edit). Read-only; load with show()."))
    error = param.String(default="", constant=True, doc="Parse error of the spike-time text, '' if none.")
    on_change = param.Callable(default=None, allow_None=True, doc=(
        "on_change(stimulus): the user committed a valid stimulus dict (SI units). None to ignore."))

    def __init__(self, **params: Any):
        w = pn.widgets
        self._kind = w.Select(label="Stimulus", options=STIMULUS_KINDS, css_classes=["hx-stim-kind"])
        self._times = w.TextAreaInput(
            label="Spike times [µs], one line per neuron, comma-separated", height=140,
            placeholder="10, 20.5, 40\n15\n", sizing_mode="stretch_width", css_classes=["hx-stim-times"])
        self._rate = w.FloatInput(label="Rate [kHz, hardware]", value=20.0, start=0.0, step=1.0,
                                  css_classes=["hx-stim-rate"])
        self._start = w.FloatInput(label="Start [µs]", value=0.0, start=0.0, step=1.0, css_classes=["hx-stim-start"])
        self._seed = w.IntInput(label="Seed", value=0, start=0, css_classes=["hx-stim-seed"])
        self._dataset = w.Select(label="Data set", options=list(DATASETS), css_classes=["hx-stim-dataset"])
        self._index = w.IntInput(label="Sample index", value=0, start=0, css_classes=["hx-stim-index"])
        self._split = w.Select(label="Split", options=["train", "test"], css_classes=["hx-stim-split"])
        self._bio = pn.pane.HTML("", styles={"color": "#555", "font-size": "12px"}, margin=(0, 10))
        self._error = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["hx-stim-error"])
        self._header = pn.pane.Markdown("", margin=(0, 10))
        super().__init__(**params)
        self._loading = False
        self._sections = {
            "spike_times": [self._times],
            "regular": [self._rate, self._start, self._bio],
            "poisson": [self._rate, self._seed, self._bio],
            "dataset": [self._dataset, self._index, self._split],
        }
        self._section = pn.Column(sizing_mode="stretch_width")
        self._kind.param.watch(self._kind_changed, "value")
        self._times.param.watch(lambda _e: self._edited(), "value")
        for widget in (self._rate, self._start, self._seed, self._dataset, self._index, self._split):
            widget.param.watch(lambda _e: self._edited(), "value")
        self._layout = pn.Column(self._header, self._kind, self._section, self._error,
                                 sizing_mode="stretch_width", css_classes=["hx-stimulus-editor"])
        self._load(self.stimulus)

    def __panel__(self):
        return self._layout

    def show(self, population_name: str, size: int, stimulus: dict) -> None:
        """Load ``stimulus`` (SI units) for population ``population_name`` of ``size`` neurons."""
        if stimulus.get("kind") not in _DEFAULTS:
            raise ValueError(f"StimulusEditor: unknown stimulus kind {stimulus.get('kind')!r}, "
                             f"expected one of {sorted(_DEFAULTS)}")
        self.param.update(population=population_name, size=size)
        self._load(stimulus)

    # ---- internals --------------------------------------------------------------
    def _load(self, stimulus: dict) -> None:
        stimulus = {**_DEFAULTS[stimulus["kind"]], **stimulus}
        self._loading = True
        try:
            kind = stimulus["kind"]
            if kind == "spike_times":
                self._times.value = format_spike_times(stimulus["times"])
            if "rate" in stimulus:
                self._rate.value = _clean(stimulus["rate"] / 1e3)
            if kind == "regular":
                self._start.value = _clean(stimulus["start"] * 1e6)
            if kind == "poisson":
                self._seed.value = int(stimulus["seed"])
            if kind == "dataset":
                self._dataset.value, self._split.value = stimulus["dataset"], stimulus["split"]
                self._index.value = int(stimulus["index"])
            self._kind.value = kind
            self._show_section(kind)
        finally:
            self._loading = False
        self._set_state(stimulus, "")

    def _show_section(self, kind: str) -> None:
        self._section.objects = self._sections[kind]
        self._header.object = f"### Stimulus of {html.escape(self.population, quote=False)}" if self.population else "### Stimulus"
        self._update_bio()

    def _kind_changed(self, event) -> None:
        self._show_section(event.new)
        if not self._loading:
            self._edited()

    def _current(self) -> dict:
        """The stimulus dict described by the widgets; raises ValueError for a bad spike-time text."""
        kind = self._kind.value
        if kind == "spike_times":
            return {"kind": kind, "times": parse_spike_times(self._times.value or "", self.size)}
        if kind == "dataset":
            return {"kind": kind, "dataset": self._dataset.value, "index": int(self._index.value or 0),
                    "split": self._split.value}
        if not self._rate.value or self._rate.value <= 0:
            raise ValueError("the rate must be > 0 kHz")
        rate = _clean(self._rate.value * 1e3)
        if kind == "regular":
            return {"kind": kind, "rate": rate, "start": _clean((self._start.value or 0.0) * 1e-6)}
        return {"kind": kind, "rate": rate, "seed": int(self._seed.value or 0)}

    def _edited(self) -> None:
        self._update_bio()
        if self._loading:
            return
        try:
            stimulus = self._current()
        except ValueError as exc:
            self._set_state(self.stimulus, str(exc))
            return
        self._set_state(stimulus, "")
        if self.on_change is not None:
            self.on_change(stimulus)

    def _set_state(self, stimulus: dict, error: str) -> None:
        with param.edit_constant(self):
            self.param.update(stimulus=stimulus, error=error)
        self._error.param.update(object=f"Not applied: {html.escape(error, quote=False)}" if error else "", visible=bool(error))

    def _update_bio(self) -> None:
        rate = self._rate.value or 0.0
        text = f"≙ {rate:.4g} Hz biological"
        if self._kind.value == "regular":
            start = self._start.value or 0.0
            text += f"; start {start:.4g} µs ≙ {start:.4g} ms biological"
        self._bio.object = text
