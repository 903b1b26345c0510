"""NIR files ↔ network documents ("Import NIR" / "Export NIR", ``hxstudio import``/``export``).

The document stays in hardware values; :func:`import_nir` maps a NIR graph onto it so that the
mock reproduces the NIR model (forward Euler at the document's ``dt``, spikes as pulses of one
step, :mod:`hxstudio.backend.nir.convert`):

* **Nodes.** ``Input`` → an input population (with a Poisson stimulus of 5 % spike probability per
  step, seeded, so that *Run* shows activity; edit it in the stimulus editor); ``CubaLIF``,
  ``LIF``, ``IF`` → LIF population; ``CubaLI``, ``LI``, ``I`` → LI population; every path of
  ``Linear``/``Affine``/``Scale``/``Flatten`` nodes between two of them → a projection with an
  explicit weight matrix; nested graphs are flattened (names ``"<graph>.<node>"``); cycles become
  recurrent projections. Names come from the file. ``Output`` nodes have no counterpart (the
  studio records every population); a linear readout into an ``Output`` is dropped with a
  warning.
* **Time.** Time constants convert with the time unit (``"s"``: NIR seconds are biological time,
  BSS-2 runs 1000× faster, so 1 ms in the file is 1 µs on the chip; ``"ms"``, hxtorch's reading,
  gives the same numbers; ``"steps"``: × ``dt``; ``"hardware_s"``: as is). ``"auto"`` takes the
  file's ``metadata["time_unit"]``, else ``"s"``, else the first unit that puts every time
  constant within BSS-2's limits (0.1–100 µs), with a warning. ``dt`` comes from the file's
  metadata, the step an snnTorch export implies, or the time constants
  (:func:`~hxstudio.backend.nir.suggest_dt`). Nodes without a synaptic filter (LIF, LI) get
  ``tau_syn = dt``.
* **Potentials.** NIR potentials map affinely to CADC LSB per neuron:
  ``v_leak → 80``, ``v_threshold → 125`` (``k = 45/(v_threshold − v_leak)``), ``v_reset`` the same
  way (:func:`~hxstudio.backend.nir.potential_map`); LI nodes use the firing nodes' ``k``. Weights
  into a population scale by its ``k`` too, which keeps the dynamics exactly equivalent.
  Files hxstudio exported (``metadata["potential_unit"] == "CADC LSB"``) map one to one.
* **r, w_in, capacitance.** The input gain ``R · w_in · dt/τ_syn`` of a NIR node is a model
  capacitance ``C = τ_mem / (R · w_in · dt/τ_syn)``. If that is a capacitance BSS-2 has
  (1–63 CapMem LSB, ``C = c/63 · 10 µs`` as in hxtorch) it is used; otherwise the capacitance is
  ``τ_mem`` (clipped to 1–63 LSB) and the rest of the gain goes into the projection's ``scale``
  (or into the weight rows, when it differs between neurons).
* **Affine bias.** A bias ``b`` is an input current in every step. The document models it exactly:
  an input population ``"<affine>.bias"`` of one neuron spiking in every step (regular rate
  ``1/dt``) with a projection of weights ``b``. Changing ``dt`` later keeps one spike per old step.
* **Refractory time.** NIR has none: imported LIF populations get ``refractory_time = 0`` (flagged:
  the chip needs at least 40 ns).
* **Ranges.** Values within the hard limits are accepted; values outside the calibrated ranges
  are flagged (:meth:`Network.flags`, ⚠ on the canvas) and still run in the mock. Values outside
  the hard limits refuse the import with one line. IF/I nodes (no leak) get the longest τ_mem the
  chip has, 100 µs, with a warning.

:func:`export_nir` writes the document back: inputs → ``Input``, LIF → ``CubaLIF``, LI →
``CubaLI``, AELIF with its AdEx switches all off (numerically a LIF) → ``CubaLIF``; an AELIF
population with exponential or adaptation on is refused (NIR has no AdEx node; hxtorch's
``to_nir`` writes it as ``CubaLIF`` and silently drops the terms, spec §10.3) (potentials in CADC LSB, ``r = τ_mem/C``, ``w_in = τ_syn/dt``, times in the chosen unit),
projections → ``Linear`` (``Affine`` where a bias population feeds the same target), populations
that feed nothing → ``Output``. Importing that file gives the document back (except the
refractory time and the hardware-only biases, which NIR cannot hold).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from pathlib import Path
from typing import Optional, Union

import nir
import numpy as np

from hxstudio.backend import nir as backend_nir
from hxstudio.backend.chip.parameters import PARAMETERS
from hxstudio.backend.nir.config import TIME_UNITS, time_factor
from hxstudio.backend.nir.convert import model_parameters, nir_neuron, potential_map
from hxstudio.backend.nir.graph import condensation
from hxstudio.errors import HXStudioError, NIRError, NIRWarning
from hxstudio.network import ConstantInit, MatrixInit, Network, PoissonRate, RegularRate

__all__ = ["IMPORT_TIME_UNITS", "import_nir", "export_nir", "write_nir", "nir_bytes", "is_bias_population"]

#: Time units :func:`import_nir` accepts (``"auto"`` and the backend's units).
IMPORT_TIME_UNITS = ("auto",) + TIME_UNITS

#: Marker in exported graphs: potentials are CADC LSB already.
POTENTIAL_UNIT = "CADC LSB"

_C_FULL = 10e-6  # model capacitance of 63 CapMem LSB (hxtorch's default transform)
_STEPS = 200  # simulated steps of an imported network
_INPUT_PROBABILITY = 0.05  # spike probability per step of the stimulus given to imported inputs
_COLUMN, _ROW = 280.0, 110.0  # canvas layout, px


def _label(source, filename) -> str:
    if filename:
        return str(filename)
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return "NIR graph"


def _clean(x: float) -> float:
    """Drop float noise of unit conversions (1e-3·1e-3 → 1e-06, not 1.0000000000000002e-06)."""
    return float(f"{x:.12g}")


def _value(array) -> Union[float, list]:
    array = np.asarray(array, dtype=np.float64)
    values = [_clean(v) for v in array.reshape(-1)]
    return values[0] if all(v == values[0] for v in values) else values


def _taus_within_limits(network, unit: str, dt: float) -> bool:
    factor = time_factor(unit, dt)
    low, high = PARAMETERS["tau_mem"].limits
    for pop in network.populations.values():
        for field in ("tau_mem", "tau_syn"):
            value = pop.params[field]
            if value is None or not np.isfinite(value).all():
                continue
            hw = value * factor
            if (hw < low * (1 - 1e-9)).any() or (hw > high * (1 + 1e-9)).any():
                return False
    return True


def _choose_unit(network, time_unit: str, dt: Optional[float], label: str) -> str:
    if time_unit != "auto":
        if time_unit not in TIME_UNITS:
            raise NIRError(f"{label}: time unit {time_unit!r} is not one of {', '.join(IMPORT_TIME_UNITS)}")
        return time_unit
    stored = network.metadata.get("time_unit")
    stored = stored.decode() if isinstance(stored, bytes) else stored
    if stored in TIME_UNITS:
        return str(stored)
    for unit in ("s", "hardware_s", "steps"):
        if _taus_within_limits(network, unit, dt or 1e-6):
            if unit != "s":
                warnings.warn(NIRWarning(
                    f"{label}: as NIR seconds (biological) its time constants fall outside BSS-2's "
                    f"0.1–100 µs; read them as {unit!r} instead (choose the time unit to override)"),
                    stacklevel=3)
            return unit
    return "s"


def _gain_default(parsed, identity: bool) -> float:
    gains = [potential_map(p, identity)[0] for p in parsed.populations.values() if p.fires]
    flat = np.concatenate(gains) if gains else np.array([45.0])
    return float(flat[0]) if np.all(flat == flat[0]) else 45.0


def _population_params(pop, dt, factor, identity, default_gain, label):
    """Document parameters of one NIR neuron node and the weight gain ``(N,)`` of its inputs."""
    m = model_parameters(pop, dt, factor)
    tau_mem = m["tau_mem"]
    if not pop.leaky:
        tau_mem = np.full(pop.size, PARAMETERS["tau_mem"].limits[1])
        warnings.warn(NIRWarning(
            f"{label}: node {pop.name!r} ({pop.type}) has no leak; BSS-2 neurons always leak, so it "
            f"gets the longest time constant the chip has, tau_mem = 100 µs"), stacklevel=4)
    k, b = potential_map(pop, identity, default_gain)
    c_natural = m["c_mem"]
    with np.errstate(divide="ignore", invalid="ignore"):
        lsb = 63.0 * c_natural / _C_FULL
    low, high = PARAMETERS["membrane_capacitance"].limits
    fallback = np.clip(63.0 * tau_mem / _C_FULL, low, high)
    lsb = np.where((lsb >= low) & (lsb <= high), lsb, fallback)
    lsb = np.array([_clean(v) for v in lsb])
    c_doc = lsb / 63.0 * _C_FULL
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(np.isfinite(c_natural), k * c_doc / c_natural, 0.0)
    params = {"leak": _value(b + k * m["leak"]), "tau_mem": _value(tau_mem), "tau_syn": _value(m["tau_syn"]),
              "membrane_capacitance": _value(lsb)}
    if pop.fires:
        params.update(reset=_value(b + k * m["reset"]), threshold=_value(b + k * m["threshold"]),
                      refractory_time=0.0)
    return params, gain


def _init(weight: np.ndarray, gain: np.ndarray) -> tuple:
    """``(init, scale)`` of a projection with NIR weight ``(N_target, N_source)`` and row gains."""
    weight = np.asarray(weight, dtype=np.float64)
    if np.all(gain == gain[0]):
        scale = _clean(gain[0])
    else:
        weight, scale = gain[:, None] * weight, 1.0
    flat = weight.reshape(-1)
    if flat.size and np.all(flat == flat[0]):
        return ConstantInit(value=float(flat[0])), scale
    return MatrixInit(weight=weight.tolist()), scale


def _unique(name: str, taken: set, limit: int = 64) -> str:
    base = name[:limit]
    candidate, k = base, 1
    while candidate in taken:
        k += 1
        suffix = f"_{k}"
        candidate = base[: limit - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def _layout(populations: list, projections: list, bias: set) -> dict:
    """Canvas positions: columns left to right by depth (longest path from the inputs)."""
    names = [p["name"] for p in populations]
    links = [(j["source"], j["target"]) for j in projections]
    groups = condensation(names, links)
    group_of = {n: i for i, g in enumerate(groups) for n in g}
    depth = {}
    for i, group in enumerate(groups):
        preds = {group_of[s] for s, t in links if t in group and group_of[s] != i}
        depth[i] = 1 + max((depth[p] for p in preds), default=-1)
    column = {n: depth[group_of[n]] for n in names}
    for n in bias:  # a bias input sits in the column before its first target
        targets = [column[t] for s, t in links if s == n]
        column[n] = max(0, min(targets, default=1) - 1)
    rows: dict = {}
    positions = {}
    for n in sorted(names, key=lambda n: (column[n], n in bias, group_of[n], names.index(n))):
        row = rows.get(column[n], 0)
        rows[column[n]] = row + 1
        positions[n] = (40.0 + _COLUMN * column[n], 40.0 + _ROW * row)
    return positions


def import_nir(source, *, time_unit: str = "auto", dt: Optional[float] = None, name: Optional[str] = None,
               filename: Optional[str] = None) -> Network:
    """Turn a NIR graph into a network document.

    Args:
        source: a ``.nir`` path, its bytes, a binary file, or a ``nir.NIRGraph``.
        time_unit: unit of the file's time constants: ``"auto"`` (default), ``"s"``, ``"ms"``,
            ``"steps"`` or ``"hardware_s"`` (see the module docstring).
        dt: integration step in s (hardware time); default from the file.
        name: document name; default the graph's ``metadata["name"]``, else the file name
            without suffix.
        filename: label for messages (default: the file name).
    Returns:
        a validated :class:`~hxstudio.network.Network`; :meth:`~Network.flags` lists the values
        outside the calibrated ranges.
    Raises:
        NIRFileError: not a readable NIR file (one line).
        UnsupportedNIRError: a node type hxstudio cannot map (names node, type and the supported
            types).
        NIRError: anything else that keeps the graph from becoming a document, one line starting
            with the file name (e.g. a value outside the hard limits, a population of more than
            512 neurons).
    Warns:
        NIRWarning: the type-check fallback, a chosen time unit, dropped readouts, IF/I nodes.

    Example:
        >>> import nir, numpy as np
        >>> g = nir.NIRGraph.from_list(nir.Linear(weight=np.array([[2.]])), nir.CubaLIF(
        ...     tau_syn=np.array([5e-3]), tau_mem=np.array([1e-2]), r=np.ones(1),
        ...     v_leak=np.zeros(1), v_threshold=np.ones(1)))
        >>> net = import_nir(g, name="demo")
        >>> p = net.population("cubalif").params
        >>> p["tau_mem"], p["tau_syn"], p["leak"], p["threshold"], net.dt
        (1e-05, 5e-06, 80.0, 125.0, 1e-06)
    """
    label = _label(source, filename)
    if isinstance(source, nir.NIRGraph):
        graph = source
    else:
        graph = backend_nir.read(source, name=label)
    parsed = backend_nir.parse(graph, where=label)
    unit = _choose_unit(parsed, time_unit, dt, label)
    if dt is None:
        dt = backend_nir.suggest_dt(parsed, unit)
    if not dt > 0:
        raise NIRError(f"{label}: dt = {dt!r} s must be positive")
    factor = time_factor(unit, dt)
    identity = str(parsed.metadata.get("potential_unit", "")) == POTENTIAL_UNIT
    default_gain = _gain_default(parsed, identity)

    taken: set = set()
    populations, gains, bias = [], {}, set()
    for k, (input_name, size) in enumerate(parsed.inputs.items()):
        populations.append(dict(name=_unique(input_name, taken), kind="input", size=size,
                                stimulus=PoissonRate(rate=_INPUT_PROBABILITY / dt, seed=k)))
    names = {n: populations[i]["name"] for i, n in enumerate(parsed.inputs)}
    for pop_name, pop in parsed.populations.items():
        params, gain = _population_params(pop, dt, factor, identity, default_gain, label)
        names[pop_name] = _unique(pop_name, taken)
        populations.append(dict(name=names[pop_name], kind="LIF" if pop.fires else "LI", size=pop.size,
                                params=params))
        gains[pop_name] = gain
    rate = 1.0 / dt
    if rate * dt > 1.0:
        rate = math.nextafter(rate, 0.0)
    paths = [p for p in parsed.projections if p.bias_of is None or np.any(np.asarray(p.weight) != 0)]
    for path in paths:
        if path.bias_of is not None and path.source not in names:
            names[path.source] = _unique(path.source, taken)
            bias.add(names[path.source])
            populations.append(dict(name=names[path.source], kind="input", size=1,
                                    stimulus=RegularRate(rate=rate, start=0.0)))
    uses = {}
    for path in paths:
        if path.bias_of is None:
            uses[path.via] = uses.get(path.via, 0) + 1
    projection_names: set = set()
    projections = []
    for path in paths:
        if path.bias_of is not None:
            stem = f"{names[path.source]}→{names[path.target]}"
        elif len(path.via) == 1 and uses[path.via] == 1:
            stem = path.via[0]
        elif path.via:
            stem = f"{'+'.join(path.via)}→{names[path.target]}"
        else:
            stem = f"{names[path.source]}→{names[path.target]}"
        init, scale = _init(path.weight, gains[path.target])
        projections.append(dict(name=_unique(stem, projection_names), source=names[path.source],
                                target=names[path.target], init=init, scale=scale))
    for path in parsed.readouts:
        if path.via:
            warnings.warn(NIRWarning(
                f"{label}: output {path.target!r} reads {path.source!r} through "
                f"{', '.join(path.via)}; the studio records {path.source!r} itself and drops that "
                "linear readout"), stacklevel=2)
    positions = _layout(populations, projections, bias)
    for p in populations:
        p["position"] = positions[p["name"]]
    stored = parsed.metadata.get("name")
    stored = stored.decode("utf8", "replace") if isinstance(stored, bytes) else stored
    title = name or (str(stored) if stored else None) or (Path(label).stem if label != "NIR graph" else "NIR import")
    try:
        return Network(name=title, dt=float(dt), duration=float(_STEPS * dt),
                       populations=populations, projections=projections)
    except HXStudioError as exc:
        raise NIRError(f"{label}: {exc}") from exc


# ----------------------------------------------------------------------------------------------
# export


def is_bias_population(population, dt: float) -> bool:
    """Whether ``population`` is an Affine bias: one input neuron spiking in every step from 0."""
    stim = population.stimulus
    return (population.kind == "input" and population.size == 1 and isinstance(stim, RegularRate)
            and stim.start == 0 and stim.rate * dt >= 1 - 1e-9)


def _array(value, size: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (size,)).copy()


def _nir_name(name: str, taken: set) -> str:
    return _unique(name.replace("/", "∕"), taken, limit=10_000)


def export_nir(network: Network, time_unit: str = "s") -> nir.NIRGraph:
    """The document as a NIR graph (see the module docstring).

    Args:
        network: the document.
        time_unit: unit of the written time constants (``"s"`` default: biological seconds,
            i.e. hardware time × 1000; ``"ms"``, ``"steps"``, ``"hardware_s"``).
    Returns:
        a type-checked ``nir.NIRGraph``; ``metadata`` holds ``time_unit``, ``dt`` (in that unit),
        ``potential_unit`` (``"CADC LSB"``), ``name`` and ``generator``.
    Raises:
        NIRError: an unknown ``time_unit``; an AELIF population with an AdEx term on (naming it
            and the terms; NIR has no AdEx node).
    Warns:
        NIRWarning: refractory times, which NIR cannot hold; a bias population without a
            projection to share its target with (exported as an Input).

    Example:
        >>> import warnings
        >>> from hxstudio.examples import psp
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")   # psp's refractory time has no NIR field
        ...     g = export_nir(psp())
        >>> type(g.nodes["neuron"]).__name__, float(g.nodes["neuron"].tau_mem[0])
        ('CubaLIF', 0.01)
    """
    from hxstudio import __version__
    from hxstudio.translate import weights

    if time_unit not in TIME_UNITS:
        raise NIRError(f"export: time unit {time_unit!r} is not one of {', '.join(TIME_UNITS)}")
    dt = network.dt
    factor = time_factor(time_unit, dt)
    bias = {p.name for p in network.populations if is_bias_population(p, dt)}
    taken: set = set()
    label = {}
    nodes, edges = {}, []
    refractory = []
    for pop in network.populations:
        if pop.name in bias:
            continue
        label[pop.name] = _nir_name(pop.name, taken)
        if pop.kind == "input":
            nodes[label[pop.name]] = nir.Input(input_type=np.array([pop.size]))
            continue
        if pop.adex_terms():
            raise NIRError(
                f"export: population {pop.name!r} is of kind AELIF with {', '.join(pop.adex_terms())} on; "
                "NIR has no AdEx node (CubaLIF would silently drop these terms): switch them off to "
                "export it as CubaLIF, or remove the population")
        p = {k: _array(v, pop.size) for k, v in pop.params.items() if not isinstance(v, bool)}
        fires = pop.kind in ("LIF", "AELIF")
        nodes[label[pop.name]] = nir_neuron(
            "CubaLIF" if fires else "CubaLI", pop.size, tau_mem=p["tau_mem"], tau_syn=p["tau_syn"],
            c_mem=p["membrane_capacitance"] / 63.0 * _C_FULL, leak=p["leak"],
            reset=p.get("reset"), threshold=p.get("threshold"), dt=dt, factor=factor)
        if fires and np.any(p["refractory_time"] > 0):
            refractory.append(pop.name)
    biases = {}
    partners = {}
    for j in network.projections:
        if j.source not in bias:
            continue
        others = [o for o in network.projections if o.target == j.target and o.source not in bias]
        stem = j.source[: -len(".bias")] if j.source.endswith(".bias") else None
        partner = next((o for o in others if o.name == stem), others[0] if others else None)
        if partner is None:
            label[j.source] = label.get(j.source) or _nir_name(j.source, taken)
            nodes[label[j.source]] = nir.Input(input_type=np.array([1]))
            warnings.warn(NIRWarning(
                f"bias population {j.source!r} is the only input of {j.target!r}; it is exported as "
                "an Input that must be 1 in every step"), stacklevel=2)
            partners[j.name] = None
            continue
        column = weights(network, j)[:, 0].astype(np.float32)
        biases[partner.name] = biases.get(partner.name, 0) + column
    for j in network.projections:
        if j.source in bias and partners.get(j.name, 1) is not None:
            continue
        name = _nir_name(j.name, taken)
        weight = weights(network, j)
        if j.name in biases:
            nodes[name] = nir.Affine(weight=weight, bias=np.asarray(biases[j.name], dtype=np.float32))
        else:
            nodes[name] = nir.Linear(weight=weight)
        edges += [(label[j.source], name), (name, label[j.target])]
    sinks = [p for p in network.populations if p.kind != "input"
             and not any(j.source == p.name for j in network.projections)]
    for pop in sinks:
        out = _nir_name("output" if len(sinks) == 1 else f"output_{pop.name}", taken)
        nodes[out] = nir.Output(output_type=np.array([pop.size]))
        edges.append((label[pop.name], out))
    if refractory:
        warnings.warn(NIRWarning(
            f"refractory_time of {', '.join(map(repr, refractory))} has no NIR field; the exported "
            "neurons have no refractory period"), stacklevel=2)
    metadata = {"time_unit": time_unit, "dt": float(dt / factor), "potential_unit": POTENTIAL_UNIT,
                "name": network.name, "generator": f"hxstudio {__version__}"}
    try:
        return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=True)
    except Exception as exc:  # a bug: the exported graph must type-check
        raise NIRError(f"export: the NIR graph fails nir's type check: {exc}") from exc


def write_nir(network: Network, target, time_unit: str = "s") -> None:
    """Write :func:`export_nir` of ``network`` to a path or binary file."""
    backend_nir.write(target, export_nir(network, time_unit))


def nir_bytes(network: Network, time_unit: str = "s") -> bytes:
    """The ``.nir`` file of ``network`` as bytes (for downloads)."""
    buffer = io.BytesIO()
    write_nir(network, buffer, time_unit)
    return buffer.getvalue()
