"""Fuse several modules into one graph node, e.g. to close a recurrent loop (spec §5.10)."""

from __future__ import annotations

from typing import Any, Dict, Tuple

import torch

from ..handle import HandleBase
from .hx_module import HXFunctionalModule

__all__ = ["HXModuleWrapper"]


class HXModuleWrapper(HXFunctionalModule):
    """Execute ``modules`` together through one user-defined :meth:`forward_func`.

    Call every wrapped module as usual (which builds a cyclic graph), then call the wrapper with
    no arguments; the module manager replaces the members by one node. Subclasses define
    ``forward_func(*inputs, hw_data=None)`` returning one handle per wrapped module, in order.

    Args:
        experiment: the :class:`~hxstudio.backend.Experiment`.
        modules: the wrapped modules by name; each is also set as an attribute.

    Attributes:
        modules: the ``dict`` of wrapped modules (shadows ``nn.Module.modules()``, as in hxtorch).

    Source: hxtorch.spiking ``modules/hx_module_wrapper.py`` (spec §5.10).
    """

    def __init__(self, experiment: Any, **modules: torch.nn.Module):
        super().__init__(experiment)
        self.update(**modules)

    def update(self, **modules: torch.nn.Module) -> None:
        """Replace the wrapped modules."""
        self.modules: Dict[str, torch.nn.Module] = modules
        for name, module in modules.items():
            setattr(self, name, module)

    def contains(self, modules: Any) -> bool:
        """Return whether every module in ``modules`` (one module or a list) is wrapped."""
        modules = modules if isinstance(modules, (list, tuple)) else [modules]
        return all(any(m is w for w in self.modules.values()) for m in modules)

    def forward(self) -> None:
        """Register the wrapper in the experiment."""
        self.experiment.connect_wrapper(self)

    def exec_forward(self, inputs: Tuple[HandleBase, ...], outputs: Tuple[HandleBase, ...],
                     hw_map: Dict[Any, Any]) -> None:
        """Run :meth:`func` once for all members and fill their output handles.

        Raises:
            ValueError: ``forward_func`` returned a number of handles other than ``len(modules)``.
        """
        hw_data = tuple(hw_map.get(m.descriptor) for m in self.modules.values())
        results = self.func(inputs, hw_data=hw_data)
        if not isinstance(results, tuple):
            results = (results,)
        if len(results) != len(self.modules) or len(outputs) != len(self.modules):
            raise ValueError(
                f"HXModuleWrapper: forward_func returned {len(results)} handles for "
                f"{len(self.modules)} wrapped modules with {len(outputs)} outputs; expected one "
                "handle per wrapped module")
        for output, result in zip(outputs, results):
            output.clone(result)
