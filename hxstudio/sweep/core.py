"""The :class:`Sweep`: a network, the paths to vary, a metric and seeds; run it for a table."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Callable, Optional

from hxstudio.errors import HXStudioWarning, ValidationError
from hxstudio.network import Network
from hxstudio.sweep.metrics import as_metric
from hxstudio.sweep.space import (
    MAX_POINTS,
    Axis,
    check_seeds,
    make_axis,
    parameter_names,
    points,
    stochastic_parts,
)

__all__ = ["Sweep"]


class Sweep:
    """A parameter sweep over one network document.

    Args:
        network: the document; the sweep keeps its own copy (later edits do not change it).
        params: path → values, in column order (first path varies slowest). Values are a list of
            numbers (grid), text in the syntax of :func:`~hxstudio.sweep.space.parse_values`
            (``"100:140:5"``, ``"0:1/5"``, ``"~100:140"``), or :func:`~hxstudio.sweep.uniform` /
            :func:`~hxstudio.sweep.loguniform` (random axes). Values are in the document's units
            (SI: s, Hz; potentials in CADC LSB).
        metric: ``"rate:POP"``, ``"latency:POP"``, ``"cv:POP"``, ``"membrane:POP"``,
            ``"accuracy:POP[:N]"``, a :class:`~hxstudio.sweep.metrics.Metric`, or a function
            ``f(result, network) -> float``.
        seeds: ``None`` (seed 0 only: the document as drawn), a count ``n`` (seeds 0…n−1) or a
            list. Seed ``s`` adds ``s`` to the seed of every Poisson stimulus and normal weight init.
        samples: random draws per grid combination (required with random axes, refused without).
        random_seed: seed of the draws of random axes.

    Raises:
        ValidationError: an unknown path (the message lists every valid path), an empty range, a
            metric that does not fit the network, too many points — one line each.

    Example:
        >>> import hxstudio
        >>> from hxstudio.sweep import Sweep
        >>> sweep = Sweep(hxstudio.examples.psp(), {"neuron.threshold": "100:120:10"}, "latency:neuron")
        >>> table = sweep.run("threads")
        >>> [(t, round(v * 1e6, 3)) for t, v in zip(table["neuron.threshold"], table["value"])]  # µs
        [(100.0, 16.0), (110.0, 75.0), (120.0, 76.0)]
    """

    def __init__(self, network: Network, params, metric, *, seeds=None, samples: Optional[int] = None,
                 random_seed: int = 0):
        if not isinstance(network, Network):
            raise ValidationError(f"sweep: network must be a hxstudio Network, got {type(network).__name__}")
        self.network = Network.from_dict(network.model_dump())
        items = list(params.items()) if isinstance(params, Mapping) else list(params or ())
        if not items:
            raise ValidationError(f"sweep: no parameters to sweep; valid: {', '.join(parameter_names(self.network))}")
        axes = []
        for item in items:
            if isinstance(item, Axis):
                axes.append(item)
                continue
            try:
                path, values = item
            except (TypeError, ValueError):
                raise ValidationError(f"sweep: expected (path, values) pairs, got {item!r}") from None
            axes.append(make_axis(self.network, path, values))
        paths = [a.path for a in axes]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise ValidationError(f"sweep: parameter {twice[0]!r} is given twice; give each path once")
        self.axes = axes
        has_random = any(a.random is not None for a in axes)
        if has_random and (samples is None or not isinstance(samples, int) or samples < 1):
            raise ValidationError(f"sweep: random axes need samples ≥ 1 (draws per grid point), got {samples!r}")
        if not has_random and samples is not None:
            raise ValidationError("sweep: samples is only used with random axes (uniform / loguniform / ~LOW:HIGH)")
        self.samples = samples
        self.random_seed = random_seed
        self.seeds = check_seeds(seeds)
        self.metric = as_metric(metric)
        self.metric.check(self.network)
        count = math.prod(len(a.values) for a in axes if a.random is None) * (samples or 1) * len(self.seeds)
        if count > MAX_POINTS:
            raise ValidationError(f"sweep: {count} points; at most {MAX_POINTS} per sweep")
        if len(self.seeds) > 1 and not stochastic_parts(self.network):
            warnings.warn("sweep: the network has no Poisson stimulus or normal weight init; every seed gives the "
                          "same result", HXStudioWarning, stacklevel=2)
        self._points = points(axes, self.seeds, samples, random_seed)

    # -- description ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._points)

    def __repr__(self) -> str:
        axes = ", ".join(f"{a.path} ({len(a.values)} values)" if a.random is None else
                         f"{a.path} (random {a.random.low:g}…{a.random.high:g})" for a in self.axes)
        return f"Sweep({self.network.name!r}: {axes}; metric {self.metric.name}; {len(self.seeds)} seed(s); {len(self)} points)"

    @property
    def paths(self) -> list:
        """The swept paths, in column order."""
        return [a.path for a in self.axes]

    def point(self, index: int) -> dict:
        """Point ``index``: ``{"values": {path: value}, "sample": …, "seed": …}``."""
        values, sample, seed = self._points[index]
        return {"values": dict(values), "sample": sample, "seed": seed}

    def network_at(self, index: int) -> Network:
        """The edited document of point ``index`` (raises the document's error for a refused value)."""
        from hxstudio.sweep.worker import edited

        values, _, seed = self._points[index]
        return edited(self.network.model_dump(), [a.target for a in self.axes], values, seed)

    def result(self, index: int):
        """Run point ``index`` again here and return its :class:`~hxstudio.result.Result` (the raw
        result on demand; runs are deterministic, so it equals what the sweep measured)."""
        return self.metric.measure(self.network_at(index))[1]

    # -- running --------------------------------------------------------------------------------

    def start(self, executor=None, *, chunk_size: Optional[int] = None, keep_results: bool = False,
              on_point: Optional[Callable] = None, on_done: Optional[Callable] = None):
        """Start the sweep in the background and return its :class:`~hxstudio.sweep.job.SweepJob`.

        Args:
            executor: ``None``/``"local"`` (worker processes on this machine), ``"threads"``,
                ``"dask"`` (a LocalCluster for this sweep), ``"tcp://host:port"`` (an existing Dask
                scheduler), a ``distributed.Client`` or an executor object
                (:mod:`hxstudio.sweep.executors`).
            chunk_size: points per task (default: about four tasks per worker, at most 64).
            keep_results: also send each point's Result back (``job.results``).
            on_point: ``on_point(record)`` for each finished point, called from the job's thread.
            on_done: ``on_done(job)`` once the job has ended, from the job's thread.
        """
        from hxstudio.sweep.job import SweepJob

        return SweepJob(self, executor, chunk_size=chunk_size, keep_results=keep_results, on_point=on_point,
                        on_done=on_done)

    def run(self, executor=None, **kwargs):
        """Run the whole sweep and return its table (see :meth:`~hxstudio.sweep.job.SweepJob.table`).

        Raises:
            HXStudioError: when the executor fails as a whole (a point's failure is a row's ``error``).
        """
        from hxstudio.sweep.job import raise_if_failed

        job = self.start(executor, **kwargs)
        try:
            job.wait()
        except KeyboardInterrupt:
            job.cancel()
            job.wait()
            raise
        raise_if_failed(job)
        return job.table()

    def table(self, records):
        """A tidy DataFrame from point records (see :meth:`~hxstudio.sweep.job.SweepJob.table`)."""
        import pandas as pd

        random = any(a.random is not None for a in self.axes)
        columns = ["point", *self.paths, *(["sample"] if random else []), "seed", "value", "error", "wall_time"]
        rows = []
        for r in sorted(records, key=lambda r: r.index):
            row = [r.index, *(r.values[p] for p in self.paths)]
            row += [r.sample] if random else []
            rows.append(row + [r.seed, r.value, r.error, r.wall_time])
        table = pd.DataFrame(rows, columns=columns)
        table = table.astype({"point": "int64", "seed": "int64", "value": "float64", "error": "object",
                              "wall_time": "float64"})
        table.attrs.update(metric=self.metric.name, unit=self.metric.unit)
        return table
