"""Spec §1: every public name of the hxtorch.spiking listing is reachable from hxstudio.backend."""

import importlib

import pytest

import hxstudio.backend as hxsnn

TOP_LEVEL = [
    "datasets", "HXBaseExperimentModule", "HXModule", "HXModuleWrapper", "InputNeuron", "AELIF",
    "LIF", "LI", "NeuronExp", "ReadoutNeuronExp", "Synapse", "SparseSynapse", "BatchDropout",
    "Handle", "TensorHandle", "LIFObservables", "LIObservables", "SynapseHandle", "HXParameter",
    "MixedHXModelParameter", "HXTransformedModelParameter", "ModelParameter", "Experiment",
    "ExecutionInstance", "run",
    # from the issue: trainable parameter classes
    "TrainableHXParameter", "TrainableModelParameter", "TrainableMixedHXModelParameter",
    "TrainableHXTransformedModelParameter",
]

SUBMODULE_NAMES = {
    "modules": ["Projection", "Population", "InputPopulation", "EventPropLIF", "EventPropSynapse"],
    "functional": [
        "exp_cuba_lif_integration", "exp_cuba_li_integration", "cuba_aelif_integration",
        "CuBaStepCode", "linear", "linear_sparse", "linear_exponential_clamp", "SuperSpike",
        "EventPropLIFFunction", "EventPropSynapseFunction", "batch_dropout", "input_neuron",
        "threshold", "cuba_lif_integration", "cuba_li_integration",
        "cuba_refractory_lif_integration"],
    "functional.refractory": ["refractory_update"],
    "functional.unterjubel": ["Unterjubel"],
    "functional.superspike": ["superspike_func"],
    "functional.linear": ["WeightRounding"],
    "handle": ["Handle"],
    "parameter": ["HXBaseParameter", "ParameterType"],
    "observables": ["AnalogObservable", "HardwareObservables", "HardwareObservablesExtractor"],
    "morphology": ["Morphology", "SingleCompartmentNeuron"],
    "execution_instance": ["ExecutionInstance", "ExecutionInstances"],
    "execution_info": ["ExecutionInfo"],
    "module_manager": ["BaseModuleManager", "ModuleManager"],
    "transforms.weight_transforms": ["linear_saturating"],
    "transforms.encode": ["PixelsToSpikeTimes", "SpikeTimesToSparseTensor", "SpikeTimesToDense",
                          "CoordinatesToSpikes"],
    "transforms.decode": ["MaxOverTime", "SumOverTime", "MeanOverTime"],
    "datasets": ["YinYangDataset"],
    "datasets.yinyang": ["YinYangDataset"],
    "utils": ["MixinHXModelMapper"],
    "utils.readout_source": ["ReadoutSource"],
    "utils.model_mapper": ["MixinHXModelMapper"],
    "utils.calib_helper": ["nightly_calib_path", "nightly_calix_native_path"],
}


def test_top_level_names():
    assert [name for name in TOP_LEVEL if not hasattr(hxsnn, name)] == []
    assert set(TOP_LEVEL) <= set(hxsnn.__all__)


@pytest.mark.parametrize("module", sorted(SUBMODULE_NAMES))
def test_submodule_names(module):
    imported = importlib.import_module(f"hxstudio.backend.{module}")
    assert [n for n in SUBMODULE_NAMES[module] if not hasattr(imported, n)] == []


def test_morphology_attribute_path():
    assert hxsnn.morphology.SingleCompartmentNeuron(2).circuits == 2
