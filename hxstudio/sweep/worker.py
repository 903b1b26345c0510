"""The code that runs on a worker: one task evaluates a chunk of points.

This module is what a process pool or a Dask worker imports; it is light (the document, the runner
and the metric load on the first task) and keeps the last decoded sweep so that the chunks of one
sweep decode its document and metric once per worker.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["Task", "PointRecord", "run_chunk", "set_torch_threads", "dumps"]


@dataclass
class Task:
    """Everything a worker needs besides the points: plain, picklable data.

    Attributes:
        network: the document as a dict (``Network.model_dump()``).
        targets: the :class:`~hxstudio.sweep.space.Target` of each axis, in column order.
        metric: the :class:`~hxstudio.sweep.metrics.Metric`.
        keep_results: send each point's :class:`~hxstudio.result.Result` back.
        torch_threads: intra-op threads torch may use in the worker (``None``: leave as is).
    """

    network: dict
    targets: list
    metric: Any
    keep_results: bool = False
    torch_threads: Optional[int] = 1


@dataclass
class PointRecord:
    """The outcome of one point.

    Attributes:
        index: row of the point in the sweep's table (0-based).
        values: path → value of the point.
        sample: random draw number (``None`` for grid-only sweeps).
        seed: seed-axis value (0: the document's own seeds).
        value: the metric (NaN when it failed).
        error: ``""``, or the one-line message of what failed (the document's refusal of a value, or
            ``"TypeName: message"`` from the metric).
        wall_time: seconds spent on the point (edit, run, metric) on its worker.
        result: the point's :class:`~hxstudio.result.Result` when asked for (``keep_results``).
    """

    index: int
    values: dict
    sample: Optional[int]
    seed: int
    value: float = float("nan")
    error: str = ""
    wall_time: float = 0.0
    result: Any = field(default=None, repr=False)


def dumps(task: Task) -> bytes:
    """Serialise a task for another process: ``cloudpickle`` when installed (lambdas, closures),
    else ``pickle``. Either is read back with ``pickle.loads``."""
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - dask[distributed] brings cloudpickle
        cloudpickle = None
    try:
        return (cloudpickle or pickle).dumps(task)
    except Exception as exc:
        from hxstudio.errors import ValidationError

        raise ValidationError(f"sweep: the metric cannot be sent to another process ({exc}); define it at "
                              f"module level, install cloudpickle, or use the 'threads' executor") from exc


_cache_lock = threading.Lock()
_cache: dict = {}


def _decode(task) -> Task:
    if isinstance(task, Task):
        return task
    with _cache_lock:
        key = hash(task)
        if key not in _cache:
            _cache.clear()  # one sweep at a time per worker is the common case
            _cache[key] = pickle.loads(task)
        return _cache[key]


def set_torch_threads(n: Optional[int]) -> None:
    """Let torch use ``n`` intra-op threads in this process (no-op for ``None``)."""
    if n is None:
        return
    import torch

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def _one_line(exc: BaseException) -> str:
    from hxstudio.errors import HXStudioError

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, HXStudioError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def edited(base: dict, targets: list, values: dict, seed: int):
    """A new document from ``base`` (a dict) with ``values`` and ``seed`` applied through the
    document's validated edit methods (raises the document's error for a refused value)."""
    from hxstudio.network import Network
    from hxstudio.sweep.space import apply, apply_seed

    network = Network.from_dict(base)
    for target in targets:
        apply(network, target, values[target.path])
    apply_seed(network, seed)
    return network


def evaluate(task: Task, base, index: int, values: dict, sample, seed: int) -> PointRecord:
    """Edit a copy of the document for one point, run it and measure (never raises)."""
    record = PointRecord(index=index, values=values, sample=sample, seed=seed)
    start = time.perf_counter()
    try:
        network = edited(base, task.targets, values, seed)
        value, result = task.metric.measure(network)
        try:
            record.value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"metric {task.metric.name!r} returned {value!r}, not a number") from None
        if task.keep_results:
            record.result = result
    except Exception as exc:  # recorded for this point; the sweep goes on
        record.error = _one_line(exc)
    record.wall_time = time.perf_counter() - start
    return record


def run_chunk(task, chunk: list, cancel: Optional[threading.Event] = None) -> list:
    """Evaluate a chunk of points ``[(index, values, sample, seed), …]`` and return their records.

    ``task`` is a :class:`Task` or its bytes (:func:`dumps`); ``cancel`` (in-process executors
    only) stops the chunk between points.
    """
    task = _decode(task)
    set_torch_threads(task.torch_threads)
    out = []
    for index, values, sample, seed in chunk:
        if cancel is not None and cancel.is_set():
            break
        out.append(evaluate(task, task.network, index, values, sample, seed))
    return out


def warm_up(torch_threads: Optional[int] = 1) -> int:
    """Process-pool initializer: set torch's threads and run a tiny network once, so the first
    point of a sweep does not pay the imports and the first-run set-up (≈ 0.5 s); returns the pid."""
    set_torch_threads(torch_threads)
    from hxstudio.examples import psp
    from hxstudio.runner import run

    run(psp())
    return os.getpid()
