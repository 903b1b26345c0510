"""The studio: canvas, parameter panel, stimulus editor, run controls and plots around one document.

``Studio(network)`` displays inline in JupyterLab; :func:`serve` runs it standalone on
127.0.0.1. All state lives in the :class:`~hxstudio.network.Network` document; the widgets show
it and report edits, which the studio applies through the document's validated edit methods. A
refused edit or a bad upload shows its one-line message and changes nothing; a failed run keeps
the last good results on screen.
"""

from __future__ import annotations

import html
import io
import warnings

import panel as pn
import param

from hxstudio.catalogue import widget_specs
from hxstudio.errors import HXStudioError
from hxstudio.examples import EXAMPLES, load_example
from hxstudio.network import ConstantInit, MatrixInit, Network, NormalInit, mean_value
from hxstudio.widgets import (
    NetworkEditor,
    ParameterPanel,
    RasterPlot,
    RunControls,
    StimulusEditor,
    TracePlot,
)

__all__ = ["Studio", "serve", "extension"]

_DEFAULT_SIZES = {"input": 1, "LIF": 10, "LI": 3}
_ROW = 110.0  # px between canvas rows of new nodes


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
        self._editor = NetworkEditor()
        self._params = ParameterPanel()
        self._stimulus = StimulusEditor()
        self._controls = RunControls()
        self._traces = TracePlot()
        self._raster = RasterPlot()
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
        self._size.param.watch(self._on_size, "value")
        self._duration.param.watch(self._on_duration, "value")
        self._example.on_click(self._on_example)
        self._upload.param.watch(self._on_upload, "value")
        self._nir_upload.param.watch(self._on_nir_upload, "value")
        self._layout = pn.Row(
            pn.Column(
                self._title,
                pn.FlexBox(self._example, self._duration, self._upload, self._download,
                           self._nir_upload, self._nir_download, sizing_mode="stretch_width"),
                self._editor,
                pn.Row(self._controls),
                self._traces,
                self._raster,
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

    def _refresh_document(self) -> None:
        net = self.network
        self._title.object = f"## {html.escape(net.name, quote=False)}"
        self._duration.value = round(net.duration * 1e6, 6)
        self._download.filename = _filename(net.name)
        self._nir_download.filename = _filename(net.name)[: -len(".json")] + ".nir"
        self._editor.set_graph(
            [
                {"id": p.name, "kind": p.kind, "label": f"⚠ {p.name}" if p.flags() else p.name, "size": p.size,
                 "position": tuple(p.position)}
                for p in net.populations
            ],
            [{"id": j.name, "source": j.source, "target": j.target, "label": _edge_label(j)} for j in net.projections],
        )
        self._sweeper.refresh()
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

    def _apply(self, edit, *args, **kwargs) -> bool:
        """Apply one document edit; on a refused edit show the message and restore the widgets."""
        try:
            edit(*args, **kwargs)
        except HXStudioError as exc:
            self._report(str(exc), error=True)
            self._refresh_document()
            return False
        self._controls.error = ""
        self._refresh_document()
        return True

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
            self._apply(self.network.set_param, target, name, float(value))
        elif kind == "edge":
            self._apply(self.network.update_projection, target, **_edge_change(self.network.projection(target), name, value))

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
        self.open(network)
        flags = network.flags()
        summary = (f"imported {filename}: {len(network.populations)} populations, "
                   f"{len(network.projections)} projections, dt = {network.dt * 1e6:g} µs")
        if flags:
            summary += f"; ⚠ {len(flags)} values outside the calibrated ranges (mock only)"
        notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        if notes:
            summary += "; " + "; ".join(notes)
        self._report(f"{summary} — {self.message}")

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

    def open(self, network: Network) -> None:
        """Replace the document (after an upload or example pick) and run it."""
        self.network = network
        self.selected = None
        self._refresh_document()
        self._report(f"opened {network.name!r}")
        self.run()

    def run(self) -> None:
        """Run the document on the mock and update the plots; on error keep the last plots."""
        from hxstudio.runner import run

        self._controls.busy = True
        try:
            result = run(self.network)
        except Exception as exc:  # a failed run must never lose what is on screen
            self._report(f"run failed: {exc}", error=True)
            return
        finally:
            self._controls.busy = False
        self.result = result
        self._show_result(result)
        counts = ", ".join(f"{n}: {c}" for n, c in result.spike_counts().items()) or "none"
        self._report(f"ran {len(result.time)} steps on the {result.target} — spikes {counts}")

    def _show_result(self, result) -> None:
        traces, lines, spikes = {}, {}, {}
        for name, pop in result.populations.items():
            if pop.membrane_cadc is not None:
                traces[name] = pop.membrane_cadc[:, 0, :]
                params = self.network.population(name).params if name in {p.name for p in self.network.populations} else {}
                lines[name] = {k: mean_value(params[k]) for k in ("threshold", "leak") if k in params}
            if pop.spikes is not None:
                spikes[name] = pop.spikes[:, 0, :]
        self._traces.update(result.time, traces, lines)
        self._raster.update(result.time, spikes)

    def _report(self, text: str, error: bool = False) -> None:
        self.message = text
        if error:
            self._controls.error = text
        else:
            self._controls.param.update(status=text, error="")


def _param_view(pop) -> tuple:
    """Values for the parameter panel (per-neuron lists shown as their mean) and notes per parameter."""
    from hxstudio.backend.chip.parameters import PARAMETERS
    from hxstudio.backend.errors import format_quantity

    values, notes = {}, {}
    for name, value in pop.params.items():
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

    Blocks until interrupted (as ``panel serve``).
    """
    extension()
    template = (network or load_example("yinyang")).to_json()

    def app():
        return Studio(Network.from_json(template)).__panel__()

    origins = [f"127.0.0.1:{port}", f"localhost:{port}"]
    return pn.serve(app, port=port, address="127.0.0.1", show=show, websocket_origin=origins,
                    title="hxstudio", check_unused_sessions=1000, unused_session_lifetime=5000, **kwargs)
