"""Neuron populations: AELIF and its special cases LIF and LI (spec §5.1–§5.3).

The modules resolve their parameters, call
:func:`~hxstudio.backend.functional.cuba_aelif_integration` (where the equations are written
down) and fill their output handle. Hardware-only arguments (recording switches, placement,
trace calibration, CapMem biases) are stored as attributes and do not change the mock numerics.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any, Optional

import torch

from ..chip import PARAMETERS
from ..functional import CuBaStepCode, cuba_aelif_integration
from ..handle import Handle, HandleBase, LIFObservables, LIObservables
from ..observables import ReadoutSource
from ..parameter import HXTransformedModelParameter, ParameterType
from ._checks import check_non_negative, check_positive, check_time_major
from .types import Population

__all__ = ["AELIF", "LIF", "LI", "capacitance_to_hardware"]

_D = {name: spec.default for name, spec in PARAMETERS.items()}

#: Model capacitance (in the units of ``tau_mem``) of the default hardware capacitance.
_MODEL_CAPACITANCE = 10e-6


def capacitance_to_hardware(model_value: Any) -> Any:
    """Hardware capacitance in CapMem LSB of a model capacitance in s: ``model / 10 µs · 63``."""
    return model_value / _MODEL_CAPACITANCE * _D["membrane_capacitance"]


# Shared signature default; each module gets its own copy (see AELIF.__init__).
_DEFAULT_CAPACITANCE = HXTransformedModelParameter(_MODEL_CAPACITANCE, capacitance_to_hardware)


def _output_type(fire: bool, adaptation: bool):
    fields = ["current", "membrane_cadc", "membrane_madc"]
    if fire:
        fields.append("spikes")
    if adaptation:
        fields += ["adaptation_cadc", "adaptation_madc"]
    return type(Handle(*fields))


class AELIF(Population):
    """Adaptive exponential integrate-and-fire population, configurable by flags.

    Dynamics: :func:`~hxstudio.backend.functional.cuba_aelif_integration` with
    ``c_mem = membrane_capacitance.model_value`` and ``g_l = c_mem / tau_mem.model_value``, so
    the default capacitance (model 10 µs, hardware 63 LSB) gives the input gain ``dt / 10 µs``
    whatever ``tau_mem`` is (spec §15.2).

    Args:
        size: number of neurons N.
        experiment: the :class:`~hxstudio.backend.Experiment`.
        leak, reset, threshold: potentials; hardware value in CADC LSB. Defaults: 80, 80, 125.
        tau_mem, tau_syn: time constants in s. Default: ``10e-6`` each.
        i_synin_gm: synaptic input bias in CapMem LSB (hardware only). Default: 500.
        membrane_capacitance: hardware value in CapMem LSB (0–63), model value in the units of
            ``tau_mem``. Default: ``HXTransformedModelParameter(10e-6, capacitance_to_hardware)``.
        refractory_time: refractory period in s. Default: ``1e-6`` (one silent step).
        synapse_dac_bias: CapMem LSB (hardware only). Default: 600.
        holdoff_time: extra reset hold in s (hardware only). Default: 0.
        method, alpha: surrogate gradient and its steepness. Default: ``"superspike"``, 50.
        exponential_slope, exponential_threshold: Δ_T and V_T. Default: ``50e-3``, 110.
        subthreshold_adaptation_strength, spike_triggered_adaptation_increment: a and b.
            Default: 1, 1.
        clock_scale_adaptation_pulse: hardware pulse length setting. Default: ``(5, 5)``.
        tau_adap: adaptation time constant in s. Default: ``100e-6``.
        leak_adaptation: hardware adaptation leak; ``None`` means ``leak``.
        execution_instance, chip_coordinate: see :class:`~hxstudio.backend.HXModule`.
        enable_spike_recording, enable_cadc_recording, enable_cadc_recording_placement_in_dram,
        cadc_readout_source, enable_madc_recording, record_neuron_id, madc_readout_source,
        placement_constraint, trace_offset, trace_scale, cadc_time_shift, shift_cadc_to_first,
        interpolation_mode, neuron_structure: hardware recording and placement (stored).
        leaky, fire, exponential, subthreshold_adaptation, spike_triggered_adaptation: model
            terms. Default: all ``True``.
        extra_params: further calibratable parameters (``e_coba_reversal``, …); unknown keys are
            ignored.

    Parameters may be plain values (wrapped as :class:`~hxstudio.backend.HXParameter`) or
    parameter objects; values are scalars or ``(N,)`` tensors.

    Shape:
        Inputs: one or more :data:`~hxstudio.backend.SynapseHandle` with ``graded_spikes``
        ``(T, B, N)``, summed. Output: a handle with ``current``, ``membrane_cadc`` ``(T, B, N)``
        and ``membrane_madc`` (``None`` in mock), plus ``spikes`` if ``fire`` and
        ``adaptation_cadc``/``adaptation_madc`` with adaptation.

    Raises:
        ValueError: ``placement_constraint`` does not have ``size`` entries.

    Source: hxtorch.spiking ``modules/neuron.py`` (spec §5.1).
    """

    output_type = _output_type(True, True)

    def __init__(
        self,
        size: int,
        experiment: Any,
        leak: ParameterType = _D["leak"],
        reset: ParameterType = _D["reset"],
        threshold: ParameterType = _D["threshold"],
        tau_mem: ParameterType = _D["tau_mem"],
        tau_syn: ParameterType = _D["tau_syn"],
        i_synin_gm: ParameterType = _D["i_synin_gm"],
        membrane_capacitance: ParameterType = _DEFAULT_CAPACITANCE,
        refractory_time: ParameterType = _D["refractory_time"],
        synapse_dac_bias: ParameterType = _D["synapse_dac_bias"],
        holdoff_time: ParameterType = _D["holdoff_time"],
        method: str = "superspike",
        alpha: float = 50.,
        exponential_slope: ParameterType = 50e-3,
        exponential_threshold: ParameterType = 110.,
        subthreshold_adaptation_strength: ParameterType = 1.,
        spike_triggered_adaptation_increment: ParameterType = 1.,
        clock_scale_adaptation_pulse: Any = (5, 5),
        tau_adap: ParameterType = 100e-6,
        leak_adaptation: Optional[ParameterType] = None,
        execution_instance: Optional[Any] = None,
        chip_coordinate: Optional[Any] = None,
        enable_spike_recording: bool = True,
        enable_cadc_recording: bool = True,
        enable_cadc_recording_placement_in_dram: bool = False,
        cadc_readout_source: ReadoutSource = ReadoutSource.VOLTAGE,
        enable_madc_recording: bool = False,
        record_neuron_id: Optional[int] = None,
        madc_readout_source: ReadoutSource = ReadoutSource.VOLTAGE,
        placement_constraint: Optional[Any] = None,
        trace_offset: Any = 0.,
        trace_scale: Any = 1.,
        cadc_time_shift: int = 0,
        shift_cadc_to_first: bool = False,
        interpolation_mode: str = "linear",
        neuron_structure: Optional[Any] = None,
        leaky: bool = True,
        fire: bool = True,
        exponential: bool = True,
        subthreshold_adaptation: bool = True,
        spike_triggered_adaptation: bool = True,
        **extra_params: Any,
    ):
        if placement_constraint is not None and len(placement_constraint) != size:
            raise ValueError("The number of neurons in logical neurons in `placement_constraint` "
                             "does not equal the `size` of the module.")
        if membrane_capacitance is _DEFAULT_CAPACITANCE:
            membrane_capacitance = copy.deepcopy(_DEFAULT_CAPACITANCE)
        self.output_type = _output_type(fire, subthreshold_adaptation or spike_triggered_adaptation)
        super().__init__(
            size, experiment, execution_instance, chip_coordinate,
            leak=leak, reset=reset, threshold=threshold, tau_mem=tau_mem, tau_syn=tau_syn,
            i_synin_gm=i_synin_gm, membrane_capacitance=membrane_capacitance,
            refractory_time=refractory_time, synapse_dac_bias=synapse_dac_bias,
            holdoff_time=holdoff_time, exponential_slope=exponential_slope,
            exponential_threshold=exponential_threshold,
            subthreshold_adaptation_strength=subthreshold_adaptation_strength,
            spike_triggered_adaptation_increment=spike_triggered_adaptation_increment,
            tau_adap=tau_adap, leak_adaptation=leak_adaptation, **extra_params)
        self.method = method
        self.alpha = alpha
        self.clock_scale_adaptation_pulse = clock_scale_adaptation_pulse
        self.enable_spike_recording = enable_spike_recording
        self.enable_cadc_recording = enable_cadc_recording
        self.enable_cadc_recording_placement_in_dram = enable_cadc_recording_placement_in_dram
        self.cadc_readout_source = cadc_readout_source
        self.enable_madc_recording = enable_madc_recording
        self.record_neuron_id = record_neuron_id
        self.madc_readout_source = madc_readout_source
        self.placement_constraint = placement_constraint
        self.trace_offset = trace_offset
        self.trace_scale = trace_scale
        self.cadc_time_shift = cadc_time_shift
        self.shift_cadc_to_first = shift_cadc_to_first
        self.interpolation_mode = interpolation_mode
        self.neuron_structure = neuron_structure
        self.leaky = leaky
        self.fire = fire
        self.exponential = exponential
        self.subthreshold_adaptation = subthreshold_adaptation
        self.spike_triggered_adaptation = spike_triggered_adaptation
        #: ``(N,)`` bool spike-output mask set by a following BatchDropout (no effect in mock).
        self.mask: Optional[torch.Tensor] = None
        self._check_parameters()

    def _step_code(self, hw_data: Any, refractory: bool) -> str:
        voltage = getattr(hw_data, "voltage", None)
        adaptation = getattr(hw_data, "adaptation", None)
        return CuBaStepCode(
            leaky=self.leaky, fire=self.fire, refractory=refractory, exponential=self.exponential,
            subthreshold_adaptation=self.subthreshold_adaptation,
            spike_triggered_adaptation=self.spike_triggered_adaptation,
            hw_voltage_trace_available=getattr(voltage, "cadc", None) is not None,
            hw_adaptation_trace_available=getattr(adaptation, "cadc", None) is not None,
            hw_spikes_available=getattr(hw_data, "spikes", None) is not None,
        ).generate()

    def _check_parameters(self) -> None:
        """Raise :class:`~hxstudio.backend.errors.ParameterValueError` for impossible values."""
        where = self.describe()
        for field in ("tau_mem", "tau_syn", "membrane_capacitance"):
            check_positive(where, field, getattr(self, field).model_value)
        if self.subthreshold_adaptation or self.spike_triggered_adaptation:
            check_positive(where, "tau_adap", self.tau_adap.model_value)
        check_non_negative(where, "refractory_time", self.refractory_time.model_value)

    def _graded_inputs(self, inputs) -> tuple:
        """The ``graded_spikes`` of ``inputs``, checked to be ``(T, B, size)`` with equal T, B."""
        where = self.describe()
        if not inputs:
            raise ValueError(f"{where}: needs at least one input handle, got none")
        graded = []
        for k, handle in enumerate(inputs):
            if getattr(handle, "graded_spikes", None) is None:
                raise ValueError(
                    f"{where}: input {k} ({type(handle).__name__}) holds no graded_spikes; "
                    "neurons take the output of a Synapse")
            graded.append(check_time_major(
                where, f"input {k} graded_spikes", handle.graded_spikes, self.size,
                like=graded[0].shape[:2] if graded else None))
        return tuple(graded)

    def _is_refractory(self) -> bool:
        value = self.refractory_time.model_value
        if isinstance(value, torch.Tensor):
            return bool(value.detach().ne(0).any())
        return value is not None and value != 0

    def forward_func(self, *inputs: HandleBase, hw_data: Any = None,
                     state: Any = None) -> HandleBase:
        """Integrate the summed ``graded_spikes`` of ``inputs`` (spec §5.1).

        Args:
            inputs: handles with ``graded_spikes`` ``(T, B, N)``.
            hw_data: recorded data to inject, or ``None`` (mock).
            state: ``None``, or a :class:`~hxstudio.backend.functional.CuBaState` carried from
                one call to the next (chunked runs, :mod:`hxstudio.backend.stream`).
        Raises:
            ValueError: no input, or an input without ``graded_spikes`` (neurons take the output
                of a Synapse).
            ShapeError: an input is not ``(T, B, size)``, or inputs differ in T or B.
            ParameterValueError: ``tau_mem``, ``tau_syn``, ``membrane_capacitance`` (or
                ``tau_adap`` with adaptation) not > 0, or a negative ``refractory_time``.
        Warns:
            UserWarning: a refractory time is set on a non-firing population; it is ignored.
        """
        graded = self._graded_inputs(inputs)
        self._check_parameters()
        refractory = self._is_refractory()
        if refractory and not self.fire:
            warnings.warn("Refractory period is not applicable due to specified non-spiking "
                          "behaviour.", UserWarning)
            refractory = False
        c_mem = self.membrane_capacitance.model_value
        membrane, membrane_madc, current, adaptation, adaptation_madc, spikes = \
            cuba_aelif_integration(
                graded[0] if len(graded) == 1 else graded,
                leak=self.leak.model_value,
                reset=self.reset.model_value,
                threshold=self.threshold.model_value,
                tau_syn=self.tau_syn.model_value,
                c_mem=c_mem,
                g_l=c_mem / self.tau_mem.model_value,
                refractory_time=self.refractory_time.model_value,
                method=self.method,
                alpha=self.alpha,
                exp_slope=self.exponential_slope.model_value,
                exp_threshold=self.exponential_threshold.model_value,
                subthreshold_adaptation_strength=self.subthreshold_adaptation_strength.model_value,
                spike_triggered_adaptation_increment=(
                    self.spike_triggered_adaptation_increment.model_value),
                tau_adap=self.tau_adap.model_value,
                integration_step_code=self._step_code(hw_data, refractory),
                hw_data=hw_data,
                dt=self.experiment.dt,
                leaky=self.leaky,
                fire=self.fire,
                refractory=refractory,
                exponential=self.exponential,
                subthreshold_adaptation=self.subthreshold_adaptation,
                spike_triggered_adaptation=self.spike_triggered_adaptation,
                state=state,
            )
        values = dict(current=current, membrane_cadc=membrane, membrane_madc=membrane_madc)
        if self.fire:
            values["spikes"] = spikes
        if self.subthreshold_adaptation or self.spike_triggered_adaptation:
            values.update(adaptation_cadc=adaptation, adaptation_madc=adaptation_madc)
        return self.output_type(**values)

    def extra_repr(self) -> str:
        flags = [f for f in ("leaky", "fire", "exponential", "subthreshold_adaptation",
                             "spike_triggered_adaptation") if getattr(self, f)]
        return f"size={self.size}, flags={'+'.join(flags) or 'none'}"


class LIF(AELIF):
    """Leaky integrate-and-fire population: :class:`AELIF` with ``leaky=True, fire=True`` and no
    exponential term or adaptation.

    Arguments as in :class:`AELIF`. The default ``refractory_time`` of 1 µs keeps a neuron silent
    and at reset for one step after each spike.

    Shape:
        Input: one or more :data:`~hxstudio.backend.SynapseHandle` ``(T, B, N)``.
        Output: :data:`~hxstudio.backend.LIFObservables` with ``spikes``, ``membrane_cadc`` and
        ``current`` ``(T, B, N)``; ``membrane_madc`` is ``None`` in mock.

    Source: hxtorch.spiking ``modules/neuron.py`` (spec §5.2).

    Example:
        >>> import hxstudio.backend as hxsnn
        >>> exp = hxsnn.Experiment(mock=True)
        >>> syn, lif = hxsnn.Synapse(2, 3, exp), hxsnn.LIF(3, exp)
        >>> out = lif(syn(hxsnn.LIFObservables(spikes=torch.zeros(5, 1, 2))))
        >>> out.spikes is None
        True
        >>> hxsnn.run(exp, None); out.spikes.shape
        torch.Size([5, 1, 3])
    """

    output_type = LIFObservables

    def __init__(
        self,
        size: int,
        experiment: Any,
        leak: ParameterType = _D["leak"],
        reset: ParameterType = _D["reset"],
        threshold: ParameterType = _D["threshold"],
        tau_mem: ParameterType = _D["tau_mem"],
        tau_syn: ParameterType = _D["tau_syn"],
        i_synin_gm: ParameterType = _D["i_synin_gm"],
        membrane_capacitance: ParameterType = _DEFAULT_CAPACITANCE,
        refractory_time: ParameterType = _D["refractory_time"],
        synapse_dac_bias: ParameterType = _D["synapse_dac_bias"],
        holdoff_time: ParameterType = _D["holdoff_time"],
        method: str = "superspike",
        alpha: float = 50.,
        execution_instance: Optional[Any] = None,
        enable_spike_recording: bool = True,
        enable_cadc_recording: bool = True,
        enable_cadc_recording_placement_in_dram: bool = False,
        enable_madc_recording: bool = False,
        record_neuron_id: Optional[int] = None,
        placement_constraint: Optional[Any] = None,
        trace_offset: Any = 0.,
        trace_scale: Any = 1.,
        cadc_time_shift: int = 0,
        shift_cadc_to_first: bool = False,
        interpolation_mode: str = "linear",
        neuron_structure: Optional[Any] = None,
        **extra_params: Any,
    ):
        super().__init__(
            size, experiment, leak=leak, reset=reset, threshold=threshold, tau_mem=tau_mem,
            tau_syn=tau_syn, i_synin_gm=i_synin_gm, membrane_capacitance=membrane_capacitance,
            refractory_time=refractory_time, synapse_dac_bias=synapse_dac_bias,
            holdoff_time=holdoff_time, method=method, alpha=alpha,
            execution_instance=execution_instance,
            enable_spike_recording=enable_spike_recording,
            enable_cadc_recording=enable_cadc_recording,
            enable_cadc_recording_placement_in_dram=enable_cadc_recording_placement_in_dram,
            enable_madc_recording=enable_madc_recording, record_neuron_id=record_neuron_id,
            placement_constraint=placement_constraint, trace_offset=trace_offset,
            trace_scale=trace_scale, cadc_time_shift=cadc_time_shift,
            shift_cadc_to_first=shift_cadc_to_first, interpolation_mode=interpolation_mode,
            neuron_structure=neuron_structure, leaky=True, fire=True, exponential=False,
            subthreshold_adaptation=False, spike_triggered_adaptation=False, **extra_params)


class LI(AELIF):
    """Leaky integrator (readout without spikes): :class:`AELIF` with ``leaky=True, fire=False``,
    ``refractory_time=0`` and spike recording off.

    Arguments as in :class:`AELIF`; ``reset`` and ``threshold`` may still be given through
    ``extra_params`` (used for calibration only). Note that the default capacitance makes the
    input gain ``dt / 10 µs`` independent of ``tau_mem`` (spec §15.2).

    Shape:
        Inputs: one or more :data:`~hxstudio.backend.SynapseHandle` ``(T, B, N)``, summed.
        Output: :data:`~hxstudio.backend.LIObservables` with ``membrane_cadc`` and ``current``
        ``(T, B, N)``; ``membrane_madc`` is ``None`` in mock.

    Source: hxtorch.spiking ``modules/neuron.py`` (spec §5.3).
    """

    output_type = LIObservables

    def __init__(
        self,
        size: int,
        experiment: Any,
        leak: ParameterType = _D["leak"],
        tau_mem: ParameterType = _D["tau_mem"],
        tau_syn: ParameterType = _D["tau_syn"],
        i_synin_gm: ParameterType = _D["i_synin_gm"],
        membrane_capacitance: ParameterType = _DEFAULT_CAPACITANCE,
        synapse_dac_bias: ParameterType = _D["synapse_dac_bias"],
        execution_instance: Optional[Any] = None,
        enable_cadc_recording: bool = True,
        enable_cadc_recording_placement_in_dram: bool = False,
        enable_madc_recording: bool = False,
        record_neuron_id: Optional[int] = None,
        placement_constraint: Optional[Any] = None,
        trace_offset: Any = 0.,
        trace_scale: Any = 1.,
        cadc_time_shift: int = 0,
        shift_cadc_to_first: bool = False,
        interpolation_mode: str = "linear",
        neuron_structure: Optional[Any] = None,
        **extra_params: Any,
    ):
        super().__init__(
            size, experiment, leak=leak, tau_mem=tau_mem, tau_syn=tau_syn,
            i_synin_gm=i_synin_gm, membrane_capacitance=membrane_capacitance,
            refractory_time=0., synapse_dac_bias=synapse_dac_bias,
            execution_instance=execution_instance, enable_spike_recording=False,
            enable_cadc_recording=enable_cadc_recording,
            enable_cadc_recording_placement_in_dram=enable_cadc_recording_placement_in_dram,
            enable_madc_recording=enable_madc_recording, record_neuron_id=record_neuron_id,
            placement_constraint=placement_constraint, trace_offset=trace_offset,
            trace_scale=trace_scale, cadc_time_shift=cadc_time_shift,
            shift_cadc_to_first=shift_cadc_to_first, interpolation_mode=interpolation_mode,
            neuron_structure=neuron_structure, leaky=True, fire=False, exponential=False,
            subthreshold_adaptation=False, spike_triggered_adaptation=False, **extra_params)
