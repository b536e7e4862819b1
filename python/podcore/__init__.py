"""Kubernetes' pods as a library: the apiserver's pod defaulting and
validation, object diff and patch, and (on top) a simulated cluster.

Objects go in and come out as plain dicts in Kubernetes' JSON shape; where an
argument is an "object" it also takes JSON or YAML text as ``str`` or ``bytes``.
"""

from podcore._core import (
    FieldError,
    __version__,
    apply_defaults,
    apply_json_patch,
    apply_merge_patch,
    apply_strategic_merge_patch,
    diff,
    pod_warnings,
    validate_pod,
    validate_pod_update,
    validate_pod_updates,
)
from podcore.cluster import Cluster
from podcore.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
)

__all__ = [
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Cluster",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Gone",
    "Invalid",
    "NotFound",
    "__version__",
    "apply_defaults",
    "apply_json_patch",
    "apply_merge_patch",
    "apply_strategic_merge_patch",
    "diff",
    "pod_warnings",
    "validate_pod",
    "validate_pod_update",
    "validate_pod_updates",
]
