"""hxstudio: draw, run and watch spiking networks for BrainScaleS-2.

This file imports nothing heavy: ``import hxstudio.backend`` runs it first, so torch-only users
never load Panel or Bokeh. The document, the runner and the app load on first use.

Example:
    >>> import hxstudio
    >>> net = hxstudio.examples.psp()            # doctest: +SKIP
    >>> result = hxstudio.run(net)                # doctest: +SKIP
    >>> result["neuron"].spikes.shape             # doctest: +SKIP
    (100, 1, 1)
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Network": "hxstudio.network",
    "Population": "hxstudio.network",
    "Projection": "hxstudio.network",
    "Recording": "hxstudio.network",
    "run": "hxstudio.runner",
    "Result": "hxstudio.result",
    "Studio": "hxstudio.app",
    "extension": "hxstudio.app",
    "examples": "hxstudio.examples",
    "errors": "hxstudio.errors",
    "catalogue": "hxstudio.catalogue",
    "sweep": "hxstudio.sweep",
    "export_hxtorch": "hxstudio.codegen",
    "targets": "hxstudio.targets",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'hxstudio' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    return module if module.__name__.endswith("." + name) else getattr(module, name)
