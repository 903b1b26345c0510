"""The conversion table between NIR neuron nodes and the AELIF integrator, both directions.

Forward (:func:`model_parameters`): a NIR neuron with time constants in NIR units (factor ``f``
hardware seconds per unit, :func:`~hxstudio.backend.nir.config.time_factor`), simulated with
forward Euler at ``dt`` (hardware s), spikes as pulses of area ``dt``:

    I ← I (1 − dt/τ_syn) + w_in · (dt/τ_syn) · (W s)
    v ← v + (dt/τ_mem) · (v_leak − v + R · I)

equals :func:`~hxstudio.backend.functional.cuba_aelif_integration` fed with ``x = W s`` when

    τ_mem,hw = f·τ_mem,  τ_syn,hw = f·τ_syn,  C = τ_mem,hw / (R · w_in · dt/τ_syn,hw),
    g_L = C/τ_mem,hw (as AELIF computes it),  E_L = v_leak,  ϑ = v_threshold,  V_r = v_reset,

because the integrator's ``dv = dt/C · (i + g_L (E_L − v))`` then reads
``dt/τ_mem · (R · w_in dt/τ_syn · i + E_L − v)`` and ``i`` obeys the same linear decay as ``I``.
Node types without a synaptic filter (LIF, LI, IF, I) get ``τ_syn,hw = dt``, i.e. the current
lasts one step, ``w_in = 1`` and hence ``C = τ_mem,hw / R``; this adds one step of delay (the
integrator reads the current of the previous step). I and IF have no leak: ``τ_mem = ∞`` (so
``g_L = 0``) and ``C = f / R`` from ``dv/dt_NIR = R·I``.

Backward (:func:`nir_neuron`) inverts this; ``w_in`` defaults to ``τ_syn,hw/dt`` (snnTorch's
convention, which makes the input factor ``w_in · dt/τ_syn`` one, so a plain hxtorch-style module
exports as ``R = τ_mem/C``, hxtorch's own ``r``).

The potentials of the NIR model are arbitrary units. :func:`potential_map` gives the affine map
to CADC LSB that a document (hardware values) uses: ``v_hw = b + k·v`` with
``v_leak → 80`` and ``v_threshold → 125`` (calix defaults), ``k = 45 / (v_threshold − v_leak)``.
The LIF/LI dynamics are equivariant under it when weights scale by ``k`` as well.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import nir
import numpy as np

from ..chip.parameters import PARAMETERS
from .graph import Neurons

__all__ = ["LEAK_HW", "THRESHOLD_HW", "model_parameters", "nir_neuron", "potential_map"]

#: Hardware values (CADC LSB) NIR's ``v_leak`` and ``v_threshold`` map to.
LEAK_HW = PARAMETERS["leak"].default
THRESHOLD_HW = PARAMETERS["threshold"].default
_SPAN = THRESHOLD_HW - LEAK_HW
_POTENTIALS = ("leak", "reset", "threshold")


def model_parameters(neurons: Neurons, dt: float, factor: float) -> Dict[str, Optional[np.ndarray]]:
    """Model values of the integrator for a NIR neuron node (see the module docstring).

    Args:
        neurons: the parsed node.
        dt: integration step in s (hardware time).
        factor: hardware seconds per NIR time unit.
    Returns:
        ``(N,)`` float64 arrays ``tau_mem``, ``tau_syn`` (s, hardware), ``c_mem`` (s),
        ``leak``, ``reset``, ``threshold`` (NIR potential units; ``None`` if the node does not
        fire) and ``w_in``.

    Example:
        >>> import nir, numpy as np
        >>> from hxstudio.backend.nir.graph import parse
        >>> node = nir.CubaLIF(tau_syn=np.array([2e-4]), tau_mem=np.array([1e-3]),
        ...     r=np.array([10.]), v_leak=np.zeros(1), v_threshold=np.ones(1), w_in=np.array([2.]))
        >>> pop = parse(nir.NIRGraph.from_list(node)).populations["cubalif"]
        >>> m = model_parameters(pop, dt=1e-7, factor=1e-3)
        >>> [float(f"{m[k][0]:.6g}") for k in ("tau_mem", "tau_syn", "c_mem")]
        [1e-06, 2e-07, 1e-07]
    """
    p = neurons.params
    tau_mem = p["tau_mem"] * factor
    tau_syn = p["tau_syn"] * factor if neurons.synaptic else np.full(neurons.size, float(dt))
    with np.errstate(divide="ignore", invalid="ignore"):
        if neurons.leaky:
            c_mem = tau_mem / (p["r"] * p["w_in"] * dt / tau_syn)
        else:
            c_mem = factor / p["r"]
    return dict(tau_mem=tau_mem, tau_syn=tau_syn, c_mem=c_mem, leak=p["v_leak"], reset=p["v_reset"],
                threshold=p["v_threshold"], w_in=p["w_in"])


def potential_map(neurons: Neurons, identity: bool = False,
                  default_gain: float = _SPAN) -> Tuple[np.ndarray, np.ndarray]:
    """Per-neuron ``(k, b)`` of the map ``v_hw = b + k·v`` from NIR potentials to CADC LSB.

    Firing nodes: ``v_leak → 80``, ``v_threshold → 125``. A node whose threshold is not above its
    leak (a tonically firing neuron) maps ``v_reset → 80``, ``v_threshold → 125`` instead.
    Non-firing nodes: ``v_leak → 80`` with ``k = default_gain``. If a mapped potential would leave
    the CADC's 0–255 LSB, the neuron's potentials are spread over 50–160 LSB instead.

    Args:
        neurons: the parsed node.
        identity: potentials are CADC LSB already (hxstudio's own exports): ``k = 1, b = 0``.
        default_gain: ``k`` of non-firing nodes (hxstudio uses the firing nodes' ``k``).

    Example:
        >>> import nir, numpy as np
        >>> from hxstudio.backend.nir.graph import parse
        >>> node = nir.LIF(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2),
        ...                v_threshold=np.array([1., 0.5]))
        >>> k, b = potential_map(parse(nir.NIRGraph.from_list(node)).populations["lif"])
        >>> k.tolist(), b.tolist()
        ([45.0, 90.0], [80.0, 80.0])
    """
    n, p = neurons.size, neurons.params
    if identity:
        return np.ones(n), np.zeros(n)
    v_leak = p["v_leak"]
    k = np.full(n, float(default_gain))
    b = LEAK_HW - k * v_leak
    if neurons.fires:
        v_th, v_reset = p["v_threshold"], p["v_reset"]
        span = v_th - v_leak
        tonic = v_th - v_reset
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.where(span > 0, _SPAN / span, np.where(tonic > 0, _SPAN / tonic, _SPAN))
        b = np.where(span > 0, LEAK_HW - k * v_leak, THRESHOLD_HW - k * v_th)
        values = np.stack([b + k * v for v in (v_leak, v_th, v_reset)])
    else:
        values = (b + k * v_leak)[None]
    low, high = PARAMETERS["leak"].limits
    bad = ((values < low) | (values > high)).any(axis=0)
    if bad.any():
        stack = np.stack([v for v in (v_leak, p["v_threshold"], p["v_reset"]) if v is not None])
        lo, hi = stack.min(axis=0), stack.max(axis=0)
        cal_lo, cal_hi = PARAMETERS["leak"].calibrated
        with np.errstate(divide="ignore", invalid="ignore"):
            k2 = np.where(hi > lo, (cal_hi - cal_lo) / (hi - lo), 1.0)
        b2 = cal_lo - k2 * lo
        k, b = np.where(bad, k2, k), np.where(bad, b2, b)
    return k.astype(np.float64), b.astype(np.float64)


def _array(value, size: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    return np.broadcast_to(array.reshape(-1) if array.ndim else array, (size,)).copy()


def nir_neuron(kind: str, size: int, *, tau_mem, tau_syn, c_mem, leak, dt: float, factor: float,
               reset=None, threshold=None, w_in=None) -> nir.NIRNode:
    """The NIR node of a neuron population given its model values (inverse of
    :func:`model_parameters`).

    Args:
        kind: NIR type to write: ``CubaLIF``, ``CubaLI``, ``LIF``, ``LI``, ``IF`` or ``I``.
        size: number of neurons.
        tau_mem, tau_syn, c_mem: model values in s (hardware time); scalars or ``(N,)``.
        leak, reset, threshold: model potentials (written as ``v_leak``, ``v_reset``,
            ``v_threshold``).
        dt: integration step in s; factor: hardware seconds per NIR time unit.
        w_in: for Cuba types; default ``τ_syn/dt``.
    Returns:
        the node with every parameter as a ``(N,)`` float64 array.
    """
    tau_mem, tau_syn, c_mem = (_array(v, size) for v in (tau_mem, tau_syn, c_mem))
    leak = _array(leak, size)
    if kind in ("CubaLIF", "CubaLI"):
        w_in = tau_syn / dt if w_in is None else _array(w_in, size)
        r = tau_mem / (c_mem * w_in * dt / tau_syn)
        common = dict(tau_syn=tau_syn / factor, tau_mem=tau_mem / factor, r=r, v_leak=leak, w_in=w_in)
        if kind == "CubaLI":
            return nir.CubaLI(**common)
        return nir.CubaLIF(**common, v_threshold=_array(threshold, size), v_reset=_array(reset, size))
    if kind in ("LIF", "LI"):
        common = dict(tau=tau_mem / factor, r=tau_mem / c_mem, v_leak=leak)
        if kind == "LI":
            return nir.LI(**common)
        return nir.LIF(**common, v_threshold=_array(threshold, size), v_reset=_array(reset, size))
    r = factor / c_mem
    if kind == "I":
        return nir.I(r=r)
    if kind == "IF":
        return nir.IF(r=r, v_threshold=_array(threshold, size), v_reset=_array(reset, size))
    raise ValueError(f"nir_neuron: unknown kind {kind!r}")


def is_infinite(value) -> bool:
    """Whether every entry of ``value`` is +∞ (no leak)."""
    return bool(np.all(np.isinf(np.asarray(value, dtype=np.float64))))

