"""Where the points of a sweep run: this machine (threads, then processes) or a Dask cluster.

* :class:`LocalExecutor` (``"local"``, the default, ``kind="auto"``): starts at once in a thread
  of this process; when the first chunk shows that the rest would take more than a few seconds,
  it starts worker *processes* (one per core, one torch thread each; spawned once per Python
  process, ≈ 2 s idle, each imports torch) and hands them the remaining chunks. Measured on the
  2-core reference machine (``benchmarks/bench_sweep.py``): threads give no gain over one thread,
  because simulating small networks is Python-bound and threads share the GIL; two processes give
  up to ≈ 1.8× (1.3× on a busy machine) but cost their start-up, so small sweeps stay in the thread.
  ``kind="thread"`` (``"threads"``) and ``kind="process"`` force one or the other.
* :class:`DaskExecutor` (``"dask"``: a ``LocalCluster`` on 127.0.0.1 started for the sweep and
  closed after it; ``"tcp://host:port"``: the scheduler of an existing cluster, left running).
  Needs the optional extra ``pip install "hxstudio[sweep]"``.

An executor exposes ``open``, ``workers``, ``submit`` (a future with ``add_done_callback``),
``cancel`` and ``close``; the job in :mod:`hxstudio.sweep.job` drives them from one background
thread.
"""

from __future__ import annotations

import atexit
import collections
import logging
import concurrent.futures as cf
import multiprocessing
import os
import threading
import time
import warnings
from typing import Optional

from hxstudio.errors import HXStudioError, HXStudioWarning, ValidationError

__all__ = ["Executor", "LocalExecutor", "DaskExecutor", "resolve_executor", "EXECUTOR_NAMES", "shutdown",
           "default_workers"]

#: Executor names accepted as text (plus any ``tcp://host:port`` scheduler address).
EXECUTOR_NAMES = ("local", "threads", "dask")


def default_workers() -> int:
    """Worker count for this machine: the cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    """Interface of a sweep executor (see the module docstring)."""

    #: workers pass a ``threading.Event`` to stop between points (in-process executors only)
    shares_memory = False
    #: a short description for status lines, e.g. ``"2 local processes"``
    label = "executor"

    def open(self) -> None:
        """Start what is needed (pools, clusters); called from the job's thread."""

    def workers(self) -> int:
        """Number of tasks that run at once (for chunking)."""
        return 1

    def share(self, payload):
        """Make ``payload`` (the sweep's task, sent with every chunk) cheap to send; default: as is."""
        return payload

    def submit(self, fn, *args):
        """Run ``fn(*args)`` somewhere; returns a future (``result``, ``cancel``, ``add_done_callback``)."""
        raise NotImplementedError

    def cancel(self, futures) -> None:
        for f in futures:
            f.cancel()

    def close(self) -> None:
        """Release what :meth:`open` started (shared pools stay up for the next sweep)."""


# ----------------------------------------------------------------------------------------------
# this machine

_pools: dict = {}
_warm: set = set()
_pools_lock = threading.Lock()

#: The automatic executor starts worker processes when the points still queued would take longer
#: than this (s, estimated from the first chunk run in this process). Starting them costs about
#: 2 s on an idle 2-core machine and 5-15 s on a busy one (each worker imports torch).
PROCESS_THRESHOLD = 5.0


def _process_pool(workers: int, torch_threads: int) -> cf.ProcessPoolExecutor:
    """The shared spawn pool for ``(workers, torch_threads)``; made on first use."""
    from hxstudio.sweep.worker import warm_up

    key = (workers, torch_threads)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None or getattr(pool, "_broken", False):
            _warm.discard(key)
            pool = cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=warm_up, initargs=(torch_threads,))
            _pools[key] = pool
        return pool


def _warm_pool(workers: int, torch_threads: int) -> cf.ProcessPoolExecutor:
    """The shared pool with every worker started and warmed up (blocks while they start)."""
    pool = _process_pool(workers, torch_threads)
    key = (workers, torch_threads)
    if key not in _warm:
        list(pool.map(_noop, [0.2] * workers))  # each call holds a worker briefly: all of them start
        _warm.add(key)
    return pool


def _is_warm(workers: int, torch_threads: int) -> bool:
    with _pools_lock:
        pool = _pools.get((workers, torch_threads))
        return pool is not None and (workers, torch_threads) in _warm and not getattr(pool, "_broken", False)


def shutdown() -> None:
    """Stop the shared local worker processes (they are started again when needed)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
        _warm.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


_threads_lock = threading.Lock()
_threads_users = 0
_threads_saved = None


def _limit_torch_threads(n: int) -> None:
    """Let torch use ``n`` intra-op threads in this process while sweeps run here.

    Measured on the 2-core machine: one thread is faster than two for these small networks (2 threads
    were up to 7× slower for the Yin-Yang example on a busy machine). The setting is process-wide;
    the first sweep saves the old value and the last one to end restores it.
    """
    global _threads_users, _threads_saved
    import torch

    with _threads_lock:
        if _threads_users == 0:
            _threads_saved = torch.get_num_threads()
        _threads_users += 1
        torch.set_num_threads(n)


def _restore_torch_threads() -> None:
    global _threads_users
    import torch

    with _threads_lock:
        _threads_users -= 1
        if _threads_users == 0 and _threads_saved is not None:
            torch.set_num_threads(_threads_saved)


def _noop(pause: float = 0.0) -> int:
    if pause:
        import time

        time.sleep(pause)
    return os.getpid()


class LocalExecutor(Executor):
    """Run on this machine.

    Args:
        workers: tasks at once; default: the cores available (:func:`default_workers`).
        kind:

            * ``"auto"`` (default, ``"local"``): start in a thread of this process at once; if the
              first chunk shows that the rest would take longer than :data:`PROCESS_THRESHOLD`,
              start the shared worker processes meanwhile and hand them the remaining chunks once
              they are up. Later sweeps find the processes running. If the processes cannot start
              (e.g. a script without ``if __name__ == "__main__":``), the sweep finishes in the
              thread.
            * ``"process"``: the shared spawn pool only (waits for it to start).
            * ``"thread"``: a pool of ``workers`` threads in this process. Small networks are
              Python-bound, so threads share one core (the GIL).

        torch_threads: intra-op threads torch may use per worker (default 1), in each worker
            process and in this process while a sweep runs points here (``"auto"``, ``"thread"``;
            the setting is process-wide and restored when the last such sweep ends). Measured on
            the 2-core machine: for these small networks one thread is as fast as two on an idle
            machine and several times faster on a busy one (no oversubscription).
    """

    def __init__(self, workers: Optional[int] = None, kind: str = "auto", torch_threads: int = 1):
        if kind not in ("auto", "process", "thread"):
            raise ValidationError(f"sweep: LocalExecutor kind = {kind!r}; allowed: auto, process, thread")
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise ValidationError(f"sweep: workers = {workers!r} must be a whole number ≥ 1")
        self.kind = kind
        self._workers = workers or default_workers()
        self.torch_threads = torch_threads
        self.shares_memory = kind == "thread"
        plural = "es" if self._workers > 1 else ""
        self.label = {"auto": "this machine",
                      "process": f"{self._workers} local process{plural}",
                      "thread": f"{self._workers} local thread{'s' if self._workers > 1 else ''}"}[kind]
        self._pool = None
        self._limited = False
        self._used = False

    def workers(self) -> int:
        return self._workers

    def open(self) -> None:
        if self.kind == "process":
            self._pool = _warm_pool(self._workers, self.torch_threads)
            return
        _limit_torch_threads(self.torch_threads)  # points also run in this process
        self._limited = True
        if self.kind == "auto":
            self._pool = _AutoPool(self._workers, self.torch_threads)
        else:
            self._pool = cf.ThreadPoolExecutor(self._workers, thread_name_prefix="hxstudio-sweep")

    def submit(self, fn, *args):
        return self._pool.submit(fn, *args)

    def cancel(self, futures) -> None:
        if isinstance(self._pool, _AutoPool):
            self._pool.stop.set()
        super().cancel(futures)

    def close(self) -> None:
        self._used = bool(getattr(self._pool, "used_processes", False))
        if isinstance(self._pool, (_AutoPool, cf.ThreadPoolExecutor)):
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._limited:
            self._limited = False
            _restore_torch_threads()
        self._pool = None

    @property
    def used_processes(self) -> bool:
        """Whether the last sweep handed chunks to worker processes (``kind="auto"``)."""
        return self.kind == "process" or bool(getattr(self._pool, "used_processes", False) or self._used)


class _AutoPool:
    """The ``"auto"`` strategy of :class:`LocalExecutor` behind a ``concurrent.futures`` face.

    Chunks wait in one queue. A thread of this process takes them first (passing ``stop`` as the
    last argument, so a cancelled chunk stops between points); after its first chunk it estimates
    the time left and, above :data:`PROCESS_THRESHOLD`, starts the shared process pool in the
    background. Once the pool is warm, one feeder thread per worker process takes chunks and the
    local thread stops taking new ones.
    """

    def __init__(self, workers: int, torch_threads: int):
        self.workers, self.torch_threads = workers, torch_threads
        self.stop = threading.Event()
        self.used_processes = False
        self._queue: collections.deque = collections.deque()
        self._cv = threading.Condition()
        self._closed = False
        self._pool = None           # the process pool once warm
        self._starting = False
        self._threads: list = []
        if _is_warm(workers, torch_threads):
            self._use_pool(_process_pool(workers, torch_threads))
        else:
            self._spawn(self._local, "hxstudio-sweep-local")

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def submit(self, fn, *args) -> cf.Future:
        future = cf.Future()
        with self._cv:
            self._queue.append((future, fn, args))
            self._cv.notify_all()
        return future

    def _take(self, local: bool):
        with self._cv:
            while not self._queue and not self._closed and not (local and self._pool is not None):
                self._cv.wait()
            if self._closed or not self._queue or (local and self._pool is not None):
                return None
            return self._queue.popleft()

    def _local(self) -> None:
        first = True
        while (item := self._take(local=True)) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            start = time.perf_counter()
            try:
                future.set_result(fn(*args, self.stop))
            except BaseException as exc:
                future.set_exception(exc)
            if first:
                first = False
                points = len(args[1]) if len(args) > 1 else 1
                with self._cv:
                    queued = sum(len(a[1]) if len(a) > 1 else 1 for _, _, a in self._queue)
                if (time.perf_counter() - start) / max(points, 1) * queued > PROCESS_THRESHOLD:
                    self._start_pool()

    def _start_pool(self) -> None:
        if self._starting:
            return
        self._starting = True

        def warm():
            try:
                pool = _warm_pool(self.workers, self.torch_threads)
            except Exception as exc:  # the sweep goes on in this process
                warnings.warn(f"sweep: worker processes could not start ({type(exc).__name__}: {exc}); "
                              "running in this process", HXStudioWarning, stacklevel=1)
                return
            self._use_pool(pool)

        self._spawn(warm, "hxstudio-sweep-warm")

    def _use_pool(self, pool) -> None:
        with self._cv:
            if self._closed:
                return
            self._pool = pool
            self._cv.notify_all()
        for k in range(self.workers):
            self._spawn(self._feed, f"hxstudio-sweep-feed-{k}")

    def _feed(self) -> None:
        while (item := self._take(local=False)) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                remote = self._pool.submit(fn, *args)
                self.used_processes = True
                future.set_result(remote.result())
            except cf.process.BrokenProcessPool as exc:  # fall back to this process
                warnings.warn(f"sweep: worker processes failed ({exc}); running in this process",
                              HXStudioWarning, stacklevel=1)
                with self._cv:
                    self._pool = None
                    self._starting = True  # do not try again in this sweep
                try:
                    future.set_result(fn(*args, self.stop))
                except BaseException as err:
                    future.set_exception(err)
                if not any(t.name == "hxstudio-sweep-local" and t.is_alive() for t in self._threads):
                    self._spawn(self._local, "hxstudio-sweep-local")
                return
            except BaseException as exc:
                future.set_exception(exc)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        with self._cv:
            self._closed = True
            pending, self._queue = list(self._queue), collections.deque()
            self._cv.notify_all()
        if cancel_futures:
            for future, _, _ in pending:
                future.cancel()
        if wait:  # after a cancel, feeders still waiting for a remote chunk are left to end alone
            for thread in self._threads:
                skip = thread.name == "hxstudio-sweep-warm" or (self.stop.is_set() and "feed" in thread.name)
                if not skip and thread is not threading.current_thread():
                    thread.join()


# ----------------------------------------------------------------------------------------------
# Dask


class DaskExecutor(Executor):
    """Run on a Dask cluster.

    Args:
        address: scheduler address of an existing cluster (``"tcp://host:port"``); it is left
            running. ``None`` starts a ``LocalCluster`` on 127.0.0.1 for the sweep.
        client: an existing ``distributed.Client`` to use instead (left open).
        n_workers, threads_per_worker, processes: the ``LocalCluster`` (default 2 worker processes
            with one thread each; ``processes=False`` runs the workers as threads in this process).
        torch_threads: intra-op threads torch may use in each worker process.
    """

    def __init__(self, address: Optional[str] = None, client=None, n_workers: int = 2,
                 threads_per_worker: int = 1, processes: bool = True, torch_threads: int = 1):
        _require_distributed()
        self.address, self._given = address, client
        self.n_workers, self.threads_per_worker, self.processes = n_workers, threads_per_worker, processes
        # in-process workers share this process's torch setting: leave it alone
        self.torch_threads = torch_threads if (processes or address or client) else None
        self.client = self.cluster = None
        self.label = (f"the Dask cluster at {address}" if address else "a given Dask client" if client else
                      f"a local Dask cluster ({n_workers} {'processes' if processes else 'threads'})")

    def open(self) -> None:
        from distributed import Client, LocalCluster

        if self._given is not None:
            self.client = self._given
            return
        try:
            if self.address:
                self.client = Client(self.address, timeout="10s", set_as_default=False)
            else:
                # worker processes talk TCP on loopback only; in-process workers use inproc://
                where = {"host": "127.0.0.1"} if self.processes else {}
                self.cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=self.threads_per_worker,
                                            processes=self.processes, dashboard_address=None,
                                            silence_logs=logging.ERROR, **where)
                self.client = Client(self.cluster, set_as_default=False)
        except OSError as exc:
            self.close()
            where = self.address or "a local cluster"
            raise HXStudioError(f"sweep: cannot reach the Dask scheduler at {where}: {exc}") from exc

    def workers(self) -> int:
        info = self.client.scheduler_info(n_workers=-1) if self.client else {}
        threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        return max(1, threads)

    def share(self, payload):
        """Send the task to the workers once (``scatter``); chunks then refer to it."""
        return self.client.scatter(payload, broadcast=True, hash=False)

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def cancel(self, futures) -> None:
        if self.client is not None and futures:
            self.client.cancel(list(futures))

    def close(self) -> None:
        if self.client is not None and self._given is None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise HXStudioError('sweep: the Dask executor needs dask.distributed; pip install "hxstudio[sweep]"') from exc


def resolve_executor(executor) -> Executor:
    """An :class:`Executor` from ``None``/``"local"``, ``"threads"``, ``"dask"``, ``"tcp://…"``,
    a ``distributed.Client`` or an executor object.

    Raises:
        ValidationError: for an unknown name (lists the valid ones).
    """
    if executor is None or executor == "local":
        return LocalExecutor()
    if isinstance(executor, Executor):
        return executor
    if isinstance(executor, str):
        if executor == "threads":
            return LocalExecutor(kind="thread")
        if executor == "dask":
            return DaskExecutor()
        if "://" in executor:
            return DaskExecutor(address=executor)
    elif type(executor).__name__ == "Client" and hasattr(executor, "submit"):
        return DaskExecutor(client=executor)
    raise ValidationError(f"sweep: unknown executor {executor!r}; valid: {', '.join(EXECUTOR_NAMES)}, "
                          f"a scheduler address tcp://HOST:PORT, or a distributed.Client")
