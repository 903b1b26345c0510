"""Information about one hardware execution (spec §2.1); a mock run returns ``None`` instead."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Optional

__all__ = ["ExecutionInfo"]


@dataclasses.dataclass
class ExecutionInfo:
    """What :func:`~hxstudio.backend.run` reports after a hardware run.

    Attributes:
        time: execution time per execution instance, in s.
        health: chip health information per execution instance.
    """

    time: Dict[Any, float] = dataclasses.field(default_factory=dict)
    health: Optional[Dict[Any, Any]] = None
