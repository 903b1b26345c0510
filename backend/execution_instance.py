"""One chip or run context (spec §2.3). Only hardware runs use it; the mock needs it constructible."""

from __future__ import annotations

import itertools
from typing import Optional

__all__ = ["ExecutionInstance"]


class ExecutionInstance:
    """A chip (or run) with its own calibration.

    Args:
        calib_path: calibration file to load on hardware.
        calib_cache_dir: directory for cached calibrations.
        input_loopback: on hardware, inject the recorded input spikes instead of the given ones.

    Attributes:
        ID: unique id, counted from 0 per process.

    Source: hxtorch.spiking ``execution_instance.py`` (spec §2.3).
    """

    _instance_counter = itertools.count()

    def __init__(self, calib_path: Optional[str] = None, calib_cache_dir: Optional[str] = None,
                 input_loopback: bool = False):
        self.ID = next(ExecutionInstance._instance_counter)
        self.calib_path = calib_path
        self.calib_cache_dir = calib_cache_dir
        self.input_loopback = input_loopback

    def load_calib(self, calib_path: Optional[str] = None) -> None:
        """Remember ``calib_path``; calibrations are applied only on hardware, so nothing loads."""
        self.calib_path = calib_path

    def __hash__(self) -> int:
        return hash(self.ID)

    def __str__(self) -> str:
        return f"ExecutionInstance(ID={self.ID})"
