"""Pure numerics of the spiking backend: tensors ``(T, B, N)`` in and out, no state (spec §6).

Nothing here imports :mod:`hxstudio.backend.chip` or the modules; chip effects arrive as
arguments (``hw_data``, transformed weights). The default LIF/LI integration and sparse
(spike) projections run through compiled loops (:mod:`.fused`) when numba is installed; the
numbers are those of the reference code path.
"""

from . import fused
from .aelif import CuBaStepCode, cuba_aelif_integration
from .dropout import batch_dropout
from .eventprop import EventPropLIFFunction, EventPropSynapseFunction
from .input_neuron import input_neuron
from .li import cuba_li_integration, exp_cuba_li_integration
from .lif import (
    cuba_iaf_integration,
    cuba_lif_integration,
    cuba_refractory_iaf_integration,
    cuba_refractory_lif_integration,
    exp_cuba_lif_integration,
)
from .linear import WeightRounding, linear, linear_exponential_clamp, linear_sparse
from .refractory import refractory_update
from .state import CuBaState
from .superspike import SuperSpike, superspike_func, threshold
from .unterjubel import Unterjubel

__all__ = [
    "CuBaState",
    "CuBaStepCode",
    "EventPropLIFFunction",
    "EventPropSynapseFunction",
    "SuperSpike",
    "Unterjubel",
    "WeightRounding",
    "batch_dropout",
    "cuba_aelif_integration",
    "cuba_iaf_integration",
    "cuba_li_integration",
    "cuba_lif_integration",
    "cuba_refractory_iaf_integration",
    "cuba_refractory_lif_integration",
    "exp_cuba_li_integration",
    "exp_cuba_lif_integration",
    "fused",
    "input_neuron",
    "linear",
    "linear_exponential_clamp",
    "linear_sparse",
    "refractory_update",
    "superspike_func",
    "threshold",
]
