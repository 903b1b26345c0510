"""A running sweep: chunks submitted to an executor, records streamed back as they finish.

:class:`SweepJob` owns one background thread. It opens the executor, cuts the points into chunks,
submits them, and delivers each finished point in three ways at once: ``on_point(record)``
(called from the job's thread), iteration over the job (``for record in job``), and the table so
far (:meth:`SweepJob.table`). :meth:`SweepJob.cancel` stops outstanding chunks: pending ones never
start, in-process chunks stop between points, results of chunks still running elsewhere are
dropped.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import Callable, Optional

from hxstudio.errors import HXStudioError
from hxstudio.sweep.executors import resolve_executor
from hxstudio.sweep.worker import PointRecord, Task, dumps, run_chunk

__all__ = ["SweepJob", "chunk_size_for"]

_END = object()
#: Most points in one task (a task should take long enough to hide its overhead, yet stream).
MAX_CHUNK = 64


def chunk_size_for(points: int, workers: int) -> int:
    """Points per task: about four tasks per worker (for balance and streaming), at most 64.

    Example:
        >>> chunk_size_for(400, 2), chunk_size_for(9, 2), chunk_size_for(10_000, 8)
        (50, 2, 64)
    """
    return max(1, min(MAX_CHUNK, math.ceil(points / (4 * max(1, workers)))))


class SweepJob:
    """A sweep in progress (made by :meth:`hxstudio.sweep.Sweep.start`; starts at once).

    Attributes:
        sweep: the :class:`~hxstudio.sweep.Sweep`.
        executor: the executor object it runs on.
        total: number of points.
        records: point index → :class:`~hxstudio.sweep.worker.PointRecord`, as they arrive.
        error: the exception that stopped the whole job (e.g. an unreachable scheduler), or ``None``.
        callback_error: the first exception raised by ``on_point``/``on_done`` (they never stop
            the job), or ``None``.
        cancelled: whether :meth:`cancel` was called.
        chunk_size: points per task (set once the executor is open).
    """

    def __init__(self, sweep, executor=None, *, chunk_size: Optional[int] = None, keep_results: bool = False,
                 on_point: Optional[Callable] = None, on_done: Optional[Callable] = None):
        from hxstudio.errors import ValidationError

        if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
            raise ValidationError(f"sweep: chunk_size = {chunk_size!r} must be a whole number ≥ 1")
        self.sweep = sweep
        self.executor = resolve_executor(executor)
        self.total = len(sweep)
        self.records: dict = {}
        self.error: Optional[BaseException] = None
        self.callback_error: Optional[BaseException] = None
        self.cancelled = False
        self.chunk_size = chunk_size
        self.started = time.perf_counter()
        self.elapsed: Optional[float] = None
        self._keep = keep_results
        self._on_point, self._on_done = on_point, on_done
        self._queue: queue.Queue = queue.Queue()
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._futures: list = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._main, name="hxstudio-sweep", daemon=True)
        self._thread.start()

    # -- public -------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """Whether the job has finished (completed, cancelled or failed)."""
        return self._done.is_set()

    @property
    def progress(self) -> tuple:
        """``(points finished, total)``."""
        return len(self.records), self.total

    @property
    def results(self) -> dict:
        """Point index → :class:`~hxstudio.result.Result` (only with ``keep_results=True``)."""
        return {i: r.result for i, r in sorted(self.records.items()) if r.result is not None}

    def cancel(self) -> None:
        """Stop outstanding work; the job ends soon after with the points finished so far."""
        self.cancelled = True
        self._cancel.set()
        with self._lock:
            futures = list(self._futures)
        try:
            self.executor.cancel(futures)
        except Exception:  # the executor may be closing already; the job thread cleans up
            pass

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the job is done (or ``timeout`` s passed); returns :attr:`done`."""
        return self._done.wait(timeout)

    def __iter__(self):
        """Yield each :class:`PointRecord` as it arrives, until the job ends."""
        while True:
            item = self._queue.get()
            if item is _END:
                self._queue.put(_END)  # a second iterator also ends
                return
            yield item

    def table(self):
        """The finished points as a tidy :class:`pandas.DataFrame`, one row per point in point order.

        Columns: ``point``, one column per swept path, ``sample`` (random sweeps only), ``seed``,
        ``value`` (the metric; NaN on error), ``error`` (``""`` or one line), ``wall_time`` (s).
        ``table.attrs`` holds ``metric`` (its name) and ``unit``.
        """
        return self.sweep.table(list(self.records.values()))

    # -- the job thread -----------------------------------------------------------------------

    def _main(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported through .error; run() re-raises it
            self.error = exc
        finally:
            if self.cancelled:
                with self._lock:
                    futures = list(self._futures)
                try:
                    self.executor.cancel(futures)
                except Exception:
                    pass
            try:
                self.executor.close()
            except Exception as exc:  # pragma: no cover - closing must not hide the outcome
                self.error = self.error or exc
            self.elapsed = time.perf_counter() - self.started
            if self._on_done is not None:
                try:
                    self._on_done(self)
                except Exception as exc:  # a UI callback must not keep the job from ending
                    self.callback_error = self.callback_error or exc
            self._done.set()
            self._queue.put(_END)

    def _run(self) -> None:
        self.executor.open()
        if self._cancel.is_set():
            return
        sweep = self.sweep
        task = Task(network=sweep.network.model_dump(), targets=[a.target for a in sweep.axes],
                    metric=sweep.metric, keep_results=self._keep,
                    torch_threads=getattr(self.executor, "torch_threads", 1))
        payload = task if self.executor.shares_memory else self.executor.share(dumps(task))
        rows = [(i, values, sample, seed) for i, (values, sample, seed) in enumerate(sweep._points)]
        size = self.chunk_size or chunk_size_for(len(rows), self.executor.workers())
        self.chunk_size = size
        chunks = [rows[k:k + size] for k in range(0, len(rows), size)]
        finished: queue.Queue = queue.Queue()
        owner = {}
        for chunk in chunks:
            if self._cancel.is_set():
                return
            args = (payload, chunk, self._cancel) if self.executor.shares_memory else (payload, chunk)
            future = self.executor.submit(run_chunk, *args)
            owner[future] = chunk
            with self._lock:
                self._futures.append(future)
            future.add_done_callback(finished.put)
        remaining = len(chunks)
        while remaining and not self._cancel.is_set():
            try:
                future = finished.get(timeout=0.1)
            except queue.Empty:
                continue
            remaining -= 1
            with self._lock:
                if future in self._futures:
                    self._futures.remove(future)
            if future.cancelled():
                continue
            try:
                records = future.result()
            except Exception as exc:  # the whole task failed (a worker died): mark its points
                text = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
                records = [PointRecord(index=i, values=v, sample=s, seed=d, error=f"task failed: {text}")
                           for i, v, s, d in owner[future]]
            for record in records:
                if self._cancel.is_set():
                    return
                self._deliver(record)

    def _deliver(self, record: PointRecord) -> None:
        self.records[record.index] = record
        self._queue.put(record)
        if self._on_point is not None:
            try:
                self._on_point(record)
            except Exception as exc:  # a display callback must not stop the sweep; kept for inspection
                self.callback_error = self.callback_error or exc


def raise_if_failed(job: SweepJob) -> None:
    """Re-raise a job-level failure as one-line :class:`HXStudioError` (or itself if it is one)."""
    if job.error is None:
        return
    if isinstance(job.error, HXStudioError):
        raise job.error
    raise HXStudioError(f"sweep: running on {job.executor.label} failed: {type(job.error).__name__}: "
                        f"{job.error}") from job.error
