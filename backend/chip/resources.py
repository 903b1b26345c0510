"""Neuron-circuit placement and synapse-row budget of one BrainScaleS-2 chip (spec §8.1–§8.3).

One planner serves the studio's resource meter and the emulated chip
(:class:`~hxstudio.backend.chip.EmulatedChip`): :func:`plan` places populations and counts rows.

* **Neuron circuits**: 512 = 2 rows × 256 columns; circuit ``c`` lies in the top row
  (hemisphere) for ``c < 256`` and in the bottom row otherwise. Each neuron uses one circuit
  (``SingleCompartmentNeuron(1)``). Populations are placed in registration order; each neuron goes
  to the *first* free circuit in enum order 0…511 (hxtorch ``NeuronPlacement``, spec §8.2) unless
  the population gives a ``placement_constraint`` (a list of circuit indices) which is used as is.
* **Synapse rows**: 256 per hemisphere. A presynaptic source neuron needs one excitatory and one
  inhibitory row in every hemisphere that holds one of its targets (dense signed projections,
  spec §8.3), so a source population of n neurons costs 2·n rows per hemisphere it reaches. Two
  projections from the same source into the same hemisphere share the rows.

Inputs (external spike sources) use no neuron circuits; they appear only as projection sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ..errors import ResourceError

__all__ = ["ResourceUsage", "plan", "MADCRecordingError", "N_CIRCUITS", "N_COLUMNS",
           "ROWS_PER_HEMISPHERE", "hemisphere"]

#: Neuron circuits on the chip (``halco.AtomicNeuronOnDLS.size``).
N_CIRCUITS = 512
#: Circuits per neuron row (hemisphere).
N_COLUMNS = 256
#: Synapse rows per hemisphere (256 per synapse array; spec §8.1).
ROWS_PER_HEMISPHERE = 256
_HEMISPHERES = ("top", "bottom")


class MADCRecordingError(ResourceError, RuntimeError):
    """A second module asks for MADC recording; the chip has one MADC neuron per experiment.

    Also a :class:`RuntimeError`, the type hxtorch raises (spec §5.1, §7.3, §12).
    """


def hemisphere(circuit: int) -> str:
    """``"top"`` for circuits 0…255, ``"bottom"`` for 256…511."""
    return _HEMISPHERES[circuit // N_COLUMNS]


@dataclass(frozen=True)
class ResourceUsage:
    """What a network occupies on one chip.

    Attributes:
        neurons_used: neuron circuits requested by all populations (may exceed
            :attr:`neurons_total` when :attr:`error` is set).
        neurons_total: 512.
        rows_used: synapse rows requested per hemisphere, ``{"top": int, "bottom": int}`` (from
            the populations that could be placed; may exceed :attr:`rows_total`).
        rows_total: 256 (per hemisphere).
        placement: population name → list of circuit indices (0…511; 0…255 is the top row), for
            the populations that could be placed.
        error: the :class:`~hxstudio.backend.errors.ResourceError` message when the network does
            not fit (the first violation found), else ``None``.
    """

    neurons_used: int
    neurons_total: int
    rows_used: dict
    rows_total: int
    placement: dict
    error: Optional[str]

    @property
    def ok(self) -> bool:
        """Whether the network fits (:attr:`error` is ``None``)."""
        return self.error is None

    def raise_if_error(self) -> "ResourceUsage":
        """Return ``self``.

        Raises:
            ResourceError: with :attr:`error` as message, if the network does not fit.
        """
        if self.error is not None:
            raise ResourceError(self.error)
        return self


def _place(populations: Sequence[tuple]) -> Tuple[Dict[str, List[int]], Optional[str], int]:
    used: Dict[int, str] = {}
    placement: Dict[str, List[int]] = {}
    error = None
    requested = 0
    for entry in populations:
        name, size = entry[0], int(entry[1])
        constraint = entry[2] if len(entry) > 2 else None
        requested += size
        if error is not None:
            continue
        free = N_CIRCUITS - len(used)
        if constraint is not None:
            circuits = [int(c) for c in constraint]
            if len(circuits) != size:
                error = (f"population {name!r}: placement_constraint lists {len(circuits)} "
                         f"circuits for {size} neurons")
                continue
            bad = [c for c in circuits if not 0 <= c < N_CIRCUITS]
            taken = [c for c in circuits if c in used]
            if bad:
                error = (f"population {name!r}: placement_constraint circuit {bad[0]} is outside "
                         f"0…{N_CIRCUITS - 1} ({N_CIRCUITS} neuron circuits)")
            elif taken or len(set(circuits)) != size:
                circuit = taken[0] if taken else next(c for c in circuits if circuits.count(c) > 1)
                owner = used.get(circuit, name)
                error = (f"population {name!r}: placement_constraint circuit {circuit} is already "
                         f"used by population {owner!r}; {free} of {N_CIRCUITS} circuits are free")
            if error is None:
                placement[name] = circuits
                used.update((c, name) for c in circuits)
            continue
        if size > free:
            error = (f"population {name!r} needs {size} neuron circuits, {free} of {N_CIRCUITS} "
                     "are free")
            continue
        circuits = [c for c in range(N_CIRCUITS) if c not in used][:size]
        placement[name] = circuits
        used.update((c, name) for c in circuits)
    return placement, error, requested


def plan(populations: Sequence[tuple], projections: Sequence[tuple]) -> ResourceUsage:
    """Place ``populations`` on the 512 neuron circuits and count the synapse rows.

    Args:
        populations: ``(name, size)`` neuron populations in registration order (first forward
            call); an optional third entry is a ``placement_constraint``, a sequence of ``size``
            circuit indices 0…511. Inputs are not listed (they use no circuits).
        projections: ``(source_name, source_size, target_name)`` per projection; the source may
            be an input or a population, the target must be a listed population.
    Returns:
        :class:`ResourceUsage`; its ``error`` names the first population or projection that does
        not fit, what it needs and what is left, e.g. ``"population 'hidden' needs 600 neuron
        circuits, 512 of 512 are free"``.
    Raises:
        ValueError: a projection targets a population not in ``populations``.

    Source: hxtorch ``NeuronPlacement`` (spec §8.2); row budget spec §8.3.

    Example:
        >>> usage = plan([("hidden", 120), ("out", 3, [256, 257, 258])],
        ...              [("in", 5, "hidden"), ("hidden", 120, "out")])
        >>> usage.ok, usage.neurons_used, usage.rows_used
        (True, 123, {'top': 10, 'bottom': 240})
    """
    placement, error, requested = _place(populations)
    names = {entry[0] for entry in populations}
    sources: Dict[str, Dict[str, int]] = {h: {} for h in _HEMISPHERES}
    for source, source_size, target in projections:
        if target not in names:
            raise ValueError(f"projection {source!r} → {target!r}: target population {target!r} "
                             f"is not among the populations {sorted(names)}")
        if target not in placement:
            continue
        for half in sorted({hemisphere(c) for c in placement[target]}, key=_HEMISPHERES.index):
            known = sources[half]
            before = 2 * sum(known.values())
            known[source] = max(known.get(source, 0), int(source_size))
            after = 2 * sum(known.values())
            if error is None and after > ROWS_PER_HEMISPHERE:
                error = (f"population {target!r} needs {after - before} synapse rows in the {half} "
                         f"hemisphere for its input from {source!r} (2 per source neuron: "
                         f"excitatory + inhibitory), {ROWS_PER_HEMISPHERE - before} of "
                         f"{ROWS_PER_HEMISPHERE} are free")
    rows = {half: 2 * sum(sources[half].values()) for half in _HEMISPHERES}
    return ResourceUsage(neurons_used=requested, neurons_total=N_CIRCUITS, rows_used=rows,
                         rows_total=ROWS_PER_HEMISPHERE, placement=placement, error=error)
