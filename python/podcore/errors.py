"""podcore's API errors: a Kubernetes ``Status`` as a Python exception."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from podcore._core import FieldError

__all__ = [
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "Gone",
    "Invalid",
    "NotFound",
]


class ApiError(Exception):
    """A failed call, as the apiserver's Status: ``code``, ``reason``, ``message``."""

    code: ClassVar[int] = 500
    reason: ClassVar[str] = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def status(self) -> dict[str, object]:
        """The error as a Kubernetes ``Status`` object."""
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }


class BadRequest(ApiError):
    """400: the input could not be read (malformed JSON/YAML, wrong shape)."""

    code = 400
    reason = "BadRequest"


class Forbidden(ApiError):
    """403: the operation is not allowed on this object (a namespace that may
    not be deleted, new content in a terminating namespace)."""

    code = 403
    reason = "Forbidden"


class NotFound(ApiError):
    """404: no such object."""

    code = 404
    reason = "NotFound"


class AlreadyExists(ApiError):
    """409: an object of that name exists."""

    code = 409
    reason = "AlreadyExists"


class Conflict(ApiError):
    """409: the object changed since the resourceVersion the caller sent."""

    code = 409
    reason = "Conflict"


class Gone(ApiError):
    """410: a watch asked for history older than what is kept."""

    code = 410
    reason = "Expired"


class Invalid(ApiError):
    """422: the object breaks validation; ``errors`` lists every field error."""

    code = 422
    reason = "Invalid"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[FieldError] = list(errors or [])
