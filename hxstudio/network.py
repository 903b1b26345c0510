"""The network document: populations, projections, stimuli, recording; JSON with a schema version.

A :class:`Network` is what the studio draws and edits and what :func:`hxstudio.run` executes.
Neuron parameters are *hardware values* (calibration targets, see
:mod:`hxstudio.backend.chip.parameters`): potentials in CADC LSB, times in seconds of hardware
time. Every time in the document is in seconds; rates are in Hz of hardware time.

Validation happens when a document is built or loaded and on every edit made through the methods
below. Errors are :class:`hxstudio.errors.ValidationError` or
:class:`hxstudio.errors.ParameterRangeError` with a one-line message naming the object, the
field, the value and what is allowed.

Example:
    >>> net = Network(name="demo", duration=50e-6)
    >>> _ = net.add_population("in", "input", 1,
    ...     stimulus=SpikeTimes(times=[[10e-6]]))
    >>> _ = net.add_population("n", "LIF", 1)
    >>> _ = net.add_projection("in", "n", init=ConstantInit(value=60.0))
    >>> net.population("n").params["threshold"]
    125.0
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, model_validator

from hxstudio.backend.chip.parameters import NEURON_PARAMETERS, NEURON_SWITCHES, PARAMETERS, SWITCHES
from hxstudio.backend.errors import format_quantity
from hxstudio.errors import HXStudioError, ProjectFileError, ValidationError

__all__ = [
    "SCHEMA_VERSION",
    "Network",
    "Population",
    "Projection",
    "Recording",
    "MadcProbe",
    "SpikeTimes",
    "RegularRate",
    "PoissonRate",
    "DatasetSample",
    "Stimulus",
    "ConstantInit",
    "NormalInit",
    "MatrixInit",
    "WeightInit",
]

#: Version of the JSON layout written by :meth:`Network.to_json`. Version 2 (NIR import) allows a
#: list of per-neuron values for a neuron parameter; version-1 files are read unchanged.
SCHEMA_VERSION = 2
#: Layout versions :meth:`Network.from_dict` reads.
READABLE_VERSIONS = (1, 2)

#: Population kinds and whether they can send / receive projections.
KINDS = ("input", "LIF", "LI", "AELIF")
_SENDS = {"input", "LIF", "AELIF"}
_RECEIVES = {"LIF", "LI", "AELIF"}

#: Most time steps the document accepts (100 ms of hardware time at dt = 1 µs); keeps a typo
#: from allocating gigabytes (a 512-neuron population stores 3 × 512 × 4 B per step).
MAX_STEPS = 100_000


class _Model(BaseModel):
    """Base of every document model: unknown fields, non-finite numbers and numbers given as
    strings or booleans are refused; errors become one-line :class:`ValidationError` messages."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    def __init__(self, **data):
        with _outermost() as outermost:
            try:
                super().__init__(**data)
            except pydantic.ValidationError as exc:
                if not outermost:  # pydantic calls this __init__ for nested objects too
                    raise
                raise _translate(exc, data, _label(type(self), data)) from exc

    def __setattr__(self, name, value):
        with _outermost():
            try:
                super().__setattr__(name, value)
            except pydantic.ValidationError as exc:
                where = _label(type(self), {"name": getattr(self, "name", None)})
                raise _translate(exc, {name: value}, where) from exc


_VALIDATING = contextvars.ContextVar("hxstudio_validating", default=False)


@contextlib.contextmanager
def _outermost():
    """Yields whether this is the outermost validation (the one that formats errors)."""
    token = _VALIDATING.set(True)
    try:
        yield token.old_value in (False, contextvars.Token.MISSING)
    finally:
        _VALIDATING.reset(token)


# ----------------------------------------------------------------------------------------------
# stimuli (input populations)


class SpikeTimes(_Model):
    """Explicit spike times, one list per neuron, in seconds."""

    kind: Literal["spike_times"] = "spike_times"
    times: list[list[StrictFloat]] = Field(default_factory=list)


class RegularRate(_Model):
    """Every neuron spikes regularly at ``rate`` Hz (hardware time) from ``start`` s on."""

    kind: Literal["regular"] = "regular"
    rate: StrictFloat = Field(100e3, gt=0)
    start: StrictFloat = Field(0.0, ge=0)


class PoissonRate(_Model):
    """Independent Poisson spike trains at ``rate`` Hz; Bernoulli(rate·dt) per step, seeded."""

    kind: Literal["poisson"] = "poisson"
    rate: StrictFloat = Field(50e3, gt=0)
    seed: StrictInt = Field(0, ge=0)


class DatasetSample(_Model):
    """One sample of a dataset, encoded as spikes.

    ``yinyang``: the Yin-Yang dataset (spec §9.4; train: size 5000, seed 42; test: size 1000,
    seed 41) encoded as in the hxtorch example (spec §11.1): the features (x, y, 1−x, 1−y) spike
    once at ``t_early + value·(t_late − t_early)`` and a bias channel at ``t_bias``; 5 neurons.
    """

    kind: Literal["dataset"] = "dataset"
    dataset: Literal["yinyang"] = "yinyang"
    split: Literal["train", "test"] = "test"
    index: StrictInt = Field(0, ge=0)
    t_early: StrictFloat = Field(2e-6, ge=0)
    t_late: StrictFloat = Field(26e-6, ge=0)
    t_bias: StrictFloat = Field(2e-6, ge=0)


Stimulus = Annotated[
    Union[SpikeTimes, RegularRate, PoissonRate, DatasetSample], Field(discriminator="kind")
]

#: Neurons a dataset stimulus drives.
DATASET_CHANNELS = {"yinyang": 5}
DATASET_SIZES = {("yinyang", "train"): 5000, ("yinyang", "test"): 1000}


# ----------------------------------------------------------------------------------------------
# weights (projections)


class ConstantInit(_Model):
    """Every weight equals ``value``."""

    kind: Literal["constant"] = "constant"
    value: StrictFloat = 1.0


class NormalInit(_Model):
    """Weights drawn from N(mean, std²) with a seeded generator (``numpy.random.default_rng``)."""

    kind: Literal["normal"] = "normal"
    mean: StrictFloat = 0.0
    std: StrictFloat = Field(1.0, ge=0)
    seed: StrictInt = Field(0, ge=0)


class MatrixInit(_Model):
    """Explicit weight matrix, shape ``(target size, source size)`` like ``Synapse.weight``."""

    kind: Literal["matrix"] = "matrix"
    weight: list[list[StrictFloat]]


WeightInit = Annotated[Union[ConstantInit, NormalInit, MatrixInit], Field(discriminator="kind")]


# ----------------------------------------------------------------------------------------------
# populations, projections, recording


class Population(_Model):
    """A group of neurons of one kind.

    Attributes:
        name: unique id, also the node id on the canvas.
        kind: ``"input"`` (spike source), ``"LIF"`` (spiking), ``"LI"`` (leaky integrator
            readout, no spikes) or ``"AELIF"`` (adaptive exponential integrate-and-fire, AdEx;
            hxtorch's ``AELIF`` with ``leaky`` and ``fire`` on, spec §5.1).
        size: number of neurons, 1…512 (the chip has 512 neuron circuits).
        params: hardware values of the kind's parameters (see :mod:`hxstudio.catalogue`);
            missing ones take the default; ``{}`` for inputs. A value is one number for all
            neurons or a list with one number per neuron (heterogeneous populations, e.g. from
            NIR); a list of equal numbers is stored as one number. Values must lie within the
            parameter's hard ``limits``; values outside its ``calibrated`` range are accepted
            and reported by :meth:`flags` (they run in the mock, BSS-2 cannot be calibrated to
            them).
            An AELIF population's ``params`` also hold its switches (``exponential``,
            ``subthreshold_adaptation``, ``spike_triggered_adaptation``: ``true``/``false``,
            hxtorch's flags; default all on). With all three off it is numerically a LIF.
            AdEx parameters are not calibrated by calix, so :meth:`flags` reports an AELIF
            population whose AdEx terms are on.
        stimulus: what drives an input population; ``None`` for neurons.
        position: canvas position ``(x, y)`` in pixels.
    """

    name: str = Field(min_length=1, max_length=64)
    kind: Literal["input", "LIF", "LI", "AELIF"]
    size: StrictInt = Field(ge=1, le=512)
    params: dict[str, Union[StrictFloat, list[StrictFloat], StrictBool]] = Field(default_factory=dict)
    stimulus: Optional[Stimulus] = None
    position: tuple[StrictFloat, StrictFloat] = (0.0, 0.0)

    @model_validator(mode="after")
    def _check(self) -> "Population":
        where = f"population {self.name!r}"
        numbers, switches = NEURON_PARAMETERS.get(self.kind, ()), NEURON_SWITCHES.get(self.kind, ())
        allowed = numbers + switches
        for name in self.params:
            if name not in allowed:
                raise ValidationError(
                    f"{where}: unknown parameter {name!r} for kind {self.kind}; "
                    f"allowed: {', '.join(allowed) or 'none'}"
                )
        values = {}
        for name in numbers:
            values[name] = _check_value(where, PARAMETERS[name], self.params.get(name, PARAMETERS[name].default),
                                        self.size)
        for name in switches:
            values[name] = _check_switch(where, name, self.params.get(name, SWITCHES[name].default))
        # keep the dict complete and in display order (assignment would re-validate)
        self.__dict__["params"] = values
        if self.kind == "input":
            if self.stimulus is None:
                self.__dict__["stimulus"] = SpikeTimes(times=[[] for _ in range(self.size)])
            _check_stimulus(where, self.stimulus, self.size)
        elif self.stimulus is not None:
            raise ValidationError(f"{where}: field 'stimulus' is only allowed for kind 'input', not {self.kind}")
        return self


    def flags(self) -> list[str]:
        """One line per parameter outside its calibrated range (allowed; runs in the mock only),
        plus one line for an AELIF population whose AdEx terms are on (:meth:`adex_terms`; calix
        calibrates none of their parameters, spec §5.1).

        Example:
            >>> Population(name="n", kind="LIF", size=2, params={"tau_syn": [0.2e-6, 1e-6]}).flags()
            ["population 'n': tau_syn = 0.2 µs (1 of 2 neurons) is outside the calibrated range [0.3 µs, 30 µs]; the mock runs it, BSS-2 cannot be calibrated to it"]
        """
        out = []
        for name in NEURON_PARAMETERS.get(self.kind, ()):
            value, spec = self.params[name], PARAMETERS[name]
            values = value if isinstance(value, list) else [value]
            bad = [v for v in values if not spec.calibratable(v)]
            if not bad:
                continue
            shown = format_quantity(bad[0], spec.unit) if len(set(bad)) == 1 else \
                f"{format_quantity(min(bad), spec.unit)} … {format_quantity(max(bad), spec.unit)}"
            count = f" ({len(bad)} of {len(values)} neurons)" if isinstance(value, list) else ""
            low, high = (format_quantity(x, spec.unit) for x in spec.calibrated)
            out.append(f"population {self.name!r}: {name} = {shown}{count} is outside the calibrated range "
                       f"[{low}, {high}]; the mock runs it, BSS-2 cannot be calibrated to it")
        adex = self.adex_terms()
        if adex:
            out.append(f"population {self.name!r}: AdEx terms {', '.join(adex)} are on; calix does not "
                       "calibrate their parameters (hxtorch writes them raw into CapMem, spec §5.1); "
                       "the mock runs them")
        return out

    def adex_terms(self) -> list[str]:
        """The AdEx switches that are on (AELIF only; ``[]`` for other kinds).

        With none on, an AELIF population is numerically a LIF (spec §6.1).
        """
        return [name for name in NEURON_SWITCHES.get(self.kind, ()) if self.params[name]]


def _check_switch(where: str, name: str, value) -> bool:
    """A model switch (AELIF's ``exponential``…) must be a boolean."""
    if not isinstance(value, bool):
        raise ValidationError(f"{where}: {name} = {value!r} must be true or false")
    return value


def _check_value(where: str, spec, value, size: int):
    """A parameter value checked against the hard limits; equal per-neuron values collapse."""
    if isinstance(value, bool):  # the document's union admits booleans for AELIF switches only
        low, high = (format_quantity(x, spec.unit) for x in spec.limits)
        raise ValidationError(f"{where}: {spec.name} = {value!r} must be a number in [{low}, {high}], not true/false")
    if not isinstance(value, list):
        return spec.check_limits(value, where)
    if len(value) != size:
        raise ValidationError(f"{where}: {spec.name} has {len(value)} per-neuron values; needs one per neuron ({size})")
    for v in value:
        spec.check_limits(v, where)
    return value[0] if all(v == value[0] for v in value) else list(value)


def mean_value(value) -> float:
    """The mean of a parameter value (a number, or a list of per-neuron numbers)."""
    return float(sum(value) / len(value)) if isinstance(value, list) else float(value)


def _check_stimulus(where: str, stim, size: int) -> None:
    if isinstance(stim, SpikeTimes):
        if len(stim.times) != size:
            raise ValidationError(
                f"{where}: stimulus 'times' has {len(stim.times)} lists; needs one per neuron ({size})"
            )
        for i, times in enumerate(stim.times):
            for t in times:
                if not (t >= 0 and math.isfinite(t)):
                    raise ValidationError(f"{where}: stimulus spike time {t!r} of neuron {i} must be ≥ 0 s")
    elif isinstance(stim, DatasetSample):
        channels = DATASET_CHANNELS[stim.dataset]
        if size != channels:
            raise ValidationError(
                f"{where}: dataset {stim.dataset!r} drives {channels} neurons; size is {size}"
            )
        n = DATASET_SIZES[(stim.dataset, stim.split)]
        if stim.index >= n:
            raise ValidationError(
                f"{where}: stimulus 'index' = {stim.index} is outside [0, {n - 1}] of the {stim.split} split"
            )
        if not stim.t_early <= stim.t_late:
            raise ValidationError(f"{where}: stimulus t_early = {stim.t_early:g} s must not exceed t_late = {stim.t_late:g} s")


class Projection(_Model):
    """A dense, signed projection ``source → target``; weight shape ``(target.size, source.size)``.

    The weights used are ``scale · W`` where ``W`` comes from ``init``. Weights are in model units:
    with the default neuron (τ = 10 µs, membrane capacitance 63) a weight ``w`` gives a PSP peak of
    ``0.387·w`` CADC LSB (spec §6.1 golden trace), close to BSS-2's ≈0.35 CADC per 6-bit weight
    LSB (spec §8.5).
    """

    name: str = Field(min_length=1, max_length=64)
    source: str
    target: str
    init: WeightInit = Field(default_factory=ConstantInit)
    scale: StrictFloat = 1.0

    @model_validator(mode="after")
    def _check(self) -> "Projection":
        if not math.isfinite(self.scale):
            raise ValidationError(f"projection {self.name!r}: scale = {self.scale} must be finite")
        return self


class MadcProbe(_Model):
    """The one neuron whose membrane the MADC records (BSS-2 has one MADC channel per experiment,
    spec §7.3): neuron ``neuron`` (0-based, within the population) of the neuron population
    (not an input) ``population``."""

    population: str
    neuron: StrictInt = Field(0, ge=0)


class Recording(_Model):
    """Which populations keep their membrane and current traces (spikes are always kept).

    ``populations=None`` records every population. ``madc`` picks the neuron the MADC records on
    the emulator and on hardware (``None``: :meth:`Network.madc_probe` picks the first neuron of
    the first recorded neuron population); the mock has no MADC and ignores it.
    """

    populations: Optional[list[str]] = None
    madc: Optional[MadcProbe] = None


# ----------------------------------------------------------------------------------------------
# the network


class Network(_Model):
    """A whole network document.

    Attributes:
        schema_version: layout version of the JSON file (:data:`SCHEMA_VERSION`).
        name: human-readable title.
        dt: integration step in s (hardware time). Default 1 µs, like ``Experiment``.
        duration: simulated time in s; ``T = round(duration/dt)`` steps.
        populations, projections: the graph.
        recording: which traces to keep.
        target: where it runs: ``"mock"`` (hxtorch-identical ideal numerics,
            ``Experiment(mock=True)``), ``"emulator"`` (:mod:`hxstudio.backend`'s emulated BSS-2
            chip, ``Experiment(mock=False)``) or ``"hardware"`` (the real ``hxtorch.spiking`` on
            a BSS-2 system; see :mod:`hxstudio.targets`).
    """

    schema_version: Literal[1, 2] = SCHEMA_VERSION
    name: str = "untitled"
    dt: StrictFloat = Field(1e-6, ge=1e-9, le=1e-3)
    duration: StrictFloat = Field(100e-6, gt=0)
    populations: list[Population] = Field(default_factory=list)
    projections: list[Projection] = Field(default_factory=list)
    recording: Recording = Field(default_factory=Recording)
    target: Literal["mock", "emulator", "hardware"] = "mock"

    @model_validator(mode="after")
    def _check(self) -> "Network":
        if not 1 <= self.steps <= MAX_STEPS:
            raise ValidationError(
                f"network: duration = {self.duration:g} s at dt = {self.dt:g} s gives {self.steps} steps; "
                f"allowed: 1 to {MAX_STEPS} steps"
            )
        pops = {}
        for p in self.populations:
            if p.name in pops:
                raise ValidationError(f"population {p.name!r}: name is used twice; names must be unique")
            pops[p.name] = p
            rate = getattr(p.stimulus, "rate", None)
            if rate is not None and rate * self.dt > 1:
                raise ValidationError(
                    f"population {p.name!r}: stimulus rate = {rate:g} Hz exceeds one spike per step; "
                    f"allowed: up to 1/dt = {1 / self.dt:g} Hz"
                )
        names = set()
        for j in self.projections:
            where = f"projection {j.name!r}"
            if j.name in names:
                raise ValidationError(f"{where}: name is used twice; names must be unique")
            names.add(j.name)
            for end, allowed in (("source", _SENDS), ("target", _RECEIVES)):
                ref = getattr(j, end)
                if ref not in pops:
                    raise ValidationError(
                        f"{where}: {end} {ref!r} is not a population; existing: {', '.join(pops) or 'none'}"
                    )
                if pops[ref].kind not in allowed:
                    raise ValidationError(
                        f"{where}: {end} {ref!r} is of kind {pops[ref].kind}; a {end} must be one of {', '.join(sorted(allowed))}"
                    )
            if isinstance(j.init, MatrixInit):
                shape = (pops[j.target].size, pops[j.source].size)
                got = (len(j.init.weight), len(j.init.weight[0]) if j.init.weight else 0)
                if len(j.init.weight) != shape[0] or any(len(r) != shape[1] for r in j.init.weight):
                    raise ValidationError(
                        f"{where}: weight matrix has shape {got}; needs (target size, source size) = {shape}"
                    )
        if self.recording.populations is not None:
            for r in self.recording.populations:
                if r not in pops:
                    raise ValidationError(
                        f"recording: population {r!r} does not exist; existing: {', '.join(pops) or 'none'}"
                    )
        madc = self.recording.madc
        if madc is not None:
            where = f"recording: madc population {madc.population!r}"
            if madc.population not in pops:
                raise ValidationError(f"{where} does not exist; existing: {', '.join(pops) or 'none'}")
            if pops[madc.population].kind == "input":
                raise ValidationError(f"{where} is an input; the MADC records a neuron's membrane "
                                      "(a population that is not an input)")
            if madc.neuron >= pops[madc.population].size:
                raise ValidationError(f"{where}: neuron = {madc.neuron} is outside [0, "
                                      f"{pops[madc.population].size - 1}]")
        return self

    # -- derived ------------------------------------------------------------------------------

    @property
    def steps(self) -> int:
        """Number of time steps ``T = round(duration/dt)``."""
        return int(round(self.duration / self.dt))

    def population(self, name: str) -> Population:
        """The population called ``name``.

        Raises:
            ValidationError: if there is none (lists the existing names).
        """
        for p in self.populations:
            if p.name == name:
                return p
        raise ValidationError(
            f"population {name!r} does not exist; existing: {', '.join(p.name for p in self.populations) or 'none'}"
        )

    def projection(self, name: str) -> Projection:
        """The projection called ``name``; raises :class:`ValidationError` if there is none."""
        for j in self.projections:
            if j.name == name:
                return j
        raise ValidationError(
            f"projection {name!r} does not exist; existing: {', '.join(j.name for j in self.projections) or 'none'}"
        )

    def recorded(self, name: str) -> bool:
        """Whether the traces of population ``name`` are kept."""
        return self.recording.populations is None or name in self.recording.populations

    def madc_probe(self) -> Optional[tuple[str, int]]:
        """``(population, neuron)`` the MADC records: :attr:`Recording.madc` if set, else the first
        neuron of the first recorded neuron population (document order); ``None`` if there is no
        such population. Only the emulator and hardware targets have an MADC (spec §7.3)."""
        if self.recording.madc is not None:
            return self.recording.madc.population, self.recording.madc.neuron
        return next(((p.name, 0) for p in self.populations if p.kind != "input" and self.recorded(p.name)), None)

    def flags(self) -> list[str]:
        """One line per parameter outside its calibrated range, over all populations (and one per
        AELIF population with AdEx terms on, see :meth:`Population.flags`).

        Such values are accepted (they lie within the hard limits) and run in the mock; BSS-2
        cannot be calibrated to them. Typical after a NIR import.
        """
        return [line for p in self.populations for line in p.flags()]

    # -- edits (each leaves the document valid or unchanged) -------------------------------------

    def _replace(self, **changes) -> None:
        """Validate a changed copy, then take its state; on error nothing changes."""
        data = self.model_dump()
        data.update(changes)
        new = Network.from_dict(data)
        for field in type(self).model_fields:
            self.__dict__[field] = new.__dict__[field]

    def unique_name(self, stem: str) -> str:
        """``stem``, or ``stem_2``, ``stem_3``… whichever is not yet a population or projection name."""
        taken = {p.name for p in self.populations} | {j.name for j in self.projections}
        name, k = stem, 1
        while name in taken:
            k += 1
            name = f"{stem}_{k}"
        return name

    def add_population(self, name: str, kind: str, size: int, **fields) -> Population:
        """Add a population (validated) and return it."""
        pops = [p.model_dump() for p in self.populations]
        pops.append({"name": name, "kind": kind, "size": size, **fields})
        self._replace(populations=pops)
        return self.population(name)

    def remove_population(self, name: str) -> None:
        """Remove a population and every projection touching it."""
        self.population(name)
        self._replace(
            populations=[p.model_dump() for p in self.populations if p.name != name],
            projections=[j.model_dump() for j in self.projections if name not in (j.source, j.target)],
            recording={"populations": None if self.recording.populations is None
                       else [r for r in self.recording.populations if r != name],
                       "madc": self._madc_without(name)},
        )

    def _madc_without(self, name: str, size: int = 0):
        """The MADC probe, dropped (back to the default) when it lies in population ``name``
        after that population shrinks to ``size`` neurons (0: is removed)."""
        madc = self.recording.madc
        return None if madc is None or (madc.population == name and madc.neuron >= size) else madc.model_dump()

    def update_population(self, name: str, **fields) -> Population:
        """Change fields of a population (``size``, ``position``, ``stimulus``…), validated.

        ``params`` given here are merged into the existing ones.
        """
        pops = []
        for p in self.populations:
            d = p.model_dump()
            if p.name == name:
                if "params" in fields:
                    fields = {**fields, "params": {**d["params"], **fields["params"]}}
                stim = fields.get("stimulus", d["stimulus"])
                if "size" in fields and isinstance(stim, dict) and stim.get("kind") == "spike_times":
                    # a resized input keeps its spike trains; new neurons start silent
                    times = (list(stim["times"]) + [[]] * fields["size"])[: fields["size"]]
                    fields = {**fields, "stimulus": {**stim, "times": times}}
                d.update(fields)
            pops.append(d)
        self.population(name)
        changes = {"populations": pops}
        if "size" in fields:  # a shrunk population drops an MADC probe beyond its end
            changes["recording"] = {**self.recording.model_dump(), "madc": self._madc_without(name, fields["size"])}
        self._replace(**changes)
        return self.population(name)

    def set_param(self, population: str, name: str, value: Union[float, list, bool]) -> None:
        """Set one neuron parameter (hardware value; a number, or one per neuron), checked against
        its hard limits; a value outside the calibrated range is kept and reported by :meth:`flags`.
        An AELIF switch (``exponential``…) takes ``True``/``False``."""
        self.update_population(population, params={name: value})

    def add_projection(self, source: str, target: str, name: Optional[str] = None, **fields) -> Projection:
        """Add a projection ``source → target`` (validated) and return it."""
        name = name or self.unique_name(f"{source}→{target}")
        projs = [j.model_dump() for j in self.projections]
        projs.append({"name": name, "source": source, "target": target, **fields})
        self._replace(projections=projs)
        return self.projection(name)

    def remove_projection(self, name: str) -> None:
        """Remove the projection called ``name``."""
        self.projection(name)
        self._replace(projections=[j.model_dump() for j in self.projections if j.name != name])

    def update_projection(self, name: str, **fields) -> Projection:
        """Change fields of a projection (``init``, ``scale``), validated."""
        self.projection(name)
        projs = [{**j.model_dump(), **(fields if j.name == name else {})} for j in self.projections]
        self._replace(projections=projs)
        return self.projection(name)

    def set(self, **fields) -> None:
        """Change top-level fields (``duration``, ``dt``, ``name``, ``recording``, ``target``), validated."""
        self._replace(**fields)

    # -- JSON -----------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict) -> "Network":
        """Build and validate a network from plain data (e.g. parsed JSON).

        Raises:
            ValidationError, ParameterRangeError: one line naming object, field, value, allowed.
        """
        if not isinstance(data, dict):
            raise ValidationError(f"network: expected a JSON object, got {type(data).__name__}")
        version = data.get("schema_version", SCHEMA_VERSION)
        if version not in READABLE_VERSIONS:  # checked first: a newer file may have fields we don't know
            raise ValidationError(
                f"network: schema_version = {version!r} is not supported; this hxstudio reads "
                f"{', '.join(map(str, READABLE_VERSIONS))}"
            )
        data = {**data, "schema_version": SCHEMA_VERSION}  # version 2 only adds per-neuron lists
        with _outermost():
            try:
                return cls.model_validate(data)
            except pydantic.ValidationError as exc:
                raise _translate(exc, data) from exc

    def to_json(self, indent: int = 1) -> str:
        """The document as JSON text (all times in seconds)."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Network":
        """Parse JSON text; raises :class:`ProjectFileError` for non-JSON, else as :meth:`from_dict`."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProjectFileError(f"project file is not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    def save(self, path: Union[str, Path]) -> None:
        """Write the document to ``path`` as JSON."""
        Path(path).write_text(self.to_json())

    @classmethod
    def load(cls, path: Union[str, Path]) -> "Network":
        """Read a document from a JSON file; errors as :meth:`from_json`, plus ``OSError``."""
        return cls.from_json(Path(path).read_bytes())


_STIMULI = {m.model_fields["kind"].default: m for m in (SpikeTimes, RegularRate, PoissonRate, DatasetSample)}
_INITS = {m.model_fields["kind"].default: m for m in (ConstantInit, NormalInit, MatrixInit)}
#: pydantic's names of the members of a parameter value (number or per-neuron list) in error locations
_UNION_TAGS = {"bool", "float", "list[float]"}


def _label(model, data) -> str:
    """How messages name a document object: ``network``, ``population 'hidden'``, ``stimulus``…"""
    if model is Network:
        return "network"
    name = data.get("name") if isinstance(data, dict) else None
    kind = {Population: "population", Projection: "projection"}.get(model, model.__name__.lower())
    return f"{kind} {name!r}" if name else kind


def _translate(exc: pydantic.ValidationError, data: dict, where: str = "network") -> HXStudioError:
    """Turn pydantic's first error into our one-line error naming the object and the field."""
    err = exc.errors(include_url=False)[0]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, HXStudioError):
        return cause
    loc = [k for k in err["loc"] if not (isinstance(k, str) and (k in _STIMULI or k in _INITS or k in _UNION_TAGS))]
    obj, model = data, {"network": Network}.get(where, _model_named(where))
    if model is Network and len(loc) >= 2 and loc[0] in ("populations", "projections") and isinstance(loc[1], int):
        items = data.get(loc[0]) if isinstance(data.get(loc[0]), list) else []
        obj = items[loc[1]] if loc[1] < len(items) else {}
        label = obj.get("name") if isinstance(obj, dict) else None
        kind = loc[0][:-1]
        where = f"{kind} {label!r}" if label else f"{kind} #{loc[1]}"
        model, loc = (Population if kind == "population" else Projection), loc[2:]
    field = ".".join(str(k) for k in loc) or "(value)"
    if err["type"] == "extra_forbidden":
        parent = _parent_model(model, obj, loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else "see the documentation"
        return ValidationError(f"{where}: unknown field {field!r}; allowed: {allowed}")
    if err["type"] == "missing":
        return ValidationError(f"{where}: required field {field!r} is missing")
    return ValidationError(f"{where}: {field} = {err.get('input')!r}: {err['msg']}")


def _model_named(where: str):
    kind = where.split(" ", 1)[0]
    models = {"population": Population, "projection": Projection, "recording": Recording}
    models.update({m.__name__.lower(): m for m in (*_STIMULI.values(), *_INITS.values())})
    return models.get(kind)


def _parent_model(model, obj, path):
    """The pydantic model that owns the field at ``path`` below ``obj`` (for 'allowed' lists)."""
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
        kind = obj.get("kind") if isinstance(obj, dict) else None
        model = {"stimulus": _STIMULI.get(kind), "init": _INITS.get(kind), "recording": Recording}.get(key)
        if model is None:
            return None
    return model
