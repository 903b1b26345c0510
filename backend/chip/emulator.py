"""An emulated BrainScaleS-2 chip: the target of ``Experiment(mock=False)`` (spec §2.1, §16).

:class:`EmulatedChip` runs a registered network the way the chip would and returns the recorded
data per population, which the neuron modules then inject into their own simulation
(Unterjubel, spec §6.4): forward values come from the chip, gradients from the model, so
hardware-in-the-loop training runs unchanged.

What a run does (:meth:`EmulatedChip.run`):

1. **Resources** (:func:`~hxstudio.backend.chip.plan`): populations in first-call order on the
   512 circuits, synapse rows per hemisphere; too much →
   :class:`~hxstudio.backend.errors.ResourceError`.
   At most one module with ``enable_madc_recording`` (:class:`MADCRecordingError`).
2. **Calibration** (``calibrated=True``, :func:`~hxstudio.backend.chip.calibrate`): each circuit
   realises its population's hardware values up to the calibrated residual; uncalibrated chips
   keep the raw spread (:data:`MISMATCH`).
3. **Dynamics from hardware values**, integrated with the mock's update
   (:func:`~hxstudio.backend.functional.cuba_aelif_integration`, spec §6.1) on the ``dt`` grid in
   CADC units: ``E_L``, ``V_r``, ``ϑ`` are the (perturbed) CADC-LSB targets, ``τ_mem``/``τ_syn``
   the (perturbed) times in s, ``C = membrane_capacitance/63 · 10 µs`` (so the input gain is
   ``dt/C``), ``g_L = C/τ_mem``. Input spikes are binary (any non-zero entry is one spike); a
   synapse adds ``w_hw · SYNAPTIC_CURRENT_PER_LSB · i_synin_gm/500 · gain_i`` to the current of
   its target, with ``w_hw`` = :func:`~hxstudio.backend.chip.hardware_weight` of the model weight
   and ``gain_i`` the circuit's synaptic-gain mismatch. The membrane saturates at
   :data:`MEMBRANE_RANGE`. Trial-to-trial noise is a white current of :data:`NOISE_CURRENT`
   (≈ 1 CADC LSB RMS on a resting membrane at τ = 10 µs).
4. **Observables** (:mod:`~hxstudio.backend.chip.adc`): spikes on the ``dt`` grid; CADC samples
   (8 bit, ``raw − 128``, every ≈2 µs, or ≈6 µs for DRAM placement) interpolated to the grid,
   then ``cadc_time_shift``/``shift_cadc_to_first``/``trace_offset``/``trace_scale``; MADC
   ``(2, S, B)`` of ``record_neuron_id``.

The chip emulates the LIF/LI part of a population; exponential and adaptation terms of an
:class:`~hxstudio.backend.AELIF` are not emulated (a warning says so), their traces stay simulated.
Recurrent networks (cycles wrapped in an :class:`~hxstudio.backend.HXModuleWrapper`) are refused
with :class:`~hxstudio.backend.errors.TargetUnavailableError`.

**Seeds.** ``EmulatedChip(seed)`` fixes the fixed-pattern spread (the "chip"); the trial-to-trial
noise of the k-th run of a chip object (k = :attr:`EmulatedChip.runs`, counted from 0) is seeded
with ``(seed, k)``, so two chips of one seed give identical results for identical run sequences,
and consecutive runs differ (noise and CADC sample times). :meth:`EmulatedChip.reset_noise`
restarts the count; ``noise=False`` switches trial-to-trial noise off (then every run uses the
same CADC sample times and repeats exactly).
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any, Dict, List, Optional, Tuple

import networkx as nx
import numpy as np
import torch

from ..errors import HXStudioWarning, TargetUnavailableError
from .adc import (CADC_PERIOD_DRAM, CADC_PERIOD_SRAM, FPGA_CLOCK_HZ, cadc_sample, cadc_to_dense,
                  madc_record, post_process_cadc)
from .calib_target import NeuronCalibTarget, SpikingCalibTarget
from .calibration import calibrate
from .resources import N_CIRCUITS, MADCRecordingError, ResourceUsage, plan
from .weights import hardware_weight

__all__ = ["EmulatedChip", "default_chip", "MISMATCH", "SYNAPTIC_CURRENT_PER_LSB",
           "MEMBRANE_RANGE", "NOISE_CURRENT", "EmulatorWarning"]

#: Fixed-pattern spread per circuit: ``name → (kind, uncalibrated, calibrated)``; ``"offset"``
#: in CADC LSB (standard deviation), ``"factor"`` as a relative standard deviation. Sources: no
#: citable numbers exist (nir-and-bss2-notes §D.3); the values follow its estimate ("after
#: calibration a few % CV on τ and a few LSB on potentials; before calibration tens of %") and
#: spec §16.4's suggestion (gain N(1, 0.1), offsets ≈ 2 LSB).
MISMATCH = {
    "leak": ("offset", 20., 2.),
    "reset": ("offset", 20., 2.),
    "threshold": ("offset", 20., 2.),
    "tau_mem": ("factor", 0.3, 0.05),
    "tau_syn": ("factor", 0.3, 0.05),
    "synaptic_gain": ("factor", 0.3, 0.1),
}
#: Synaptic current step per weight LSB, in CADC LSB (at ``i_synin_gm`` 500): with C = τ_mem =
#: τ_syn = 10 µs a PSP then peaks at 0.35 CADC per LSB, the measured figure behind hxtorch's
#: weight scale of ≈50 LSB per model unit (spec §8.5: 0.35 / 0.38742).
SYNAPTIC_CURRENT_PER_LSB = 0.35 / 0.38742
#: Membrane saturation in raw CADC units: −103…+100 in hxtorch's ``raw − 128`` units
#: (``Boundaries``, spec §8.5, §12).
MEMBRANE_RANGE = (25., 228.)
#: Trial-to-trial noise: standard deviation of the white current added per step, in CADC LSB
#: per √µs (≈ 1 LSB RMS membrane noise at τ_mem = τ_syn = 10 µs; spec §16.12 suggests 1–2 LSB).
NOISE_CURRENT = 0.6
#: Model capacitance (s) of the largest hardware capacitance, 63 LSB (hxtorch's transform).
_CAPACITANCE_AT_63 = 10e-6
#: Largest FPGA timer value (32 bit), the runtime limit (spec §2.1).
_TIMER_MAX = 2 ** 32 - 1


class EmulatorWarning(HXStudioWarning):
    """The emulated chip ignores part of a module (exponential/adaptation terms)."""


class EmulatedChip:
    """A seeded BrainScaleS-2 chip instance: fixed-pattern spread plus trial-to-trial noise.

    Args:
        seed: fixes the per-circuit deviations (and, with the run count, the noise).
            Default: 0.
        calibrated: run with the spread left after :func:`~hxstudio.backend.chip.calibrate`
            (``True``) or the raw spread (``False``); magnitudes in :data:`MISMATCH`.
            Default: ``True``.
        noise: add trial-to-trial noise. Default: ``True``.

    Attributes:
        runs: number of runs so far (the noise of run k is seeded with ``(seed, k)``).

    Example:
        >>> chip = EmulatedChip(seed=1)
        >>> chip.raw_deviation("leak").shape, chip.calibrated
        ((512,), True)
    """

    def __init__(self, seed: int = 0, calibrated: bool = True, *, noise: bool = True):
        self.seed = int(seed)
        self.calibrated = bool(calibrated)
        self.noise = bool(noise)
        self.runs = 0
        generator = torch.Generator().manual_seed(self.seed)
        self._raw = {name: torch.randn(N_CIRCUITS, generator=generator, dtype=torch.float64)
                     .numpy() for name in MISMATCH}
        self._left = {name: torch.randn(N_CIRCUITS, generator=generator, dtype=torch.float64)
                      .numpy() for name in MISMATCH}

    def __repr__(self) -> str:
        return (f"EmulatedChip(seed={self.seed}, calibrated={self.calibrated}, "
                f"noise={self.noise})")

    # -- fixed pattern -------------------------------------------------------------------------

    @staticmethod
    def _scaled(name: str, normal: np.ndarray, column: int) -> np.ndarray:
        kind, *sigmas = MISMATCH[name]
        sigma = sigmas[column]
        if kind == "offset":
            return sigma * normal
        return np.clip(1. + sigma * normal, 0.2, None)

    def raw_deviation(self, name: str) -> np.ndarray:
        """Uncalibrated deviation of every circuit, ``(512,)``: an offset in CADC LSB for
        potentials, a factor (around 1) for ``tau_mem``, ``tau_syn`` and ``synaptic_gain``."""
        return self._scaled(name, self._raw[name], 0)

    def residual_deviation(self, name: str) -> np.ndarray:
        """Deviation left after calibration, ``(512,)``, same kind as :meth:`raw_deviation`."""
        return self._scaled(name, self._left[name], 1)

    def deviation(self, name: str) -> np.ndarray:
        """The deviation this chip runs with: residual if calibrated, raw otherwise."""
        return self.residual_deviation(name) if self.calibrated else self.raw_deviation(name)

    # -- noise -------------------------------------------------------------------------------

    def reset_noise(self, runs: int = 0) -> None:
        """Restart the run count, so the next run repeats the noise of run ``runs``."""
        self.runs = int(runs)

    def _noise_generator(self) -> torch.Generator:
        """Generator of this run's noise and CADC sample times: seeded with ``(seed, runs)``;
        without noise always with ``(seed,)``, so the sample times repeat too."""
        key = [self.seed, self.runs] if self.noise else [self.seed]
        state = np.random.SeedSequence(key).generate_state(1)[0]
        self.runs += 1
        return torch.Generator().manual_seed(int(state))

    # -- running -----------------------------------------------------------------------------

    def plan(self, experiment: Any) -> Tuple[ResourceUsage, Dict[Any, List[int]]]:
        """Place the populations of ``experiment``'s current graph (see :func:`plan`).

        Returns:
            ``(usage, circuits)`` with ``circuits`` module → circuit indices.
        """
        network = _Network(experiment)
        return network.usage, network.circuits

    def run(self, experiment: Any, runtime: int) -> Tuple[Dict[Any, Any], Any]:
        """Run ``experiment``'s registered graph for ``runtime`` steps of ``experiment.dt``.

        Returns:
            ``(data_map, ExecutionInfo)``: recorded data per population descriptor, as the
            neuron modules' ``hw_data`` expects
            (``Handle(voltage=AnalogObservable, adaptation=…, spikes=(T, B, N))``).
        Raises:
            ResourceError: the network does not fit (names the population, need and rest).
            MADCRecordingError: more than one module records the MADC.
            TargetUnavailableError: a recurrent (cyclic) network.
            ValueError: runtime beyond the 32-bit timer; a projection between more than one
                source/target population; inputs of different batch sizes; ``record_neuron_id``
                outside the population.
        """
        from ..execution_info import ExecutionInfo

        start = time.perf_counter()
        dt = experiment.dt
        clocks = int(runtime * dt * 1e6 * 125)
        if clocks > _TIMER_MAX:
            raise ValueError(f"Runtime of {runtime} to long. Maximum supported runtime "
                             f"{int(_TIMER_MAX / 125 / 1e6 / dt)}")
        network = _Network(experiment)
        experiment.resources = network.usage
        network.usage.raise_if_error()
        network.check_madc()
        generator = self._noise_generator()
        params = network.parameters(self)
        runtime_s = clocks / FPGA_CLOCK_HZ
        rows = int(math.ceil(runtime_s / dt - 1e-9)) + 1
        with torch.no_grad():
            data = network.simulate(self, params, rows, dt, runtime_s, generator)
        info = ExecutionInfo(time={experiment.default_execution_instance:
                                   time.perf_counter() - start})
        return data, info


class _Network:
    """The populations, inputs and projections of one experiment's current graph."""

    def __init__(self, experiment: Any):
        from ..modules import AELIF, InputNeuron
        from ..modules.types import Projection

        self.experiment = experiment
        manager = experiment.modules
        graph = manager.graph
        if not nx.is_directed_acyclic_graph(graph):
            raise TargetUnavailableError(
                "the emulated BSS-2 chip runs feed-forward networks only; this network has a "
                "recurrent loop (HXModuleWrapper); use Experiment(mock=True)")
        self.order = [manager.get_module_by_id(n) for n in nx.topological_sort(graph)
                      if isinstance(n, int)]
        by_id = sorted((manager.nodes[m], m) for m in self.order)
        self.populations = [m for _, m in by_id if isinstance(m, AELIF)]
        self.inputs = [m for _, m in by_id if isinstance(m, InputNeuron)]
        self.names = {m: _name(m, manager.nodes[m]) for _, m in by_id}
        self.projections = []  # (projection, source module, target module)
        for _, module in by_id:
            if not isinstance(module, Projection):
                continue
            sources = manager.source_populations(module)
            targets = manager.target_populations(module)
            if len(sources) != 1:
                raise ValueError(f"{self.names[module]}: on hardware, a projection can only have "
                                 f"one source population, got {len(sources)}")
            if len(targets) > 1:
                raise ValueError(f"{self.names[module]}: on hardware, a projection can only have "
                                 f"one target population, got {len(targets)}")
            if targets:  # a projection that feeds nothing occupies no synapse rows
                self.projections.append((module, sources[0], targets[0]))
        entries = []
        for module in self.populations:
            constraint = module.placement_constraint
            entry = (self.names[module], module.size)
            entries.append(entry if constraint is None else
                           entry + ([int(c) for c in constraint],))
        self.usage = plan(entries, [(self.names[s], s.size, self.names[t])
                                    for _, s, t in self.projections if t in self.populations])
        self.circuits = {m: self.usage.placement.get(self.names[m], []) for m in self.populations}

    def check_madc(self) -> None:
        """At most one MADC module; its ``record_neuron_id`` inside the population."""
        recorders = [m for m in self.populations if m.enable_madc_recording]
        if len(recorders) > 1:
            raise MADCRecordingError(
                f"Another HXModule already registered MADC recording. MADC recording is only "
                f"enabled for a single neuron on one execution instance: "
                f"{self.names[recorders[0]]} and {self.names[recorders[1]]} both enable it")
        for module in recorders:
            neuron = module.record_neuron_id or 0
            if not 0 <= neuron < module.size:
                raise ValueError(f"{self.names[module]}: record_neuron_id = {neuron} is outside "
                                 f"0…{module.size - 1}")

    def parameters(self, chip: EmulatedChip) -> Dict[Any, Dict[str, torch.Tensor]]:
        """Per population the realised per-neuron hardware parameters (``(N,)`` float64)."""
        result = None
        if chip.calibrated and self.populations:
            target = NeuronCalibTarget.DenseDefault()
            target.i_synin_gm, target.synapse_dac_bias = [None, None], None
            spiking = SpikingCalibTarget(neuron_target=target)
            for module in self.populations:
                module.calibration_from_params(spiking, self.circuits[module])
            result = calibrate(spiking, chip)
        params = {}
        for module in self.populations:
            circuits = np.asarray(self.circuits[module], dtype=int)
            values = {}
            for name in ("leak", "reset", "threshold", "tau_mem", "tau_syn"):
                if result is not None:
                    values[name] = result.realised(name)[circuits]
                    continue
                hw = _per_neuron(getattr(module, name).hardware_value, module.size)
                deviation = chip.raw_deviation(name)[circuits]
                values[name] = hw * deviation if name.startswith("tau") else hw + deviation
            capacitance = np.clip(_per_neuron(module.membrane_capacitance.hardware_value,
                                              module.size), 1, 63)
            values["c_mem"] = capacitance / 63 * _CAPACITANCE_AT_63
            values["gain"] = (SYNAPTIC_CURRENT_PER_LSB
                              * _per_neuron(module.i_synin_gm.hardware_value, module.size) / 500
                              * chip.deviation("synaptic_gain")[circuits])
            values["refractory_time"] = _per_neuron(module.refractory_time.hardware_value,
                                                    module.size)
            params[module] = {k: torch.as_tensor(v, dtype=torch.get_default_dtype())
                              for k, v in values.items()}
        return params

    def _input_spikes(self, module: Any, rows: int) -> torch.Tensor:
        graph = self.experiment.modules.graph
        node = self.experiment.modules.nodes[module]
        handles = [h for _, _, h in graph.in_edges(node, data="handle")]
        spikes = getattr(handles[0], "spikes", None) if handles else None
        if spikes is None:
            raise ValueError(f"{self.names[module]}: input handle holds no spikes")
        spikes = (spikes.detach() != 0).to(torch.get_default_dtype())
        if spikes.shape[0] >= rows:
            return spikes[:rows]
        pad = torch.zeros((rows - spikes.shape[0],) + tuple(spikes.shape[1:]), dtype=spikes.dtype)
        return torch.cat([spikes, pad])

    def simulate(self, chip: EmulatedChip, params: Dict[Any, Dict[str, torch.Tensor]], rows: int,
                 dt: float, runtime_s: float, generator: torch.Generator) -> Dict[Any, Any]:
        """Integrate all populations in topological order and read them out."""
        from ..functional import CuBaStepCode, cuba_aelif_integration
        from ..handle import Handle
        from ..observables import AnalogObservable, ReadoutSource

        spikes: Dict[Any, torch.Tensor] = {m: self._input_spikes(m, rows) for m in self.inputs}
        batch = {s.shape[1] for s in spikes.values()}
        if len(batch) > 1:
            raise ValueError(f"all inputs must have the same batch size, got {sorted(batch)}")
        batch = batch.pop() if batch else 1
        routed = dict(spikes)
        data: Dict[Any, Any] = {}
        low, high = MEMBRANE_RANGE
        for module in self.order:
            if module not in params:
                continue
            p = params[module]
            current = torch.zeros(rows, batch, module.size)
            for projection, source, target in self.projections:
                if target is module:
                    weight = _chip_weight(projection)
                    current = current + routed[source] @ weight.t()
            current = current * p["gain"]
            if chip.noise:
                current = current + NOISE_CURRENT * math.sqrt(dt / 1e-6) * torch.randn(
                    current.shape, generator=generator)
            if module.exponential or module.subthreshold_adaptation \
                    or module.spike_triggered_adaptation:
                warnings.warn(f"{self.names[module]}: the emulated chip runs the LIF part only; "
                              "exponential and adaptation terms are not emulated", EmulatorWarning)
            refractory = bool(module.fire and (p["refractory_time"] != 0).any())
            code = CuBaStepCode(fire=module.fire, refractory=refractory).generate().replace(
                "v = v + dv", f"v = (v + dv).clamp({low}, {high})")
            membrane, _, _, _, _, fired = cuba_aelif_integration(
                current, leak=p["leak"], reset=p["reset"], threshold=p["threshold"],
                tau_syn=p["tau_syn"], c_mem=p["c_mem"], g_l=p["c_mem"] / p["tau_mem"],
                refractory_time=p["refractory_time"], method="superspike", alpha=50.,
                exp_slope=None, exp_threshold=None, subthreshold_adaptation_strength=None,
                spike_triggered_adaptation_increment=None, tau_adap=None,
                integration_step_code=code, dt=dt, fire=module.fire, refractory=refractory)
            mask = getattr(module, "mask", None)
            routed[module] = fired if mask is None else fired * mask.to(fired.dtype)
            data[_descriptor(self, module)] = self._observables(
                module, membrane, fired, runtime_s, dt, generator, chip.noise, Handle,
                AnalogObservable, ReadoutSource)
        for module in self.inputs:
            if getattr(module.execution_instance, "input_loopback", False):
                data[_descriptor(self, module)] = spikes[module]
        return data

    def _observables(self, module, membrane, fired, runtime_s, dt, generator, noisy, Handle,
                     AnalogObservable, ReadoutSource) -> Any:
        cadc = madc = None
        if module.enable_cadc_recording:
            period = CADC_PERIOD_DRAM if module.enable_cadc_recording_placement_in_dram \
                else CADC_PERIOD_SRAM
            values, times = cadc_sample(membrane, runtime_s, dt, period, generator)
            dense = cadc_to_dense(values, times, runtime_s, dt, module.interpolation_mode)
            circuits = self.circuits[module]
            cadc = post_process_cadc(
                dense, module.cadc_time_shift, module.shift_cadc_to_first,
                _per_circuit(self.names[module], "trace_offset", module.trace_offset, circuits),
                _per_circuit(self.names[module], "trace_scale", module.trace_scale, circuits))
            cadc = cadc.to(torch.get_default_dtype())
        if module.enable_madc_recording:
            neuron = module.record_neuron_id or 0
            madc = madc_record(membrane[:, :, neuron], runtime_s, dt,
                               generator if noisy else None)
        spikes = fired if module.fire and module.enable_spike_recording else None
        adaptation_source = module.cadc_readout_source == ReadoutSource.ADAPTATION
        madc_adaptation = module.madc_readout_source == ReadoutSource.ADAPTATION
        voltage = AnalogObservable(cadc=None if adaptation_source else cadc,
                                   madc=None if madc_adaptation else madc)
        adaptation = AnalogObservable(cadc=cadc if adaptation_source else None,
                                      madc=madc if madc_adaptation else None)
        return Handle(voltage=voltage, adaptation=adaptation, spikes=spikes)


def _name(module: Any, node: int) -> str:
    name = getattr(module, "name", None)
    return name if isinstance(name, str) and name else f"{type(module).__name__}#{node}"


def _descriptor(network: _Network, module: Any) -> Any:
    module.descriptor = ("emulator", network.experiment.modules.nodes[module])
    return module.descriptor


def _per_neuron(value: Any, size: int) -> np.ndarray:
    """A hardware value (scalar, ``(N,)`` or ``(2, N)``: averaged) as ``(N,)`` float64."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    array = np.asarray(value, dtype=float)
    if array.ndim == 2:
        array = array.mean(0)
    return np.broadcast_to(array, (size,)).astype(float)


def _per_circuit(where: str, field: str, value: Any, circuits: List[int]) -> Any:
    """``trace_offset``/``trace_scale``: a scalar or ``(N,)`` tensor as is; a dict keyed by
    circuit index (hxtorch: by ``LogicalNeuronOnDLS``) as the ``(N,)`` tensor of the module's
    circuits (spec §5.1).

    Raises:
        ValueError: the dict lacks a circuit of the module.
    """
    if isinstance(value, torch.Tensor):
        return value.detach()
    if not isinstance(value, dict):
        return value
    missing = [c for c in circuits if c not in value]
    if missing:
        raise ValueError(f"{where}: {field} has no entry for circuit {missing[0]} (the module is "
                         f"placed on circuits {circuits[0]}…{circuits[-1]})")
    return torch.tensor([float(value[c]) for c in circuits])


def _chip_weight(projection: Any) -> torch.Tensor:
    """Signed hardware weights ``(out, in)`` in LSB of a projection (dense or sparse)."""
    from ..modules.synapse import SparseSynapse

    weight = projection.weight.detach()
    sparse = isinstance(projection, SparseSynapse)
    if sparse:
        weight = weight * projection.mask
    return hardware_weight(weight, getattr(projection, "transform", None), truncate=sparse)


_DEFAULT: Optional[EmulatedChip] = None


def default_chip() -> EmulatedChip:
    """The module-level chip of ``Experiment(mock=False)`` without ``chip=``: seed 0, calibrated."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = EmulatedChip(seed=0, calibrated=True)
    return _DEFAULT
