"""Pure-Python stand-ins for calix's calibration targets (spec §8.4).

:class:`NeuronCalibTarget` and :class:`SpikingCalibTarget` mirror the fields of calix's
``calix.spiking.neuron.NeuronCalibTarget`` and ``calix.spiking.SpikingCalibTarget`` so that
:meth:`~hxstudio.backend.modules.types.Population.calibration_from_params` and
:meth:`~hxstudio.backend.modules.types.Population.params_from_calibration` can run without
calix. Like calix, times are stored in µs; potentials in CADC LSB; biases in CapMem LSB.

Shapes of a dense target (:meth:`NeuronCalibTarget.DenseDefault`): ``(512,)`` per neuron
circuit, ``(2, 512)`` per synaptic input and circuit (``tau_syn``, ``e_coba_*``) and ``(2,)``
global per synaptic input (``i_synin_gm``); ``synapse_dac_bias`` is a global scalar.

Nothing is calibrated here: these are plain containers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

__all__ = ["NeuronCalibTarget", "SpikingCalibTarget", "N_NEURON_CIRCUITS",
           "N_SYNAPTIC_INPUTS"]

#: Neuron circuits on the chip (``halco.AtomicNeuronOnDLS.size``).
N_NEURON_CIRCUITS = 512
#: Synaptic inputs per circuit, excitatory and inhibitory (``halco.SynapticInputOnNeuron.size``).
N_SYNAPTIC_INPUTS = 2


@dataclass
class NeuronCalibTarget:
    """Neuron calibration targets (calix defaults; times in µs).

    Each field is a scalar (all circuits alike) or an array as described in the module docs;
    ``e_coba_*`` ``None`` means current-based synaptic inputs.
    """

    leak: Any = 80
    reset: Any = 70
    threshold: Any = 125
    tau_mem: Any = 10.
    tau_syn: Any = 10.
    i_synin_gm: Any = 500
    e_coba_reversal: Optional[Any] = None
    e_coba_reference: Optional[Any] = None
    membrane_capacitance: Any = 63
    refractory_time: Any = 2.
    synapse_dac_bias: Any = 600
    holdoff_time: Any = 0.

    @classmethod
    def DenseDefault(cls) -> "NeuronCalibTarget":  # noqa: N802 (calix name)
        """Return the calix defaults as dense per-circuit arrays."""
        n, s = N_NEURON_CIRCUITS, N_SYNAPTIC_INPUTS
        return cls(
            leak=np.full(n, 80.),
            reset=np.full(n, 70.),
            threshold=np.full(n, 125.),
            tau_mem=np.full(n, 10.),
            tau_syn=np.full((s, n), 10.),
            i_synin_gm=np.full(s, 500, dtype=int),
            e_coba_reversal=np.repeat(np.array([np.inf, -np.inf])[:, np.newaxis], n, axis=1),
            e_coba_reference=np.full((s, n), np.nan),
            membrane_capacitance=np.full(n, 63, dtype=int),
            refractory_time=np.full(n, 2.),
            synapse_dac_bias=600,
            holdoff_time=np.zeros(n),
        )


@dataclass
class SpikingCalibTarget:
    """Calibration target of a spiking experiment; only the neuron part is modelled."""

    neuron_target: NeuronCalibTarget = field(default_factory=NeuronCalibTarget)
