"""Copy a foreign state dict into a model, renaming keys (spec §9.5)."""

from __future__ import annotations

import logging
from typing import Dict, Mapping

import torch

__all__ = ["MixinHXModelMapper"]

_LOG = logging.getLogger(__name__)


class MixinHXModelMapper:
    """Mixin for ``torch.nn.Module`` subclasses: :meth:`map_from` loads weights by name.

    Example:
        >>> class Net(MixinHXModelMapper, torch.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.linear = torch.nn.Linear(2, 1, bias=False)
        >>> net = Net()
        >>> net.map_from({"fc.weight": torch.ones(1, 2)}, {"linear.weight": "fc.weight"})
        >>> net.linear.weight.tolist()
        [[1.0, 1.0]]
    """

    def map_from(self, state_dict: Mapping[str, torch.Tensor], mapping: Dict[str, str],
                 map_all: bool = True) -> None:
        """Copy entries of ``state_dict`` into this module's tensors, in place.

        Each key of this module's state dict is looked up in ``state_dict`` under its own name,
        then under ``mapping[key]``. With ``map_all=False`` only the keys of ``mapping`` are
        copied.

        Args:
            state_dict: the source tensors by name.
            mapping: this module's key → key in ``state_dict``.
            map_all: also copy keys that are not in ``mapping``. Default: ``True``.
        Raises:
            KeyError: a key to copy is found under neither name (hxtorch logs an error and
                then fails on a stale key; spec §9.5).
            ShapeError: source and target shapes differ.
        """
        from ..errors import ShapeError

        own = self.state_dict()
        for key in mapping:
            if key not in own:
                _LOG.warning("map_from: key %r of the mapping is not in the model", key)
        keys = list(own) if map_all else [k for k in mapping if k in own]
        for key in keys:
            if key in state_dict:
                source = key
            elif key in mapping and mapping[key] in state_dict:
                source = mapping[key]
            else:
                raise KeyError(f"map_from: {key!r} is in neither the state dict nor the mapping "
                               f"(mapped to {mapping.get(key)!r})")
            value = torch.as_tensor(state_dict[source])
            if value.shape != own[key].shape:
                raise ShapeError(f"map_from: {source!r} has shape {tuple(value.shape)}, but "
                                 f"{key!r} has {tuple(own[key].shape)}")
            with torch.no_grad():
                own[key].copy_(value)
