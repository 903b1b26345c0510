"""The error hierarchy of hxstudio; defined in :mod:`hxstudio.backend.errors`, re-exported here."""

from hxstudio.backend import errors as _errors
from hxstudio.backend.errors import *  # noqa: F401,F403

__all__ = list(_errors.__all__)
