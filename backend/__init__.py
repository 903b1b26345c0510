"""hxtorch.spiking-compatible spiking-network API in pure PyTorch (``import hxstudio.backend as hxsnn``).

Modules are called lazily: ``lif(syn(inputs))`` only records the graph and returns empty handles;
:func:`run` executes it and fills them. Tensors are time-major ``(T, B, N)``; times in seconds.
See the hxtorch behavioural spec (``shared/reference/hxtorch-spiking-spec.md``).

The NIR functions (``from_nir``, ``ConversionConfig``, ``to_nir``, ``from_nir_data``,
``to_nir_data``; :mod:`hxstudio.backend.nir`) load on first use, so importing the backend does
not import ``nir``/``h5py``.
"""

from . import chip, datasets, errors, functional, transforms
from . import execution_info, handle, modules, morphology, observables, parameter, utils
from .execution_instance import ExecutionInstance
from .experiment import Experiment, run
from .handle import Handle, LIFObservables, LIObservables, SynapseHandle, TensorHandle
from .modules import (
    AELIF,
    LI,
    LIF,
    BatchDropout,
    HXBaseExperimentModule,
    HXModule,
    HXModuleWrapper,
    InputNeuron,
    NeuronExp,
    ReadoutNeuronExp,
    SparseSynapse,
    Synapse,
)
from .parameter import (
    HXParameter,
    HXTransformedModelParameter,
    MixedHXModelParameter,
    ModelParameter,
    TrainableHXParameter,
    TrainableHXTransformedModelParameter,
    TrainableMixedHXModelParameter,
    TrainableModelParameter,
)

__all__ = [
    "AELIF",
    "BatchDropout",
    "ExecutionInstance",
    "Experiment",
    "HXBaseExperimentModule",
    "HXModule",
    "HXModuleWrapper",
    "HXParameter",
    "HXTransformedModelParameter",
    "Handle",
    "InputNeuron",
    "LI",
    "LIF",
    "LIFObservables",
    "LIObservables",
    "MixedHXModelParameter",
    "ModelParameter",
    "Synapse",
    "SynapseHandle",
    "TensorHandle",
    "chip",
    "datasets",
    "errors",
    "functional",
    "run",
    "transforms",
    # issue #3: the rest of the hxtorch.spiking surface
    "NeuronExp",
    "ReadoutNeuronExp",
    "SparseSynapse",
    "TrainableHXParameter",
    "TrainableHXTransformedModelParameter",
    "TrainableMixedHXModelParameter",
    "TrainableModelParameter",
    "execution_info",
    "handle",
    "modules",
    "morphology",
    "observables",
    "parameter",
    "utils",
    # issue #5: NIR (loaded on first use by __getattr__)
    "ConversionConfig",
    "from_nir",
    "from_nir_data",
    "nir",
    "to_nir",
    "to_nir_data",
]

_NIR = ("ConversionConfig", "from_nir", "from_nir_data", "to_nir", "to_nir_data")


def __getattr__(name):
    if name == "nir" or name in _NIR:
        import importlib

        module = importlib.import_module(".nir", __name__)
        return module if name == "nir" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
