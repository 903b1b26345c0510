"""NIR interoperability: NIR graphs ↔ hxstudio.backend modules (hxtorch's ``utils/*nir*``, spec §10).

* :func:`from_nir` / :class:`ConversionConfig`: a NIR graph (Input, Output, Linear, Affine,
  Scale, Flatten, CubaLIF, CubaLI, LIF, LI, IF, I, nested NIRGraph; any edge order; recurrent
  cycles; scalar or per-neuron parameters) → a runnable module.
* :func:`to_nir`: modules → a NIR graph (``metadata`` records ``time_unit`` and ``dt``).
* :func:`from_nir_data` / :func:`to_nir_data`: recorded spikes ↔ ``nir.NIRGraphData``.
* :func:`read` / :func:`write`: files with one-line errors and the type-check fallback.
* :func:`parse`: the graph as populations and projections (shared with hxstudio's document
  import), :func:`suggest_dt`, :class:`RecurrentGroup`, :class:`AffineSynapse`.

Time constants: see :mod:`hxstudio.backend.nir.config` (NIR seconds are biological time; BSS-2
runs 1000× faster, so 1 ms in the file is 1 µs on the chip). Equations: see
:mod:`hxstudio.backend.nir.convert`.
"""

from .config import SPEEDUP, TIME_UNITS, ConversionConfig, resolve_time_unit, time_factor
from .convert import model_parameters, nir_neuron, potential_map
from .data import from_nir_data, to_nir_data
from .from_nir import SNN, check_time_constants, from_nir, suggest_dt
from .graph import SUPPORTED_TYPES, NIRNetwork, Neurons, Projection, condensation, is_recurrent, parse
from .io import read, to_bytes, write
from .modules import AffineSynapse
from .recurrent import RecurrentGroup
from .to_nir import to_nir

__all__ = [
    "AffineSynapse",
    "ConversionConfig",
    "NIRNetwork",
    "Neurons",
    "Projection",
    "RecurrentGroup",
    "SNN",
    "SPEEDUP",
    "SUPPORTED_TYPES",
    "TIME_UNITS",
    "check_time_constants",
    "condensation",
    "from_nir",
    "from_nir_data",
    "is_recurrent",
    "model_parameters",
    "nir_neuron",
    "parse",
    "potential_map",
    "read",
    "resolve_time_unit",
    "suggest_dt",
    "time_factor",
    "to_bytes",
    "to_nir",
    "to_nir_data",
    "write",
]
