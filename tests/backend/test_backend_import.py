"""Public surface and import weight of hxstudio.backend."""

import subprocess
import sys

import hxstudio.backend as hxsnn

PUBLIC = ["Experiment", "run", "ExecutionInstance", "InputNeuron", "Synapse", "AELIF", "LIF",
          "LI", "HXModule", "HXBaseExperimentModule", "Handle", "TensorHandle", "LIFObservables",
          "LIObservables", "SynapseHandle", "HXParameter", "ModelParameter",
          "MixedHXModelParameter", "HXTransformedModelParameter", "functional", "transforms",
          "datasets", "errors", "chip"]


def test_public_names():
    missing = [name for name in PUBLIC if not hasattr(hxsnn, name)]
    assert missing == []
    assert set(PUBLIC) <= set(hxsnn.__all__)
    assert hxsnn.functional.cuba_aelif_integration.__module__ == \
        "hxstudio.backend.functional.aelif"


def test_import_does_not_load_panel_or_bokeh():
    code = ("import sys, hxstudio.backend; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'panel', 'bokeh'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
