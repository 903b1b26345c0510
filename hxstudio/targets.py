"""Execution targets: where a network document runs, and the module namespace that runs it.

=============  ===========================================================  =====================
target         what runs it                                                 namespace
=============  ===========================================================  =====================
``mock``       ideal PyTorch numerics, identical to hxtorch's mock          ``hxstudio.backend``
               (``Experiment(mock=True)``; spec §2.1, §6.1)
``emulator``   the emulated BrainScaleS-2 chip of :mod:`hxstudio.backend`   ``hxstudio.backend``
               (``Experiment(mock=False)``): chip resources, weight
               rounding, fixed-pattern spread, CADC/MADC readout (spec §7,
               §8, §16)
``hardware``   a real BrainScaleS-2 system through ``hxtorch.spiking``      ``hxtorch.spiking``
               (``Experiment(mock=False)``); needs hxtorch installed
=============  ===========================================================  =====================

Both namespaces have the same names (``Experiment``, ``InputNeuron``, ``Synapse``, ``LIF``,
``LI``, ``run``…; spec §1), so :func:`hxstudio.translate.build` builds the same modules from either.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Optional

from hxstudio.errors import TargetUnavailableError, ValidationError

__all__ = ["TARGETS", "namespace", "unavailable", "resource_usage"]

#: The targets a document may name (``Network.target``), in the order the studio lists them.
TARGETS = ("mock", "emulator", "hardware")


def namespace(target: str) -> ModuleType:
    """The hxtorch.spiking-compatible module namespace that runs ``target``.

    Returns:
        ``hxtorch.spiking`` for ``"hardware"``, :mod:`hxstudio.backend` for ``"mock"`` and
        ``"emulator"`` (which one of the two runs is chosen by ``Experiment(mock=…)``).

    Raises:
        TargetUnavailableError: ``"hardware"`` and ``hxtorch`` does not import.
        ValidationError: ``target`` is not one of :data:`TARGETS`.
    """
    if target not in TARGETS:
        raise ValidationError(f"target = {target!r} is not known; allowed: {', '.join(TARGETS)}")
    if target == "hardware":
        reason = unavailable(target)
        if reason is not None:
            raise TargetUnavailableError(f"hardware target needs hxtorch ({reason})")
        return importlib.import_module("hxtorch.spiking")
    return importlib.import_module("hxstudio.backend")


def unavailable(target: str) -> Optional[str]:
    """Why ``target`` cannot run here, or ``None`` if it can.

    Only ``"hardware"`` can be unavailable: ``"not installed"`` when there is no ``hxtorch``
    package, ``"not importable: <error>"`` when it is installed but does not import.
    """
    if target != "hardware":
        return None
    try:
        importlib.import_module("hxtorch.spiking")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "hxtorch":
            return "not installed"
        return f"not importable: {exc}"
    except ImportError as exc:
        return f"not importable: {exc}"
    return None


def resource_usage(network):
    """Neuron circuits and synapse rows ``network`` needs on one BSS-2 chip (no run; cheap).

    Populations are placed in the order the translation registers them
    (:func:`hxstudio.translate.order`), as the emulator does, by
    :func:`hxstudio.backend.chip.plan` (first-fit on 512 circuits, 2 rows per source neuron
    and hemisphere; spec §8.2, §8.3).

    Returns:
        :class:`hxstudio.backend.chip.ResourceUsage`; ``error`` says what does not fit.
    """
    from hxstudio.backend.chip import plan
    from hxstudio.translate import order

    sizes = {p.name: p.size for p in network.populations}
    return plan([(p.name, p.size) for p in order(network) if p.kind != "input"],
                [(j.source, sizes[j.source], j.target) for j in network.projections])
