"""Type stubs for podcore's native core."""

from collections.abc import Iterable
from typing import Any, Literal, TypeAlias, final

__version__: str

#: An object argument: a dict in Kubernetes' JSON shape, or JSON/YAML text.
_Object: TypeAlias = dict[str, Any] | str | bytes

_ErrorType: TypeAlias = Literal[
    "FieldValueNotFound",
    "FieldValueRequired",
    "FieldValueDuplicate",
    "FieldValueInvalid",
    "FieldValueNotSupported",
    "FieldValueForbidden",
    "FieldValueTooLong",
    "FieldValueTooMany",
    "InternalError",
    "FieldValueTypeInvalid",
]

@final
class FieldError:
    """One validation problem, as Kubernetes' ``field.Error``.

    ``str(err)`` prints it as kube-apiserver does, e.g.
    ``spec.activeDeadlineSeconds: Invalid value: 11: must be less than or equal
    to previous value``.
    """

    def __new__(
        cls, field: str, type: str, detail: str = "", bad_value: Any = None
    ) -> FieldError: ...
    @property
    def field(self) -> str:
        """The field path as Kubernetes prints it (``spec.containers[0].image``)."""
    @property
    def type(self) -> str:
        """Kubernetes' ErrorType string (``FieldValueRequired``, ...)."""
    @property
    def detail(self) -> str: ...
    @property
    def bad_value(self) -> Any:
        """The rejected value, or None where Kubernetes reports none."""
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def validate_pod(pod: _Object) -> list[FieldError]:
    """Validate a pod as kube-apiserver does on create.

    Args:
        pod: the Pod (defaults are filled in first, as the apiserver does).

    Returns:
        Every field error; empty when the pod is valid. A field holding JSON of
        the wrong type is reported as ``FieldValueTypeInvalid`` at that field.

    Raises:
        BadRequest: the input is not a JSON/YAML object.
    """

def validate_pod_update(old: _Object, new: _Object) -> list[FieldError]:
    """Validate an update of the pods resource from ``old`` to ``new``.

    Status changes are ignored, as the main resource ignores them.

    Raises:
        BadRequest: either input is not a JSON/YAML object.
    """

def validate_pod_updates(
    pairs: Iterable[tuple[_Object, _Object]], *, threads: int | None = None
) -> list[list[FieldError]]:
    """Validate many (old, new) pod updates at once.

    The GIL is released while the pairs are validated.

    Args:
        pairs: (old, new) pods, each a dict or JSON text.
        threads: 1 validates on the calling thread only; by default the pairs
            are spread over the machine's cores.

    Raises:
        BadRequest: a pair is not made of JSON/YAML objects (its index is named).
    """

def apply_defaults(obj: _Object) -> dict[str, Any]:
    """The pod with the API's defaults filled in, as kube-apiserver stores it."""

def pod_warnings(pod: _Object, old: _Object | None = None) -> list[str]:
    """The warnings kube-apiserver returns with a pod create (or update from ``old``)."""

def diff(old: Any, new: Any) -> list[dict[str, Any]]:
    """The RFC 6902 operations that turn ``old`` into ``new``.

    Both are JSON values as Python objects (dicts, lists, str, numbers, bool,
    None); a ``str`` is a JSON string here, not text to parse.

    Applying them to ``old`` (with any RFC 6902 implementation) gives ``new``.
    """

def apply_json_patch(obj: _Object | list[Any], ops: list[dict[str, Any]] | str | bytes) -> Any:
    """``obj`` with an RFC 6902 JSON Patch applied; ``obj`` itself is not changed.

    Raises:
        BadRequest: an operation is malformed or cannot apply (its index and path
            are named); nothing is applied.
    """

def apply_merge_patch(obj: _Object | list[Any], patch: Any) -> Any:
    """``obj`` with an RFC 7386 JSON Merge Patch applied."""

def apply_strategic_merge_patch(
    obj: _Object, patch: _Object, *, kind: str | None = None
) -> dict[str, Any]:
    """``obj`` with a Kubernetes strategic merge patch applied.

    The patch strategies (merge keys, directives) are those of the object's
    ``kind`` — Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, Node,
    PersistentVolumeClaim, Namespace — or of ``kind`` when given.

    Raises:
        BadRequest: the patch is malformed, or the kind has no patch strategies.
    """
