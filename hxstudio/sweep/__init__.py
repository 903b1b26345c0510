"""Parameter sweeps: vary document parameters, run every point, get a tidy table.

On one machine by default (worker processes, one per core), on a Dask cluster when one machine is
not enough. Each point edits a copy of the document through its validated methods, so a value the
document refuses becomes that point's one-line ``error`` and the rest of the sweep goes on.

* :class:`Sweep` — what to vary (paths such as ``"hidden.threshold"``, ``"input→hidden.scale"``,
  ``"input→hidden.init.mean"``; grid or random), the metric, the seeds.
* :meth:`Sweep.run` → :class:`pandas.DataFrame`; :meth:`Sweep.start` → a
  :class:`~hxstudio.sweep.job.SweepJob` that streams records (iterate it or pass ``on_point``)
  and can be cancelled; :meth:`Sweep.result` re-runs one point for its raw Result.
* :mod:`~hxstudio.sweep.metrics` — built-in metrics (rate, latency, cv, membrane, accuracy) and
  user functions ``f(result, network) -> float``.
* :mod:`~hxstudio.sweep.executors` — :class:`LocalExecutor`, :class:`DaskExecutor`.

Example:
    >>> import hxstudio
    >>> from hxstudio.sweep import Sweep
    >>> sweep = Sweep(hxstudio.examples.psp(),
    ...               {"neuron.threshold": "100:140:5", "excitatory→neuron.scale": [0.8, 1.0, 1.2]},
    ...               metric="latency:neuron")
    >>> len(sweep)
    27
    >>> table = sweep.run()                                  # doctest: +SKIP
    >>> table.pivot(index="neuron.threshold", columns="excitatory→neuron.scale", values="value")  # doctest: +SKIP
"""

from hxstudio.sweep.core import Sweep
from hxstudio.sweep.executors import DaskExecutor, LocalExecutor, shutdown
from hxstudio.sweep.job import SweepJob
from hxstudio.sweep.metrics import Metric, as_metric, parse_metric
from hxstudio.sweep.space import (
    apply_values,
    loguniform,
    parameter_choices,
    parameter_names,
    parse_param,
    parse_values,
    uniform,
)
from hxstudio.sweep.worker import PointRecord

__all__ = [
    "Sweep",
    "SweepJob",
    "PointRecord",
    "Metric",
    "as_metric",
    "parse_metric",
    "LocalExecutor",
    "DaskExecutor",
    "shutdown",
    "uniform",
    "loguniform",
    "parse_values",
    "parse_param",
    "parameter_names",
    "parameter_choices",
    "apply_values",
]
