"""Export of plots (PNG, SVG) and of a run's data (CSV, NPZ).

PNG and SVG are made in the browser: the toolbar's save tool writes a PNG and a
"Save as SVG" toolbar action re-paints the plot into an SVG context
(BokehJS ``PlotView.export("svg")``) and downloads the blob. Both work offline
and need no webdriver (``bokeh.io.export_svg`` would need one on the server).

The data files are built on the server from a flat dict of arrays, the layout of
``Result.arrays()``: ``"time"`` (s, shape ``(T,)``) and ``"<population>/<observable>"``.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Optional

import numpy as np
import panel as pn
from bokeh.models import CustomAction, CustomJS, SaveTool
from panel.viewable import Viewer

__all__ = ["DataDownloads", "add_export_tools", "csv_bytes", "npz_bytes"]

_SVG_EXPORT_JS = """
const view = Bokeh.index.find_one(fig)
if (view == null) return
view.export("svg").to_blob().then((blob) => {
  const link = document.createElement("a")
  link.href = URL.createObjectURL(blob)
  link.download = name + ".svg"
  link.dispatchEvent(new MouseEvent("click"))
})
"""


def add_export_tools(fig, name: str) -> None:
    """Give ``fig`` a PNG save tool and a "Save as SVG" action that download ``<name>.png`` / ``.svg``.

    The SVG is vector output even though the plot draws on a canvas: BokehJS paints the
    plot once more into an SVG context for the export.
    """
    for tool in fig.select(type=SaveTool):
        tool.update(filename=name, description="Save as PNG")  # a fixed name: no filename prompt
    fig.add_tools(CustomAction(description="Save as SVG", icon="arrow_down_to_bar",
                               callback=CustomJS(args=dict(fig=fig, name=name), code=_SVG_EXPORT_JS)))


def _format(array: np.ndarray) -> str:
    """printf format that writes every value of ``array``'s dtype so that it parses back exactly."""
    if array.dtype.kind in "biu":
        return "%d"
    return "%.9g" if array.dtype.itemsize <= 4 else "%.17g"


def csv_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A CSV file with one row per time step: ``time_s`` then one column per recorded value.

    ``arrays`` is ``Result.arrays()``: ``"time"`` of shape ``(T,)`` in s and time-major arrays
    ``(T, B, N)``; the column of batch entry ``b`` and neuron ``n`` of ``"<pop>/<obs>"`` is named
    ``"<pop>/<obs>/b<b>/n<n>"``. Values are written with enough digits (``%.9g`` for float32,
    ``%.17g`` for float64) to parse back to the identical number. Arrays not on the step grid
    (MADC samples on their own clock, scalars) are left out: they are in the NPZ file.

    Raises:
        ValueError: ``arrays`` has no ``"time"`` of shape ``(T,)``.
    """
    time = np.asarray(arrays.get("time", np.zeros((0, 0))))
    if time.ndim != 1:
        raise ValueError(f"arrays['time'] must have shape (T,), got {time.shape}")
    names, columns = ["time_s"], [(time, _format(time))]
    for key, value in arrays.items():
        value = np.asarray(value)
        if key == "time" or value.ndim < 2 or value.shape[0] != len(time):
            continue
        flat = value.reshape(len(time), -1)
        fmt = _format(value)
        for index, column in zip(np.ndindex(value.shape[1:]), flat.T):
            names.append("/".join([key] + [f"{axis}{i}" for axis, i in zip("bn", index)]))
            columns.append((column, fmt))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for step in range(len(time)):
        writer.writerow([fmt % column[step] for column, fmt in columns])
    return out.getvalue().encode()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The arrays as an uncompressed ``.npz`` file (``numpy.savez``; keys as given)."""
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


class DataDownloads(Viewer):
    """"Data as CSV" / "Data as NPZ" download buttons (CSS classes ``hx-download-csv``/``-npz``).

    Args:
        get_arrays: returns the current run's ``Result.arrays()`` dict, or ``None`` before any
            run (the buttons then download an empty file).
        basename: file name without extension.
    """

    def __init__(self, get_arrays: Callable[[], Optional[dict[str, Any]]] = lambda: None, basename: str = "result",
                 **params: Any):
        super().__init__(**params)
        self._get_arrays = get_arrays
        self.csv = pn.widgets.FileDownload(callback=lambda: self._file(csv_bytes), filename=f"{basename}.csv",
                                           label="Data as CSV", width=130, css_classes=["hx-download-csv"])
        self.npz = pn.widgets.FileDownload(callback=lambda: self._file(npz_bytes), filename=f"{basename}.npz",
                                           label="Data as NPZ", width=130, css_classes=["hx-download-npz"])
        self._layout = pn.Row(self.csv, self.npz, width=280)

    def __panel__(self):
        return self._layout

    def rename(self, basename: str) -> None:
        """Name the downloads ``<basename>.csv`` / ``<basename>.npz``."""
        self.csv.filename, self.npz.filename = f"{basename}.csv", f"{basename}.npz"

    def _file(self, build: Callable[[dict], bytes]) -> io.BytesIO:
        arrays = self._get_arrays()
        return io.BytesIO(b"" if arrays is None else build(arrays))
