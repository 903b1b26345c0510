"""Spike threshold functions by name (spec §6.2); hxtorch's ``functional/threshold.py``."""

from .superspike import SuperSpike, threshold

__all__ = ["SuperSpike", "threshold"]
