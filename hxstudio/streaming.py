"""Run a network document in a worker thread, chunk by chunk, so plots can follow it live.

A :class:`RunSession` builds the document's modules (:func:`hxstudio.translate.build`) and
advances them with :class:`hxstudio.backend.stream.ChunkedRun`: on the mock every chunk takes
about ``chunk_time`` of wall-clock time (the chunk length adapts to the measured speed), the
state of every population is carried to the next chunk, and the joined chunks equal a one-shot
:func:`hxstudio.runner.run` bit for bit. :meth:`RunSession.stop` sets a flag that the worker
checks between chunks, so a run ends within one chunk (≈ 20 ms) and keeps what it computed.

The emulator and hardware targets run the experiment as a whole (as the chip does): their run
is one chunk in the same worker thread, the result arrives at the end, and Stop takes effect
only after it.

Callbacks ``on_progress(session)`` (after each chunk) and ``on_done(session)`` (once, whatever
the outcome) are called **in the worker thread**; a GUI must hand them to its own event loop
(the studio uses ``Document.add_next_tick_callback``).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

import numpy as np
import torch

from hxstudio.network import Network
from hxstudio.result import Result, ResultBuffer
from hxstudio.runner import collect
from hxstudio.translate import build

__all__ = ["RunSession"]

#: Steps of the first chunk; later chunks are sized from the measured time per step. 64 steps
#: take 1–16 ms for the built-in examples and a 512-neuron network (measured), and a short run
#: needs fewer chunks: Yin-Yang's 38 steps one (was 2), PSP's 120 two (was 3); a run took
#: 8.6/7.8 → 6.4/7.3 ms (Yin-Yang) and 7.4/7.6 → 6.3/3.7 ms (PSP) in two in-process A/B runs.
FIRST_CHUNK = 64


class RunSession:
    """One run of ``network``, computed in a worker thread chunk by chunk.

    Args:
        network: the document; it is built when :meth:`start` is called, so later edits do not
            change this run.
        on_progress: ``on_progress(session)`` after every chunk (worker thread).
        on_done: ``on_done(session)`` once when the run has finished, stopped or failed (worker
            thread, or the caller's thread when :meth:`start` runs it in the foreground).
        chunk_time: wall-clock seconds one chunk should take (default 0.02); bounds how long
            :meth:`stop` waits.
        hxsnn: module namespace (default: the document's target, see :func:`hxstudio.runner.run`).
        first_chunk: steps of the first chunk (default :data:`FIRST_CHUNK`).

    Attributes:
        state: ``"new"``, ``"running"``, ``"finished"``, ``"stopped"`` or ``"failed"``.
        error: the exception that ended a failed run, else ``None``.
        steps: ``T`` of the run; ``done``: steps computed so far.
        chunks: number of chunks computed.
    """

    def __init__(self, network: Network, on_progress: Optional[Callable] = None,
                 on_done: Optional[Callable] = None, chunk_time: float = 0.02, hxsnn=None,
                 first_chunk: int = FIRST_CHUNK):
        self.network = network
        self.on_progress = on_progress
        self.on_done = on_done
        self.chunk_time = chunk_time
        self.hxsnn = hxsnn
        self.first_chunk = first_chunk
        self.state = "new"
        self.error: Optional[BaseException] = None
        self.steps = network.steps
        self.chunks = 0
        self.wall_time = 0.0
        self._buffer = ResultBuffer(self.steps)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # -- control ---------------------------------------------------------------------------------

    def start(self, background: bool = True) -> "RunSession":
        """Build the network and run it, in a daemon worker thread if ``background`` (returns at
        once; the worker builds a copy of the document taken now, so the caller's thread is free
        at once and later edits do not change this run), else in the calling thread (returns
        when done). Errors never propagate: they end the run (a failed build too) with
        ``state == "failed"`` and :attr:`error` set.

        Raises:
            RuntimeError: the session was started before.
        """
        if self.state != "new":
            raise RuntimeError("RunSession.start: a session runs once; create a new one")
        self.state = "running"
        if background:
            self.network = self.network.model_copy(deep=True)
            self._thread = threading.Thread(target=self._work, daemon=True, name="hxstudio-run")
            self._thread.start()
        else:
            self._work()
        return self

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the worker to end after the current chunk; wait up to ``timeout`` s for it.

        Returns:
            whether the run has ended (always ``True`` for a run already over).
        """
        self._stop.set()
        return self.wait(timeout)

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Wait up to ``timeout`` s (``None``: forever) for the run to end; return whether it did."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            return not thread.is_alive()
        return self.state != "running"

    @property
    def running(self) -> bool:
        """Whether the run has not ended yet."""
        return self.state == "running"

    # -- what it computed ------------------------------------------------------------------------

    def result(self) -> Optional[Result]:
        """The :class:`~hxstudio.result.Result` of steps ``[0, done)`` (``None`` before the first
        chunk); the complete result once ``state == "finished"``."""
        with self._lock:
            return self._buffer.result()

    @property
    def done(self) -> int:
        """Steps computed so far."""
        return self._buffer.done

    @property
    def progress(self) -> str:
        """Simulated time computed so far over the total, e.g. ``"312 / 1000 µs"``."""
        dt = self.network.dt * 1e6
        return f"{self.done * dt:g} / {self.steps * dt:g} µs"

    # -- worker ----------------------------------------------------------------------------------

    def _build(self):
        if self.hxsnn is None:
            from hxstudio.targets import namespace

            self.hxsnn = namespace(self.network.target)
        from hxstudio.backend.stream import ChunkedRun

        with torch.no_grad():
            built = build(self.network, self.hxsnn)
        chunked = ChunkedRun(built.experiment, built.steps) if isinstance(
            built.experiment, _experiment_type()) else None
        return built, chunked

    def _work(self) -> None:
        started = time.perf_counter()
        try:
            built, chunked = self._build()
            if chunked is None:  # another namespace (hxtorch): one run, as the chip does
                with torch.no_grad():
                    self.hxsnn.run(built.experiment, built.steps)
                self._add(collect(self.network, built))
            else:
                size = self.first_chunk
                while not chunked.finished and not self._stop.is_set():
                    tick = time.perf_counter()
                    chunk = chunked.advance(size)
                    self._add(collect(self.network, built, chunk))
                    size = _next_size(size, chunk.stop - chunk.start,
                                      time.perf_counter() - tick, self.chunk_time)
                    if self.on_progress is not None and not chunked.finished:
                        self.on_progress(self)
        except Exception as exc:
            self.wall_time = time.perf_counter() - started
            self._end(exc)
            return
        self.wall_time = time.perf_counter() - started
        self._end(None)

    def _add(self, part: Result) -> None:
        with self._lock:
            self._buffer.add(part)
            self.chunks += 1

    def _end(self, error: Optional[BaseException]) -> None:
        self.error = error
        self.state = "failed" if error is not None else (
            "finished" if self.done >= self.steps else "stopped")
        if self.state == "stopped":
            with self._lock:
                self._buffer.trim()
        if self.on_done is not None:
            self.on_done(self)


def _experiment_type():
    from hxstudio.backend import Experiment

    return Experiment


def _next_size(size: int, computed: int, elapsed: float, target: float) -> int:
    """Steps of the next chunk so it takes about ``target`` s: scaled by the last chunk's time per
    step, growing at most 4× per chunk (the first chunks include warm-up), at least 1."""
    if computed < size:  # the last chunk was cut at T: nothing learned
        return size
    per_step = elapsed / max(computed, 1)
    wanted = target / per_step if per_step > 0 else 4 * size
    return int(np.clip(wanted, 1, 4 * size))
