"""The error hierarchy of hxstudio; defined in :mod:`hxstudio.backend.errors`, re-exported here."""

from hxstudio.backend.errors import (  # noqa: F401
    HXStudioError,
    ParameterRangeError,
    ProjectFileError,
    ResourceError,
    ValidationError,
)

__all__ = ["HXStudioError", "ParameterRangeError", "ProjectFileError", "ResourceError", "ValidationError"]
