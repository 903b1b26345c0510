"""Compiled fast paths of the mock: the LIF/LI time loop and event-driven projections.

:func:`~hxstudio.backend.functional.cuba_aelif_integration` executes its step code once per time
step with ``exec``; every step costs a dozen PyTorch dispatches, and autograd records a node for
each of them. For the two models users run most, LIF (``leaky``, ``fire``, optionally
``refractory``) and LI (``leaky`` only), this module computes the same numbers with one compiled
loop over ``(T, B, N)`` (numba, no Python per step), and supplies the gradient with respect to the
input through :class:`FusedCuBaFunction`, whose backward is one compiled reverse-time loop (the
adjoint of the step equations). The equations are those of ``cuba_aelif_integration`` (spec §6.1);
they are not repeated here.

Numerics: every float operation is done in float32 in the order of the reference step code, and
the backward accumulates gradient contributions in the order PyTorch's autograd engine does, so
forward values and gradients agree with the reference path to float32 rounding (the tests check
``1e-6``). Gradients flow only to the input; the fast path is therefore taken only when no neuron
parameter requires a gradient (see :func:`fused_applicable`).

The second fast path is :func:`event_linear`, used by
:func:`~hxstudio.backend.functional.linear` for mostly-zero inputs (spikes): each output row sums
only the weight columns of the inputs that are non-zero, as BSS-2 does with one synapse-row event
per spike; with a few per cent of inputs active it needs a fraction of a dense matmul's work.

Both are used automatically where they apply; :func:`disabled` turns them off (the benchmark and
the tests use it to run the reference path).

Why numba and not TorchScript: a TorchScript loop still dispatches one kernel per operation and
step; on a 2-core machine it took 129 ms for one 256-neuron LIF layer over 1000 steps at batch 1,
against well under 1 ms for the compiled loop. numba is optional: without it every call takes the
reference path (``AVAILABLE`` is ``False``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional, Tuple

import numpy as np
import torch


__all__ = ["AVAILABLE", "EventLinearFunction", "FusedCuBaFunction", "disabled",
           "event_linear", "is_disabled", "event_linear_applicable", "fused_applicable",
           "fused_cuba_integration"]

#: Largest fraction of non-zero inputs for which :func:`event_linear` beats a dense matmul.
EVENT_DENSITY_LIMIT = 0.2

#: Whether the compiled loops can be used (numba is installed; it is imported on first use).
AVAILABLE = importlib.util.find_spec("numba") is not None

#: Element updates per worker thread below which a loop runs in the calling thread only.
_MIN_WORK_PER_THREAD = 4_000_000
_POOL: Optional[ThreadPoolExecutor] = None
_POOL_LOCK = threading.Lock()

_LOCAL = threading.local()

_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)


@contextlib.contextmanager
def disabled():
    """Within this block (in this thread) every integration takes the reference ``exec`` path.

    Example:
        >>> with disabled():
        ...     fused_applicable(torch.zeros(3, 1, 2), leak=0., reset=0., threshold=1.,
        ...                      tau_syn=1e-5, c_mem=1e-5, g_l=1., refractory_time=0.,
        ...                      method="superspike", alpha=50., dt=1e-6, fire=True,
        ...                      refractory=False)
        False
    """
    previous = is_disabled()
    _LOCAL.disabled = True
    try:
        yield
    finally:
        _LOCAL.disabled = previous


def is_disabled() -> bool:
    """Whether :func:`disabled` is active in this thread."""
    return getattr(_LOCAL, "disabled", False)


_COMPILED: dict = {}


def _njit(function):
    """Compile ``function`` with numba on its first call (keeps ``import`` light)."""
    name = function.__name__

    def call(*args):
        compiled = _COMPILED.get(name)
        if compiled is None:
            import numba
            compiled = _COMPILED[name] = numba.njit(
                cache=True, nogil=True, error_model="numpy")(function)
        return compiled(*args)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = function.__doc__
    call.py_func = function
    return call


@_njit
def _forward_kernel(x, leak, reset, threshold, k, g_l, decay, n_ref, fire, v, i, r, b_start,
                    b_stop, membrane, current, spikes):
    """Forward loop over batch entries ``b_start … b_stop-1`` (see the module docstring).

    Time is the outer loop, so memory is read and written in order. ``v``, ``i``, ``r``
    ``(B, N)`` hold the membrane, current and refractory counter before the first step and are
    overwritten with those after the last one. The counter stays 0 when ``n_ref`` is 0, which
    makes the LIF non-refractory. All arrays float32.
    """
    steps, _, size = x.shape
    count = b_stop - b_start
    for t in range(steps):
        for b in range(count):
            row = b_start + b
            x_t, m_t, c_t, s_t = x[t, row], membrane[t, row], current[t, row], spikes[t, row]
            v_b, i_b, r_b = v[row], i[row], r[row]
            if not fire:
                for n in range(size):
                    vn = v_b[n]
                    dv = k[n] * (i_b[n] + g_l[n] * (leak[n] - vn))
                    i_new = i_b[n] * decay[n] + x_t[n]
                    vn = vn + dv
                    v_b[n] = vn
                    i_b[n] = i_new
                    m_t[n] = vn
                    c_t[n] = i_new
                    s_t[n] = _ZERO
                continue
            for n in range(size):
                vn = v_b[n]
                rn = r_b[n]
                dv = k[n] * (i_b[n] + g_l[n] * (leak[n] - vn))
                i_new = i_b[n] * decay[n] + x_t[n]
                u = vn + dv
                spike = u - threshold[n] > _ZERO
                held = rn > _ZERO
                vn = reset[n] if (spike | held) else u
                fired = spike & (rn <= _ZERO)
                r_next = max(rn - (_ONE if held else _ZERO), _ZERO)
                r_b[n] = n_ref[n] if fired else r_next
                v_b[n] = vn
                i_b[n] = i_new
                m_t[n] = vn
                c_t[n] = i_new
                s_t[n] = _ONE if fired else _ZERO
    return None


@_njit
def _backward_kernel(grad_membrane, grad_current, grad_spikes, has_grad, membrane, current,
                     spikes, leak, threshold, k, g_l, decay, held_steps, alpha, fire, b_start,
                     b_stop, grad_input):
    """Reverse-time adjoint loop over batch entries ``b_start … b_stop-1``.

    With ``λu`` the gradient of the pre-reset membrane of step ``t+1`` and ``λi`` that of the
    current of step ``t+1``, the totals of step ``t`` are accumulated in autograd's order::

        λv_t = (gV_t + λu) + -((λu k) g_L)
        λi_t = (gI_t + λi a) + λu k          (a = 1 - dt/τ_syn)
        λu_t = λv_t (1-m)(1-s) + gZ_t (1-m) / (α|u_t - ϑ| + 1)²   (fire; else λu_t = λv_t)

    and the input gradient of step ``t`` is ``λi_t``. Nothing but the outputs is saved: the
    pre-reset membrane ``u_t`` is recomputed from the stored membrane and current of step
    ``t-1`` with the forward's float32 operations (bit-identical), ``s = [u_t > ϑ]``, and the
    refractory mask ``m`` is 1 iff the neuron fired in one of the ``held_steps`` = ⌈τ_ref/dt⌉
    steps before ``t`` (that is how long the counter holds it). ``has_grad`` tells which of the
    three incoming gradients exist (a missing one is zero and its array a placeholder).
    """
    has_v, has_i, has_z = has_grad[0], has_grad[1], has_grad[2]
    steps, _, size = grad_input.shape
    count = b_stop - b_start
    lam_u = np.zeros((count, size), np.float32)
    lam_i = np.zeros((count, size), np.float32)
    longest_hold = 0
    for n in range(size):
        longest_hold = max(longest_hold, held_steps[n])
    held = np.zeros(size, np.bool_)
    v_start = np.empty(size, np.float32)
    for n in range(size):
        v_start[n] = _ZERO + leak[n]
    i_start = np.zeros(size, np.float32)
    for t in range(steps - 1, -1, -1):
        last = t == steps - 1
        for b in range(count):
            row = b_start + b
            gv_t = grad_membrane[t if has_v else 0, row if has_v else 0]
            gi_t = grad_current[t if has_i else 0, row if has_i else 0]
            gz_t = grad_spikes[t if has_z else 0, row if has_z else 0]
            out_t = grad_input[t, row]
            lu_b, li_b = lam_u[b], lam_i[b]
            for n in range(size):
                lu = lu_b[n]
                gv = gv_t[n] if has_v else _ZERO
                gi = gi_t[n] if has_i else _ZERO
                luk = lu * k[n]
                lv = (gv + lu) + -(luk * g_l[n])
                li = (gi + li_b[n] * decay[n]) + luk
                if last:
                    lv = gv
                    li = gi
                li_b[n] = li
                out_t[n] = li
                lu_b[n] = lv
            if not fire:
                continue
            # refractory mask: fired in one of the held_steps steps before t
            for n in range(size):
                held[n] = False
            for j in range(1, min(longest_hold, t) + 1):
                z_j = spikes[t - j, row]
                for n in range(size):
                    held[n] = held[n] | ((z_j[n] > _ZERO) & (j <= held_steps[n]))
            v_prev = membrane[t - 1, row] if t > 0 else v_start
            i_prev = current[t - 1, row] if t > 0 else i_start
            for n in range(size):
                vp = v_prev[n]
                u = vp + k[n] * (i_prev[n] + g_l[n] * (leak[n] - vp))
                d = u - threshold[n]
                new_lu = _ZERO if d > _ZERO else lu_b[n]
                if has_z:
                    q = alpha * abs(d) + _ONE
                    new_lu = new_lu + gz_t[n] / (q * q)
                lu_b[n] = _ZERO if held[n] else new_lu
    return None


@_njit
def _event_linear_kernel(x, weight_t, r_start, r_stop, out):
    """``out[r] = sum over n with x[r, n] != 0 of x[r, n] * weight_t[n]`` for rows in range.

    Per row: collect the non-zero inputs, then add their weight rows into a local accumulator
    (in input order) and store it once.
    """
    n_in, n_out = weight_t.shape
    acc = np.empty(n_out, np.float32)
    index = np.empty(n_in, np.int64)
    for r in range(r_start, r_stop):
        x_r = x[r]
        count = 0
        for n in range(n_in):
            if x_r[n] != _ZERO:
                index[count] = n
                count += 1
        for m in range(n_out):
            acc[m] = _ZERO
        for j in range(count):
            n = index[j]
            value = x_r[n]
            w = weight_t[n]
            for m in range(n_out):
                acc[m] += value * w[m]
        o = out[r]
        for m in range(n_out):
            o[m] = acc[m]


@_njit
def _event_grad_weight_kernel(x, grad, r_start, r_stop, grad_weight_t):
    """``grad_weight_t[n] += x[r, n] * grad[r]`` for the non-zero ``x[r, n]`` of rows in range."""
    n_in, n_out = grad_weight_t.shape
    index = np.empty(n_in, np.int64)
    for r in range(r_start, r_stop):
        x_r = x[r]
        count = 0
        for n in range(n_in):
            if x_r[n] != _ZERO:
                index[count] = n
                count += 1
        g = grad[r]
        for j in range(count):
            n = index[j]
            value = x_r[n]
            acc = grad_weight_t[n]
            for m in range(n_out):
                acc[m] += value * g[m]


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=max(1, torch.get_num_threads()),
                                       thread_name_prefix="hxstudio-fused")
        return _POOL


def _chunks(count: int, work: int):
    """``(start, stop)`` ranges splitting ``count`` items (of ``work`` updates each) over threads."""
    workers = min(torch.get_num_threads(), count, count * work // _MIN_WORK_PER_THREAD)
    if workers <= 1 or threading.current_thread().name.startswith("hxstudio-fused"):
        return [(0, count)]
    bounds = np.linspace(0, count, workers + 1).astype(np.int64)
    return [(int(lo), int(hi)) for lo, hi in zip(bounds[:-1], bounds[1:])]


def _run_batched(kernel, batch: int, *args, work: int, tails=None) -> None:
    """Call ``kernel(*head, start, stop, *tail)`` over chunks of ``batch``, in threads if worthwhile.

    The kernels release the GIL, so chunks run in parallel; each chunk writes only its own rows
    (or, with ``tails``, one tail per chunk: its own accumulator).
    """
    head, tail = args[:-1], args[-1]
    chunks = _chunks(batch, work)
    if tails is not None:
        chunks = chunks[:len(tails)]
    if len(chunks) == 1:
        kernel(*head, chunks[0][0], chunks[0][1], *(tail if tails is None else tails[0]))
        return
    futures = [_pool().submit(kernel, *head, lo, hi, *(tail if tails is None else tails[k]))
               for k, (lo, hi) in enumerate(chunks)]
    for future in futures:
        future.result()


def _per_neuron(value: Any, size: int) -> np.ndarray:
    """``value`` (number, 0-d or ``(N,)`` tensor) as a contiguous float32 ``(N,)`` array."""
    if not isinstance(value, torch.Tensor):
        return np.full(size, value, dtype=np.float32)
    tensor = value.detach().to(torch.float32)
    return np.ascontiguousarray(tensor.expand(size).numpy())


def _is_plain(value: Any, size: int) -> bool:
    """A number, or a float tensor of one element or ``(N,)`` that needs no gradient."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    if isinstance(value, torch.Tensor):
        return (value.device.type == "cpu" and value.is_floating_point()
                and not (value.requires_grad and torch.is_grad_enabled())
                and (value.numel() == 1 and value.dim() <= 1 or tuple(value.shape) == (size,)))
    return False


def fused_applicable(input: torch.Tensor, *, leak, reset, threshold, tau_syn, c_mem, g_l,
                     refractory_time, method: str, alpha, dt, fire: bool, refractory: bool) -> bool:
    """Return whether :func:`fused_cuba_integration` computes what the reference path would.

    Conditions: numba is available; ``input`` is a float32 CPU tensor ``(T, B, N)``; every
    parameter the flags use is a number or a ``(N,)``/one-element tensor that needs no gradient;
    ``method`` is ``"superspike"`` with a scalar ``alpha``. The caller checks the flags and that
    the step code is the default one.
    """
    if not AVAILABLE or is_disabled() or not isinstance(input, torch.Tensor):
        return False
    if input.dtype != torch.float32 or input.device.type != "cpu" or input.dim() != 3:
        return False
    size = input.shape[-1]
    used = [leak, tau_syn, c_mem, 1. if g_l is None else g_l, dt]
    if fire:
        used += [reset, threshold]
        if method != "superspike" or not _is_plain(alpha, 1):
            return False
    if refractory:
        if not fire:
            return False
        used.append(refractory_time)
    return all(_is_plain(value, size) for value in used)


class FusedCuBaFunction(torch.autograd.Function):
    """Autograd function over the whole LIF/LI time loop; gradients flow to ``input`` only.

    ``FusedCuBaFunction.apply(input, coefficients, fire, alpha)`` returns
    ``(membrane, current, spikes)``, each ``(T, B, N)`` float32. ``coefficients`` is the tuple of
    float32 ``(N,)`` arrays ``(leak, reset, threshold, dt/c_mem, g_l, 1 - dt/tau_syn,
    refractory_time/dt)``. Only the three outputs are kept for the backward pass. Use
    :func:`fused_cuba_integration` rather than calling it directly.
    """

    @staticmethod
    def forward(ctx, input, coefficients, fire, alpha, state=None):
        x = input.detach().contiguous()
        steps, batch, size = x.shape
        membrane = torch.empty_like(x)
        current = torch.empty_like(x)
        spikes = torch.empty_like(x)
        leak, reset, threshold, k, g_l, decay, n_ref = coefficients
        v, i, r = _start(state, leak, (batch, size))
        _run_batched(_forward_kernel, batch, x.numpy(), leak, reset, threshold, k, g_l, decay,
                     n_ref, fire, v, i, r, (membrane.numpy(), current.numpy(), spikes.numpy()),
                     work=steps * size)
        if state is not None:
            state.v, state.i, state.r = (torch.from_numpy(a) for a in (v, i, r))
            state.z = spikes[-1].clone() if steps else torch.zeros(batch, size)
            state.w = torch.zeros(batch, size)
        if ctx is not None:
            ctx.save_for_backward(membrane, current, spikes)
            held_steps = np.ceil(n_ref).astype(np.int64)
            ctx.state = (leak, threshold, k, g_l, decay, held_steps, np.float32(alpha), fire)
            ctx.set_materialize_grads(False)
        return membrane, current, spikes

    @staticmethod
    def backward(ctx, grad_membrane, grad_current, grad_spikes):
        membrane, current, spikes = ctx.saved_tensors
        leak, threshold, k, g_l, decay, held_steps, alpha, fire = ctx.state
        incoming = (grad_membrane, grad_current, grad_spikes)
        if all(g is None for g in incoming):
            return None, None, None, None
        placeholder = np.zeros((1, 1, 1), np.float32)
        grads = [placeholder if g is None else g.detach().to(torch.float32).contiguous().numpy()
                 for g in incoming]
        has_grad = np.array([g is not None for g in incoming])
        grad_input = torch.empty(membrane.shape, dtype=torch.float32)
        steps, batch, size = grad_input.shape
        _run_batched(_backward_kernel, batch, *grads, has_grad, membrane.numpy(),
                     current.numpy(), spikes.numpy(), leak, threshold, k, g_l, decay,
                     held_steps, alpha, fire, (grad_input.numpy(),), work=steps * size)
        return grad_input, None, None, None, None


def _start(state: Any, leak: np.ndarray, shape: Tuple[int, int]):
    """Writable float32 ``(B, N)`` arrays ``v, i, r`` to start from: those of a started
    :class:`~hxstudio.backend.functional.state.CuBaState`, else ``v = 0 + E_L``, ``i = r = 0``."""
    if state is None or not state.started:
        return np.zeros(shape, np.float32) + leak, np.zeros(shape, np.float32), \
            np.zeros(shape, np.float32)
    return tuple(np.array(np.broadcast_to(t.detach().to(torch.float32).numpy(), shape))
                 for t in (state.v, state.i, state.r))


def fused_cuba_integration(input: torch.Tensor, *, leak, reset, threshold, tau_syn, c_mem, g_l,
                           refractory_time, alpha, dt: float, fire: bool, refractory: bool,
                           state: Any = None,
                           ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Integrate a LIF (``fire``) or LI population with the compiled loop.

    The arguments mean what they mean for
    :func:`~hxstudio.backend.functional.cuba_aelif_integration` (spec §6.1); call this only when
    :func:`fused_applicable` holds. Coefficients are formed with the same expressions as in the
    reference step code (``dt / c_mem``, ``1 - dt / tau_syn``, ``refractory_time / dt``), then
    rounded to float32, as PyTorch does when it multiplies a float32 tensor by a Python number.

    Args:
        input: graded spikes ``(T, B, N)``, float32, CPU.
        state: a :class:`~hxstudio.backend.functional.state.CuBaState` to start from (an empty
            one: the initial state of spec §6.1) and to receive the final state, or ``None``.
            Not with autograd: the backward assumes the initial state of spec §6.1.
    Returns:
        ``(membrane, current, spikes)``, each ``(T, B, N)`` float32; ``spikes`` is all zero
        without ``fire``.
    Raises:
        ValueError: ``state`` is given while ``input`` requires a gradient.
    """
    size = input.shape[-1]
    g_l = 1. if g_l is None else g_l
    fire_values = (reset, threshold) if fire else (0., 0.)
    coefficients = (
        _per_neuron(leak, size),
        _per_neuron(fire_values[0], size),
        _per_neuron(fire_values[1], size),
        _per_neuron(dt / c_mem, size),
        _per_neuron(g_l, size),
        _per_neuron(1 - dt / tau_syn, size),
        _per_neuron(refractory_time / dt if refractory else 0., size),
    )
    alpha = float(alpha) if fire else 0.
    if torch.is_grad_enabled() and input.requires_grad:
        if state is not None:
            raise ValueError("fused_cuba_integration: a carried state is not supported with "
                             "autograd; use the reference path (cuba_aelif_integration)")
        return FusedCuBaFunction.apply(input, coefficients, fire, alpha)
    return FusedCuBaFunction.forward(None, input, coefficients, fire, alpha, state)


def event_linear_applicable(input: Any, weight: Any, bias: Any = None) -> bool:
    """Return whether :func:`event_linear` should compute ``linear(input, weight)``.

    Conditions: numba is available and not :func:`disabled`; no bias; contiguous float32 CPU
    tensors, ``input`` ``(..., in)``, ``weight`` ``(out, in)``; and either no gradient is needed
    (inference) or ``input`` has at least 4096 rows, ``out >= 32`` (smaller outputs are cheap
    as a dense matmul) and in a sample of about 16k entries at most
    :data:`EVENT_DENSITY_LIMIT` are non-zero (spikes are sparse).

    Without autograd the event kernel is always used because each output row then depends on
    its input row alone, summed in input order: a run split into time chunks gives the same
    floats as one call (a dense matmul rounds differently depending on the number of rows).
    """
    if not AVAILABLE or is_disabled() or bias is not None:
        return False
    if not (isinstance(input, torch.Tensor) and isinstance(weight, torch.Tensor)):
        return False
    if (input.dtype != torch.float32 or weight.dtype != torch.float32 or input.dim() < 1
            or weight.dim() != 2 or input.device.type != "cpu" or weight.device.type != "cpu"
            or input.shape[-1] != weight.shape[1]):
        return False
    if not (torch.is_grad_enabled() and (input.requires_grad or weight.requires_grad)):
        return input.is_contiguous()
    if input.dim() < 2 or weight.shape[0] < 32:
        return False
    rows = input.numel() // max(1, input.shape[-1])
    if rows < 4096 or not input.is_contiguous():
        return False
    flat = input.detach().reshape(-1)
    sample = flat[::max(1, flat.numel() // 16384) | 1]  # odd stride: no aliasing with rows
    return int(torch.count_nonzero(sample)) <= EVENT_DENSITY_LIMIT * sample.numel()


class EventLinearFunction(torch.autograd.Function):
    """``input @ weight.T`` computed event by event: only non-zero inputs add a weight column.

    Spikes are sparse (a few per cent non-zero), so summing the weight columns of the inputs that
    are non-zero costs a fraction of a dense matmul; this is also how BSS-2 itself works (one
    synapse-row event per spike). The backward is ``grad @ weight`` for the input (dense) and an
    event-wise outer-product sum for the weight. Sums run in input-index order, so results differ
    from a dense matmul by float32 rounding only.
    """

    @staticmethod
    def forward(ctx, input, weight):
        x = input.detach().reshape(-1, input.shape[-1]).contiguous()
        weight_t = weight.detach().t().contiguous()
        out = torch.empty(x.shape[0], weight.shape[0], dtype=torch.float32)
        _run_batched(_event_linear_kernel, x.shape[0], x.numpy(), weight_t.numpy(),
                     (out.numpy(),), work=weight.shape[0] * x.shape[1] // 8)
        if ctx is not None:
            ctx.save_for_backward(x, weight)
            ctx.input_shape = input.shape
        return out.reshape(*input.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        grad = grad_output.reshape(-1, weight.shape[0]).contiguous()
        grad_input = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_input = (grad @ weight).reshape(ctx.input_shape)
        if ctx.needs_input_grad[1]:
            work = weight.shape[0] * x.shape[1] // 8
            chunks = _chunks(x.shape[0], work)
            partial = [np.zeros((weight.shape[1], weight.shape[0]), np.float32) for _ in chunks]
            _run_batched(_event_grad_weight_kernel, x.shape[0], x.numpy(), grad.numpy(), None,
                         work=work, tails=[(p,) for p in partial])
            total = partial[0]
            for extra in partial[1:]:
                total += extra
            grad_weight = torch.from_numpy(total).t()
        return grad_input, grad_weight


def event_linear(input: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``input @ weight.T`` via :class:`EventLinearFunction` (use where
    :func:`event_linear_applicable` holds).

    Args:
        input: ``(..., in)`` float32, mostly zeros (spikes).
        weight: ``(out, in)`` float32.
    Returns:
        ``(..., out)``.
    """
    if torch.is_grad_enabled() and (input.requires_grad or weight.requires_grad):
        return EventLinearFunction.apply(input, weight)
    return EventLinearFunction.forward(None, input, weight)
