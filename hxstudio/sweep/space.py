"""What a sweep varies: parameter paths, axes of values, points, and how a point edits a document.

A *path* names one number of a network document:

* ``"<population>.<parameter>"``: a catalogue parameter of a LIF or LI population, as a hardware
  value (``"hidden.threshold"``, ``"hidden.tau_mem"``; times in s, potentials in CADC LSB);
* ``"<population>.stimulus.<field>"``: a number of an input population's stimulus
  (``"input.stimulus.rate"`` of a Poisson source, in Hz);
* ``"<projection>.scale"`` and ``"<projection>.init.<field>"``: a projection's weight scale or a
  field of its weight init (``"input→hidden.init.mean"``).

Every point is applied to a fresh copy of the document through its validated edit methods
(:meth:`~hxstudio.network.Network.set_param`, ``update_population``, ``update_projection``), so
a value the document refuses gives the document's own one-line message.

Values are written in the units of the document (SI seconds, Hz, CADC LSB). The text syntax of
:func:`parse_values` (used by the ``hxstudio sweep`` command) is::

    100:140:5        start:stop:step, stop included when on the grid → 100, 105, …, 140
    1e-6:20e-6/5     start:stop/count, evenly spaced → 5 values
    100,110,125      an explicit list
    ~100:140         random: uniform in [100, 140] (needs ``samples``)
    ~log:1e-6:1e-4   random: log-uniform in [1e-6, 1e-4]
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np

from hxstudio.backend.chip.parameters import NEURON_PARAMETERS, PARAMETERS
from hxstudio.errors import ValidationError
from hxstudio.network import (
    ConstantInit,
    DatasetSample,
    MatrixInit,
    Network,
    NormalInit,
    PoissonRate,
    RegularRate,
    mean_value,
)

__all__ = [
    "MAX_POINTS",
    "Target",
    "Axis",
    "Random",
    "uniform",
    "loguniform",
    "parse_values",
    "parse_param",
    "arange",
    "make_axis",
    "points",
    "check_seeds",
    "parameter_names",
    "parameter_choices",
    "resolve",
    "apply",
    "apply_values",
    "stochastic_parts",
    "apply_seed",
]

#: Most points one sweep may have (a typo such as ``0:1e6:1`` must not queue a million runs).
MAX_POINTS = 100_000

#: Numeric fields of each stimulus kind that a sweep may set (``times`` and names are not numbers).
_STIMULUS_FIELDS = {
    RegularRate: ("rate", "start"),
    PoissonRate: ("rate", "seed"),
    DatasetSample: ("index", "t_early", "t_late", "t_bias"),
}
_STIMULUS_UNITS = {"rate": "Hz", "start": "s", "seed": "1", "index": "1", "t_early": "s", "t_late": "s",
                   "t_bias": "s"}
_INIT_FIELDS = {ConstantInit: ("value",), NormalInit: ("mean", "std", "seed"), MatrixInit: ()}
_INTEGER_FIELDS = {"seed", "index"}


@dataclass(frozen=True)
class Target:
    """One sweepable number of a document, resolved from its path.

    Attributes:
        path: the path as written (``"hidden.threshold"``).
        kind: ``"param"`` (catalogue parameter), ``"stimulus"``, ``"scale"`` or ``"init"``.
        owner: the population or projection name.
        field: the parameter or field name.
        unit: unit of the values (``"CADC LSB"``, ``"s"``, ``"Hz"``, ``"1"``).
        integer: whether the field only takes whole numbers (seeds, sample indices).
    """

    path: str
    kind: str
    owner: str
    field: str
    unit: str
    integer: bool = False


def _targets(network: Network) -> dict:
    """Every sweepable path of ``network`` → its :class:`Target`, in document order."""
    out = {}
    for p in network.populations:
        if p.kind == "input":
            for f in _STIMULUS_FIELDS.get(type(p.stimulus), ()):
                path = f"{p.name}.stimulus.{f}"
                out[path] = Target(path, "stimulus", p.name, f, _STIMULUS_UNITS[f], f in _INTEGER_FIELDS)
        else:
            for name in NEURON_PARAMETERS[p.kind]:
                path = f"{p.name}.{name}"
                out[path] = Target(path, "param", p.name, name, PARAMETERS[name].unit)
    for j in network.projections:
        out[f"{j.name}.scale"] = Target(f"{j.name}.scale", "scale", j.name, "scale", "1")
        for f in _INIT_FIELDS[type(j.init)]:
            path = f"{j.name}.init.{f}"
            out[path] = Target(path, "init", j.name, f, "1", f in _INTEGER_FIELDS)
    return out


def parameter_names(network: Network) -> list:
    """Every path a sweep over ``network`` accepts, in document order.

    Example:
        >>> from hxstudio.examples import psp
        >>> parameter_names(psp())[:3]
        ['neuron.leak', 'neuron.reset', 'neuron.threshold']
    """
    return list(_targets(network))


def resolve(network: Network, path: str) -> Target:
    """The :class:`Target` a path names.

    Raises:
        ValidationError: one line naming the path and listing every valid path.
    """
    targets = _targets(network)
    if isinstance(path, str) and path in targets:
        return targets[path]
    raise ValidationError(
        f"sweep: unknown parameter {path!r}; valid: {', '.join(targets) or 'none (the network has no parameters)'}")


def _current(network: Network, target: Target):
    """The value a target has in ``network`` (the mean for per-neuron lists)."""
    if target.kind == "param":
        return mean_value(network.population(target.owner).params[target.field])
    if target.kind == "stimulus":
        return getattr(network.population(target.owner).stimulus, target.field)
    j = network.projection(target.owner)
    return j.scale if target.kind == "scale" else getattr(j.init, target.field)


def parameter_choices(network: Network) -> list:
    """Plain-data descriptions of every sweepable path, for :class:`hxstudio.widgets.SweepPanel`.

    Returns:
        list of dicts ``{"name", "label", "unit", "value", "soft", "step", "integer"}``: ``value`` is
        the current value; ``soft`` a suggested ``(start, stop)`` (the catalogue's slider span for
        neuron parameters, a span around the current value otherwise).
    """
    out = []
    for path, target in _targets(network).items():
        value = float(_current(network, target))
        if target.kind == "param":
            spec = PARAMETERS[target.field]
            soft, step = spec.soft, spec.step
        elif target.integer:
            soft, step = (value, value + 9), 1.0
        elif value > 0:
            soft, step = (value / 2, value * 2), 0.0
        elif value < 0:
            soft, step = (value * 2, value / 2), 0.0
        else:
            soft, step = (-1.0, 1.0), 0.0
        out.append({"name": path, "label": path, "unit": target.unit, "value": value,
                    "soft": (float(soft[0]), float(soft[1])), "step": float(step), "integer": target.integer})
    return out


# ----------------------------------------------------------------------------------------------
# axes


@dataclass(frozen=True)
class Random:
    """A random axis: values drawn uniformly (``log=False``) or log-uniformly in ``[low, high]``."""

    low: float
    high: float
    log: bool = False

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.log:
            return np.exp(rng.uniform(math.log(self.low), math.log(self.high), n))
        return rng.uniform(self.low, self.high, n)


def uniform(low: float, high: float) -> Random:
    """A random axis, uniform in ``[low, high]``; the sweep draws ``samples`` points."""
    return Random(float(low), float(high))


def loguniform(low: float, high: float) -> Random:
    """A random axis, log-uniform in ``[low, high]`` (``0 < low``)."""
    return Random(float(low), float(high), log=True)


@dataclass(frozen=True)
class Axis:
    """One swept path: a grid of ``values`` or a :class:`Random` distribution."""

    target: Target
    values: Optional[tuple] = None
    random: Optional[Random] = None

    @property
    def path(self) -> str:
        return self.target.path


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"{where}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValidationError(f"{where}: {text.strip()!r} is not a finite number")
    return value


def parse_values(text: str, where: str = "sweep") -> Union[tuple, Random]:
    """Parse the value syntax of the module docstring into a tuple of floats or a :class:`Random`.

    Raises:
        ValidationError: malformed text or an empty range (one line, naming ``where``).

    Example:
        >>> parse_values("100:140:10")
        (100.0, 110.0, 120.0, 130.0, 140.0)
        >>> parse_values("0:1/3")
        (0.0, 0.5, 1.0)
    """
    text = text.strip()
    if text.startswith("~"):
        parts = text[1:].split(":")
        log = parts[0].strip() == "log"
        parts = parts[1:] if log else parts
        if len(parts) != 2:
            raise ValidationError(f"{where}: random range {text!r} must be ~LOW:HIGH or ~log:LOW:HIGH")
        return _random(_number(parts[0], where), _number(parts[1], where), log, where)
    if "," in text or ":" not in text:
        values = tuple(_number(v, where) for v in text.split(",") if v.strip())
        return _grid(values, where)
    head, slash, count = text.partition("/")
    parts = head.split(":")
    if slash:
        if len(parts) != 2:
            raise ValidationError(f"{where}: {text!r} must be START:STOP/COUNT")
        try:
            n = int(count)
        except ValueError:
            raise ValidationError(f"{where}: count {count!r} in {text!r} is not a whole number") from None
        if n < 1:
            raise ValidationError(f"{where}: empty range {text!r}: the count must be at least 1")
        start, stop = (_number(p, where) for p in parts)
        return _grid(tuple(float(v) for v in np.linspace(start, stop, n)), where)
    if len(parts) != 3:
        raise ValidationError(f"{where}: {text!r} must be START:STOP:STEP, START:STOP/COUNT, a list A,B,C "
                              f"or ~LOW:HIGH")
    start, stop, step = (_number(p, where) for p in parts)
    return _grid(arange(start, stop, step, where), where)


def arange(start: float, stop: float, step: float, where: str = "sweep") -> tuple:
    """``start, start+step, …`` up to ``stop`` included (within float noise); empty if none fit."""
    if step == 0:
        raise ValidationError(f"{where}: step must not be 0")
    n = math.floor((stop - start) / step * (1 + 1e-12) + 1e-9) + 1
    if n > MAX_POINTS:
        raise ValidationError(f"{where}: {start:g}:{stop:g}:{step:g} has {n} values; at most {MAX_POINTS}")
    return tuple(float(f"{start + k * step:.12g}") for k in range(max(n, 0)))


def _grid(values: tuple, where: str) -> tuple:
    if not values:
        raise ValidationError(f"{where}: empty range: no values to sweep")
    return values


def _random(low: float, high: float, log: bool, where: str) -> Random:
    if not low < high:
        raise ValidationError(f"{where}: empty range: random range needs LOW < HIGH, got {low:g} and {high:g}")
    if log and low <= 0:
        raise ValidationError(f"{where}: log-uniform range needs 0 < LOW, got {low:g}")
    return Random(low, high, log)


def parse_param(text: str) -> tuple:
    """Split ``"PATH=VALUES"`` (the ``--param`` syntax) into ``(path, values)``.

    Example:
        >>> parse_param("neuron.threshold=100:120:10")
        ('neuron.threshold', (100.0, 110.0, 120.0))
    """
    path, eq, values = text.rpartition("=")
    if not eq or not path.strip():
        raise ValidationError(f"sweep: --param {text!r} must be PATH=VALUES, e.g. hidden.threshold=100:140:5")
    path = path.strip()
    return path, parse_values(values, f"sweep: {path}")


def make_axis(network: Network, path: str, values) -> Axis:
    """Check one path and its values against ``network`` and return the :class:`Axis`.

    ``values`` is a sequence of numbers, a :class:`Random`, or text in the syntax of
    :func:`parse_values`.
    """
    target = resolve(network, path)
    where = f"sweep: {path}"
    if isinstance(values, str):
        values = parse_values(values, where)
    if isinstance(values, Random):
        return Axis(target, random=_random(values.low, values.high, values.log, where))
    if isinstance(values, (int, float, np.number)):
        values = [values]
    try:
        values = tuple(np.asarray(list(values), dtype=float).ravel().tolist())
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: values must be numbers, got {values!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise ValidationError(f"{where}: values must be finite numbers, got {values!r}")
    return Axis(target, values=_grid(values, where))


def points(axes: Sequence[Axis], seeds: Sequence[int], samples: Optional[int], random_seed: int) -> list:
    """All points of a sweep in table order: grid (first axis slowest) → random sample → seed.

    Returns:
        list of ``(values, sample, seed)`` with ``values`` a dict path → number (an ``int`` for
        integer fields) and ``sample`` the random draw (``None`` without random axes).
    """
    grid = [a for a in axes if a.random is None]
    rand = [a for a in axes if a.random is not None]
    rng = np.random.default_rng(random_seed)
    out = []
    for combo in itertools.product(*(a.values for a in grid)):
        fixed = dict(zip((a.path for a in grid), combo))
        draws = [dict(zip((a.path for a in rand), row))
                 for row in zip(*(a.random.draw(rng, samples).tolist() for a in rand))] if rand else [{}]
        for k, drawn in enumerate(draws):
            values = {a.path: _typed(a.target, {**fixed, **drawn}[a.path]) for a in axes}
            for seed in seeds:
                out.append((values, k if rand else None, seed))
    return out


def _typed(target: Target, value: float):
    if target.integer and float(value).is_integer():
        return int(value)
    return float(value)


# ----------------------------------------------------------------------------------------------
# edits


def apply(network: Network, target: Target, value) -> None:
    """Set one target in ``network`` through the document's validated edit methods.

    Raises:
        ValidationError, ParameterRangeError: the document's one-line message; ``network`` is
            unchanged then.
    """
    if target.kind == "param":
        network.set_param(target.owner, target.field, float(value))
    elif target.kind == "stimulus":
        stim = network.population(target.owner).stimulus.model_dump()
        network.update_population(target.owner, stimulus={**stim, target.field: value})
    elif target.kind == "scale":
        network.update_projection(target.owner, scale=float(value))
    else:
        init = network.projection(target.owner).init.model_dump()
        network.update_projection(target.owner, init={**init, target.field: value})


def apply_values(network: Network, values: dict) -> None:
    """Set several paths (path → value) in order; each edit is validated by the document."""
    for path, value in values.items():
        apply(network, resolve(network, path), value)


def stochastic_parts(network: Network) -> list:
    """The seeded parts of ``network``: ``("stimulus", population)`` for Poisson inputs and
    ``("init", projection)`` for normal weight inits, in document order."""
    parts = [("stimulus", p.name) for p in network.populations if isinstance(p.stimulus, PoissonRate)]
    parts += [("init", j.name) for j in network.projections if isinstance(j.init, NormalInit)]
    return parts


def apply_seed(network: Network, seed: int) -> None:
    """Shift the seed of every stochastic part by ``seed`` (``0`` leaves the document as drawn).

    Each Poisson stimulus and each normal weight init keeps its own seed ``s`` and gets
    ``s + seed``, so parts stay independent of each other and seed 0 reproduces the document.
    """
    if not seed:
        return
    for kind, owner in stochastic_parts(network):
        if kind == "stimulus":
            stim = network.population(owner).stimulus.model_dump()
            network.update_population(owner, stimulus={**stim, "seed": stim["seed"] + seed})
        else:
            init = network.projection(owner).init.model_dump()
            network.update_projection(owner, init={**init, "seed": init["seed"] + seed})


def check_seeds(seeds) -> list:
    """``None`` → ``[0]``; ``n`` → ``[0, …, n−1]``; a list of distinct whole numbers ≥ 0 as is."""
    if seeds is None:
        return [0]
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValidationError(f"sweep: seeds = {seeds} must be at least 1 (the number of seeds)")
        return list(range(int(seeds)))
    try:
        out = [int(s) for s in seeds]
    except (TypeError, ValueError):
        raise ValidationError(f"sweep: seeds must be a count or a list of whole numbers, got {seeds!r}") from None
    if not out:
        raise ValidationError("sweep: seeds is an empty list; give a count or at least one seed")
    if any(s < 0 for s in out) or len(set(out)) != len(out) or any(float(s) != float(t) for s, t in zip(out, seeds)):
        raise ValidationError(f"sweep: seeds {list(seeds)!r} must be distinct whole numbers ≥ 0")
    return out

