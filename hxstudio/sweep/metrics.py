"""What a sweep measures: one number per point.

Built-in metrics, written ``NAME:POPULATION`` in the CLI and the studio:

=========================  ==========  ==============================================================
``rate:POP``               Hz          mean firing rate: spikes / (neurons · duration), hardware time
``latency:POP``            s           time of the population's first spike (from t = 0); NaN if silent
``cv:POP``                 1           coefficient of variation of the inter-spike intervals,
                                       std/mean per neuron with ≥ 2 intervals, averaged; NaN if none
``membrane:POP``           CADC LSB    membrane at the last step, averaged over the neurons
``accuracy:POP[:N]``       1           Yin-Yang accuracy of the LI readout ``POP`` on the first ``N``
                                       samples (default 100) of the dataset input's split: argmax of
                                       the max-over-time membrane against the label
=========================  ==========  ==============================================================

A user metric is any function ``f(result, network) -> float`` (:func:`as_metric` wraps it); it
gets the :class:`~hxstudio.result.Result` of the point and its edited document. For the process
and Dask executors it must be picklable (a module-level function; with ``cloudpickle``, which
comes with ``dask[distributed]``, lambdas and closures work too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from hxstudio.errors import ValidationError
from hxstudio.network import DatasetSample, Network

__all__ = ["Metric", "BUILTIN", "as_metric", "parse_metric", "metric_choices", "rate", "latency", "cv", "membrane", "accuracy",
           "first_spike_latency", "isi_cv"]

#: Built-in metric names → (unit, population kinds allowed, one-line description).
BUILTIN = {
    "rate": ("Hz", ("input", "LIF"), "mean firing rate in Hz (hardware time)"),
    "latency": ("s", ("input", "LIF"), "time of the first spike in s; NaN if silent"),
    "cv": ("1", ("input", "LIF"), "coefficient of variation of inter-spike intervals"),
    "membrane": ("CADC LSB", ("LIF", "LI"), "membrane at the last step, mean over neurons"),
    "accuracy": ("1", ("LI",), "Yin-Yang accuracy of a 3-neuron LI readout on N samples"),
}
#: Yin-Yang samples the accuracy metric uses unless told otherwise.
DEFAULT_SAMPLES = 100


@dataclass(frozen=True)
class Metric:
    """A named measurement of one point.

    Attributes:
        name: column label, e.g. ``"latency:neuron"``.
        unit: unit of the value (``"Hz"``, ``"s"``, ``"CADC LSB"``, ``"1"``, or ``""``).
        function: ``function(result, network) -> float``.
        population: the population a built-in metric reads (``None`` for user functions).
        kinds: population kinds the metric accepts (checked by :meth:`check`).
        needs_trace: whether the population's membrane must be recorded.
        samples: Yin-Yang samples for ``accuracy`` (0 otherwise).
    """

    name: str
    unit: str
    function: Callable
    population: Optional[str] = None
    kinds: tuple = ()
    needs_trace: bool = False
    samples: int = 0
    doc: str = field(default="", compare=False)

    def check(self, network: Network) -> None:
        """Refuse a metric that cannot work on ``network`` (one-line :class:`ValidationError`)."""
        if self.population is None:
            return
        where = f"sweep: metric {self.name!r}"
        names = [p.name for p in network.populations]
        if self.population not in names:
            raise ValidationError(f"{where}: population {self.population!r} does not exist; existing: "
                                  f"{', '.join(names) or 'none'}")
        pop = network.population(self.population)
        if pop.kind not in self.kinds:
            raise ValidationError(f"{where}: population {self.population!r} is of kind {pop.kind}; "
                                  f"this metric needs one of {', '.join(self.kinds)}")
        if self.needs_trace and not network.recorded(self.population):
            raise ValidationError(f"{where}: the membrane of {self.population!r} is not recorded; "
                                  f"add it to the network's recording")
        if self.samples:
            _dataset_input(network, where)
            if pop.size != 3:
                raise ValidationError(f"{where}: readout {self.population!r} has {pop.size} neurons; "
                                      f"Yin-Yang has 3 classes")

    def measure(self, network: Network):
        """Run ``network`` and evaluate: returns ``(value, result)``."""
        if self.samples:
            return _accuracy(network, self.population, self.samples)
        from hxstudio.runner import run

        result = run(network)
        return self.function(result, network), result


# ----------------------------------------------------------------------------------------------
# the measurements (plain functions of a Result; usable on their own)


def _spikes(result, population: str) -> np.ndarray:
    spikes = result[population].spikes
    if spikes is None:
        raise ValidationError(f"metric: population {population!r} has no spikes (kind {result[population].kind})")
    return spikes


def mean_rate(result, population: str) -> float:
    """Spikes / (batch · neurons · duration) in Hz of hardware time."""
    spikes = _spikes(result, population)
    return float(spikes.sum()) / (spikes.shape[1] * spikes.shape[2] * result.duration)


def first_spike_latency(result, population: str) -> float:
    """Time in s of the earliest spike of the population (``time[k]`` of its step); NaN if none.

    Example:
        >>> import numpy as np
        >>> from hxstudio.result import PopulationResult, Result
        >>> s = np.zeros((10, 1, 2), np.float32); s[7, 0, 1] = s[4, 0, 0] = 1
        >>> r = Result(time=np.arange(10) * 1e-6, dt=1e-6, populations={"n": PopulationResult("n", "LIF", s)})
        >>> first_spike_latency(r, "n")
        4e-06
    """
    steps = np.nonzero(_spikes(result, population).any(axis=(1, 2)))[0]
    return float(result.time[steps[0]]) if len(steps) else math.nan


def isi_cv(result, population: str) -> float:
    """Mean over neurons (with ≥ 3 spikes) of std/mean of their inter-spike intervals; NaN if none.

    Example:
        >>> import numpy as np
        >>> from hxstudio.result import PopulationResult, Result
        >>> s = np.zeros((10, 1, 1), np.float32); s[[1, 2, 4], 0, 0] = 1   # intervals 1, 2
        >>> r = Result(time=np.arange(10) * 1e-6, dt=1e-6, populations={"n": PopulationResult("n", "LIF", s)})
        >>> round(isi_cv(r, "n"), 6)                                           # 0.5 / 1.5
        0.333333
    """
    spikes = _spikes(result, population)
    cvs = []
    for b in range(spikes.shape[1]):
        for n in range(spikes.shape[2]):
            times = result.time[np.nonzero(spikes[:, b, n])[0]]
            if len(times) >= 3:
                isi = np.diff(times)
                cvs.append(float(isi.std() / isi.mean()))
    return float(np.mean(cvs)) if cvs else math.nan


def final_membrane(result, population: str) -> float:
    """Membrane (CADC LSB) at the last step, averaged over batch and neurons."""
    membrane = result[population].membrane_cadc
    if membrane is None:
        raise ValidationError(f"metric: the membrane of {population!r} is not recorded")
    return float(membrane[-1].mean())


def _population_metric(kind: str, function: Callable, population: str) -> Metric:
    unit, kinds, doc = BUILTIN[kind]
    return Metric(name=f"{kind}:{population}", unit=unit, function=_Bound(function, population),
                  population=population, kinds=kinds, needs_trace=kind == "membrane", doc=doc)


@dataclass(frozen=True)
class _Bound:
    """``function(result, population)`` as a picklable ``f(result, network)``."""

    function: Callable
    population: str

    def __call__(self, result, network):
        return self.function(result, self.population)


def rate(population: str) -> Metric:
    """Mean firing rate of ``population`` in Hz (spikes / (neurons · duration))."""
    return _population_metric("rate", mean_rate, population)


def latency(population: str) -> Metric:
    """First-spike latency of ``population`` in s from t = 0 (NaN if it never spikes)."""
    return _population_metric("latency", first_spike_latency, population)


def cv(population: str) -> Metric:
    """Coefficient of variation of the inter-spike intervals of ``population``."""
    return _population_metric("cv", isi_cv, population)


def membrane(population: str) -> Metric:
    """Membrane of ``population`` at the last step (CADC LSB, mean over neurons)."""
    return _population_metric("membrane", final_membrane, population)


def accuracy(readout: str, samples: int = DEFAULT_SAMPLES) -> Metric:
    """Yin-Yang accuracy of the LI ``readout`` on the first ``samples`` samples of the dataset input.

    The network runs once with a batch of ``samples`` (each entry one sample, encoded by the input
    population's :class:`~hxstudio.network.DatasetSample` settings); the prediction is the argmax
    over the readout neurons of their maximum membrane over time.
    """
    if not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValidationError(f"sweep: metric 'accuracy:{readout}': samples = {samples!r} must be a whole number ≥ 1")
    unit, kinds, doc = BUILTIN["accuracy"]
    return Metric(name=f"accuracy:{readout}", unit=unit, function=_unused, population=readout, kinds=kinds,
                  needs_trace=True, samples=int(samples), doc=doc)


def _unused(result, network):  # pragma: no cover - accuracy measures in Metric.measure
    raise NotImplementedError


def _dataset_input(network: Network, where: str):
    inputs = [p for p in network.populations if isinstance(p.stimulus, DatasetSample)]
    if len(inputs) != 1:
        raise ValidationError(f"{where}: needs exactly one input population with a dataset stimulus; "
                              f"found {len(inputs)}")
    return inputs[0]


def _accuracy(network: Network, readout: str, samples: int):
    from hxstudio.network import DATASET_SIZES
    from hxstudio.runner import run
    from hxstudio.stimuli import stimulus_spikes, yinyang_sample

    where = f"metric 'accuracy:{readout}'"
    pop = _dataset_input(network, where)
    stim = pop.stimulus
    available = DATASET_SIZES[(stim.dataset, stim.split)]
    if samples > available:
        raise ValidationError(f"{where}: samples = {samples} exceeds the {available} samples of the "
                              f"{stim.split} split")
    batch = np.stack([stimulus_spikes(stim.model_copy(update={"index": i}), pop.size, network.steps, network.dt)
                      for i in range(samples)], axis=1)
    labels = np.array([yinyang_sample(stim.split, i)[1] for i in range(samples)])
    result = run(network, spikes={pop.name: batch})
    predicted = result[readout].membrane_cadc.max(axis=0).argmax(axis=-1)
    return float((predicted == labels).mean()), result


# ----------------------------------------------------------------------------------------------
# parsing


def parse_metric(text: str) -> Metric:
    """A built-in metric from its text ``NAME:POPULATION`` (``accuracy:POP:N`` takes a count).

    Raises:
        ValidationError: an unknown name or malformed text (lists the built-in names).
    """
    name, _, rest = str(text).partition(":")
    if name not in BUILTIN or not rest:
        raise ValidationError(f"sweep: unknown metric {text!r}; valid: "
                              + ", ".join(f"{k}:POPULATION" for k in BUILTIN) + " (accuracy:POPULATION:N), "
                              "or a function f(result, network) -> float")
    if name == "accuracy":
        population, _, count = rest.rpartition(":") if rest.count(":") else (rest, "", "")
        if count:
            try:
                samples = int(count)
            except ValueError:
                raise ValidationError(f"sweep: metric {text!r}: sample count {count!r} is not a whole number") from None
            return accuracy(population, samples)
        return accuracy(rest)
    return {"rate": rate, "latency": latency, "cv": cv, "membrane": membrane}[name](rest)


def as_metric(metric, name: Optional[str] = None, unit: str = "") -> Metric:
    """A :class:`Metric` from a metric, its text, or a function ``f(result, network) -> float``."""
    if isinstance(metric, Metric):
        return metric
    if isinstance(metric, str):
        return parse_metric(metric)
    if callable(metric):
        return Metric(name=name or getattr(metric, "__name__", "metric"), unit=unit, function=metric)
    raise ValidationError(f"sweep: metric must be text such as 'rate:hidden', a Metric or a function "
                          f"f(result, network) -> float; got {type(metric).__name__}")


def metric_choices(network: Network) -> list:
    """The built-in metrics that fit ``network``, as text (for the studio's metric menu); neuron
    populations first, inputs last."""
    out = []
    for p in sorted(network.populations, key=lambda p: p.kind == "input"):
        for name, (_, kinds, _) in BUILTIN.items():
            text = f"{name}:{p.name}"
            try:
                parse_metric(text).check(network)
            except ValidationError:
                continue
            out.append(text)
    return out
