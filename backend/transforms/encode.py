"""Encoders from data to input spike trains (spec §9.2)."""

from __future__ import annotations

from typing import Optional

import torch

__all__ = ["PixelsToSpikeTimes", "SpikeTimesToSparseTensor", "SpikeTimesToDense",
           "CoordinatesToSpikes"]


class PixelsToSpikeTimes(torch.nn.Module):
    """Time-to-first-spike code of pixel intensities: brighter pixels spike earlier.

    A pixel ``p < threshold`` spikes at ``t_max``; otherwise ``p`` is clipped to
    ``[threshold + epsilon, 1e9]`` and spikes at ``tau · ln(p / (p - threshold))``, clamped to
    ``[0, t_max]``.

    Args:
        tau: time scale, in the unit of the returned times. Default: 20.
        threshold: intensity below which a pixel spikes only at ``t_max``. Default: 0.2.
        t_max: latest spike time. Default: 1.0.
        epsilon: keeps the logarithm finite at the threshold. Default: ``1e-7``.

    Shape:
        Input: any shape. Output: spike times of the same shape (hxtorch's docstring claims an
        extra time dimension; the code, and this class, keep the shape).

    Source: hxtorch.spiking ``transforms/encode.py`` (spec §9.2).

    Example:
        >>> PixelsToSpikeTimes(tau=1., t_max=5.)(torch.tensor([0.1, 1.0]))
        tensor([5.0000, 0.2231])
    """

    def __init__(self, tau: float = 20, threshold: float = 0.2, t_max: float = 1.0,
                 epsilon: float = 1e-7):
        super().__init__()
        self.tau = tau
        self.threshold = threshold
        self.t_max = t_max
        self.epsilon = epsilon

    def forward(self, pic: torch.Tensor) -> torch.Tensor:
        pic = torch.as_tensor(pic, dtype=torch.get_default_dtype())
        dark = pic < self.threshold
        clipped = pic.clamp(self.threshold + self.epsilon, 1e9)
        times = self.tau * torch.log(clipped / (clipped - self.threshold))
        times = torch.where(dark, torch.full_like(times, self.t_max), times)
        return times.clamp(0, self.t_max)

    def extra_repr(self) -> str:
        return (f"tau={self.tau}, threshold={self.threshold}, t_max={self.t_max}, "
                f"epsilon={self.epsilon}")


class SpikeTimesToSparseTensor(torch.nn.Module):
    """Bin spike times into a sparse ``(size, *times.shape)`` integer tensor of ones.

    The bin of a time is ``int(t / bin_width)`` (truncation); times in bins ``>= size`` (or
    below 0) are dropped.

    Args:
        bin_width: width of one time bin (e.g. ``dt`` in s).
        size: number of bins T. Default: 100.

    Shape:
        Input: spike times ``(C, x0, …)``. Output: sparse COO int64 ``(size, C, x0, …)``.

    Source: hxtorch.spiking ``transforms/encode.py`` (spec §9.2).

    Example:
        >>> SpikeTimesToSparseTensor(1e-6, size=4)(torch.tensor([0.5e-6, 2.2e-6])).to_dense()
        tensor([[1, 0],
                [0, 0],
                [0, 1],
                [0, 0]])
    """

    def __init__(self, bin_width: float, size: int = 100):
        super().__init__()
        self.bin_width = bin_width
        self.size = size

    def forward(self, times: torch.Tensor) -> torch.Tensor:
        times = torch.as_tensor(times)
        bins = (times / self.bin_width).long()
        keep = (bins >= 0) & (bins < self.size)
        position = keep.nonzero()
        indices = torch.cat([bins[keep].unsqueeze(0), position.t()], dim=0)
        values = torch.ones(indices.shape[1], dtype=torch.long)
        return torch.sparse_coo_tensor(indices, values, (self.size, *times.shape),
                                       check_invariants=True).coalesce()

    def extra_repr(self) -> str:
        return f"bin_width={self.bin_width}, size={self.size}"


class SpikeTimesToDense(SpikeTimesToSparseTensor):
    """:class:`SpikeTimesToSparseTensor`, densified: ``(size, *times.shape)`` int64 zeros/ones.

    Source: hxtorch.spiking ``transforms/encode.py`` (spec §9.2).
    """

    def forward(self, times: torch.Tensor) -> torch.Tensor:
        return super().forward(times).to_dense()


class CoordinatesToSpikes(torch.nn.Module):
    """Encode each coordinate ``x`` in [0, 1] as one spike at ``t_early + x (t_late - t_early)``.

    Args:
        seq_length: number of time steps T of the output.
        t_early: spike time of ``x = 0``, in s.
        t_late: spike time of ``x = 1``, in s.
        dt: time step in s. Default: ``1e-6``.
        t_bias: if given, time in s of an extra bias spike in one appended channel.

    Shape:
        Input: ``(B, C)``. Output: ``(T, B, C)`` float, or ``(T, B, C + 1)`` with ``t_bias``;
        the spike index is ``round(t / dt)`` (half to even).

    Raises:
        ValueError: a spike index lies outside ``[0, seq_length)``.

    Source: hxtorch.spiking ``transforms/encode.py`` (spec §9.2).

    Example:
        >>> enc = CoordinatesToSpikes(5, t_early=1e-6, t_late=3e-6)
        >>> enc(torch.tensor([[0., 1.]])).argmax(0)
        tensor([[1, 3]])
    """

    def __init__(self, seq_length: int, t_early: float, t_late: float, dt: float = 1e-6,
                 t_bias: Optional[float] = None):
        super().__init__()
        self.seq_length = seq_length
        self.t_early = t_early
        self.t_late = t_late
        self.dt = dt
        self.t_bias = t_bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        times = self.t_early + x * (self.t_late - self.t_early)
        index = torch.round(times / self.dt).long()
        batch, channels = x.shape
        if self.t_bias is not None:
            bias = torch.full((batch, 1), int(self.t_bias / self.dt), dtype=torch.long,
                              device=x.device)
            index = torch.cat([index, bias], dim=1)
        if index.numel() and (index.min() < 0 or index.max() >= self.seq_length):
            raise ValueError(
                f"CoordinatesToSpikes: spike indices {int(index.min())}…{int(index.max())} lie "
                f"outside [0, {self.seq_length}); increase seq_length or lower t_late/t_bias")
        dtype = x.dtype if x.is_floating_point() else torch.get_default_dtype()
        spikes = torch.zeros(self.seq_length, *index.shape, dtype=dtype, device=x.device)
        spikes.scatter_(0, index.unsqueeze(0), 1.)
        return spikes

    def extra_repr(self) -> str:
        return (f"seq_length={self.seq_length}, t_early={self.t_early}, t_late={self.t_late}, "
                f"dt={self.dt}, t_bias={self.t_bias}")
