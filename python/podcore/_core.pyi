"""Type stubs for podcore's native core."""

import builtins
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias, final, overload

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

def _diff_values(old: Any, new: Any) -> list[dict[str, Any]]:
    """``diff`` computed by converting both inputs to JSON values first.

    Internal: the reference ``diff`` is checked against; same results and errors.
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
    ``kind`` — Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob,
    Node, PersistentVolumeClaim, Namespace — or of ``kind`` when given.

    Raises:
        BadRequest: the patch is malformed, or the kind has no patch strategies.
    """

def cron_schedule(spec: str) -> dict[str, Any]:
    """A CronJob schedule parsed as Kubernetes parses it (robfig/cron's
    standard parser): ``minute``/``hour``/``dom``/``month``/``dow`` bit masks
    (bit 63 set when the field was ``*`` or ``?``), or ``every`` (seconds),
    and the ``location`` of a ``TZ=``/``CRON_TZ=`` prefix (or None).

    Raises:
        ValueError: the schedule does not parse (the parser's message).
    """

_Selector: TypeAlias = str | dict[str, Any] | None

@final
class Store:
    """The object store behind ``podcore.Cluster``: kube-apiserver's registry
    (defaults, validation, resourceVersions, generations, graceful deletion)
    over an indexed, watchable store. Thread-safe; batch calls release the GIL.

    ``kind`` arguments take a Kind (``Pod``), its resource name (``pods``) or
    short name (``po``, ``deploy``, ``sts``, ``ds``, ``pvc``, ``ns``, ``no``).
    """

    def __new__(cls, *, seed: int = 0, window: int = 10000) -> Store: ...
    @property
    def now(self) -> int:
        """The Unix time (seconds) stamped on creations and deletions."""
    @now.setter
    def now(self, value: int) -> None: ...
    @property
    def resource_version(self) -> str:
        """The latest resourceVersion of the store."""
    def create(self, obj: _Object, namespace: str = "") -> dict[str, Any]:
        """Create an object (in its own namespace, else ``namespace``, else ``default``).

        Raises:
            Invalid: the object fails validation; nothing is stored.
            AlreadyExists: the name is taken.
            NotFound: the namespace does not exist.
            Forbidden: the namespace is being deleted.
            BadRequest: the input is not an object of a kind the store holds.
        """
    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]: ...
    def list(
        self, kind: str, namespace: str | None = None, label_selector: _Selector = None
    ) -> builtins.list[dict[str, Any]]:
        """Objects in key order, filtered by namespace and label selector (the
        string syntax or a LabelSelector dict), answered from the label index."""
    def _reference_dicts(
        self, kind: str, namespace: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Every object of ``kind`` as dicts made by the general serde conversion.

        Internal: the reference the dicts of ``get``, ``list`` and ``watch`` are
        checked against; the same dicts, key order and types included.
        """
    def keys(
        self, kind: str, namespace: str | None = None, label_selector: _Selector = None
    ) -> builtins.list[tuple[str, str]]:
        """``(namespace, name)`` of what ``list`` would return."""
    def count(self, kind: str) -> int: ...
    def replace(self, obj: _Object, namespace: str = "") -> dict[str, Any]:
        """Update an object; a set ``metadata.resourceVersion`` must be current.

        Raises:
            Conflict: the resourceVersion (or uid) is not the stored one.
            Invalid: the update fails validation; the object is unchanged.
        """
    @overload
    def replace_status(
        self, obj: _Object, namespace: str = "", *, version_only: Literal[False] = False
    ) -> dict[str, Any]: ...
    @overload
    def replace_status(
        self, obj: _Object, namespace: str = "", *, version_only: Literal[True]
    ) -> str:
        """Write only the object's status (the ``status`` subresource).
        With ``version_only``, return only the stored resourceVersion
        instead of the whole object."""
    def patch(
        self,
        kind: str,
        name: str,
        patch: Any,
        namespace: str = "default",
        type: str = "strategic",
    ) -> dict[str, Any]:
        """Patch an object (``strategic``, ``merge`` or ``json``) and store the
        result as ``replace`` does."""
    def delete(
        self,
        kind: str,
        name: str,
        namespace: str = "default",
        propagation: str = "Background",
        *,
        grace_period_seconds: int | None = None,
        resource_version: str | None = None,
        uid: str | None = None,
    ) -> dict[str, Any] | None:
        """Delete an object: the object while it stays (graceful deletion,
        finalizers), None when it is gone."""
    def apply(self, objects: Sequence[_Object]) -> builtins.list[dict[str, Any]]:
        """``kubectl apply`` each object, all or nothing."""
    def create_pods(
        self,
        namespace: str,
        template: _Object,
        *,
        count: int = 0,
        generate_name: str = "",
        names: builtins.list[str] | None = None,
        owner: dict[str, Any] | None = None,
        overlays: builtins.list[dict[str, Any]] | None = None,
        pin_nodes: builtins.list[str] | None = None,
    ) -> builtins.list[str]:
        """Create pods from a pod template in one call, all or none; they share
        the template's parsed spec. ``overlays`` are per-pod merge patches;
        ``pin_nodes`` instead pins each pod to one node as a DaemonSet's pods
        are (required node affinity ``metadata.name In [node]``).
        Returns the pods' names."""
    def delete_many(
        self, kind: str, keys: builtins.list[tuple[str, str]], *, propagation: str = "Background"
    ) -> int:
        """Delete many objects; returns how many are gone at once."""
    def collect_garbage(self) -> int:
        """One pass of the garbage collector and namespace controller."""
    def dependents(self, uid: str) -> builtins.list[tuple[str, str, str]]:
        """``(kind, namespace, name)`` of the objects owned by ``uid``."""
    def owned_pod_counts(self, uid: str) -> dict[str, int]:
        """Counts of the pods owned by ``uid`` by phase, readiness, deletion, binding."""
    def pods_on_node(self, node: str) -> builtins.list[tuple[str, str]]: ...
    def mark_pods_not_ready(self, node: str) -> int:
        """Set Ready=False on every pod of ``node`` (node lifecycle controller)."""
    def schedule(self) -> int:
        """One pass of the scheduler over the pods waiting for a node; returns
        how many pods it bound or newly marked unschedulable."""
    def changes(
        self,
        resource_version: str,
        kinds: builtins.list[str] = ...,
        *,
        reader: str | None = None,
        limit: int | None = None,
        latest_only: bool = False,
    ) -> tuple[builtins.list[tuple[str, str, str, str, str, str | None]], str]:
        """Changes after ``resource_version``: ``(type, kind, namespace, name,
        uid, controller_uid)``, and the version to continue from. A named
        ``reader`` has the events it has not read kept for it past the window,
        as an informer receives every event of its watch; with ``limit``, at
        most that many come back (continue from the version returned); with
        ``latest_only``, only each pod's last change among them.

        Raises:
            Gone: the version is older than the events kept.
        """
    def controller_pods(
        self,
        namespace: str,
        selector: str | dict[str, Any],
        owner_uid: str,
        *,
        min_ready_seconds: int = 0,
        template_labels: dict[str, str] | None = None,
        scale_down: int = 0,
        related_uids: builtins.list[str] = ...,
    ) -> dict[str, Any]:
        """A controller's pods in one call: counts (active, ready, available,
        fully_labeled, terminating), names (finished, orphans, strays, and with
        ``scale_down`` the pods to delete first) and ``next_available``."""
    def set_controller(
        self,
        namespace: str,
        names: builtins.list[str],
        owner: dict[str, Any] | None = None,
        release_uid: str = "",
    ) -> int:
        """Adopt pods for ``owner``, or release them from ``release_uid``."""
    def stateful_pods(
        self,
        namespace: str,
        selector: str | dict[str, Any],
        *,
        min_ready_seconds: int = 0,
        label_keys: builtins.list[str] = ...,
        volume_names: builtins.list[str] = ...,
    ) -> builtins.list[
        tuple[
            str,
            str,
            str | None,
            str,
            bool,
            int | None,
            bool,
            builtins.list[str | None],
            builtins.list[str | None],
        ]
    ]:
        """The StatefulSet controller's view of each selected pod, in name order:
        ``(name, uid, controller_uid, phase, ready, available_in, deleting,
        labels, claims)``. ``ready``: Running with Ready=True; ``available_in``:
        None when not ready, else seconds until available (0: available);
        ``labels``: the values of ``label_keys``; ``claims``: the claimName of
        the persistentVolumeClaim volume named after each of ``volume_names``."""
    def stateful_view(
        self,
        namespace: str,
        selector: str | dict[str, Any],
        owner_uid: str,
        set_name: str,
        *,
        start: int = 0,
        replicas: int = 0,
        min_ready_seconds: int = 0,
        volume_names: builtins.list[str] = ...,
        ordered: bool = True,
    ) -> dict[str, Any]:
        """The StatefulSet controller's view of a set's pods, whatever the number
        of healthy pods: ``adopt`` / ``release`` (pod names); ``members`` and
        ``slotted``: ``(replicas, ready, available, {revision: created pods not
        being deleted})`` over every member, and over the members with a valid
        ordinal (one per ordinal in range); ``revisions`` (labels in use);
        ``next_available``; ``slots``: the ordinals in range as ``(lo, hi,
        revision, pod)`` by index from ``start`` (a pod needing attention; or
        ``revision`` for healthy pods in their identity; or missing), with
        ``ordered`` nothing after the first missing or unhealthy one;
        ``condemned``: members out of range, highest ordinal first. A pod is
        ``(name, ordinal, uid, phase, ready, available_in, deleting, revision,
        name_label, claims)``."""
    def changed_since(self, kind: str, namespace: str, resource_version: str) -> bool:
        """Whether an object of ``kind`` in ``namespace`` was written or deleted
        after ``resource_version``; True as well when the change log no longer
        reaches back that far: a controller keeps what it listed of a kind
        while this says False.

        Raises:
            BadRequest: the version is not a number.
        """
    def daemon_plan(
        self,
        namespace: str,
        selector: str | dict[str, Any],
        owner_uid: str,
        nodes: builtins.list[str],
        verdicts: bytes,
        *,
        hash: str = "",
        min_ready_seconds: int = 0,
        surge: bool = False,
    ) -> dict[str, Any]:
        """The DaemonSet controller's per-node walk in one call, over
        ``nodes`` with one verdict byte each (2 should run, 1 may keep
        running, 0 should not run) and the pods it controls.

        Returns:
            ``need`` (nodes to create a pod on) and ``delete`` (pods to
            delete) as manage plans them, in node order; ``simple``: whether
            that plan is complete (False when a pod targets a node not in
            ``nodes``, a node holds a Failed pod or, with ``surge``, several
            running pods, or there are orphans or strays); ``old``: pods not
            on revision ``hash``, not being deleted; ``counts``: the status
            ``(desired, current, misscheduled, ready, updated, available,
            next_available)`` from the oldest pod on each node.
        """
    def daemon_pods(
        self,
        namespace: str,
        selector: str | dict[str, Any],
        owner_uid: str,
        *,
        min_ready_seconds: int = 0,
        label_keys: builtins.list[str] = ...,
    ) -> dict[str, Any]:
        """The DaemonSet controller's view of its pods, without a dict per pod.

        Returns:
            ``pods``: ``(name, node_name, target_node, phase, deleting,
            available_in, created, labels)`` per pod it controls that the
            selector matches, in name order (terminating and finished ones
            included); ``target_node`` is the nodeName, else the node its
            required ``metadata.name`` match field names (None if none);
            ``available_in`` is None when not Ready, else the seconds until
            available; ``labels`` the values of ``label_keys``. ``orphans``
            and ``strays``: the names of the matching pods without a
            controller and of its pods that stopped matching.
        """
    def version_of(
        self, kind: str, name: str, namespace: str = "default"
    ) -> tuple[str, str] | None:
        """The stored object's ``(resourceVersion, uid)``, or None when there
        is none (a cheap check whether a dict read earlier is still current)."""
    def node_placements(
        self, names: builtins.list[str] | None = None
    ) -> builtins.list[tuple[str, str, dict[str, str], builtins.list[dict[str, Any]]]]:
        """``(name, resourceVersion, labels, taints)`` of the named nodes that
        exist (of every node, in name order, without ``names``): what decides
        where daemon pods run, without converting whole Nodes."""
    def watch(
        self,
        kind: str | None = None,
        namespace: str | None = None,
        resource_version: str | None = None,
        *,
        label_selector: _Selector = None,
        timeout_seconds: float = 0.0,
    ) -> Watch:
        """Change events after ``resource_version`` (without one: the current
        objects as ADDED, then changes).

        Raises:
            Gone: ``resource_version`` is older than the events kept.
        """

    def job_pods(
        self,
        namespace: str,
        selector: str | dict[str, Any],
        owner_uid: str,
        *,
        finalizer: str = "batch.kubernetes.io/job-tracking",
    ) -> dict[str, Any]:
        """The Job controller's view of its pods: ``pods``, one tuple per
        selected pod that ``owner_uid`` controls, in name order: ``(name, uid,
        phase, (deleting, tracked, ready, scheduled), (index, index_failures,
        index_ignored_failures, restarts, finished_at, created))`` (``tracked``:
        it carries ``finalizer``; ``index`` -1 when it has no valid completion
        index; ``finished_at`` and ``created`` in Unix seconds); ``orphans``
        (matching pods without a controller) and ``strays`` (controlled pods
        that no longer match), by name."""
    def sync_job(
        self,
        namespace: str,
        name: str,
        backoff: tuple[int, int | None] | None = None,
        cached_version: str | None = None,
    ) -> tuple[str, tuple[int, int | None] | None, int, bool, tuple[str, dict[str, Any]] | None]:
        """The Job controller's sync of a plain Job (NonIndexed, without pod
        failure policy, suspension, active deadline or deletion, replacing
        terminating pods, nothing to adopt or release) in one call: deletes
        or creates its pods, removes the tracking finalizer of the pods it
        counts, writes its status when it changed. ``backoff``: the Job's
        consecutive pod failures and the last one's time. Returns
        ``(outcome, backoff, wait, retry, written)``: ``outcome`` "gone",
        "not-ours", "finished", "general" (nothing done) or "synced"; then
        the new back-off record (None if no pod finished), the back-off
        seconds before missing pods can be made (0: none), whether the status
        write failed, and ``(resourceVersion, status)`` of the write when the
        Job was at ``cached_version`` before it."""
    def job_needs_cleanup(self, namespace: str, name: str) -> bool:
        """Whether the Job exists, is not being deleted, has a
        ``ttlSecondsAfterFinished`` and is finished."""
    def set_pod_finalizer(
        self, namespace: str, names: builtins.list[str], finalizer: str, *, add: bool = False
    ) -> int:
        """Remove ``finalizer`` from the named pods (with ``add``, add it where
        missing); returns how many pods changed."""

@final
class Kubelets:
    """The simulated kubelets of a cluster's nodes."""

    def __new__(cls) -> Kubelets: ...
    def sync(self, store: Store, now: float) -> float | None:
        """Run every kubelet up to ``now`` (simulated seconds); returns when the
        next pod transition falls due."""
    def fail_pod(self, namespace: str, name: str, exit_code: int, now: float) -> bool:
        """Make the pod's running containers exit with ``exit_code``."""
    def set_node_down(self, node: str, down: bool) -> None:
        """Stop (or resume) the kubelet of ``node``."""

@final
class Watch:
    """Watch events, ``{"type": "ADDED"|"MODIFIED"|"DELETED", "object": {...}}``."""

    def __iter__(self) -> Watch: ...
    def __next__(self) -> dict[str, Any]: ...
    @property
    def resource_version(self) -> str:
        """The resourceVersion read up to: resume a later watch from it."""
