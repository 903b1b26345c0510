"""Input validation shared by the modules: shapes and model values (errors name the module)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import torch

from ..errors import ParameterValueError, ShapeError

__all__ = ["check_features", "check_positive", "check_non_negative", "check_time_major",
           "value_text"]


def value_text(value: Any) -> str:
    """A short text of a number or tensor for messages (tensors: shape and extreme values)."""
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            return f"{float(value):g}"
        data = value.detach()
        return f"tensor of shape {tuple(value.shape)} with min {float(data.min()):g}"
    return f"{value:g}" if isinstance(value, (int, float)) else repr(value)


def _violates(value: Any, strict: bool) -> bool:
    if isinstance(value, torch.Tensor):
        if not value.is_floating_point() and value.dtype not in (torch.int32, torch.int64):
            return False
        data = value.detach()
        return bool((data <= 0).any() if strict else (data < 0).any())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value <= 0 if strict else value < 0
    return False


def check_positive(where: str, field: str, value: Any, unit: str = "s") -> None:
    """Raise :class:`ParameterValueError` unless every entry of ``value`` is > 0 (``None`` passes).

    Example:
        >>> check_positive("LIF(size=3)", "tau_mem", -1e-6)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        ...
        hxstudio.backend.errors.ParameterValueError: LIF(size=3): tau_mem = -1e-06 s (model value) must be > 0
    """
    if value is not None and _violates(value, strict=True):
        raise ParameterValueError(
            f"{where}: {field} = {value_text(value)}{' ' + unit if unit else ''} (model value) "
            "must be > 0")


def check_non_negative(where: str, field: str, value: Any, unit: str = "s") -> None:
    """Raise :class:`ParameterValueError` if an entry of ``value`` is < 0 (``None`` passes)."""
    if value is not None and _violates(value, strict=False):
        raise ParameterValueError(
            f"{where}: {field} = {value_text(value)}{' ' + unit if unit else ''} (model value) "
            "must be >= 0")


def check_time_major(where: str, name: str, tensor: Any, size: Optional[int],
                     like: Optional[Sequence[int]] = None) -> torch.Tensor:
    """Return ``tensor`` if it is a ``(T, B, size)`` tensor (and ``(T, B)`` equals ``like``).

    Raises:
        ShapeError: naming ``where``, ``name``, the shape got and the shape expected.
    """
    expected = f"(T, B, {size})" if size is not None else "(T, B, N)"
    if not isinstance(tensor, torch.Tensor):
        raise ShapeError(f"{where}: {name} must be a tensor of shape {expected}, "
                         f"got {type(tensor).__name__}")
    if tensor.dim() != 3 or (size is not None and tensor.shape[-1] != size):
        raise ShapeError(f"{where}: {name} has shape {tuple(tensor.shape)}, expected {expected} "
                         "(time-major: steps, batch, neurons)")
    if like is not None and tuple(tensor.shape[:2]) != tuple(like):
        raise ShapeError(f"{where}: {name} has shape {tuple(tensor.shape)}, but the other inputs "
                         f"have (T, B) = {tuple(like)}")
    return tensor


def check_features(where: str, name: str, tensor: Any, size: int) -> torch.Tensor:
    """Return ``tensor`` if it is a tensor ``(..., size)`` (projections also take single steps).

    Raises:
        ShapeError: naming ``where``, ``name``, the shape got and the shape expected.
    """
    if not isinstance(tensor, torch.Tensor) or tensor.dim() == 0 or tensor.shape[-1] != size:
        raise ShapeError(f"{where}: {name} has shape {tuple(getattr(tensor, 'shape', ()))}, "
                         f"expected (T, B, {size})")
    return tensor
