"""Calibration file helpers (spec §8.4). There are no calibrations in the mock: the nightly paths
are the documented locations on BSS-2 systems, and loading returns ``None``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

__all__ = ["nightly_calib_path", "nightly_calix_native_path", "chip_from_file",
           "chip_from_portable_binary", "calib_from_calix_native", "target_from_calix_native"]

_NIGHTLY = Path("/wang/data/calibration/hicann-dls-sr-hx")


def nightly_calib_path(name: str = "spiking", chip_id: str = "mock") -> Path:
    """``<nightly>/<chip_id>/stable/latest/<name>_cocolist.pbin`` (does not need to exist).

    Example:
        >>> nightly_calib_path().name
        'spiking_cocolist.pbin'
    """
    return _NIGHTLY / chip_id / "stable" / "latest" / f"{name}_cocolist.pbin"


def nightly_calix_native_path(name: str = "spiking", chip_id: str = "mock") -> Path:
    """``<nightly>/<chip_id>/stable/latest/<name>_calix-native.pkl`` (does not need to exist)."""
    return _NIGHTLY / chip_id / "stable" / "latest" / f"{name}_calix-native.pkl"


def chip_from_portable_binary(data: bytes) -> None:
    """No chip configuration exists in the mock; returns ``None``."""
    return None


def chip_from_file(path: Union[str, Path]) -> None:
    """No chip configuration exists in the mock; returns ``None``."""
    return None


def calib_from_calix_native(path: Union[str, Path]) -> Optional[Any]:
    """No calibration is loaded in the mock; returns ``None``."""
    return None


def target_from_calix_native(path: Union[str, Path]) -> Optional[Any]:
    """No calibration target is loaded in the mock; returns ``None``."""
    return None
