"""Data sets (spec §9.4)."""

from . import yinyang
from .yinyang import YinYangDataset

__all__ = ["YinYangDataset", "yinyang"]
