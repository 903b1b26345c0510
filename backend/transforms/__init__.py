"""Weight transforms, spike encoders and time decoders (spec §9.1–§9.3)."""

from . import decode, encode, weight_transforms

__all__ = ["decode", "encode", "weight_transforms"]
