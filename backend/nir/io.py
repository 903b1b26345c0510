"""Read and write NIR files (HDF5) with one-line errors instead of h5py/nir tracebacks.

:func:`read` behaves like ``nir.read`` (type checking on), with three differences: it also takes
bytes or a binary file object (an upload); a graph that fails nir's type check is read again with
type checking off *in every nested graph* (``nir.read(type_check=False)`` does not pass the flag
on, ``nir-and-bss2-notes.md`` §A.3) and the type error becomes a :class:`NIRWarning`; and
unreadable input raises :class:`~hxstudio.backend.errors.NIRFileError` with one line.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any, BinaryIO, Union

import nir
import numpy as np

from ..errors import NIRError, NIRFileError, NIRWarning, UnsupportedNIRError

__all__ = ["read", "write", "to_bytes", "one_line"]

Source = Union[str, os.PathLike, bytes, bytearray, BinaryIO]


def one_line(error: BaseException, limit: int = 300) -> str:
    """``str(error)`` on one line (whitespace collapsed), shortened to ``limit`` characters."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(source: Any, name: Any) -> str:
    if name:
        return str(name)
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return "NIR data"


def _open(source: Source):
    import h5py

    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(bytes(source))
    return h5py.File(source, "r")


def _types(data: dict, path: str = "") -> None:
    """Raise for node types this nir version does not know (nir asserts without a message)."""
    known = set(nir.ir.__all__)
    kind = data.get("type")
    if kind not in known:
        raise UnsupportedNIRError(
            f"NIR node {path or '(root)'!r} has type {kind!r}, which nir {nir.version} does not know")
    for key, child in (data.get("nodes") or {}).items() if kind == "NIRGraph" else ():
        if isinstance(child, dict):
            _types(child, f"{path}.{key}" if path else str(key))


def _build(data: dict, type_check: bool) -> nir.NIRNode:
    """Create the node described by ``data`` (``hdf2dict`` output); nested graphs get the flag too."""
    if data["type"] != "NIRGraph":
        return nir.dict2NIRNode(dict(data))
    nodes = {str(k): _build(v, type_check) for k, v in data["nodes"].items()}
    edges = [tuple(e.decode("utf8") if isinstance(e, bytes) else str(e) for e in edge)
             for edge in np.asarray(data.get("edges", np.zeros((0, 2))), dtype=object).reshape(-1, 2)]
    metadata = dict(data.get("metadata") or {})
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=type_check)


def read(source: Source, type_check: bool = True, name: str = None) -> nir.NIRGraph:
    """Read a NIR graph from a file name, bytes or a binary file object.

    Args:
        source: path of a ``.nir`` file, its bytes, or an open binary file.
        type_check: first try with nir's type checking (as ``nir.read``); on a type error read
            again without it and warn. ``False`` reads without type checking at once.
        name: label for messages (default: the file name).
    Returns:
        the ``nir.NIRGraph``.
    Raises:
        NIRFileError: not HDF5, truncated, no ``node`` group, or a graph nir cannot build even
            without type checking (one line naming the file).
        UnsupportedNIRError: a node type unknown to the installed nir.
    Warns:
        NIRWarning: the graph failed nir's type check and was read with it off.

    Example:
        >>> import nir, numpy as np
        >>> g = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((2, 3))))
        >>> read(to_bytes(g)).nodes["linear"].weight.shape
        (2, 3)
    """
    label = _label(source, name)
    try:
        handle = _open(source)
    except (OSError, ValueError, TypeError) as exc:
        raise NIRFileError(f"{label}: not a readable NIR file (HDF5 expected; damaged or "
                           f"truncated?): {one_line(exc)}") from exc
    try:
        with handle as f:
            if "node" not in f:
                raise NIRFileError(f"{label}: HDF5 file without a 'node' group; not a NIR graph")
            from nir.serialization import hdf2dict

            data = hdf2dict(f["node"])
    except NIRError:
        raise
    except Exception as exc:  # h5py raises OSError/KeyError/RuntimeError on damaged content
        raise NIRFileError(f"{label}: the NIR file is damaged or truncated: {one_line(exc)}") from exc
    if not isinstance(data, dict) or "type" not in data:
        raise NIRFileError(f"{label}: the 'node' group has no 'type'; not a NIR graph")
    _types(data)
    if data["type"] != "NIRGraph":
        raise NIRFileError(f"{label}: holds a single {data['type']} node, not a NIRGraph")
    if type_check:
        try:
            return _build(data, type_check=True)
        except Exception as exc:  # nir raises ValueError, AssertionError, KeyError, TypeError
            first = exc
    try:
        graph = _build(data, type_check=False)
    except Exception as exc:
        raise NIRFileError(f"{label}: nir cannot build the graph: {one_line(exc)}") from exc
    if type_check:
        warnings.warn(NIRWarning(f"{label} fails nir's type check ({one_line(first)}); "
                                 "read again with type_check=False"), stacklevel=2)
    return graph


def _has_scalars(node: nir.NIRNode) -> bool:
    if isinstance(node, nir.NIRGraph):
        return any(_has_scalars(n) for n in node.nodes.values())
    return any(isinstance(v, np.ndarray) and v.ndim == 0 for v in vars(node).values())


def write(target: Union[str, os.PathLike, BinaryIO], graph: nir.NIRGraph) -> None:
    """Write ``graph`` to a file name or binary file object (gzip, as ``nir.write``).

    Graphs with 0-d parameters are written uncompressed (nir 1.0.8's gzip default raises
    "Scalar datasets don't support chunk/filter options" for them).

    Raises:
        NIRError: nir or h5py refused the graph (one line); ``OSError`` for the file itself.
    """
    compression = None if _has_scalars(graph) else "gzip"
    try:
        nir.write(target, graph, compression=compression)
    except OSError:
        raise
    except Exception as exc:
        raise NIRError(f"cannot write the NIR graph: {one_line(exc)}") from exc


def to_bytes(graph: nir.NIRGraph) -> bytes:
    """The bytes of ``graph`` written as a ``.nir`` file."""
    buffer = io.BytesIO()
    write(buffer, graph)
    return buffer.getvalue()
