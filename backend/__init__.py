"""hxtorch.spiking-compatible spiking-network API in pure PyTorch (``import hxstudio.backend as hxsnn``).

Modules are called lazily: ``lif(syn(inputs))`` only records the graph and returns empty handles;
:func:`run` executes it and fills them. Tensors are time-major ``(T, B, N)``; times in seconds.
See the hxtorch behavioural spec (``shared/reference/hxtorch-spiking-spec.md``).
"""

from . import chip, datasets, errors, functional, transforms
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
    Synapse,
)
from .parameter import (
    HXParameter,
    HXTransformedModelParameter,
    MixedHXModelParameter,
    ModelParameter,
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
]
