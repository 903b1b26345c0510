"""One chip or run context (spec §2.3). Only hardware runs use it; the mock needs it constructible."""

from __future__ import annotations

import itertools
from typing import Optional

__all__ = ["ExecutionInstance", "ExecutionInstances"]


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
        # hardware bookkeeping (spec §2.3); the mock only stores it
        self.calib = None
        self.chip = None
        self.record_cadc_into_dram: Optional[bool] = None
        self.id_counter = 0
        self.has_madc_recording = False
        self.neuron_placement = None
        self.cadc_neurons: dict = {}
        self.modules: list = []
        self.injection_pre_static_config = None
        self.injection_pre_realtime = None
        self.injection_inside_realtime_begin = None
        self.injection_inside_realtime = None
        self.injection_inside_realtime_end = None
        self.injection_post_realtime = None
        self.write_ppu_symbols: dict = {}
        self.read_ppu_symbols: set = set()

    def load_calib(self, calib_path: Optional[str] = None) -> None:
        """Remember ``calib_path``; calibrations are applied only on hardware, so nothing loads."""
        self.calib_path = calib_path

    def calibrate(self) -> None:
        """Calibrate the chip for the registered populations; nothing to do in the mock."""

    def set_neuron_parameters_on_chip(self) -> None:
        """Write trainable parameters via their ``set_on_chip`` functions; hardware only."""

    def cadc_recordings(self) -> dict:
        """Neurons recorded by the CADC (none in the mock)."""
        return dict(self.cadc_neurons)

    def plasticity_rules(self) -> list:
        """On-chip plasticity rules (none in the mock)."""
        return []

    def generate_playback_hooks(self) -> None:
        """Playback hooks around the realtime run; hardware only."""
        return None

    def __hash__(self) -> int:
        return hash(self.ID)

    def __str__(self) -> str:
        return f"ExecutionInstance(ID={self.ID})"


class ExecutionInstances(set):
    """A set of :class:`ExecutionInstance` objects with per-instance views (spec §2.3)."""

    @property
    def chips(self) -> dict:
        """Instance → chip configuration."""
        return {instance: instance.chip for instance in self}

    @property
    def cadc_recordings(self) -> dict:
        """Instance → CADC-recorded neurons."""
        return {instance: instance.cadc_recordings() for instance in self}

    @property
    def plasticity_rules(self) -> dict:
        """Instance → plasticity rules."""
        return {instance: instance.plasticity_rules() for instance in self}

    @property
    def playback_hooks(self) -> dict:
        """Instance → playback hooks."""
        return {instance: instance.generate_playback_hooks() for instance in self}
