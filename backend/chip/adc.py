"""How the emulated chip reads its membranes: CADC and MADC (spec §7.2, §7.3, §16.3, §16.10).

The emulator integrates the membrane on the ``dt`` grid in CADC units (raw scale 0…255). This
module turns such a trace into what the chip reports:

* **CADC** (8 bit, one channel per neuron): every neuron is sampled about every
  :data:`CADC_PERIOD_SRAM` (2 µs; :data:`CADC_PERIOD_DRAM`, 6 µs, with
  ``enable_cadc_recording_placement_in_dram=True``) at irregular, per-neuron times: a random
  phase in ``[0, period)``, then steps of ``period·U(0.9, 1.1)`` (*assumption*: the spec says
  "irregular and different between neurons" without numbers). The membrane at a sample time is
  the linear interpolation of the grid trace; it is rounded to an integer, clipped to 0…255 and
  reported as ``raw − 128`` (hxtorch's signed convention). :func:`cadc_to_dense` then puts the
  samples back on the ``dt`` grid exactly as hxtorch's ``CADCHandle.to_dense`` does and
  :func:`post_process_cadc` applies ``cadc_time_shift``, ``shift_cadc_to_first``,
  ``trace_offset`` and ``trace_scale``.
* **MADC** (10 bit, one neuron per experiment): :data:`MADC_SAMPLES_PER_US` samples per µs
  (3235 in a 110 µs run, hxtorch's hardware test), raw ``(2, S, B)``: row 0 the timestamp in FPGA
  cycles (125 MHz) since the start of the batch entry, row 1 the ADC value. *Assumption*: the
  MADC spans the CADC's voltage range with 4× finer steps (``value = 4·raw_cadc``), plus
  :data:`MADC_NOISE` LSB RMS of read noise.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import torch

__all__ = ["CADC_PERIOD_SRAM", "CADC_PERIOD_DRAM", "MADC_SAMPLES_PER_US", "FPGA_CLOCK_HZ",
           "cadc_sample", "cadc_to_dense", "post_process_cadc", "madc_record", "interpolate"]

#: CADC sampling period when the samples go to SRAM (default), in s (spec §7.2).
CADC_PERIOD_SRAM = 2e-6
#: CADC sampling period with ``enable_cadc_recording_placement_in_dram=True``, in s (spec §7.2).
CADC_PERIOD_DRAM = 6e-6
#: Relative jitter of the CADC sample spacing (*assumption*).
CADC_JITTER = 0.1
#: MADC sample rate: 3235 samples in 110 µs (hxtorch ``test_spiking_modules``, spec §7.3).
MADC_SAMPLES_PER_US = 3235 / 110
#: FPGA clock: timestamps count cycles of 125 MHz (spec §8.1).
FPGA_CLOCK_HZ = 125e6
#: MADC LSB per CADC LSB (*assumption*, see module docs).
MADC_GAIN = 4.
#: MADC read noise in MADC LSB RMS (*assumption*).
MADC_NOISE = 2.


def interpolate(trace: torch.Tensor, times: torch.Tensor, dt: float) -> torch.Tensor:
    """Linear interpolation of a grid ``trace`` ``(T, …)`` at ``times`` ``(S, …)`` in s.

    Times before 0 take ``trace[0]``, after ``(T−1)·dt`` ``trace[T−1]``.
    """
    position = (times / dt).clamp(0, trace.shape[0] - 1)
    low = position.floor().long().clamp(max=trace.shape[0] - 1)
    high = (low + 1).clamp(max=trace.shape[0] - 1)
    weight = position - low
    return torch.lerp(trace.gather(0, low), trace.gather(0, high), weight)


def cadc_sample(membrane: torch.Tensor, runtime_s: float, dt: float, period: float,
                generator: torch.Generator) -> tuple:
    """Sample and digitise a membrane trace as the CADC does.

    Args:
        membrane: ``(T, B, N)`` membrane on the ``dt`` grid in raw CADC units (0…255 scale).
        runtime_s: recorded duration in s; later samples are not taken.
        dt: grid step in s.
        period: mean sampling period in s (:data:`CADC_PERIOD_SRAM` or :data:`CADC_PERIOD_DRAM`).
        generator: source of the per-neuron sample phases and jitter.
    Returns:
        ``(values, times)``, each ``(K, B, N)``: signed CADC values ``raw − 128`` (integers in
        −128…127) and sample times in s; samples after ``runtime_s`` have time ``inf``.
    """
    _, batch, size = membrane.shape
    count = int(math.ceil(runtime_s / period)) + 2
    phase = torch.rand((1, batch, size), generator=generator) * period
    steps = period * (1 + CADC_JITTER * (2 * torch.rand((count, batch, size),
                                                        generator=generator) - 1))
    times = phase + torch.cumsum(steps, 0) - steps[:1]
    raw = interpolate(membrane, times, dt).round().clamp(0, 255)
    times = torch.where(times <= runtime_s, times, torch.full_like(times, math.inf))
    return raw - 128, times


def cadc_to_dense(values: torch.Tensor, times: torch.Tensor, runtime_s: float, dt: float,
                  mode: str = "linear") -> torch.Tensor:
    """CADC samples on the ``dt`` grid, as hxtorch's ``CADCHandle.to_dense`` (spec §7.2).

    Starting from a previous sample ``(time −1 s, value 0)``, grid index g with
    ``⌈t_{k−1}/dt⌉ ≤ g < ⌈t_k/dt⌉`` gets the linear interpolation of samples k−1 and k at
    ``g·dt`` (``mode="linear"``) or the temporally nearer one (``"nn"``); after the last sample
    every grid point holds the last value.

    Args:
        values, times: ``(K, B, N)`` from :func:`cadc_sample` (time ``inf`` = no sample).
        runtime_s: recorded duration in s.
        dt: grid step in s.
        mode: ``"linear"`` or ``"nn"``.
    Returns:
        ``float32`` ``(ceil(runtime_s/dt) + 1, B, N)``.
    Raises:
        RuntimeError: unknown ``mode`` (hxtorch's message).
    """
    if mode not in ("linear", "nn"):
        raise RuntimeError(f"Mode '{mode}' is not supported yet. Supported modes are: "
                           "'linear', 'nn'.")
    _, batch, size = values.shape
    rows = int(math.ceil(runtime_s / dt - 1e-9)) + 1
    first = torch.full((1, batch, size), -1., dtype=torch.float64)
    last = torch.full((1, batch, size), math.inf, dtype=torch.float64)
    ext_times = torch.cat([first, times.double(), last]).permute(1, 2, 0).contiguous()
    ext_values = torch.cat([torch.zeros(1, batch, size), values.float(),
                            torch.zeros(1, batch, size)]).permute(1, 2, 0)
    steps = torch.arange(rows, dtype=torch.float64).expand(batch, size, rows).contiguous()
    grid = steps * dt
    previous = torch.searchsorted(ext_times / dt, steps, right=True) - 1
    following = previous + 1
    t0, t1 = ext_times.gather(2, previous), ext_times.gather(2, following)
    v0, v1 = ext_values.gather(2, previous), ext_values.gather(2, following)
    weight = torch.where(torch.isinf(t1), torch.zeros_like(t0), (grid - t0) / (t1 - t0))
    if mode == "nn":
        weight = (weight > 0.5).to(weight.dtype)
    dense = v0 + weight.float() * (v1 - v0)
    dense = torch.where(torch.isinf(t1), v0, dense)
    return dense.permute(2, 0, 1).contiguous().float()


def post_process_cadc(trace: torch.Tensor, cadc_time_shift: int = 0,
                      shift_cadc_to_first: bool = False, trace_offset: Any = 0.,
                      trace_scale: Any = 1.) -> torch.Tensor:
    """hxtorch's AELIF post-processing of a dense CADC trace (spec §7.2, steps 2–4).

    1. shift by ``k = cadc_time_shift`` steps: ``roll(−k)``; for k > 0 the last k rows repeat
       row ``−k−1``, for k < 0 the first |k| rows repeat row |k|;
    2. ``trace − trace[0]`` if ``shift_cadc_to_first`` (``trace_offset`` ignored), else
       ``trace − trace_offset`` (scalar or ``(N,)``);
    3. ``· trace_scale`` (scalar or ``(N,)``).

    Args:
        trace: ``(T, B, N)`` signed CADC values.
    Returns:
        ``(T, B, N)`` in model units.
    """
    shift = int(cadc_time_shift)
    if shift:
        trace = torch.roll(trace, -shift, 0)
        if shift > 0:
            trace[-shift:] = trace[-shift - 1]
        else:
            trace[:-shift] = trace[-shift]
    if shift_cadc_to_first:
        trace = trace - trace[0]
    else:
        trace = trace - torch.as_tensor(trace_offset, dtype=trace.dtype)
    return trace * torch.as_tensor(trace_scale, dtype=trace.dtype)


def madc_record(membrane: torch.Tensor, runtime_s: float, dt: float,
                generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Raw MADC recording of one neuron (spec §7.3).

    Args:
        membrane: ``(T, B)`` membrane of the recorded neuron on the ``dt`` grid, raw CADC units.
        runtime_s: recorded duration in s.
        dt: grid step in s.
        generator: source of the read noise (``None``: no noise).
    Returns:
        ``float32`` ``(2, S, B)`` with ``S = round(runtime_µs · 29.41)``: row 0 timestamps in FPGA
        cycles since the entry's start, row 1 10-bit values 0…1023.
    """
    batch = membrane.shape[1]
    samples = int(round(runtime_s * 1e6 * MADC_SAMPLES_PER_US))
    times = torch.arange(samples, dtype=torch.float64) / (MADC_SAMPLES_PER_US * 1e6)
    value = interpolate(membrane.double(), times[:, None].expand(samples, batch), dt) * MADC_GAIN
    if generator is not None:
        value = value + MADC_NOISE * torch.randn(value.shape, generator=generator,
                                                 dtype=torch.float64)
    stamps = (times * FPGA_CLOCK_HZ).round()[:, None].expand(samples, batch)
    return torch.stack([stamps, value.round().clamp(0, 1023)]).float()
