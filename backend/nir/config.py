"""Options of the NIR conversion and the time-unit convention (spec §10.1).

NIR stores continuous-time ODEs without units (``nir-and-bss2-notes.md`` §A.4). hxstudio
makes the unit of NIR time constants an explicit choice, :attr:`ConversionConfig.time_unit`:

============  ===========================================  =====================================
time unit     NIR value means                              hardware seconds per NIR unit
============  ===========================================  =====================================
``"s"``       seconds of biological time (snnTorch,        ``1e-3``: BSS-2 runs 1000× faster
              Rockpool and Norse exporters, the NIR        than biology, so 1 ms biological is
              paper's files; the default)                  1 µs on the chip
``"ms"``      milliseconds, read as hxtorch does           ``1e-3`` (hxtorch: ``τ·1e-3`` s of
              (``tau_mem = node.tau_mem * 1e-3``)          hardware time)
``"steps"``   time steps of length ``dt`` (Rockpool's      ``dt``
              own test graphs)
``"hardware_s"``  seconds of BSS-2 hardware time           ``1``
============  ===========================================  =====================================

``"s"`` and ``"ms"`` give the same numbers: hxtorch's "NIR ms are hardware ms" equals "NIR s
are biological s" at the 1000× speed-up. The unit is written to the graph's ``metadata``
(``time_unit``, and ``dt`` in that unit) on export and read back from there on import when
:attr:`ConversionConfig.time_unit` is ``None``.

Spikes follow the discrete convention of snnTorch and the NIR paper: a spike is a pulse of height
1 lasting one step ``dt`` (area ``dt``), so a ``CubaLIF`` adds ``w_in · dt/τ_syn`` times the
weighted spikes to its current in each step (snnTorch exports ``w_in = τ_syn/dt``, which makes
this factor 1).
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any, Mapping, Optional

import torch

from ..errors import NIRWarning

__all__ = ["ConversionConfig", "TIME_UNITS", "SPEEDUP", "time_factor", "resolve_time_unit"]

#: BSS-2 hardware time runs this many times faster than biological time.
SPEEDUP = 1000.0

#: Accepted values of :attr:`ConversionConfig.time_unit` (``None``: from the file, else "s").
TIME_UNITS = ("s", "ms", "steps", "hardware_s")


@dataclasses.dataclass
class ConversionConfig:
    """How :func:`~hxstudio.backend.nir.from_nir` builds modules from a NIR graph.

    The first nine fields are hxtorch's (spec §10.1); the last two are hxstudio's.

    Attributes:
        dt: integration step in s (hardware time). Default: ``1e-6``. Keep it well below the
            smallest time constant (forward Euler); :func:`~hxstudio.backend.nir.suggest_dt`
            proposes one.
        calib_path: calibration to load on hardware (not mock).
        weight_scale: scale of ``linear_saturating`` mapping weights onto the chip's −63…63.
        trace_scale: CADC trace scale of the neuron modules. Default: ``1/50``.
        trace_shift: passed as ``cadc_time_shift`` (a step count; hxtorch's float default 0).
        cadc_recording: record the membrane of LIF populations on hardware.
        mock: build a mock experiment. Default: ``True``.
        input_loopback: on hardware, inject the recorded input spikes.
        device: torch device of the returned module.
        time_unit: unit of NIR time constants, one of :data:`TIME_UNITS`, or ``None`` to take the
            graph's ``metadata["time_unit"]`` when present and ``"s"`` otherwise.
        refractory_time: refractory period in s of the LIF populations. Default: ``0``, because
            NIR has no refractory period (hxtorch keeps its module default of 1 µs, which holds a
            neuron at reset for one extra step).
    """

    dt: float = 1e-6
    calib_path: Optional[str] = None
    weight_scale: float = 64.
    trace_scale: float = 1 / 50
    trace_shift: float = 0e-6
    cadc_recording: bool = True
    mock: bool = True
    input_loopback: bool = True
    device: Any = dataclasses.field(default_factory=lambda: torch.device("cpu"))
    time_unit: Optional[str] = None
    refractory_time: float = 0.0

    def __post_init__(self):
        if self.time_unit is not None and self.time_unit not in TIME_UNITS:
            raise ValueError(f"ConversionConfig: time_unit = {self.time_unit!r} is not one of "
                             f"{', '.join(TIME_UNITS)} (or None: from the file, else 's')")
        if not self.dt > 0:
            raise ValueError(f"ConversionConfig: dt = {self.dt!r} s must be positive")


def time_factor(unit: str, dt: float) -> float:
    """Hardware seconds per NIR time unit.

    Args:
        unit: one of :data:`TIME_UNITS`.
        dt: integration step in s (used by ``"steps"``).

    Example:
        >>> time_factor("s", 1e-6), time_factor("steps", 1e-7), time_factor("hardware_s", 1e-6)
        (0.001, 1e-07, 1.0)
    """
    if unit in ("s", "ms"):
        return 1.0 / SPEEDUP
    if unit == "steps":
        return float(dt)
    if unit == "hardware_s":
        return 1.0
    raise ValueError(f"time unit {unit!r} is not one of {', '.join(TIME_UNITS)}")


def resolve_time_unit(unit: Optional[str], metadata: Optional[Mapping[str, Any]]) -> str:
    """The unit to use: ``unit`` if given, else the graph's ``metadata["time_unit"]``, else "s"."""
    if unit is not None:
        return unit
    stored = (metadata or {}).get("time_unit")
    if isinstance(stored, bytes):
        stored = stored.decode("utf8", "replace")
    if stored is None:
        return "s"
    stored = str(stored)
    if stored not in TIME_UNITS:
        warnings.warn(NIRWarning(f"graph metadata time_unit = {stored!r} is not one of "
                                 f"{', '.join(TIME_UNITS)}; reading time constants as 's'"))
        return "s"
    return stored
