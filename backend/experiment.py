"""The experiment that collects module calls, and :func:`run`, which executes them (spec §2)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import math

from .errors import ExperimentMismatchError, ParameterValueError
from .execution_instance import ExecutionInstance
from .module_manager import ModuleManager

__all__ = ["Experiment", "run"]


class Experiment:
    """Holds the module graph of one forward pass and how to execute it.

    Args:
        mock: ``True`` computes everything in PyTorch; ``False`` runs on the emulated BSS-2
            chip (:class:`~hxstudio.backend.chip.EmulatedChip`): the recorded spikes and CADC
            traces are injected into the model (spec §6.4), so gradients come from the model.
        dt: integration step in s. Default: ``1e-6`` (1 µs of hardware time ≙ 1 ms biological).
        hw_routing_func: routing function for hardware mapping (stored).
        chip: the :class:`~hxstudio.backend.chip.EmulatedChip` of ``mock=False``; ``None``
            means :func:`~hxstudio.backend.chip.default_chip` (seed 0, calibrated).

    Attributes:
        modules: the :class:`~hxstudio.backend.module_manager.ModuleManager`.
        inter_batch_entry_routing_disabled: hardware only (stored). Default: ``True``.
        inter_batch_entry_wait: hardware only, FPGA cycles between batch entries (stored).
        resources: :class:`~hxstudio.backend.chip.ResourceUsage` of the last emulator run
            (``None`` before; set also when the network did not fit).

    Raises:
        ParameterValueError: ``dt`` is not a finite number > 0 (also when set later).

    Source: hxtorch.spiking ``experiment.py`` (spec §2.1).
    """

    def __init__(self, mock: bool = False, dt: float = 1e-6,
                 hw_routing_func: Optional[Callable] = None, chip: Optional[Any] = None):
        self.mock = mock
        self._chip = chip
        self.resources: Optional[Any] = None
        self.dt = dt
        self.hw_routing_func = hw_routing_func
        self.modules = ModuleManager()
        self._default_execution_instance: Optional[ExecutionInstance] = None
        self.grenade_network = None
        self.grenade_network_graph = None
        self.inter_batch_entry_routing_disabled = True
        self.inter_batch_entry_wait: Optional[int] = None
        self.ppu_symbols_read: Dict[str, Any] = {}
        self._populations: list = []
        self._projections: list = []

    @property
    def dt(self) -> float:
        """Integration step in s (hardware time)."""
        return self._dt

    @dt.setter
    def dt(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value <= 0:
            raise ParameterValueError(
                f"Experiment: dt = {value!r} s must be a finite number > 0 "
                "(the integration step, e.g. 1e-6 for 1 µs of hardware time)")
        self._dt = float(value)

    def register_population(self, module: Any) -> None:
        """Remember a population (hardware bookkeeping; no effect in mock)."""
        self._populations.append(module)

    def register_projection(self, module: Any) -> None:
        """Remember a projection (hardware bookkeeping; no effect in mock)."""
        self._projections.append(module)

    @property
    def chip(self) -> Any:
        """The :class:`~hxstudio.backend.chip.EmulatedChip` that ``mock=False`` runs on."""
        if self._chip is None:
            from .chip import default_chip
            return default_chip()
        return self._chip

    @property
    def last_run_chip_configs(self) -> Dict[Any, Any]:
        """Chip configurations of the last hardware run; empty in mock mode."""
        return {}

    @property
    def default_execution_instance(self) -> ExecutionInstance:
        """The execution instance of modules that name none; created on first access."""
        if self._default_execution_instance is None:
            self._default_execution_instance = ExecutionInstance()
        return self._default_execution_instance

    @default_execution_instance.setter
    def default_execution_instance(self, instance: ExecutionInstance) -> None:
        self._default_execution_instance = instance

    def clear(self) -> None:
        """Drop the graph of the current pass (module ids are kept)."""
        self.modules.clear()

    def connect(self, module: Any, input_handles: Tuple[Any, ...], output_handle: Any) -> None:
        """Add the call ``output_handle = module(*input_handles)`` to the graph."""
        self.modules.add_node(module, input_handles, output_handle)

    def connect_wrapper(self, wrapper: Any) -> None:
        """Register an :class:`~hxstudio.backend.HXModuleWrapper`.

        Raises:
            ValueError: the wrapper lists a module twice, or another registered wrapper already
                contains one of its modules.
        """
        members = list(wrapper.modules.values())
        for name, member in wrapper.modules.items():
            owner = getattr(member, "experiment", self)
            if owner is not self:
                raise ExperimentMismatchError(
                    f"{type(wrapper).__name__}: wrapped module {name!r} "
                    f"({type(member).__name__}) belongs to another Experiment; wrapper and "
                    "members must share one Experiment")
        if len({id(m) for m in members}) != len(members):
            raise ValueError(f"{type(wrapper).__name__}: every wrapped module must be unique, "
                             f"got {[type(m).__name__ for m in members]}")
        for other in self.modules.wrappers:
            if other is not wrapper and any(other.contains(m) for m in members):
                raise ValueError("You tried to register a wrapper with a group of modules that "
                                 "are partially registered in another group.")
        self.modules.add_wrapper(wrapper)

    def get_hw_results(self, runtime: Optional[int]) -> Tuple[Dict[Any, Any], Any]:
        """Prepare the graph and return the recorded data per module descriptor.

        In mock mode nothing is recorded: returns ``({}, None)``. Otherwise the graph (with an
        InputNeuron in front of every projection fed from outside) runs on :attr:`chip` for
        ``runtime`` steps: returns ``(data_map, ExecutionInfo)``
        (:meth:`~hxstudio.backend.chip.EmulatedChip.run`).

        Raises:
            ResourceError: the network does not fit on the chip (names the population, what it
                needs and what is left); MADCRecordingError for a second MADC module.
            TargetUnavailableError: a recurrent network (the emulator runs feed-forward ones).
        """
        self.modules.pre_process(self)
        if self.mock:
            return {}, None
        return self.chip.run(self, runtime)


def run(experiment: Experiment, runtime: Optional[int]) -> Optional[Any]:
    """Execute every module registered since the last run and fill their output handles.

    Args:
        experiment: the experiment the modules were called in.
        runtime: number of ``dt`` steps to run on hardware; ignored in mock mode, where the
            length T of the input tensors decides.
    Returns:
        ``None`` in mock mode, an :class:`~hxstudio.backend.execution_info.ExecutionInfo` on
        the emulated chip.
    Raises:
        ValueError: ``"Requested runtime invalid."``: not mock and ``runtime`` is no ``int``.
        ResourceError, TargetUnavailableError: not mock (see :meth:`Experiment.get_hw_results`).
        ValueError: the graph has an unwrapped cycle.
        TypeError: a BatchDropout does not follow exactly one neuron module.

    When preparing the graph fails, the graph of this pass is dropped, so the next forward pass
    starts clean.

    Source: hxtorch.spiking ``run.py`` (spec §2.2).
    """
    try:
        if not experiment.mock and not isinstance(runtime, int):
            raise ValueError("Requested runtime invalid.")
        data_map, info = experiment.get_hw_results(runtime)
        order = experiment.modules.done()
    except Exception:
        experiment.clear()
        raise
    for module, inputs, output in order:
        module.exec_forward(inputs, output, data_map)
    return info
