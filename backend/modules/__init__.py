"""Modules of the spiking backend (spec §5): populations, projections and functional modules."""

from .batch_dropout import BatchDropout
from .eventprop import EventPropLIF, EventPropSynapse
from .hx_module import HXBaseExperimentModule, HXFunctionalModule, HXModule, HXTorchFunctionMixin
from .hx_module_wrapper import HXModuleWrapper
from .input_neuron import InputNeuron
from .neuron import AELIF, LI, LIF
from .neuron_exp import NeuronExp, ReadoutNeuronExp
from .synapse import SparseSynapse, Synapse
from .types import BasePopulation, InputPopulation, Population, Projection

__all__ = [
    "AELIF",
    "BasePopulation",
    "BatchDropout",
    "EventPropLIF",
    "EventPropSynapse",
    "HXBaseExperimentModule",
    "HXFunctionalModule",
    "HXModule",
    "HXModuleWrapper",
    "HXTorchFunctionMixin",
    "InputNeuron",
    "InputPopulation",
    "LI",
    "LIF",
    "NeuronExp",
    "Population",
    "Projection",
    "ReadoutNeuronExp",
    "SparseSynapse",
    "Synapse",
]
