"""The one integrator behind AELIF, LIF and LI: current-based adaptive exponential IF (spec §6.1).

:class:`CuBaStepCode` writes the Python source of one time step for a set of flags;
:func:`cuba_aelif_integration` compiles it once and executes it for every step.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, List, Optional, Sequence, Tuple, Union

import torch

from . import fused
from .refractory import refractory_update
from .state import CuBaState
from .superspike import threshold as threshold_function
from .unterjubel import Unterjubel

__all__ = ["CuBaStepCode", "cuba_aelif_integration"]

_CODE_NAME = "<integration_step_code>"


@dataclasses.dataclass
class CuBaStepCode:
    """Generator of the source code of one integration step (spec §6.1, steps 1–7).

    Each flag switches one term or stage; the ``hw_*`` flags make the step inject recorded traces
    with :class:`~hxstudio.backend.functional.unterjubel.Unterjubel`. The code reads and writes the
    names ``v``, ``i``, ``z``, ``w``, ``r`` (state), ``x`` (input of the step), ``v_hw``, ``w_hw``,
    ``z_hw`` (recorded values of the step or ``None``), the keyword arguments of
    :func:`cuba_aelif_integration` and the helpers ``torch``, ``threshold_function``,
    ``Unterjubel`` and ``refractory_update``.

    Example:
        >>> print(CuBaStepCode().generate())
        dv = dt / c_mem * (i + g_l * (leak - v))
        i = i * (1 - dt / tau_syn) + x
        v = v + dv
        z = threshold_function(v - threshold, method, alpha)
        v = (1 - z.detach()) * v + z.detach() * reset
    """

    leaky: bool = True
    fire: bool = True
    refractory: bool = False
    exponential: bool = False
    subthreshold_adaptation: bool = False
    spike_triggered_adaptation: bool = False
    hw_voltage_trace_available: bool = False
    hw_adaptation_trace_available: bool = False
    hw_spikes_available: bool = False

    def generate(self) -> str:
        """Return the step as Python source, one statement per line (no trailing newline)."""
        adaptation = self.subthreshold_adaptation or self.spike_triggered_adaptation
        drive = "i"
        if self.leaky:
            drive += " + g_l * (leak - v)"
        if self.exponential:
            drive += " + g_l * exp_slope * torch.exp((v - exp_threshold) / exp_slope)"
        if adaptation:
            drive += " - w"
        lines = [
            f"dv = dt / c_mem * ({drive})",
            "i = i * (1 - dt / tau_syn) + x",
            "v = Unterjubel.apply(v + dv, v_hw)" if self.hw_voltage_trace_available
            else "v = v + dv",
        ]
        if self.fire:
            lines.append("z = threshold_function(v - threshold, method, alpha)")
            if self.hw_spikes_available:
                lines.append("z = Unterjubel.apply(z, z_hw)")
        if adaptation:
            update = "w = w * (1 - dt / tau_adap)"
            if self.subthreshold_adaptation:
                update += " + dt / tau_adap * subthreshold_adaptation_strength * (v - leak)"
            if self.spike_triggered_adaptation:
                update += " + spike_triggered_adaptation_increment * z"
            lines.append(update)
            if self.hw_adaptation_trace_available:
                lines.append("w = Unterjubel.apply(w, w_hw)")
        if self.fire and not self.hw_voltage_trace_available:
            lines.append("v = (1 - z.detach()) * v + z.detach() * reset")
        if self.refractory:
            spikes_hw = "z_hw" if self.hw_spikes_available else "None"
            membrane_hw = "v_hw" if self.hw_voltage_trace_available else "None"
            lines.append(f"z, v, r = refractory_update(z, v, r, {spikes_hw}, {membrane_hw}, "
                         "reset=reset, refractory_time=refractory_time, dt=dt)")
        return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def _default_code(leaky: bool, fire: bool, refractory: bool) -> str:
    return CuBaStepCode(leaky=leaky, fire=fire, refractory=refractory).generate()


def _step_error(code: str, lineno: Optional[int], error: BaseException) -> RuntimeError:
    lines = code.splitlines()
    text = lines[lineno - 1].strip() if lineno and 0 < lineno <= len(lines) else ""
    return RuntimeError(
        "An error occured while executing the code of the integration step.\n"
        f"In line {lineno} (\"{text}\") in integration_step_code, following error occured:\n"
        f"{error}")


def _error_line(error: BaseException) -> Optional[int]:
    """1-based line of the innermost traceback frame inside the step code."""
    lineno, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _CODE_NAME:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _trace(hw_data: Any, name: str) -> Tuple[Optional[torch.Tensor], Optional[torch.Tensor]]:
    """``(cadc, madc)`` of the AnalogObservable ``hw_data.<name>``, ``None`` where absent."""
    observable = getattr(hw_data, name, None)
    if observable is None:
        return None, None
    return observable.cadc, observable.madc


def sum_inputs(inputs: Sequence[torch.Tensor]) -> torch.Tensor:
    """``x_1 + x_2 + …`` added left to right, so every element is summed in the same order
    whatever the length T (a stacked ``sum(0)`` may reorder the additions with the shape)."""
    inputs = tuple(inputs)
    total = inputs[0]
    for x in inputs[1:]:
        total = total + x
    return total


def _steps(series: Optional[torch.Tensor], length: int) -> Sequence[Optional[torch.Tensor]]:
    return [None] * length if series is None else series[:length].unbind(0)


def cuba_aelif_integration(
    input: Union[torch.Tensor, Sequence[torch.Tensor]],
    *,
    leak,
    reset,
    threshold,
    tau_syn,
    c_mem,
    g_l,
    refractory_time,
    method: str,
    alpha,
    exp_slope,
    exp_threshold,
    subthreshold_adaptation_strength,
    spike_triggered_adaptation_increment,
    tau_adap,
    integration_step_code: str,
    hw_data: Any = None,
    dt: float = 1e-6,
    leaky: bool = True,
    fire: bool = True,
    refractory: bool = False,
    exponential: bool = False,
    subthreshold_adaptation: bool = False,
    spike_triggered_adaptation: bool = False,
    state: Optional[CuBaState] = None,
) -> Tuple[torch.Tensor, Optional[torch.Tensor], torch.Tensor, torch.Tensor,
           Optional[torch.Tensor], torch.Tensor]:
    r"""Integrate a current-based adaptive exponential integrate-and-fire population over T steps.

    Initial state: ``i = z = w = r = 0``; ``v = E_L`` if ``leaky`` or ``subthreshold_adaptation``,
    else 0. For ``t = 0 … T-1``, in this order (bracketed terms only when their flag is on)::

        1. dv = dt/C · ( i + [g_L (E_L - v)] + [g_L Δ_T exp((v - V_T)/Δ_T)] - [w] )
        2. i  = i (1 - dt/τ_syn) + x_t            (explicit Euler: x_t enters undecayed)
        3. v  = v + dv                           (or Unterjubel(v + dv, V_hw[t]))
        4. z  = Θ(v - ϑ)                          if fire; strict: v == ϑ does not spike
                                                 (then Unterjubel(z, Z_hw[t]))
        5. w  = w (1 - dt/τ_w) + [dt/τ_w · a (v - E_L)] + [b z]   if an adaptation flag is on
                                                 (then Unterjubel(w, W_hw[t]))
        6. v  = (1 - sg(z)) v + sg(z) V_r          if fire and no recorded voltage
        7. refractory_update(z, v, r)            if refractory (spec §6.3)

    so an input at step t first moves ``v`` at step t+1 (one-step synaptic delay), and the stored
    membrane of a spike step equals V_r. With C = τ_mem (g_L = 1) step 1 is the textbook
    ``dv = dt/τ_mem (E_L - v + i)``.

    Symbols: x input, i synaptic current, v membrane, z spikes, w adaptation, r refractory counter
    (steps); C = ``c_mem``, g_L = ``g_l``, E_L = ``leak``, ϑ = ``threshold``, V_r = ``reset``,
    Δ_T = ``exp_slope``, V_T = ``exp_threshold``, a = ``subthreshold_adaptation_strength``,
    b = ``spike_triggered_adaptation_increment``, τ_w = ``tau_adap``; Θ is the Heaviside step
    with the surrogate gradient ``method`` (``threshold``), sg the stop-gradient.

    Args:
        input: graded spikes ``(T, B, N)``, or a sequence of them, which is summed.
        leak, reset, threshold, exp_threshold: potentials (model values), scalar or ``(N,)``.
        tau_syn, tau_adap: time constants in s, scalar or ``(N,)``.
        c_mem: membrane capacitance in the units of ``tau_mem`` (model value: C = g_L τ_mem).
        g_l: leak conductance ``c_mem / tau_mem``; ``None`` means 1.
        refractory_time: refractory period in s; used only if ``refractory``.
        method, alpha: surrogate gradient and its steepness (``threshold``).
        exp_slope: Δ_T, same units as the potentials.
        subthreshold_adaptation_strength, spike_triggered_adaptation_increment: a and b.
        integration_step_code: source of one step, from ``CuBaStepCode(...).generate()``.
        hw_data: recorded data ``Handle(voltage=AnalogObservable, adaptation=AnalogObservable,
            spikes=(T', B, N))`` or ``None``. Present traces are injected; T becomes the minimum
            of the input and recorded lengths.
        dt: step in s. Default: ``1e-6`` (1 µs of hardware time).
        leaky, fire, refractory, exponential, subthreshold_adaptation,
            spike_triggered_adaptation: which terms and stages the model has (keep them equal to
            the flags the step code was generated with).
        state: ``None`` (default: start from the initial state above, keep nothing), or a
            :class:`~hxstudio.backend.functional.state.CuBaState` to start from (an empty one
            means the initial state above) that receives the state after the last step. Calling
            with ``x[:k]`` and then ``x[k:]`` and one state gives the outputs of one call with
            ``x``, bit for bit (chunked runs, :mod:`hxstudio.backend.stream`).
    Returns:
        ``(membrane, membrane_madc, current, adaptation, adaptation_madc, spikes)``: four
        ``(T, B, N)`` tensors and the two MADC recordings of ``hw_data`` passed through (or
        ``None``). ``spikes`` stays zero without ``fire``, ``adaptation`` without adaptation.
    Note:
        For the default step code of LIF (``leaky``, ``fire``, optionally ``refractory``) and LI
        (``leaky`` only), without ``hw_data`` and with parameters that need no gradient (and,
        with a ``state``, an input that needs none either), the steps run in one compiled loop with a hand-written backward
        (:mod:`~hxstudio.backend.functional.fused`); the numbers are the same. Any other step
        code (custom, hardware injection, exponential, adaptation) is executed with ``exec``.
    Raises:
        RuntimeError: ``"An error occured while executing the code of the integration step.\n
            In line <n> ("<line>") in integration_step_code, following error occured:\n<error>"``
            with ``n`` the 1-based line within the step code.
    Source:
        hxtorch.spiking ``functional/aelif.py`` (spec §6.1); Brette & Gerstner, J. Neurophysiol.
        2005.

    Example:
        >>> x = torch.zeros(30, 1, 1); x[10] = 1.
        >>> v, _, i, _, _, z = cuba_aelif_integration(
        ...     x, leak=0., reset=0., threshold=1., tau_syn=10e-6, c_mem=10e-6, g_l=1.,
        ...     refractory_time=0., method="superspike", alpha=50., exp_slope=None,
        ...     exp_threshold=None, subthreshold_adaptation_strength=None,
        ...     spike_triggered_adaptation_increment=None, tau_adap=None,
        ...     integration_step_code=CuBaStepCode().generate())
        >>> v.shape, round(v.max().item(), 5), int(z.sum())
        (torch.Size([30, 1, 1]), 0.38742, 0)
    """
    if not isinstance(input, torch.Tensor):
        input = sum_inputs(input)
    v_hw, membrane_madc = _trace(hw_data, "voltage")
    w_hw, adaptation_madc = _trace(hw_data, "adaptation")
    z_hw = getattr(hw_data, "spikes", None)
    steps = min(len(s) for s in (input, v_hw, w_hw, z_hw) if s is not None)
    if (leaky or exponential) and g_l is None:
        g_l = 1.

    if (hw_data is None and leaky and not (exponential or subthreshold_adaptation
                                           or spike_triggered_adaptation)
            and integration_step_code == _default_code(leaky, fire, refractory)
            and (state is None or not (torch.is_grad_enabled()
                                       and (input.requires_grad or state.requires_grad())))
            and fused.fused_applicable(
                input, leak=leak, reset=reset, threshold=threshold, tau_syn=tau_syn,
                c_mem=c_mem, g_l=g_l, refractory_time=refractory_time, method=method,
                alpha=alpha, dt=dt, fire=fire, refractory=refractory)):
        membrane, current, spikes = fused.fused_cuba_integration(
            input, leak=leak, reset=reset, threshold=threshold, tau_syn=tau_syn, c_mem=c_mem,
            g_l=g_l, refractory_time=refractory_time, alpha=alpha, dt=dt, fire=fire,
            refractory=refractory, state=state)
        return membrane, None, current, torch.zeros(()).expand(membrane.shape), None, spikes

    zeros = torch.zeros_like(input[0])
    start = dict(i=zeros, z=zeros, w=zeros, r=zeros,
                 v=zeros + leak if (leaky or subthreshold_adaptation) else zeros)
    if state is not None and state.started:
        start = dict(v=state.v, i=state.i, z=state.z, w=state.w, r=state.r)
    namespace = dict(
        torch=torch, threshold_function=threshold_function, Unterjubel=Unterjubel,
        refractory_update=refractory_update,
        leak=leak, reset=reset, threshold=threshold, tau_syn=tau_syn, c_mem=c_mem, g_l=g_l,
        refractory_time=refractory_time, method=method, alpha=alpha, exp_slope=exp_slope,
        exp_threshold=exp_threshold,
        subthreshold_adaptation_strength=subthreshold_adaptation_strength,
        spike_triggered_adaptation_increment=spike_triggered_adaptation_increment,
        tau_adap=tau_adap, dt=dt, **start,
    )
    try:
        code = compile(integration_step_code, _CODE_NAME, "exec")
    except SyntaxError as error:
        raise _step_error(integration_step_code, error.lineno, error) from error

    membrane: List[torch.Tensor] = []
    current: List[torch.Tensor] = []
    adaptation: List[torch.Tensor] = []
    spikes: List[torch.Tensor] = []
    for x, v_t, w_t, z_t in zip(input[:steps].unbind(0), _steps(v_hw, steps),
                                _steps(w_hw, steps), _steps(z_hw, steps)):
        namespace.update(x=x, v_hw=v_t, w_hw=w_t, z_hw=z_t)
        try:
            exec(code, namespace)
        except Exception as error:
            raise _step_error(integration_step_code, _error_line(error), error) from error
        membrane.append(namespace["v"])
        current.append(namespace["i"])
        adaptation.append(namespace["w"])
        spikes.append(namespace["z"])
    if state is not None:
        state.v, state.i, state.z, state.w, state.r = (
            namespace[name] for name in ("v", "i", "z", "w", "r"))

    return (torch.stack(membrane), membrane_madc, torch.stack(current), torch.stack(adaptation),
            adaptation_madc, torch.stack(spikes))
