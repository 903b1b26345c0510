"""The studio's sweep card: a :class:`~hxstudio.widgets.SweepPanel` wired to :class:`~hxstudio.sweep.Sweep`.

The sweep runs in the background (the job's thread and its executor); each finished point is
queued, and the page is updated on the Bokeh document's own thread: the queue is flushed by a
callback scheduled with ``pn.state.execute(..., schedule=True)`` (``doc.add_next_tick_callback``)
under the document captured when *Run* was pressed. Without a server session (tests, a plain
Python shell) the flush runs directly. Clicking a cell loads its parameter set into the document
through the document's validated edit methods and re-runs the network.
"""

from __future__ import annotations

import threading
import warnings

import panel as pn
from panel.io.state import set_curdoc

from hxstudio.errors import HXStudioError
from hxstudio.network import Network
from hxstudio.sweep.core import Sweep
from hxstudio.sweep.metrics import metric_choices
from hxstudio.sweep.space import apply_values, parameter_choices
from hxstudio.widgets import SweepPanel

__all__ = ["StudioSweep"]


class StudioSweep:
    """Owns the sweep panel of one :class:`~hxstudio.app.Studio` and its running job.

    Attributes:
        panel: the :class:`~hxstudio.widgets.SweepPanel`.
        card: the collapsible card the studio lays out beside its plots.
        job: the last :class:`~hxstudio.sweep.job.SweepJob` (``None`` before the first sweep).
    """

    def __init__(self, studio):
        self.studio = studio
        self.panel = SweepPanel()
        self.card = pn.Card(self.panel, title="Parameter sweep", collapsed=True, sizing_mode="stretch_width",
                            css_classes=["hx-sweep-card"])
        self.job = None
        self.sweep = None
        self._lock = threading.Lock()
        self._pending: list = []
        self._ended = None
        self._scheduled = False
        self._doc = None
        self._stale = False  # whether the panel's choices lag behind the document (see refresh)
        self.card.param.watch(self._on_collapsed, "collapsed")
        self.panel.on_run = self.start
        self.panel.on_cancel = self.cancel
        self.panel.on_pick = self.pick

    def refresh(self) -> None:
        """Offer the parameters and metrics of the studio's current document. While the card is
        collapsed, an edit that only changes values (the current value shown with each choice)
        is passed on when the card is opened: re-filling the panel's widgets cost a parameter
        edit ~10 ms of the tuning loop."""
        network = self.studio.network
        options, metrics = parameter_choices(network), metric_choices(network)
        names = [o["name"] for o in options]
        self._stale = self.card.collapsed and names == [o["name"] for o in self.panel.options] \
            and metrics == self.panel.metrics
        if not self._stale:
            self.panel.param.update(options=options, metrics=metrics)

    def _on_collapsed(self, event) -> None:
        if not event.new and self._stale:
            self.refresh()

    # -- panel → sweep ----------------------------------------------------------------------------

    def start(self, spec: dict) -> None:
        """Start the sweep ``spec`` (from :meth:`SweepPanel.spec`) on the current document."""
        if self.job is not None and not self.job.done:
            return
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sweep = Sweep(self.studio.network, [(a["name"], a["values"]) for a in spec["axes"]],
                              spec["metric"], seeds=spec.get("seeds") or 1)
            from hxstudio.sweep.executors import resolve_executor

            executor = resolve_executor(spec.get("executor"))
        except HXStudioError as exc:
            self.panel.error = str(exc)
            return
        self.sweep = sweep
        self._doc = pn.state.curdoc
        units = {o["name"]: o["unit"] for o in self.panel.options}
        self.panel.begin([{"name": a.path, "values": list(a.values), "unit": units.get(a.path, "")}
                          for a in sweep.axes], sweep.metric.name, sweep.metric.unit, total=len(sweep))
        note = f" ({caught[0].message})" if caught else ""
        self.panel.status = f"sweeping {len(sweep)} points on {executor.label}…{note}"
        self.job = sweep.start(executor, on_point=self._point, on_done=self._done)

    def cancel(self) -> None:
        """Stop the running sweep; the points finished so far stay on screen."""
        if self.job is not None and not self.job.done:
            self.panel.status = "cancelling…"
            self.job.cancel()

    def pick(self, values: dict) -> None:
        """Load a clicked parameter set into the document (validated) and run it."""
        network = self.studio.network
        try:
            trial = Network.from_dict(network.model_dump())
            apply_values(trial, values)  # all or nothing: check every value on a copy first
        except HXStudioError as exc:
            self.studio._report(f"sweep point not loaded: {exc}", error=True)
            return
        if self.studio._apply(apply_values, network, values):
            self.studio.run()
            self.studio._report("loaded from the sweep: " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))

    # -- job thread → page -----------------------------------------------------------------------

    def _point(self, record) -> None:
        with self._lock:
            self._pending.append({"values": record.values, "value": record.value, "error": record.error})
        self._schedule()

    def _done(self, job) -> None:
        with self._lock:
            self._ended = job
        self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        doc = self._doc
        if doc is not None and doc.session_context is not None:
            with set_curdoc(doc):
                pn.state.execute(self.flush, schedule=True)
        else:
            self.flush()

    def flush(self) -> None:
        """Show the points that arrived (runs on the document's thread when served)."""
        with self._lock:
            points, self._pending = self._pending, []
            ended, self._ended = self._ended, None
            self._scheduled = False
        if points:
            self.panel.add(points)
        if ended is not None:
            self.panel.finish(*_summary(ended))


def _summary(job) -> tuple:
    """(status, error) lines for a finished job."""
    done, total = job.progress
    if job.error is not None:
        return f"stopped after {done} of {total} points", f"sweep failed: {job.error}"
    failed = [r for r in job.records.values() if r.error]
    text = (f"cancelled after {done} of {total} points" if job.cancelled else
            f"swept {total} points in {job.elapsed:.1f} s on {job.executor.label}")
    if failed:
        first = min(failed, key=lambda r: r.index)
        text += f"; {len(failed)} failed (point {first.index}: {first.error})"
    return text, ""
