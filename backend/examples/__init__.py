"""Runnable examples of the hxtorch.spiking-compatible API (spec §11).

* :mod:`.yinyang`: train a spiking network on the Yin-Yang data set
  (``python -m hxstudio.backend.examples.yinyang --epochs 10``); the model is in
  :mod:`.yinyang_model`.
"""

__all__ = ["yinyang", "yinyang_model"]
