"""Pure numerics of the spiking backend: tensors ``(T, B, N)`` in and out, no state (spec §6).

Nothing here imports :mod:`hxstudio.backend.chip` or the modules; chip effects arrive as
arguments (``hw_data``, transformed weights).
"""

from .aelif import CuBaStepCode, cuba_aelif_integration
from .dropout import batch_dropout
from .linear import linear, linear_sparse
from .refractory import refractory_update
from .superspike import SuperSpike, superspike_func, threshold
from .unterjubel import Unterjubel

__all__ = [
    "CuBaStepCode",
    "cuba_aelif_integration",
    "batch_dropout",
    "linear",
    "linear_sparse",
    "refractory_update",
    "SuperSpike",
    "superspike_func",
    "threshold",
    "Unterjubel",
]
