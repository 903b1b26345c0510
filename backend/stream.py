"""Chunked runs: execute an experiment a few time steps at a time, carrying the state across.

:func:`~hxstudio.backend.run` integrates all ``T`` steps of every module before it returns.
For live plots the mock can instead advance the whole network by ``k`` steps at a time: every
module runs on steps ``[t, t+k)`` of its inputs, the neuron populations (and recurrent groups)
continue from the state the previous chunk left (:class:`~hxstudio.backend.functional.CuBaState`),
and the chunk's outputs are handed out at once. The concatenated chunks equal a one-shot
:func:`~hxstudio.backend.run` bit for bit, whatever the chunk sizes: the integrators carry their
exact state, projections compute each time step on its own (the event kernel of
:func:`~hxstudio.backend.functional.linear`, used whenever no gradient is needed) and several
inputs are summed in a fixed order. Chunked runs execute without autograd.

Time-local modules (InputNeuron, Synapse, SparseSynapse, BatchDropout) run on the slice of
their inputs; neuron populations (AELIF, LIF, LI) and
:class:`~hxstudio.backend.nir.RecurrentGroup` carry a state. A graph with any other module
(e.g. EventPropLIF, the deprecated exponential neurons) runs as one chunk. So does an experiment
with ``mock=False``: the emulator and the chip execute the experiment as a whole, so
:meth:`ChunkedRun.advance` calls :func:`~hxstudio.backend.run` once and returns one chunk that
covers ``[0, runtime)``.

Example:
    >>> import torch, hxstudio.backend as hxsnn
    >>> exp = hxsnn.Experiment(mock=True)
    >>> syn, lif = hxsnn.Synapse(1, 1, exp), hxsnn.LIF(1, exp)
    >>> syn.weight.data[:] = 60.
    >>> x = torch.zeros(10, 1, 1); x[2] = 1
    >>> out = lif(syn(hxsnn.LIFObservables(spikes=x)))
    >>> [(c.start, c.stop, c[out].membrane_cadc.shape[0]) for c in stream(exp, None, 4)]
    [(0, 4, 4), (4, 8, 4), (8, 10, 2)]
    >>> out.membrane_cadc.shape       # filled with all chunks, as run() would
    torch.Size([10, 1, 1])
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Iterator, List, Optional, Tuple

import torch

from .experiment import Experiment, run
from .functional import CuBaState
from .handle import HandleBase

__all__ = ["Chunk", "ChunkedRun", "stream"]


@dataclasses.dataclass
class Chunk:
    """The outputs of steps ``[start, stop)`` of a chunked run.

    ``chunk[handle]`` is the part of a registered output handle (the handle a module call
    returned) for these steps: a handle of the same type whose tensors are
    ``(stop - start, B, N)``. For a run that was not chunked (``mock=False``) it is the filled
    handle itself.

    Raises:
        KeyError: ``handle`` is not the output of a module of this run.
    """

    start: int
    stop: int
    outputs: Optional[Dict[int, HandleBase]] = None

    def __getitem__(self, handle: HandleBase) -> HandleBase:
        if self.outputs is None:
            return handle
        try:
            return self.outputs[id(handle)]
        except KeyError:
            raise KeyError(f"{type(handle).__name__} is not the output of a module of this run"
                           ) from None


def _time_local(module: Any) -> bool:
    from .modules import BatchDropout, InputNeuron, SparseSynapse, Synapse

    return type(module) in (InputNeuron, Synapse, SparseSynapse, BatchDropout)


def _new_state(module: Any) -> Any:
    """A fresh carried state for a stateful module, or ``None`` if it has no chunked form."""
    from .modules import AELIF, LI, LIF
    from .nir.recurrent import RecurrentGroup

    if type(module) in (AELIF, LIF, LI):
        return CuBaState()
    if type(module) is RecurrentGroup:
        return {}
    return None


def _fields(handle: HandleBase) -> List[str]:
    return [f.name for f in dataclasses.fields(handle)]


def _slice(handle: HandleBase, start: int, stop: int) -> HandleBase:
    """A handle of the same type holding steps ``[start, stop)`` of every time-major tensor."""
    values = {}
    for name in _fields(handle):
        value = getattr(handle, name)
        values[name] = value[start:stop] if isinstance(value, torch.Tensor) and value.dim() else value
    return type(handle)(**values)


class ChunkedRun:
    """One run of ``experiment``, advanced chunk by chunk with :meth:`advance`.

    Creating it prepares the graph of the modules called since the last run (as
    :func:`~hxstudio.backend.run` does); :meth:`finish` fills the registered output handles with
    what has been computed so far (all ``T`` steps once :attr:`finished`).

    Args:
        experiment: the :class:`~hxstudio.backend.Experiment` the modules were called in.
        runtime: steps to run; used only when not mock (the hardware runtime); in mock mode the
            length ``T`` of the input tensors decides, as in :func:`~hxstudio.backend.run`.

    Attributes:
        steps: ``T``, the number of steps of the run.
        done: steps computed so far.
        chunked: whether the run can stop between chunks (mock, and every module has a chunked
            form); otherwise the first :meth:`advance` runs all steps.

    Raises:
        ValueError: the graph has an unwrapped cycle; not mock and ``runtime`` is no ``int``.
    """

    def __init__(self, experiment: Experiment, runtime: Optional[int] = None):
        self.experiment = experiment
        self.runtime = runtime
        self.done = 0
        self._states: Dict[int, Any] = {}
        self._parts: Dict[int, Tuple[HandleBase, List[HandleBase]]] = {}
        if not experiment.mock:
            if not isinstance(runtime, int):
                raise ValueError("Requested runtime invalid.")
            self._order: List[Tuple[Any, Any, Any]] = []
            self.steps = runtime
            self.chunked = False
            return
        try:
            experiment.get_hw_results(runtime)
            self._order = experiment.modules.done()
        except Exception:
            experiment.clear()
            raise
        produced = {id(h) for _, _, out in self._order
                    for h in (out if isinstance(out, tuple) else (out,))}
        lengths = [value.shape[0] for _, inputs, _ in self._order for handle in inputs
                   if id(handle) not in produced for name in _fields(handle)
                   if isinstance(value := getattr(handle, name), torch.Tensor) and value.dim()]
        self.steps = max(lengths, default=0)
        self._produced = produced
        self.chunked = all(_time_local(m) or _new_state(m) is not None for m, _, _ in self._order)

    @property
    def finished(self) -> bool:
        """Whether all ``T`` steps have been computed."""
        return self.done >= self.steps

    def advance(self, steps: int) -> Chunk:
        """Compute the next ``steps`` steps (fewer at the end) and return their outputs.

        Raises:
            ValueError: ``steps`` < 1, or the run is already finished.
            Exception: whatever a module raises (the steps before stay available).
        """
        if steps < 1:
            raise ValueError(f"ChunkedRun.advance: steps = {steps} must be >= 1")
        if self.finished:
            raise ValueError("ChunkedRun.advance: the run is finished")
        if not self.experiment.mock:
            run(self.experiment, self.runtime)
            self.done = self.steps
            return Chunk(0, self.steps)
        start = self.done
        stop = min(self.steps, start + steps) if self.chunked else self.steps
        current: Dict[int, HandleBase] = {}
        with torch.no_grad():
            for module, inputs, output in self._order:
                given = tuple(current[id(h)] if id(h) in self._produced else _slice(h, start, stop)
                              for h in inputs)
                if _time_local(module):
                    result = module.func(given)
                else:
                    state = self._states.setdefault(id(module), _new_state(module))
                    if isinstance(state, dict):  # a RecurrentGroup reads its connect() handles
                        state["inputs"] = {id(h): g for h, g in zip(inputs, given)}
                    result = module.forward_func(*given, state=state) if self.chunked \
                        else module.func(given)
                outputs = output if isinstance(output, tuple) else (output,)
                results = result if isinstance(result, tuple) else (result,)
                for registered, part in zip(outputs, results):
                    current[id(registered)] = part
                    self._parts.setdefault(id(registered), (registered, []))[1].append(part)
        self.done = stop
        return Chunk(start, stop, current)

    def finish(self) -> None:
        """Fill every registered output handle with its chunks joined along time (steps
        ``[0, done)``); nothing to do when not mock (the run filled them)."""
        for registered, parts in self._parts.values():
            for name in _fields(registered):
                values = [getattr(p, name) for p in parts]
                if all(isinstance(v, torch.Tensor) and v.dim() for v in values):
                    setattr(registered, name, values[0] if len(values) == 1 else torch.cat(values))
                else:
                    setattr(registered, name, values[-1])


def stream(experiment: Experiment, runtime: Optional[int] = None,
           chunk_steps: int = 100) -> Iterator[Chunk]:
    """Run ``experiment`` ``chunk_steps`` steps at a time, yielding each :class:`Chunk`.

    When the generator ends or is closed early, the registered output handles hold the steps
    computed so far (all of them after a complete run, equal to :func:`~hxstudio.backend.run`).

    Args:
        experiment: the experiment the modules were called in.
        runtime: steps on hardware (see :class:`ChunkedRun`); ignored in mock mode.
        chunk_steps: steps per chunk (the last one may be shorter), >= 1.
    Raises:
        ValueError: ``chunk_steps`` < 1; see :class:`ChunkedRun`.
    """
    if chunk_steps < 1:
        raise ValueError(f"stream: chunk_steps = {chunk_steps} must be >= 1")
    chunked = ChunkedRun(experiment, runtime)
    try:
        while not chunked.finished:
            yield chunked.advance(chunk_steps)
    finally:
        chunked.finish()
