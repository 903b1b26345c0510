"""Encoders from data to input spike trains (spec §9.2)."""

from __future__ import annotations

from typing import Optional

import torch

__all__ = ["CoordinatesToSpikes"]


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
