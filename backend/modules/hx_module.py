"""Base classes of every module that joins an :class:`~hxstudio.backend.Experiment` (spec §5).

Calling a module does not compute anything: it registers the module with its inputs in the
experiment's graph and returns the module's (reused, empty) output handle.
:func:`~hxstudio.backend.run` later calls :meth:`HXBaseExperimentModule.exec_forward` in
topological order, which runs :meth:`forward_func` and fills that handle.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, Optional, Tuple

import torch

from ..errors import ExperimentMismatchError
from ..handle import HandleBase, TensorHandle

__all__ = [
    "HXBaseExperimentModule",
    "HXTorchFunctionMixin",
    "HXFunctionalModule",
    "HXModule",
]


class HXTorchFunctionMixin:
    """Provides :meth:`forward_func` (identity by default) and :meth:`func`, its normalised call."""

    def forward_func(self, input: HandleBase) -> HandleBase:
        """Compute this module's output handle from its input handles (identity here)."""
        return input

    def func(self, inputs: Tuple[HandleBase, ...], hw_data: Any = None) -> Any:
        """Call ``forward_func(*inputs)``, passing ``hw_data=`` if ``forward_func`` takes it."""
        function = self.forward_func
        cache = self.__dict__.get("_takes_hw_data")
        if cache is None or cache[0] is not getattr(function, "__func__", function):
            cache = (getattr(function, "__func__", function),
                     "hw_data" in inspect.signature(function).parameters)
            self.__dict__["_takes_hw_data"] = cache
        if cache[1]:
            return function(*inputs, hw_data=hw_data)
        return function(*inputs)


class HXBaseExperimentModule(HXTorchFunctionMixin, torch.nn.Module):
    """A module that registers itself in ``experiment`` when called.

    Args:
        experiment: the :class:`~hxstudio.backend.Experiment` (``None`` is accepted for modules
            that are only added to a module manager by hand).

    Attributes:
        output_type: handle class of the output; an instance is created once and reused.
        descriptor: key of this module's recorded data in a hardware run (``None`` in mock).
    """

    output_type = TensorHandle

    def __init__(self, experiment: Any):
        super().__init__()
        self.experiment = experiment
        self.descriptor = None
        self._output_handle = self.output_type()
        self._output_handle.__dict__["_hx_producer"] = self

    def forward(self, *inputs: HandleBase) -> HandleBase:
        """Register ``inputs → self → output handle`` in the experiment; return the empty handle.

        Raises:
            ExperimentMismatchError: this module has no experiment, or an input handle was
                produced by a module of another experiment.
        """
        if self.experiment is None:
            raise ExperimentMismatchError(
                f"{self.describe()} was created with experiment=None and cannot be called; "
                "pass the Experiment it belongs to")
        for k, handle in enumerate(inputs):
            producer = handle.__dict__.get("_hx_producer") if hasattr(handle, "__dict__") \
                else None
            if producer is not None and producer.experiment is not self.experiment:
                raise ExperimentMismatchError(
                    f"{self.describe()}: input {k} is the output of {producer.describe()}, which "
                    f"belongs to another Experiment (id {id(producer.experiment):#x}, this one "
                    f"{id(self.experiment):#x}); modules of one network must share one Experiment")
        self.experiment.connect(self, inputs, self._output_handle)
        return self._output_handle

    def describe(self) -> str:
        """``"<Class>(<extra_repr>)"``, used to name this module in error messages."""
        return f"{type(self).__name__}({self.extra_repr()})"

    def exec_forward(self, inputs: Tuple[HandleBase, ...], output: HandleBase,
                     hw_map: Dict[Any, Any]) -> None:
        """Run :meth:`func` on ``inputs`` with this module's recorded data and fill ``output``."""
        output.clone(self.func(inputs, hw_data=hw_map.get(self.descriptor)))


class HXFunctionalModule(HXBaseExperimentModule):
    """A module without a hardware entity (BatchDropout, HXModuleWrapper)."""


class HXModule(HXBaseExperimentModule):
    """A module that occupies chip resources (populations, projections).

    Args:
        experiment: the :class:`~hxstudio.backend.Experiment`.
        execution_instance: the chip/run context; in mock mode it is stored and otherwise ignored,
            otherwise ``None`` means ``experiment.default_execution_instance``.
        chip_coordinate: hardware-only placement hint, stored.
    """

    def __init__(self, experiment: Any, execution_instance: Optional[Any] = None,
                 chip_coordinate: Optional[Any] = None):
        super().__init__(experiment)
        if execution_instance is None and experiment is not None and not experiment.mock:
            execution_instance = experiment.default_execution_instance
        self.execution_instance = execution_instance
        self.chip_coordinate = chip_coordinate
