"""The studio: canvas, parameter panel, stimulus editor, run controls and plots around one document.

``Studio(network)`` displays inline in JupyterLab; :func:`serve` runs it standalone on
127.0.0.1. All state lives in the :class:`~hxstudio.network.Network` document; the widgets show
it and report edits, which the studio applies through the document's validated edit methods. A
refused edit or a bad upload shows its one-line message and changes nothing; a failed run keeps
the last good results on screen.
"""

from __future__ import annotations

import gc
import html
import io
import math
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import panel as pn
import param
from panel.io.state import set_curdoc

from hxstudio.catalogue import widget_specs
from hxstudio.errors import HXStudioError
from hxstudio.examples import EXAMPLES, load_example
from hxstudio.network import ConstantInit, MatrixInit, Network, NormalInit, mean_value
from hxstudio.targets import TARGETS, resource_usage, unavailable
from hxstudio.widgets import (
    NetworkEditor,
    ParameterPanel,
    ResourceMeter,
    ResultsView,
    RunControls,
    StimulusEditor,
)

__all__ = ["Studio", "serve", "extension"]

_DEFAULT_SIZES = {"input": 1, "LIF": 10, "LI": 3, "AELIF": 1}
_ROW = 110.0  # px between canvas rows of new nodes
#: Seconds between two partial plot updates of a running run. Each one repaints 32 growing traces,
#: and headless chromium's software canvas takes 100–200 ms per such frame on this 2-core machine:
#: the page drew 30–36 fps while streaming at 0.25 s, 39–40 fps at 0.4 s (``bench_ui``).
PARTIAL_INTERVAL = 0.4
#: Served: the heatmap, raster and rates follow the traces this many ms later, in their own
#: message, so the trace plot being tuned is drawn in the next frame without waiting for them
#: (one frame at 60 Hz plus the time the browser takes to apply the trace message).
OVERVIEW_DELAY_MS = 30
#: Served: while a run streams, the next partial update waits until the page has drawn the last
#: one (:class:`~hxstudio.widgets.draw_ack.DrawAck`), or this many s for a page that does not answer.
ACK_TIMEOUT = 5.0
#: Thread switch interval (s) of a served studio, see :func:`serve`.
SWITCH_INTERVAL = 0.001
#: Seconds between two updates of the heatmap, raster and rates while a run streams (each
#: repaints three figures; the traces update every :data:`PARTIAL_INTERVAL`).
OVERVIEW_INTERVAL = 1.0
#: Auto-run's debounce window in s: an edit after a quiet spell of at least this long runs at
#: once (the delay would count fully against the tuning latency); edits that follow each other
#: closer than this form a burst, which runs once more, this long after its last edit.
AUTO_RUN_DELAY = 0.05


def extension() -> None:
    """Load Panel's extensions with every resource inlined: nothing is fetched from a CDN."""
    pn.extension(inline=True, sizing_mode="stretch_width")


class Studio(pn.viewable.Viewer):
    """The hxstudio app around one network document.

    Args:
        network: the document to edit (default: the built-in Yin-Yang example). The studio edits
            this object in place.
        run: run once on start so plots are filled.
    """

    message = param.String(default="", doc="Last status or error message shown to the user.")

    def __init__(self, network: Network | None = None, run: bool = True, **params):
        self.network = network if network is not None else load_example("yinyang")
        self.result = None
        self.selected = None  # ("node", name) | ("edge", name) | None
        self._live = None     # _LiveRun of the latest run
        self._note = ""       # import summary, said before the next run's report
        self._shown = {}      # plot → (time, arrays) it shows: unchanged data is not re-sent
        self._overview = None  # (time, data, dt, partial, t_end) waiting for heatmap/raster/rates
        self._pending_report = None  # status text waiting to be shown with them
        self._overview_shown = -math.inf  # time.monotonic() of their last partial update
        self._edits = 0       # document edits so far (auto-run runs after the last of a burst)
        self._last_edit = -math.inf  # time.monotonic() of the latest edit
        self._editor = NetworkEditor()
        self._params = ParameterPanel()
        self._stimulus = StimulusEditor()
        self._controls = RunControls()
        self._plots = ResultsView(get_arrays=lambda: None if self.result is None else self.result.arrays())
        self._traces, self._raster = self._plots.traces, self._plots.raster
        # no start/end on these inputs: the document validates and explains the allowed range
        self._size = pn.widgets.IntInput(label="neurons", width=160, visible=False)
        self._duration = pn.widgets.FloatInput(label="duration (µs, hardware)", step=1, width=160)
        self._example = pn.widgets.MenuButton(label="Open example", items=list(EXAMPLES), width=150)
        self._title = pn.pane.Markdown("", margin=(0, 10))
        self._upload = pn.widgets.FileInput(accept=".json", label="Open project", width=220)
        self._download = pn.widgets.FileDownload(
            callback=self._project_file, filename="project.json", label="Save project",
            width=140,
        )
        self._nir_upload = pn.widgets.FileInput(accept=".nir", label="Import NIR", width=220,
                                                css_classes=["hx-import-nir"])
        self._nir_download = pn.widgets.FileDownload(
            callback=self._nir_file, filename="project.nir", label="Export NIR", width=140,
            css_classes=["hx-export-nir"],
        )
        # target: mock / emulator / hardware ("hardware" disabled, with the reason, without hxtorch)
        self._hardware_reason = unavailable("hardware")
        self._target = pn.widgets.Select(
            label="Target", options=list(TARGETS), width=130, css_classes=["hx-target"],
            description="mock: ideal numerics; emulator: emulated BrainScaleS-2 chip (resources, "
                        "fixed-pattern spread, noise, CADC/MADC readout); hardware: BrainScaleS-2 via hxtorch")
        self._target_note = pn.pane.Str("" if self._hardware_reason is None else
                                        f"hardware: hxtorch is {self._hardware_reason}",
                                        css_classes=["hx-target-note"], margin=(30, 5, 0, 5))
        self._meter = ResourceMeter(visible=False)
        self._hxtorch_download = pn.widgets.FileDownload(
            callback=self._hxtorch_file, filename="project.py", label="Export hxtorch script", width=180,
            css_classes=["hx-export-hxtorch"],
        )
        self._stimulus_box = pn.Column(self._stimulus, visible=False, sizing_mode="stretch_width")
        from hxstudio.sweep.studio import StudioSweep

        self._sweeper = StudioSweep(self)  # the collapsible sweep card beside the plots
        super().__init__(**params)
        self._editor.on_add = self._on_add
        self._editor.on_delete_node = self._on_delete_node
        self._editor.on_connect = self._on_connect
        self._editor.on_delete_edge = self._on_delete_edge
        self._editor.on_select = self._on_select
        self._editor.on_move = self._on_move
        self._params.on_change = self._on_param
        self._stimulus.on_change = self._on_stimulus
        self._controls.on_run = self.run
        self._controls.on_stop = self.stop
        self._plots.ack.on_change("drawn", self._on_drawn)
        self._size.param.watch(self._on_size, "value")
        self._duration.param.watch(self._on_duration, "value")
        self._example.on_click(self._on_example)
        self._upload.param.watch(self._on_upload, "value")
        self._nir_upload.param.watch(self._on_nir_upload, "value")
        self._target.param.watch(self._on_target, "value")
        self._layout = pn.Row(
            pn.Column(
                self._title,
                pn.FlexBox(self._example, self._duration, self._upload, self._download,
                           self._nir_upload, self._nir_download, self._hxtorch_download, self._target,
                           self._target_note, sizing_mode="stretch_width"),
                self._meter,
                self._editor,
                pn.Row(self._controls),
                self._plots,
                self._sweeper.card,
                sizing_mode="stretch_width",
            ),
            pn.Column(self._size, self._params, self._stimulus_box, width=380),
            sizing_mode="stretch_width",
        )
        self._refresh_document()
        if run:
            self.run()

    def __panel__(self):
        return self._layout

    # -- document → widgets -----------------------------------------------------------------

    def _refresh_document(self, reselect: bool = True) -> None:
        net = self.network
        self._title.object = f"## {html.escape(net.name, quote=False)}"
        self._duration.value = round(net.duration * 1e6, 6)
        self._download.filename = _filename(net.name)
        self._nir_download.filename = _filename(net.name)[: -len(".json")] + ".nir"
        self._plots.downloads.rename(_filename(net.name)[: -len(".json")] + "-result")
        self._hxtorch_download.filename = _filename(net.name)[: -len(".json")] + ".py"
        self._show_target()
        graph = (
            [
                {"id": p.name, "kind": p.kind, "label": f"⚠ {p.name}" if p.flags() else p.name, "size": p.size,
                 "position": tuple(p.position)}
                for p in net.populations
            ],
            [{"id": j.name, "source": j.source, "target": j.target, "label": _edge_label(j)} for j in net.projections],
        )
        if graph != self._editor.graph:  # a parameter edit leaves the canvas alike: send nothing
            self._editor.set_graph(*graph)
        self._sweeper.refresh()
        if reselect:
            self._show_selection()

    def _show_selection(self) -> None:
        kind, name = self.selected or (None, None)
        self._size.visible = False
        self._stimulus_box.visible = False
        if kind == "node" and name in {p.name for p in self.network.populations}:
            pop = self.network.population(name)
            self._size.label = f"neurons in {name!r}"
            self._size.value = pop.size
            self._size.visible = True
            if pop.kind == "input":
                self._params.clear(f"{name}: input population — edit its stimulus below.")
                self._stimulus.show(name, pop.size, pop.stimulus.model_dump())
                self._stimulus_box.visible = True
            else:
                values, notes = _param_view(pop)
                self._params.show(f"{name} · {pop.kind} × {pop.size}", widget_specs(pop.kind), values, notes)
        elif kind == "edge" and name in {j.name for j in self.network.projections}:
            j = self.network.projection(name)
            self._params.show_edge(f"projection {name}", _edge_fields(j), {})
        else:
            self.selected = None
            self._params.clear("Select a population or projection on the canvas to edit it.")

    # -- widgets → document -----------------------------------------------------------------

    def _apply(self, edit, *args, reselect: bool = True, **kwargs) -> bool:
        """Apply one document edit; on a refused edit show the message and restore the widgets.

        ``reselect=False`` keeps the selection's editor as it is after an accepted edit (it shows
        the edited value already; rebuilding its widgets costs hundreds of ms per edit). An
        auto-run starts before the widgets follow the edit (served, it computes meanwhile)."""
        with pn.io.hold():  # one message to the browser for all widget changes
            try:
                edit(*args, **kwargs)
            except HXStudioError as exc:
                self._report(str(exc), error=True)
                self._refresh_document()
                return False
            self._controls.error = ""
            self._changed()
            self._refresh_document(reselect)
        return True

    def _changed(self) -> None:
        """After a document edit, with auto-run on: run at once if the previous edit lies at
        least :data:`AUTO_RUN_DELAY` s back; otherwise the edit belongs to a burst, which runs
        once more when it has paused for :data:`AUTO_RUN_DELAY` s (a newer edit restarts the
        wait). A run supersedes the one in progress."""
        if not self._controls.auto_run:
            return
        self._edits += 1
        edit = self._edits
        now = time.monotonic()
        quiet, self._last_edit = now - self._last_edit >= AUTO_RUN_DELAY, now
        if quiet:
            self.run()
            self._last_edit = time.monotonic()  # a foreground run (no server) took its time
            return

        def due():
            if edit == self._edits:
                self.run()

        doc = _served_document()
        if doc is not None:
            doc.add_timeout_callback(due, int(AUTO_RUN_DELAY * 1000))
        else:
            timer = threading.Timer(AUTO_RUN_DELAY, due)
            timer.daemon = True
            timer.start()

    def _on_add(self, kind: str) -> None:
        name = self.network.unique_name(kind.lower() if kind != "input" else "input")
        # below everything on the canvas, so a new node never covers another one
        y = max((p.position[1] for p in self.network.populations), default=-_ROW) + _ROW
        if self._apply(self.network.add_population, name, kind, _DEFAULT_SIZES[kind], position=(40.0, y)):
            self.selected = ("node", name)
            self._show_selection()

    def _on_delete_node(self, name: str) -> None:
        self._apply(self.network.remove_population, name)

    def _on_connect(self, source: str, target: str) -> None:
        self._apply(self.network.add_projection, source, target, init=ConstantInit(value=10.0))

    def _on_delete_edge(self, name: str) -> None:
        self._apply(self.network.remove_projection, name)

    def _on_select(self, kind, name) -> None:
        self.selected = (kind, name) if kind else None
        self._show_selection()

    def _on_move(self, name: str, position) -> None:
        try:
            self.network.update_population(name, position=tuple(position))
        except HXStudioError:
            pass  # a node that vanished meanwhile; nothing to keep

    def _on_param(self, name: str, value) -> None:
        kind, target = self.selected or (None, None)
        if kind == "node":
            notes = _param_view(self.network.population(target))[1]
            if self._apply(self.network.set_param, target, name,
                           value if isinstance(value, bool) else float(value), reselect=False):
                changed = _param_view(self.network.population(target))[1]
                if changed != notes:  # calibrated range, per-neuron values
                    self._params.set_notes(changed)
        elif kind == "edge":
            change = _edge_change(self.network.projection(target), name, value)
            if self._apply(self.network.update_projection, target, reselect=False, **change) and name == "init":
                self._show_selection()  # another init kind has other fields

    def _on_stimulus(self, stimulus: dict) -> None:
        kind, target = self.selected or (None, None)
        if kind == "node":
            self._apply(self.network.update_population, target, stimulus=stimulus)

    def _on_size(self, event) -> None:
        kind, target = self.selected or (None, None)
        if kind == "node" and event.new != self.network.population(target).size:
            self._apply(self.network.update_population, target, size=int(event.new))

    def _on_duration(self, event) -> None:
        if event.new is not None and abs(event.new * 1e-6 - self.network.duration) > 1e-12:
            self._apply(self.network.set, duration=float(event.new) * 1e-6)

    def _on_example(self, event) -> None:
        self.open(load_example(event.new))

    def _on_upload(self, event) -> None:
        if event.new is None:
            return
        try:
            network = Network.from_json(event.new)
        except HXStudioError as exc:
            self._report(f"{self._upload.filename}: {exc}", error=True)
            return
        self.open(network)

    def _project_file(self):
        return io.StringIO(self.network.to_json())

    def _on_nir_upload(self, event) -> None:
        """Import a NIR file as the new document; a failed import changes nothing."""
        if event.new is None:
            return
        from hxstudio.nir_io import import_nir

        filename = self._nir_upload.filename or "upload.nir"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                network = import_nir(event.new, filename=filename)
            except HXStudioError as exc:
                self._report(str(exc), error=True)
                return
            except Exception as exc:  # never lose the open project to an unexpected failure
                self._report(f"{filename}: import failed: {exc}", error=True)
                return
        flags = network.flags()
        summary = (f"imported {filename}: {len(network.populations)} populations, "
                   f"{len(network.projections)} projections, dt = {network.dt * 1e6:g} µs")
        if flags:
            summary += f"; ⚠ {len(flags)} values outside the calibrated ranges (mock only)"
        notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        if notes:
            summary += "; " + "; ".join(notes)
        self.open(network, note=summary)

    def _show_target(self) -> None:
        """Selector value, its disabled option and the resource meter (emulator, hardware) for the
        document; the meter re-plans on every document change (:func:`resource_usage`, no run)."""
        net = self.network
        # a document that names an unavailable hardware target still shows it (it cannot run)
        disabled = ["hardware"] if self._hardware_reason and net.target != "hardware" else []
        self._target.param.update(value=net.target, disabled_options=disabled)
        if net.target == "mock":
            self._meter.visible = False
            return
        usage = resource_usage(net)
        self._meter.param.update(visible=True, neurons_used=usage.neurons_used, neurons_total=usage.neurons_total,
                                 rows_used=dict(usage.rows_used), rows_total=usage.rows_total,
                                 error=usage.error or "")

    def _on_target(self, event) -> None:
        if event.new != self.network.target and self._apply(self.network.set, target=event.new):
            self._report(f"target: {event.new} — press Run to run there")

    def _hxtorch_file(self):
        from hxstudio.codegen import export_hxtorch

        try:
            script = export_hxtorch(self.network)
        except HXStudioError as exc:
            self._report(f"export failed: {exc}", error=True)
            return io.StringIO("")
        self._report(f"exported {self._hxtorch_download.filename} (hxtorch.spiking script)")
        return io.StringIO(script)

    def _nir_file(self):
        from hxstudio.nir_io import nir_bytes

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                data = nir_bytes(self.network)
            except HXStudioError as exc:
                self._report(f"export failed: {exc}", error=True)
                return io.BytesIO(b"")
        notes = "; ".join(str(w.message) for w in caught if issubclass(w.category, UserWarning))
        self._report(f"exported {self._nir_download.filename}" + (f"; {notes}" if notes else ""))
        return io.BytesIO(data)

    # -- actions ----------------------------------------------------------------------------

    def open(self, network: Network, note: str = "") -> None:
        """Replace the document (after an upload or example pick) and run it.

        ``note`` (e.g. an import summary) is shown now and kept in front of the run's report."""
        self.network = network
        self.selected = None
        self._refresh_document()
        self._note = note
        self._report(note or f"opened {network.name!r}")
        self.run()

    def run(self, background: bool | None = None) -> None:
        """Run the document on its target and show the result; a failed run keeps the last plots.

        Served (``hxstudio serve``), the run goes to a worker thread (:class:`RunSession`) and
        this returns at once: on the mock the plots follow the run chunk by chunk (at most
        every :data:`PARTIAL_INTERVAL` s), the progress shows the simulated time, and Stop
        (:meth:`stop`) ends it keeping what was computed. A new run supersedes (stops) one in
        progress. Elsewhere (a notebook, tests) the run completes before this returns, unless
        ``background`` is ``True``.
        """
        from hxstudio.streaming import RunSession

        self.stop()
        self._overview_shown = -math.inf  # a new run's first partial update shows every plot
        doc = _served_document()
        live = _LiveRun(RunSession(self.network), doc, posted=time.monotonic())
        live.session.on_progress = lambda _session: self._on_run_progress(live)
        live.session.on_done = lambda _session: self._post(live, lambda: self._finish_run(live))
        self._live = live
        live.session.start(background=doc is not None if background is None else background)

    def stop(self) -> None:
        """Stop the run in progress, if any, keeping what it computed (ends within one chunk).
        Served, this returns at once (the plots follow when the worker has ended: waiting here
        held up the server's event loop for as long as the worker's chunk took); elsewhere it
        waits up to 1 s for the worker."""
        if self._live is not None and self._live.session.running:
            self._live.session.stop(timeout=0.0 if self._live.doc is not None else 1.0)

    @property
    def run_session(self):
        """The :class:`~hxstudio.streaming.RunSession` of the latest run (``None`` before)."""
        return None if self._live is None else self._live.session

    def _post(self, live: "_LiveRun", callback) -> None:
        """Call ``callback()`` where it may touch the widgets: on the served document's event loop
        (holding its lock), else directly."""
        doc = live.doc
        if doc is None or doc.session_context is None:
            callback()
        else:
            _schedule(doc, callback)

    def _on_run_progress(self, live: "_LiveRun") -> None:
        """(worker thread) After a chunk: post a partial update unless one is pending or the last
        went out less than :data:`PARTIAL_INTERVAL` s ago."""
        if live.pending:
            # back-pressure: a busy worker thread starves the server's event loop of the GIL, so
            # wait (briefly) until the pending update has gone out before computing on
            live.drained.wait(PARTIAL_INTERVAL)
            return
        now = time.monotonic()
        if now - live.posted < PARTIAL_INTERVAL or (live.unacked and now - live.posted < ACK_TIMEOUT):
            return  # too soon, or the page is still drawing the last update
        live.posted, live.pending = now, True
        live.drained.clear()
        self._post(live, lambda: self._show_progress(live))

    def _show_progress(self, live: "_LiveRun") -> None:
        try:
            self._show_partial(live)
        finally:
            live.pending = False
            live.drained.set()

    def _show_partial(self, live: "_LiveRun") -> None:
        session = live.session
        if live is not self._live or not session.running:
            return
        result = session.result()
        with pn.io.hold():  # one message: the new samples and the progress
            if result is not None:
                self._show_result(result, partial=True,
                                  t_end=float(result.time[0]) + (session.steps - 1) * result.dt)
                live.shown = True
            # the controls turn busy with the first partial: a quick run sends only its result
            self._controls.param.update(busy=True, progress=session.progress)
            self._expect_ack(live)

    def _expect_ack(self, live: "_LiveRun") -> None:
        """Number the update being sent; the next partial update waits until the page says it
        has drawn it (:meth:`_on_drawn`)."""
        if live.doc is not None:
            self._plots.ack.sent += 1
            live.unacked = self._plots.ack.sent

    def _on_drawn(self, _attr, _old, drawn: int) -> None:
        live = self._live
        if live is not None and drawn >= live.unacked:
            live.unacked = 0

    def _finish_run(self, live: "_LiveRun") -> None:
        if live is not self._live:
            return  # superseded by a newer run
        session = live.session
        with pn.io.hold():
            self._controls.param.update(busy=False, progress="")
            result = session.result()
            note, self._note = self._note, ""
            prefix = f"{note} — " if note else ""
            if session.state == "failed" or result is None:
                if live.shown and self.result is not None:
                    self._show_result(self.result)  # the failed run's partial plots go
                if session.state == "failed":
                    self._report(f"{prefix}run failed: {session.error}", error=True)
                else:
                    self._report("stopped before the first step; the previous results stay")
                return
            self.result = result
            counts = ", ".join(f"{n}: {c}" for n, c in result.spike_counts().items()) or "none"
            if session.state == "stopped":
                report = f"{prefix}stopped at {session.progress} — spikes {counts}"
            else:
                report = f"{prefix}ran {len(result.time)} steps on the {result.target} — spikes {counts}"
            self._show_result(result, report=report)

    def _show_result(self, result, partial: bool = False, t_end: float | None = None,
                     report: str | None = None) -> None:
        """Plot batch entry 0 of ``result``. ``partial``: the run is still going and a later call
        brings the same run with more steps; the plots then send only the new samples. ``t_end``
        (s): the last time step the running run will reach (the time axes span it). ``report``:
        the status line to show with the result.

        The traces update now. The heatmap, raster, rates and the status line follow
        (:meth:`_show_overview`): at once without a server, else :data:`OVERVIEW_DELAY_MS` later
        in a message of their own, and during a run at most every :data:`OVERVIEW_INTERVAL` s.
        (A new status text in the traces' message made the browser recompute the page's styles
        and layout before it could draw them: ≈ 30 ms of the tuning latency, measured.)"""
        observables = {"traces": "membrane_cadc", "current": "current", "adaptation": "adaptation_cadc",
                       "spikes": "spikes"}
        data = {key: {} for key in observables}
        lines = {}
        names = {p.name for p in self.network.populations}
        for name, pop in result.populations.items():
            for key, attr in observables.items():
                if getattr(pop, attr, None) is not None:
                    data[key][name] = getattr(pop, attr)[:, 0, :]
            if pop.membrane_cadc is not None and name in names:
                params = self.network.population(name).params
                lines[name] = {k: mean_value(params[k]) for k in ("threshold", "leak", "reset") if k in params}
        with pn.io.hold():
            self._traces.update(result.time, data["traces"], lines, current=data["current"],
                                adaptation=data["adaptation"], partial=partial, madc=_madc_overlay(result),
                                t_end=t_end)
        now = time.monotonic()
        if partial and now - self._overview_shown < OVERVIEW_INTERVAL:
            return
        if partial:
            self._overview_shown = now
        pending, self._overview = self._overview, (result.time, data, result.dt, partial, t_end)
        if report is not None:
            self._pending_report = report
        doc = _served_document()
        if doc is None:
            self._show_overview()
        elif pending is None:  # else the callback already waiting shows this newer result
            _schedule(doc, self._show_overview, OVERVIEW_DELAY_MS)

    def _show_overview(self) -> None:
        """Show the result waiting for the heatmap, raster, rates and status (see :meth:`_show_result`)."""
        if self._overview is None:
            return
        (grid, data, dt, partial, t_end), self._overview = self._overview, None
        with pn.io.hold():
            if self._pending_report is not None:
                self._report(self._pending_report)
            if partial or self._unshown("heatmap", grid, data["traces"]):
                self._plots.heatmap.update(grid, data["traces"], partial=partial, t_end=t_end)
            if partial or self._unshown("raster", grid, data["spikes"]):
                self._raster.update(grid, data["spikes"], partial=partial, t_end=t_end)
                self._plots.rates.update(data["spikes"], len(grid) * dt)
            if partial:
                self._shown.clear()  # the complete result is new to every plot
                if self._live is not None and self._live.session.running:
                    self._expect_ack(self._live)  # the overview's repaint is the longer one

    def _unshown(self, plot: str, time, arrays: dict) -> bool:
        """Whether ``plot`` must be updated: its data differ from the complete result it shows
        (e.g. an edit of a neuron parameter leaves the spikes of a run without spikes alike)."""
        shown = self._shown.get(plot)
        self._shown[plot] = (time, arrays)
        return (shown is None or not np.array_equal(shown[0], time)
                or shown[1].keys() != arrays.keys()
                or not all(np.array_equal(shown[1][k], v) for k, v in arrays.items()))

    def _report(self, text: str, error: bool = False) -> None:
        self.message, self._pending_report = text, None  # a newer report replaces a waiting one
        if error:
            self._controls.error = text
        else:
            self._controls.param.update(status=text, error="")


def _madc_overlay(result):
    """The MADC trace of batch entry 0 for :class:`TracePlot`, mapped onto the CADC axis
    (:meth:`~hxstudio.result.PopulationResult.madc_on_cadc_axis`); ``None`` without MADC data."""
    for name, pop in result.populations.items():
        values = pop.madc_on_cadc_axis()
        if values is not None:
            return {"population": name, "neuron": pop.madc_neuron, "time": pop.madc_time[:, 0], "values": values[:, 0]}
    return None


@dataclass
class _LiveRun:
    """How the studio follows one :class:`~hxstudio.streaming.RunSession`: the served document
    to post updates to (``None``: call directly), when the last partial update was posted,
    whether one is still pending (``drained`` is set once it has been sent), the number of the
    update the page has not yet said it drew (``unacked``) and whether partial plots are on
    screen."""

    session: object
    doc: object
    posted: float
    pending: bool = False
    unacked: int = 0  # 0: none
    shown: bool = False
    drained: threading.Event = field(default_factory=threading.Event)


def _schedule(doc, callback, delay_ms: int = 0) -> None:
    """Call ``callback()`` on the served document's event loop, holding its lock: on the next
    tick, or ``delay_ms`` ms later."""

    def locked():
        with set_curdoc(doc):
            callback()

    if delay_ms:
        doc.add_timeout_callback(locked, delay_ms)
    else:
        doc.add_next_tick_callback(locked)


def _served_document():
    """The Bokeh document of the current server session, or ``None`` (notebook, plain Python)."""
    doc = pn.state.curdoc
    return doc if doc is not None and doc.session_context is not None else None


def _param_view(pop) -> tuple:
    """Values for the parameter panel (per-neuron lists shown as their mean) and notes per parameter."""
    from hxstudio.backend.chip.parameters import PARAMETERS
    from hxstudio.backend.errors import format_quantity

    values, notes = {}, {}
    for name, value in pop.params.items():
        if isinstance(value, bool):  # an AELIF switch: a checkbox, no range
            values[name] = value
            continue
        spec = PARAMETERS[name]
        values[name] = mean_value(value)
        lines = []
        if isinstance(value, list):
            lines.append(f"mean of {len(value)} per-neuron values ({format_quantity(min(value), spec.unit)} … "
                         f"{format_quantity(max(value), spec.unit)}); a change sets every neuron")
        if not all(spec.calibratable(v) for v in (value if isinstance(value, list) else [value])):
            low, high = (format_quantity(x, spec.unit) for x in spec.calibrated)
            lines.append(f"⚠ outside the calibrated range [{low}, {high}]: runs in the mock only")
        if lines:
            notes[name] = "; ".join(lines)
    return values, notes


def _filename(name: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_") or "project"
    return f"{stem[:40]}.json"


def _edge_label(j) -> str:
    init = j.init
    if isinstance(init, ConstantInit):
        text = f"w = {init.value:g}"
    elif isinstance(init, NormalInit):
        text = f"w ~ N({init.mean:g}, {init.std:g})"
    else:
        text = "w = matrix"
    return text if j.scale == 1 else f"{j.scale:g} · {text}"


def _edge_fields(j) -> list:
    init = j.init
    fields = [{"name": "init", "label": "weight init", "kind": "select",
               "options": ["constant", "normal"] + (["matrix"] if isinstance(init, MatrixInit) else []),
               "value": init.kind, "doc": "How the weight matrix (target size × source size) is filled."}]
    if isinstance(init, ConstantInit):
        fields.append({"name": "value", "label": "weight", "kind": "float", "value": init.value,
                       "doc": "Every weight; 60 gives a PSP of ≈ 23 CADC LSB with default neurons."})
    elif isinstance(init, NormalInit):
        fields += [
            {"name": "mean", "label": "mean", "kind": "float", "value": init.mean, "doc": "Mean weight."},
            {"name": "std", "label": "std", "kind": "float", "value": init.std, "start": 0.0,
             "doc": "Standard deviation of the weights."},
            {"name": "seed", "label": "seed", "kind": "int", "value": init.seed, "doc": "Random seed."},
        ]
    fields.append({"name": "scale", "label": "scale", "kind": "float", "value": j.scale,
                   "doc": "Multiplies every weight: used weight = scale · W."})
    return fields


def _edge_change(j, name: str, value) -> dict:
    """Document change for one edited projection field."""
    if name == "scale":
        return {"scale": float(value)}
    if name == "init":
        return {"init": {"constant": ConstantInit(), "normal": NormalInit(), "matrix": j.init}[value]}
    init = j.init.model_dump()
    init[name] = int(value) if name == "seed" else float(value)
    return {"init": init}


def serve(network: Network | None = None, port: int = 5006, show: bool = False, **kwargs):
    """Serve the studio on ``127.0.0.1:port``; every browser session gets its own copy of ``network``.

    Blocks until interrupted (as ``panel serve``). Sets the interpreter's thread switch interval
    to 1 ms (default 5 ms): runs compute in worker threads, and a websocket message or a plot
    update waiting for the GIL then waits at most 1 ms instead of 5 ms per hand-over. Freezes
    the objects that exist before the first page (``gc.freeze``: the imported torch, Bokeh and
    Panel modules), so the cyclic garbage collector's full passes, which stop the server, skip
    them: measured 530 ms → 60–290 ms per full pass while tuning.
    """
    sys.setswitchinterval(SWITCH_INTERVAL)
    extension()
    template = (network or load_example("yinyang")).to_json()
    import hxstudio.streaming  # noqa: F401 -- the run machinery (torch) is loaded before the freeze

    gc.freeze()

    def app():
        studio = Studio(Network.from_json(template))
        pn.state.on_session_destroyed(lambda _context: studio.stop())  # a closed tab ends its run
        return studio.__panel__()

    origins = [f"127.0.0.1:{port}", f"localhost:{port}"]
    return pn.serve(app, port=port, address="127.0.0.1", show=show, websocket_origin=origins,
                    title="hxstudio", check_unused_sessions=1000, unused_session_lifetime=5000, **kwargs)
