"""The state an integration carries from one call to the next (chunked runs)."""

from __future__ import annotations

import dataclasses
from typing import Optional

import torch

__all__ = ["CuBaState"]


@dataclasses.dataclass
class CuBaState:
    """State of :func:`~hxstudio.backend.functional.cuba_aelif_integration` between two calls.

    Pass an empty ``CuBaState()`` to the first call of a chunked run: that call starts from the
    initial state of spec §6.1 and leaves its final state here; the next call continues from it.
    Integrating ``x[:k]`` and then ``x[k:]`` with one state gives exactly (bit for bit) the
    outputs of integrating ``x`` at once.

    Attributes:
        v: membrane ``(B, N)`` after the last step (after reset and refractory clamp).
        i: synaptic current ``(B, N)``.
        z: spikes of the last step ``(B, N)``.
        w: adaptation ``(B, N)``.
        r: refractory counter in steps ``(B, N)``.
        Each is ``None`` until the first call fills it.
    """

    v: Optional[torch.Tensor] = None
    i: Optional[torch.Tensor] = None
    z: Optional[torch.Tensor] = None
    w: Optional[torch.Tensor] = None
    r: Optional[torch.Tensor] = None

    @property
    def started(self) -> bool:
        """Whether a call has filled the state."""
        return self.v is not None

    def requires_grad(self) -> bool:
        """Whether a held tensor takes part in autograd."""
        return any(t is not None and t.requires_grad for t in (self.v, self.i, self.z, self.w, self.r))
