"""The DaemonSet controller (pkg/controller/daemon): one pod of the template
on every node that should run it, placed by the default scheduler through a
``metadata.name`` node affinity per pod; ControllerRevision history;
RollingUpdate (maxUnavailable or maxSurge) and OnDelete updates; failed
pods replaced with a back-off; status.

Which nodes should run a daemon pod is decided as Kubernetes'
``NodeShouldRunDaemonPod`` does: the template's nodeName, nodeSelector and
required node affinity must fit the node, and its taints must be tolerated
by the template's tolerations plus the ones the controller adds to every
daemon pod (``AddOrUpdateDaemonPodTolerations``). A node whose only
untolerated taints are NoSchedule ones keeps a pod it already runs.

Per sync the controller reads its pods once through one batch store call
(``Store.daemon_pods``, a tuple per pod), keeps what placement reads of
the nodes (``Store.node_placements``) in an informer-like cache refreshed
from the store's change log, and remembers each DaemonSet's verdict per
node until the node or the template's placement fields change, so a sync
over thousands of nodes is a few dict look-ups per node. A sync that stops
at BurstReplicas creations is followed by the next in the same round.

Differences from kube-controller-manager, because of the simulation:

- Creations and deletions are synchronous, so the controller's expectations
  are always met when a sync starts; within a sync, a rolling update step
  waits for a sync in which ``manage`` wrote nothing, as it does in
  Kubernetes while the informer has not yet seen those writes.
- Map iteration (node order) is name order instead of Go's random order.
- Events are not recorded.
- kube-controller-manager's pod garbage collector is not part of the
  simulated cluster, so this controller does its part for daemon pods:
  pods bound to a node that has been gone for the 40 s quarantine are marked
  Failed (DisruptionTarget, ``DeletionByPodGC``) and deleted at once.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, NamedTuple

from podcore.controllers.base import Change, Controller, Key, owner_reference, timestamp
from podcore.controllers.deployment import compute_hash, scaled_value
from podcore.errors import AlreadyExists, ApiError, Conflict, Gone, NotFound
from podcore.sim.clock import Clock

Obj = dict[str, Any]

#: Pods created or deleted in one sync at most (BurstReplicas).
BURST_REPLICAS = 250
#: Bursts of one DaemonSet synced back to back in one reconcile round at
#: most (each creates BURST_REPLICAS pods: half a million nodes' worth).
_MAX_BURSTS_PER_ROUND = 2_000
#: The first batch of a slow-start creation (SlowStartInitialBatchSize).
SLOW_START_INITIAL_BATCH_SIZE = 1
#: kube-controller-manager's failed daemon pod back-off: 1 s doubling up to
#: 15 minutes, forgotten after twice that without failures.
FAILED_POD_BACKOFF_INITIAL = 1.0
FAILED_POD_BACKOFF_MAX = 900.0
#: How long the pod garbage collector waits before it believes a node is gone.
POD_GC_QUARANTINE = 40.0

HASH_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"
TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
PID_PRESSURE = "node.kubernetes.io/pid-pressure"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"

_INT64 = re.compile(r"[+-]?[0-9]+")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


# ---------------------------------------------------------------- tolerations


def _toleration_fields(t: Obj) -> tuple[str, str, str, str]:
    return (
        str(t.get("key") or ""),
        str(t.get("operator") or ""),
        str(t.get("value") or ""),
        str(t.get("effect") or ""),
    )


def add_or_update_toleration(tolerations: Sequence[Obj], toleration: Obj) -> list[Obj]:
    """AddOrUpdateTolerationInPodSpec: a toleration with the same key,
    operator, value and effect is replaced by ``toleration`` (unless equal);
    otherwise ``toleration`` is appended."""
    want = _toleration_fields(toleration)
    out: list[Obj] = []
    updated = False
    for t in tolerations:
        if _toleration_fields(t) == want:
            if t.get("tolerationSeconds") == toleration.get("tolerationSeconds"):
                return list(tolerations)
            out.append(dict(toleration))
            updated = True
        else:
            out.append(t)
    if not updated:
        out.append(dict(toleration))
    return out


def daemon_tolerations(spec: Obj) -> list[Obj]:
    """The pod spec's tolerations with those every daemon pod gets
    (AddOrUpdateDaemonPodTolerations): it survives not-ready and unreachable
    nodes' eviction, and is placed despite pressure, cordoning and, with
    host networking, an unavailable network."""
    wanted = [
        (NOT_READY, "NoExecute"),
        (UNREACHABLE, "NoExecute"),
        (DISK_PRESSURE, "NoSchedule"),
        (MEMORY_PRESSURE, "NoSchedule"),
        (PID_PRESSURE, "NoSchedule"),
        (UNSCHEDULABLE, "NoSchedule"),
    ]
    if spec.get("hostNetwork"):
        wanted.append((NETWORK_UNAVAILABLE, "NoSchedule"))
    out: list[Obj] = list(spec.get("tolerations") or [])
    for key, effect in wanted:
        out = add_or_update_toleration(out, {"key": key, "operator": "Exists", "effect": effect})
    return out


def tolerates_taint(toleration: Obj, taint: Obj) -> bool:
    """Toleration.ToleratesTaint (tolerationSeconds plays no part)."""
    effect = toleration.get("effect") or ""
    if effect and effect != (taint.get("effect") or ""):
        return False
    key = toleration.get("key") or ""
    if key and key != (taint.get("key") or ""):
        return False
    operator = toleration.get("operator") or ""
    if operator in ("", "Equal"):
        return bool((toleration.get("value") or "") == (taint.get("value") or ""))
    return operator == "Exists"


def has_untolerated_taint(
    taints: Iterable[Obj], tolerations: Sequence[Obj], effects: tuple[str, ...]
) -> bool:
    """FindMatchingUntoleratedTaint over the taints with one of ``effects``."""
    return any(
        t.get("effect") in effects and not any(tolerates_taint(tol, t) for tol in tolerations)
        for t in taints
    )


# ---------------------------------------------------------------- node affinity


class _Requirement(NamedTuple):
    key: str
    operator: str
    values: tuple[str, ...]


def _label_requirement(req: Obj) -> _Requirement | None:
    """A matchExpressions entry as labels.NewRequirement accepts it, or None
    when Kubernetes would fail to parse it (the term then matches nothing)."""
    op = req.get("operator")
    values = tuple(str(v) for v in req.get("values") or [])
    if op in ("In", "NotIn"):
        ok = bool(values)
    elif op in ("Exists", "DoesNotExist"):
        ok = not values
    elif op in ("Gt", "Lt"):
        ok = len(values) == 1 and _parse_int64(values[0]) is not None
    else:
        ok = False
    return _Requirement(str(req.get("key") or ""), str(op), values) if ok else None


def _parse_int64(s: str) -> int | None:
    if not _INT64.fullmatch(s):
        return None
    v = int(s)
    return v if _INT64_MIN <= v <= _INT64_MAX else None


def _label_matches(r: _Requirement, labels: dict[str, str]) -> bool:
    have = labels.get(r.key)
    if r.operator == "In":
        return have is not None and have in r.values
    if r.operator == "NotIn":
        return have is None or have not in r.values
    if r.operator == "Exists":
        return have is not None
    if r.operator == "DoesNotExist":
        return have is None
    if have is None:
        return False
    n, bound = _parse_int64(have), _parse_int64(r.values[0])
    if n is None or bound is None:
        return False
    return n > bound if r.operator == "Gt" else n < bound


class _Term(NamedTuple):
    labels: tuple[_Requirement, ...]
    #: (field, equal?, value): In / NotIn of one value on a node field.
    fields: tuple[tuple[str, bool, str], ...]

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        if not all(_label_matches(r, labels) for r in self.labels):
            return False
        return all(
            ((name if key == "metadata.name" else "") == value) == equal
            for key, equal, value in self.fields
        )


def _compile_term(term: Obj) -> _Term | None:
    """A node selector term, or None when it is empty or does not parse
    (such a term matches no node)."""
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return None
    labels: list[_Requirement] = []
    for e in exprs:
        r = _label_requirement(e)
        if r is None:
            return None
        labels.append(r)
    compiled: list[tuple[str, bool, str]] = []
    for f in fields:
        values = f.get("values") or []
        if f.get("operator") not in ("In", "NotIn") or len(values) != 1:
            return None
        compiled.append((str(f.get("key") or ""), f.get("operator") == "In", str(values[0])))
    return _Term(tuple(labels), tuple(compiled))


class Placement:
    """What NodeShouldRunDaemonPod reads of a DaemonSet's pod template:
    nodeName, nodeSelector, the required node affinity and the tolerations
    (the daemon ones included)."""

    def __init__(self, spec: Obj) -> None:
        self.node_name: str = spec.get("nodeName") or ""
        self.node_selector: dict[str, str] = dict(spec.get("nodeSelector") or {})
        required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        self.terms: list[_Term] | None = None
        if required is not None:
            terms = (_compile_term(t) for t in required.get("nodeSelectorTerms") or [])
            self.terms = [t for t in terms if t is not None]
        self.tolerations = daemon_tolerations(spec)

    @staticmethod
    def fingerprint(spec: Obj) -> str:
        """The template fields a verdict depends on, as one comparable string."""
        return json.dumps(
            [
                spec.get("nodeName"),
                spec.get("nodeSelector"),
                ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
                    "requiredDuringSchedulingIgnoredDuringExecution"
                ),
                spec.get("tolerations"),
                bool(spec.get("hostNetwork")),
            ],
            sort_keys=True,
        )

    def fits_affinity(self, name: str, labels: dict[str, str]) -> bool:
        """GetRequiredNodeAffinity(pod).Match(node)."""
        if any(labels.get(k) != v for k, v in self.node_selector.items()):
            return False
        if self.terms is None:
            return True
        return any(t.matches(name, labels) for t in self.terms)

    def should_run(self, name: str, labels: dict[str, str], taints: Sequence[Obj]) -> Verdict:
        """NodeShouldRunDaemonPod: (should run, should continue running)."""
        if self.node_name and self.node_name != name:
            return NOT_HERE
        if not self.fits_affinity(name, labels):
            return NOT_HERE
        if not has_untolerated_taint(taints, self.tolerations, ("NoSchedule", "NoExecute")):
            return RUN
        # A pod already there stays unless a NoExecute taint is not tolerated.
        if has_untolerated_taint(taints, self.tolerations, ("NoExecute",)):
            return NOT_HERE
        return KEEP


class Verdict(NamedTuple):
    should_run: bool
    should_continue_running: bool


RUN = Verdict(True, True)
KEEP = Verdict(False, True)
NOT_HERE = Verdict(False, False)


def node_should_run_daemon_pod(node: Obj, ds: Obj) -> Verdict:
    """NodeShouldRunDaemonPod for one Node object and DaemonSet."""
    spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    meta = node.get("metadata") or {}
    return Placement(spec).should_run(
        str(meta.get("name") or ""),
        dict(meta.get("labels") or {}),
        list((node.get("spec") or {}).get("taints") or []),
    )


# ---------------------------------------------------------------- update arithmetic


def _rolling_update(ds: Obj) -> Obj | None:
    strategy = (ds.get("spec") or {}).get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        return None
    ru: Obj | None = strategy.get("rollingUpdate")
    return ru


def surge_count(ds: Obj, number_to_schedule: int) -> int:
    """SurgeCount: maxSurge of ``number_to_schedule``, rounded up; 0 for
    OnDelete or when unset."""
    ru = _rolling_update(ds)
    if ru is None or ru.get("maxSurge") is None:
        return 0
    return scaled_value(ru["maxSurge"], number_to_schedule, True)


def unavailable_count(ds: Obj, number_to_schedule: int) -> int:
    """UnavailableCount: maxUnavailable of ``number_to_schedule``. Kubernetes'
    daemon util rounds a percentage up here too (unlike Deployments)."""
    ru = _rolling_update(ds)
    if ru is None:
        return 0
    return scaled_value(ru.get("maxUnavailable"), number_to_schedule, True)


def allows_surge(ds: Obj) -> bool:
    """AllowsSurge: more than one pod per node is allowed during updates."""
    return surge_count(ds, 1) > 0


def template_generation(ds: Obj) -> int | None:
    """GetTemplateGeneration: the deprecated template generation annotation
    (None when absent or not a number)."""
    value = ((ds.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION)
    return None if value is None else _parse_int64(str(value))


def create_pod_template(template: Obj, generation: int | None, hash_: str) -> Obj:
    """CreatePodTemplate: the template with the daemon tolerations, the
    ``pod-template-generation`` label (when the DaemonSet has a template
    generation) and the ``controller-revision-hash`` label."""
    out = copy.deepcopy(template)
    spec = out.setdefault("spec", {})
    spec["tolerations"] = daemon_tolerations(spec)
    meta = out.setdefault("metadata", {})
    labels = dict(meta.get("labels") or {})
    if generation is not None:
        labels[GENERATION_LABEL] = str(generation)
    if hash_:
        labels[HASH_LABEL] = hash_
    meta["labels"] = labels
    return out


def history_patch(ds: Obj) -> Obj:
    """getPatch: what a ControllerRevision of the DaemonSet stores, a
    strategic merge patch that puts the current pod template back."""
    template = dict((ds.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


# ---------------------------------------------------------------- pods


class DaemonPod(NamedTuple):
    """What the controller reads of one of its pods."""

    name: str
    #: spec.nodeName ("" while unbound).
    node: str
    #: GetTargetNodeName: the node it is bound or meant for (None: unknown).
    target: str | None
    phase: str
    deleting: bool
    #: None when not Ready, else seconds until available (0: available).
    available_in: int | None
    created: int
    hash: str | None

    @property
    def ready(self) -> bool:
        return self.available_in is not None

    @property
    def available(self) -> bool:
        return self.available_in == 0

    @property
    def terminal(self) -> bool:
        return self.phase in ("Succeeded", "Failed")


def by_creation(p: DaemonPod) -> tuple[bool, int, str]:
    """podByCreationTimestampAndPhase: bound pods first, then oldest, then name."""
    return (not p.node, p.created, p.name)


def is_pod_updated(p: DaemonPod, hash_: str) -> bool:
    """IsPodUpdated. Kubernetes also compares the pod's
    ``pod-template-generation`` label with the DaemonSet's template
    generation, but formats the generation's pointer rather than its value,
    so that comparison never holds; only the revision hash counts."""
    return bool(hash_) and p.hash == hash_


def find_updated_pods_on_node(
    pods: Sequence[DaemonPod], hash_: str
) -> tuple[DaemonPod | None, DaemonPod | None, bool]:
    """findUpdatedPodsOnNode: (new pod, old pod, at most one of each)."""
    new: DaemonPod | None = None
    old: DaemonPod | None = None
    for p in pods:
        if p.deleting:
            continue
        if is_pod_updated(p, hash_):
            if new is not None:
                return None, None, False
            new = p
        else:
            if old is not None:
                return None, None, False
            old = p
    return new, old, True


# ---------------------------------------------------------------- nodes


class _Node(NamedTuple):
    name: str
    resource_version: str
    labels: dict[str, str]
    taints: list[Obj]


class _NodeCache:
    """The nodes as an informer keeps them: listed once, then brought up to
    date from the store's change log (listed again after a gap)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.cursor: str | None = None
        self.nodes: dict[str, _Node] = {}
        self.names: list[str] = []
        #: Raised whenever a node is added, changed or removed.
        self.version = 0

    def refresh(self) -> set[str]:
        """Catches up; returns the names of nodes added or changed."""
        changed: set[str] = set()
        if self.cursor is not None:
            try:
                changes, cursor = self.store.changes(self.cursor, ["Node"], reader="daemonsets")
            except Gone:
                changes, cursor = None, self.cursor
            if changes is not None:
                self.cursor = cursor
                names = {c[3] for c in changes}
                for name in names:
                    self.nodes.pop(name, None)
                for row in self.store.node_placements(sorted(names)):
                    self.nodes[row[0]] = _Node(*row)
                    changed.add(row[0])
                if names:
                    self.names = sorted(self.nodes)
                    self.version += 1
                return changed
        self.cursor = self.store.resource_version
        # Only what placement reads: whole Nodes (status, images, addresses)
        # cost ten times as much to convert, and there may be thousands.
        self.nodes = {row[0]: _Node(*row) for row in self.store.node_placements()}
        self.names = sorted(self.nodes)
        self.version += 1
        return set(self.nodes)


class _Verdicts:
    """One DaemonSet's verdicts per node, for one placement of its template."""

    def __init__(self, fingerprint: str, placement: Placement) -> None:
        self.fingerprint = fingerprint
        self.placement = placement
        #: node name → (resourceVersion seen, verdict)
        self.by_node: dict[str, tuple[str, Verdict]] = {}
        #: The verdicts of every node at a version of the node cache.
        self.all: tuple[int, dict[str, Verdict]] | None = None
        #: ``Store.daemon_plan``'s arguments for those verdicts: (node cache
        #: version, the verdicts, node names, a byte per node).
        self.codes: tuple[int, dict[str, Verdict], list[str], bytes] | None = None


# ---------------------------------------------------------------- controller


class DaemonSetController(Controller):
    kind: ClassVar[str] = "DaemonSet"
    watches: ClassVar[tuple[str, ...]] = ("DaemonSet", "Pod", "Node", "ControllerRevision")
    # A controlled pod's change only queues its DaemonSet (updatePod).
    changes_queue_controller_only: ClassVar[bool] = True

    def __init__(self, store: Any, clock: Clock) -> None:
        super().__init__(store, clock)
        self._nodes = _NodeCache(store)
        self._verdicts: dict[str, _Verdicts] = {}
        #: failedPodsBackoff: key → (current delay, when last raised).
        self._backoff: dict[str, tuple[float, float]] = {}
        #: Nodes found missing under bound pods → when first noticed.
        self._gone: dict[str, float] = {}
        #: A delaying queue: each key waits once, for the earliest time asked.
        self._requeue_at: dict[Key, Any] = {}
        #: The pods the current sync created, as a read would show them, and
        #: whether it wrote anything else (then only a read tells).
        self._created: list[DaemonPod] = []
        self._other_writes = False
        #: DaemonSets whose last sync stopped at BurstReplicas creations.
        self._bursting: dict[Key, None] = {}

    # ------------------------------------------------------------ events

    def keys_for(self, change: Change) -> Iterable[Key]:
        etype, kind, ns, _name, _uid, controller = change
        if kind == "Node":
            # Any node change may change where daemon pods should run.
            return set(self.by_uid.values())
        if kind in ("Pod", "ControllerRevision") and controller is None and etype != "DELETED":
            # An orphan may be adopted by a DaemonSet selecting it.
            return [k for k in set(self.by_uid.values()) if k[0] == ns]
        return ()

    def _requeue_after(self, key: Key, seconds: float) -> None:
        at = self.clock.now + seconds
        pending = self._requeue_at.get(key)
        if pending is not None and not pending.cancelled and pending.at <= at:
            return
        if pending is not None:
            pending.cancelled = True

        def fire() -> None:
            self._requeue_at.pop(key, None)
            self.enqueue(key)

        self._requeue_at[key] = self.clock.call_later(seconds, fire)

    # ------------------------------------------------------------ sync

    def has_work(self) -> bool:
        return bool(self.queue) or bool(self._bursting)

    def process(self) -> int:
        """Syncs the queued keys, then again each DaemonSet whose sync stopped
        at BurstReplicas creations, until its pods are all made. Kubernetes
        starts the next burst as soon as its informer has seen the last
        one's pods, without waiting for the scheduler; here creations are
        seen at once, so the bursts follow each other within the round
        (and the scheduler places all the pods in one pass, not one pass
        per 250)."""
        done = super().process()
        for _ in range(_MAX_BURSTS_PER_ROUND):
            if not self._bursting:
                break
            keys = list(self._bursting)
            self._bursting.clear()
            for key in keys:
                self.sync(key)
            done += len(keys)
        return done

    def sync(self, key: Key) -> None:
        try:
            self._sync(key)
        except Conflict:
            # Written under this sync by someone else: start over from the store.
            self.enqueue(key)

    def _sync(self, key: Key) -> None:
        ds = self.get(key)
        if ds is None:
            self._forget_deleted()
            return
        meta, spec = ds["metadata"], ds["spec"]
        selector = spec.get("selector") or {}
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            # A selector of everything is refused (SelectingAll).
            return
        if "deletionTimestamp" in meta:
            # Its history may be going away with it: nothing reliable to do.
            return
        changed = self._nodes.refresh()
        for name in changed:
            self._gone.pop(name, None)
        history = self._construct_history(ds)
        if history is None:
            return
        cur, old = history
        hash_ = str(cur["metadata"].get("labels", {}).get(HASH_LABEL, ""))
        verdicts = self._node_verdicts(ds)
        if self._sync_planned(ds, verdicts, hash_, old):
            return
        pods = self._claim_pods(ds)
        self._created = []
        self._other_writes = False
        wrote = self._manage(ds, verdicts, hash_, pods)
        if not wrote and spec.get("updateStrategy", {}).get("type") == "RollingUpdate":
            wrote = self._rolling_update(ds, verdicts, hash_, pods)
        if wrote and not self._other_writes:
            # Only creations: the new pods are known without reading all
            # the DaemonSet's pods again (thousands on a big cluster).
            pods = sorted([*pods, *self._created], key=lambda p: p.name)
        elif wrote:
            pods = self._read_pods(ds)[0]
        self._created = []
        self._cleanup_history(ds, old, pods)
        self._update_status(ds, verdicts, hash_, pods)

    def _plan(self, ds: Obj, verdicts: dict[str, Verdict], hash_: str) -> Obj:
        """``Store.daemon_plan``: manage's plan and the status counts over
        every node, walked in Rust from the pods as stored."""
        meta, spec = ds["metadata"], ds["spec"]
        names, codes = self._verdict_codes(ds, verdicts)
        plan: Obj = self.store.daemon_plan(
            meta["namespace"],
            spec.get("selector") or {},
            meta["uid"],
            names,
            codes,
            hash=hash_,
            min_ready_seconds=spec.get("minReadySeconds", 0),
            surge=allows_surge(ds),
        )
        return plan

    def _sync_planned(
        self, ds: Obj, verdicts: dict[str, Verdict], hash_: str, old: list[Obj]
    ) -> bool:
        """The sync when every node is a plain case (``Store.daemon_plan``'s
        ``simple``: nothing to adopt or release, no failed pod, no pod meant
        for a node that is gone): manage, the rolling update, history
        clean-up and status as the general path does them, without a
        Python object per pod or a Python step per node. Returns False,
        having written nothing, when the general path must run."""
        plan = self._plan(ds, verdicts, hash_)
        if not plan["simple"]:
            return False
        self._created = []
        self._other_writes = False
        wrote = self._sync_nodes(ds, plan["delete"], plan["need"], hash_)
        made = len(self._created)
        # Without surge, a node in ``need`` had no pod at all: the pod made
        # there is its oldest, scheduled and on the current revision, not
        # ready. When creations were all the sync wrote, the counts after
        # them follow from the plan's without walking the nodes again.
        only_made = made > 0 and not self._other_writes and not plan["delete"]
        only_made = only_made and not allows_surge(ds)
        self._created = []
        pods: list[DaemonPod] | None = None
        if (
            not wrote
            and plan["old"]
            and ds["spec"].get("updateStrategy", {}).get("type") == "RollingUpdate"
        ):
            # Without pods off the current revision a rolling update has
            # nothing to replace.
            pods = self._read_pods(ds)[0]
            wrote = self._rolling_update(ds, verdicts, hash_, pods)
        if wrote:
            pods = None
        to_kill = len(old) - int(ds["spec"].get("revisionHistoryLimit", 10))
        if to_kill > 0:
            self._cleanup_history(ds, old, pods if pods is not None else self._read_pods(ds)[0])
        if not wrote:
            counts = plan["counts"]
        elif only_made:
            desired, current, misscheduled, ready, updated, available, next_ = plan["counts"]
            current += made
            if hash_:
                updated += made
            counts = (desired, current, misscheduled, ready, updated, available, next_)
        else:
            counts = self._plan(ds, verdicts, hash_)["counts"]
        self._write_status(ds, counts)
        return True

    def _verdict_codes(self, ds: Obj, verdicts: dict[str, Verdict]) -> tuple[list[str], bytes]:
        """The node names in walking order and a byte per node for
        ``Store.daemon_plan``, kept while no node changed."""
        cached = self._verdicts[ds["metadata"]["uid"]]
        version = self._nodes.version
        if cached.codes is None or cached.codes[0] != version or cached.codes[1] is not verdicts:
            names = self._nodes.names
            codes = bytes(
                2 if v.should_run else 1 if v.should_continue_running else 0
                for v in (verdicts[n] for n in names)
            )
            cached.codes = (version, verdicts, names, codes)
        return cached.codes[2], cached.codes[3]

    def _forget_deleted(self) -> None:
        """Drops what was remembered for DaemonSets that are gone (the
        back-off's periodic GC does the same for its entries)."""
        for uid in [u for u in self._verdicts if u not in self.by_uid]:
            del self._verdicts[uid]
        for k in [k for k in self._backoff if k.split("/", 1)[0] not in self.by_uid]:
            del self._backoff[k]

    # ------------------------------------------------------------ nodes

    def _node_verdicts(self, ds: Obj) -> dict[str, Verdict]:
        """NodeShouldRunDaemonPod for every node, from the cache where
        neither the node nor the template's placement changed."""
        uid = ds["metadata"]["uid"]
        tspec = (ds["spec"].get("template") or {}).get("spec") or {}
        fingerprint = Placement.fingerprint(tspec)
        cached = self._verdicts.get(uid)
        if cached is None or cached.fingerprint != fingerprint:
            cached = _Verdicts(fingerprint, Placement(tspec))
            self._verdicts[uid] = cached
        if cached.all is not None and cached.all[0] == self._nodes.version:
            # No node changed since: the same verdicts (callers only read them).
            return cached.all[1]
        seen = cached.by_node
        placement = cached.placement
        out: dict[str, Verdict] = {}
        for name, node in self._nodes.nodes.items():
            hit = seen.get(name)
            if hit is not None and hit[0] == node.resource_version:
                out[name] = hit[1]
                continue
            verdict = placement.should_run(name, node.labels, node.taints)
            seen[name] = (node.resource_version, verdict)
            out[name] = verdict
        if len(seen) > len(out):
            for name in [n for n in seen if n not in out]:
                del seen[name]
        cached.all = (self._nodes.version, out)
        return out

    # ------------------------------------------------------------ pods

    def _read_pods(self, ds: Obj) -> tuple[list[DaemonPod], Obj]:
        """The DaemonSet's pods, and the query's orphans and strays."""
        meta, spec = ds["metadata"], ds["spec"]
        view: Obj = self.store.daemon_pods(
            meta["namespace"],
            spec.get("selector") or {},
            meta["uid"],
            min_ready_seconds=spec.get("minReadySeconds", 0),
            label_keys=[HASH_LABEL],
        )
        pods = [
            DaemonPod(n, node, target, phase, deleting, avail, created, labels[0])
            for n, node, target, phase, deleting, avail, created, labels in view["pods"]
        ]
        return pods, view

    def _claim_pods(self, ds: Obj) -> list[DaemonPod]:
        """getDaemonPods: the DaemonSet's pods, adopting matching orphans and
        releasing owned pods that stopped matching (ClaimPods)."""
        pods, view = self._read_pods(ds)
        if not view["strays"] and not view["orphans"]:
            return pods
        meta = ds["metadata"]
        ns, uid = meta["namespace"], meta["uid"]
        if view["strays"]:
            self.store.set_controller(ns, view["strays"], None, release_uid=uid)
        if view["orphans"]:
            self.store.set_controller(ns, view["orphans"], owner_reference(ds))
        return self._read_pods(ds)[0]

    @staticmethod
    def _by_node(
        pods: Iterable[DaemonPod], include_deleted_terminal: bool = False
    ) -> dict[str, list[DaemonPod]]:
        """getNodesToDaemonPods: the pods grouped by their target node."""
        out: dict[str, list[DaemonPod]] = {}
        for p in pods:
            if not include_deleted_terminal and p.terminal and p.deleting:
                # The kubelet or the pod GC is removing it: nothing left to do.
                continue
            if p.target is None:
                continue
            out.setdefault(p.target, []).append(p)
        return out

    # ------------------------------------------------------------ manage

    def _manage(
        self, ds: Obj, verdicts: dict[str, Verdict], hash_: str, pods: list[DaemonPod]
    ) -> bool:
        """Creates the missing daemon pods and deletes the ones that should
        not run; returns whether it wrote anything."""
        by_node = self._by_node(pods)
        surge = allows_surge(ds)
        need: list[str] = []
        delete: list[str] = []
        for name in self._nodes.names:
            verdict = verdicts[name]
            on_node = by_node.get(name)
            if verdict.should_run and on_node is None:
                need.append(name)
            elif verdict.should_continue_running:
                n, d = self._pods_on_node(ds, name, verdict, on_node or [], hash_, surge)
                need.extend(n)
                delete.extend(d)
            elif on_node:
                delete.extend(p.name for p in on_node if not p.deleting)
        gc_wrote = False
        for target, on_node in by_node.items():
            if target in self._nodes.nodes:
                continue
            # Unbound pods for a node that no longer exists would never be
            # scheduled; bound ones are left to the pod garbage collector.
            delete.extend(p.name for p in on_node if not p.node)
            gc_wrote |= self._collect_orphaned(ds, target, [p for p in on_node if p.node])
        self._other_writes |= gc_wrote
        return self._sync_nodes(ds, delete, need, hash_) or gc_wrote

    def _pods_on_node(
        self,
        ds: Obj,
        node: str,
        verdict: Verdict,
        pods: list[DaemonPod],
        hash_: str,
        surge: bool,
    ) -> tuple[list[str], list[str]]:
        """podsShouldBeOnNode for a node where a daemon pod may stay: failed
        and succeeded pods go, and excess pods are pruned."""
        need: list[str] = []
        delete: list[str] = []
        running: list[DaemonPod] = []
        for p in pods:
            if p.deleting:
                continue
            if p.phase == "Failed":
                # The kubelet may keep rejecting the pod: back off.
                backoff_key = self._backoff_key(ds, node)
                now = self.clock.now
                if self._in_backoff(backoff_key, now):
                    self._requeue_after(
                        (ds["metadata"]["namespace"], ds["metadata"]["name"]),
                        self._backoff[backoff_key][0],
                    )
                    continue
                self._next_backoff(backoff_key, now)
                delete.append(p.name)
            elif p.phase == "Succeeded":
                delete.append(p.name)
            else:
                running.append(p)
        if not surge:
            if len(running) > 1:
                running.sort(key=by_creation)
                delete.extend(p.name for p in running[1:])
            return need, delete
        if len(running) <= 1:
            if not running and verdict.should_run:
                need.append(node)
            return need, delete
        # Surging: keep the oldest new pod, and the oldest old pod while the
        # new one is not yet available and the old one is still ready.
        running.sort(key=by_creation)
        oldest_new: DaemonPod | None = None
        oldest_old: DaemonPod | None = None
        for p in running:
            if p.hash == hash_:
                if oldest_new is None:
                    oldest_new = p
                    continue
            elif oldest_old is None:
                oldest_old = p
                continue
            delete.append(p.name)
        if (
            oldest_new is not None
            and oldest_old is not None
            and (not oldest_old.ready or oldest_new.available)
        ):
            delete.append(oldest_old.name)
        return need, delete

    def _backoff_key(self, ds: Obj, node: str) -> str:
        observed = (ds.get("status") or {}).get("observedGeneration", 0)
        return f"{ds['metadata']['uid']}/{observed}/{node}"

    def _in_backoff(self, key: str, now: float) -> bool:
        """Backoff.IsInBackOffSinceUpdate."""
        entry = self._backoff.get(key)
        if entry is None:
            return False
        delay, last = entry
        if now - last > 2 * FAILED_POD_BACKOFF_MAX:
            return False
        return now - last < delay

    def _next_backoff(self, key: str, now: float) -> None:
        """Backoff.Next: start at the initial delay (or again after a long
        quiet spell), else double up to the maximum."""
        entry = self._backoff.get(key)
        if entry is None or now - entry[1] > 2 * FAILED_POD_BACKOFF_MAX:
            delay = FAILED_POD_BACKOFF_INITIAL
        else:
            delay = min(entry[0] * 2, FAILED_POD_BACKOFF_MAX)
        self._backoff[key] = (delay, now)

    def _collect_orphaned(self, ds: Obj, node: str, pods: list[DaemonPod]) -> bool:
        """The pod garbage collector's part for pods bound to a node that no
        longer exists: after the quarantine, each is marked Failed with a
        DisruptionTarget condition and deleted without a grace period."""
        if not pods:
            return False
        now = self.clock.now
        since = self._gone.setdefault(node, now)
        key = (ds["metadata"]["namespace"], ds["metadata"]["name"])
        if now - since < POD_GC_QUARANTINE:
            self._requeue_after(key, since + POD_GC_QUARANTINE - now)
            return False
        ns = key[0]
        for p in pods:
            if p.deleting:
                continue
            try:
                pod = self.store.get("Pod", p.name, ns)
                if not p.terminal:
                    status = dict(pod.get("status") or {})
                    conditions = [
                        c
                        for c in status.get("conditions") or []
                        if c.get("type") != "DisruptionTarget"
                    ]
                    conditions.append(
                        {
                            "type": "DisruptionTarget",
                            "status": "True",
                            "lastTransitionTime": timestamp(self.now()),
                            "reason": "DeletionByPodGC",
                            "message": "PodGC: node no longer exists",
                        }
                    )
                    status["phase"] = "Failed"
                    status["conditions"] = conditions
                    self.store.replace_status({**pod, "status": status})
                self.store.delete("Pod", p.name, ns, grace_period_seconds=0)
            except NotFound:
                continue
        return True

    def _sync_nodes(self, ds: Obj, delete: list[str], need: list[str], hash_: str) -> bool:
        """syncNodes: at most BURST_REPLICAS creations (in slow-start batches,
        stopping at the first failed batch) and deletions; returns whether
        anything was attempted."""
        meta = ds["metadata"]
        ns, name = meta["namespace"], meta["name"]
        create = need[:BURST_REPLICAS]
        delete = delete[:BURST_REPLICAS]
        all_made = True
        if create:
            template = create_pod_template(ds["spec"]["template"], template_generation(ds), hash_)
            owner = owner_reference(ds)
            pos, batch = 0, min(len(create), SLOW_START_INITIAL_BATCH_SIZE)
            while pos < len(create):
                chunk = create[pos : pos + batch]
                try:
                    made = self.store.create_pods(
                        ns,
                        template,
                        count=len(chunk),
                        generate_name=f"{name}-",
                        owner=owner,
                        # ReplaceDaemonSetPodNodeNameNodeAffinity, made in
                        # the store: each pod is pinned to its node.
                        pin_nodes=chunk,
                    )
                except ApiError:
                    all_made = False
                    break
                if len(made) != len(chunk):
                    all_made = False
                if len(made) == len(chunk):
                    created = self.now()
                    hash_label = template["metadata"]["labels"].get(HASH_LABEL)
                    self._created.extend(
                        DaemonPod(pod, "", node, "Pending", False, None, created, hash_label)
                        for pod, node in zip(made, chunk, strict=True)
                    )
                else:
                    self._other_writes = True
                pos += batch
                batch = min(2 * batch, len(create) - pos)
        if delete:
            self._other_writes = True
            self.store.delete_many("Pod", [(ns, n) for n in delete])
        if len(need) > BURST_REPLICAS and all_made:
            self._bursting[(ns, name)] = None
        return bool(create or delete)

    # ------------------------------------------------------------ rolling update

    def _rolling_update(
        self, ds: Obj, verdicts: dict[str, Verdict], hash_: str, pods: list[DaemonPod]
    ) -> bool:
        """rollingUpdate: replaces old pods within maxUnavailable (deleting
        first) or maxSurge (creating first)."""
        by_node = self._by_node(pods)
        desired = 0
        for name in self._nodes.names:
            if verdicts[name].should_run:
                desired += 1
                by_node.setdefault(name, [])
        max_surge = surge_count(ds, desired)
        max_unavailable = unavailable_count(ds, desired)
        if desired > 0 and max_unavailable == 0 and max_surge == 0:
            max_unavailable = 1
        entries = sorted(by_node.items())
        if max_surge == 0:
            return self._replace_unavailable(ds, entries, hash_, max_unavailable)
        return self._replace_surging(ds, verdicts, entries, hash_, max_surge, desired)

    def _replace_unavailable(
        self,
        ds: Obj,
        entries: list[tuple[str, list[DaemonPod]]],
        hash_: str,
        max_unavailable: int,
    ) -> bool:
        unavailable = 0
        allowed: list[str] = []
        candidates: list[str] = []
        for _node, on_node in entries:
            new, old, ok = find_updated_pods_on_node(on_node, hash_)
            if not ok or (new is None) == (old is None):
                # Excess pods, or nothing yet: manage handles the node.
                unavailable += 1
            elif new is not None:
                if not new.available:
                    unavailable += 1
            elif old is not None:
                if not old.available:
                    allowed.append(old.name)
                    unavailable += 1
                elif unavailable < max_unavailable:
                    candidates.append(old.name)
        remaining = min(max(max_unavailable - unavailable, 0), len(candidates))
        return self._sync_nodes(ds, allowed + candidates[:remaining], [], hash_)

    def _replace_surging(
        self,
        ds: Obj,
        verdicts: dict[str, Verdict],
        entries: list[tuple[str, list[DaemonPod]]],
        hash_: str,
        max_surge: int,
        desired: int,
    ) -> bool:
        delete: list[str] = []
        should_not_run: list[str] = []
        candidates: list[str] = []
        allowed: list[str] = []
        surged = 0
        available = 0
        for node, on_node in entries:
            new, old, ok = find_updated_pods_on_node(on_node, hash_)
            if not ok:
                surged += 1
                continue
            if old is not None:
                available += old.available
            elif new is not None:
                available += new.available
            if old is None:
                continue
            if new is None:
                verdict = verdicts.get(node)
                if verdict is None:
                    # Kubernetes fails the step on a node it cannot find.
                    return False
                if not old.available:
                    if not verdict.should_run:
                        delete.append(old.name)
                    else:
                        allowed.append(node)
                elif not verdict.should_run:
                    should_not_run.append(old.name)
                elif surged < max_surge:
                    candidates.append(node)
                continue
            if not new.available:
                surged += 1
                continue
            delete.append(old.name)
        # With surge the owner expects every pod to stay available: a pod on
        # a node that should no longer run one goes only once enough others
        # are available.
        deletable = min(available - desired, len(should_not_run))
        if deletable > 0:
            delete.extend(should_not_run[:deletable])
        remaining = min(max(max_surge - surged, 0), len(candidates))
        return self._sync_nodes(ds, delete, allowed + candidates[:remaining], hash_)

    # ------------------------------------------------------------ history

    def _construct_history(self, ds: Obj) -> tuple[Obj, list[Obj]] | None:
        """constructHistory: the current ControllerRevision (created when
        missing, deduplicated, its revision raised above the old ones) and
        the old ones; None when a hash collision must be resolved first."""
        current: list[Obj] = []
        old: list[Obj] = []
        want = history_patch(ds)
        for h in self._controlled_histories(ds):
            labels = h["metadata"].get("labels") or {}
            if HASH_LABEL not in labels:
                # Histories from before the label: their name stands in.
                h = copy.deepcopy(h)
                h["metadata"].setdefault("labels", {})[HASH_LABEL] = h["metadata"]["name"]
                h = self.store.replace(h)
            (current if h.get("data") == want else old).append(h)
        revision = max((int(h.get("revision", 0)) for h in old), default=0) + 1
        if not current:
            cur = self._snapshot(ds, revision, want)
            if cur is None:
                return None
        else:
            cur = self._dedup_histories(ds, current)
            if int(cur.get("revision", 0)) < revision:
                self.store.replace({**cur, "revision": revision})
        return cur, old

    def _controlled_histories(self, ds: Obj) -> list[Obj]:
        """ClaimControllerRevisions: the DaemonSet's histories, adopting
        matching orphans and releasing owned ones that stopped matching."""
        meta = ds["metadata"]
        ns, uid = meta["namespace"], meta["uid"]
        matching = {
            h["metadata"]["name"]
            for h in self.store.list("ControllerRevision", ns, ds["spec"].get("selector") or {})
        }
        out: list[Obj] = []
        # Histories are few: reading the namespace's is cheaper than walking
        # the DaemonSet's dependents, which include all its pods.
        for h in self.store.list("ControllerRevision", ns):
            hmeta = h["metadata"]
            controller = _controller_uid(h)
            if hmeta["name"] in matching:
                if controller == uid:
                    out.append(h)
                elif controller is None and "deletionTimestamp" not in hmeta:
                    refs = [*hmeta.get("ownerReferences", []), owner_reference(ds)]
                    out.append(self.store.replace(_with_owners(h, refs)))
            elif controller == uid and "deletionTimestamp" not in hmeta:
                refs = [r for r in hmeta["ownerReferences"] if r.get("uid") != uid]
                self.store.replace(_with_owners(h, refs))
        out.sort(key=lambda h: h["metadata"]["name"])
        return out

    def _snapshot(self, ds: Obj, revision: int, data: Obj) -> Obj | None:
        """snapshot: creates the ControllerRevision of the current template,
        named ``<daemonset>-<hash>``; on a name taken by another template
        raises ``status.collisionCount`` and gives up this sync."""
        meta = ds["metadata"]
        ns = meta["namespace"]
        collisions = (ds.get("status") or {}).get("collisionCount")
        hash_ = compute_hash(ds["spec"]["template"], collisions)
        name = f"{meta['name']}-{hash_}"
        labels = dict((ds["spec"]["template"].get("metadata") or {}).get("labels") or {})
        labels[HASH_LABEL] = hash_
        history_meta: Obj = {
            "name": name,
            "namespace": ns,
            "labels": labels,
            "ownerReferences": [owner_reference(ds)],
        }
        if meta.get("annotations"):
            history_meta["annotations"] = dict(meta["annotations"])
        history = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": history_meta,
            "data": data,
            "revision": revision,
        }
        try:
            out: Obj = self.store.create(history)
            return out
        except AlreadyExists:
            pass
        existing: Obj = self.store.get("ControllerRevision", name, ns)
        if existing.get("data") == data:
            return existing
        fresh = self.store.get("DaemonSet", meta["name"], ns)
        status = dict(fresh.get("status") or {})
        if status.get("collisionCount") != collisions:
            # Computed from a stale count: the next sync uses the new one.
            self.enqueue((ns, meta["name"]))
            return None
        status["collisionCount"] = (collisions or 0) + 1
        self.store.replace_status({**fresh, "status": status})
        return None

    def _dedup_histories(self, ds: Obj, current: list[Obj]) -> Obj:
        """dedupCurHistories: keeps the current history with the highest
        revision, relabels pods of the others to it and deletes them."""
        if len(current) == 1:
            return current[0]
        keep = current[0]
        for h in current:
            if int(h.get("revision", 0)) >= int(keep.get("revision", 0)):
                keep = h
        keep_hash = keep["metadata"].get("labels", {}).get(HASH_LABEL)
        ns = ds["metadata"]["namespace"]
        for p in self._read_pods(ds)[0]:
            if p.hash != keep_hash:
                with_hash = {"metadata": {"labels": {HASH_LABEL: keep_hash}}}
                self.store.patch("Pod", p.name, with_hash, ns, "merge")
        for h in current:
            if h["metadata"]["name"] != keep["metadata"]["name"]:
                self.store.delete("ControllerRevision", h["metadata"]["name"], ns)
        return keep

    def _cleanup_history(self, ds: Obj, old: list[Obj], pods: list[DaemonPod]) -> None:
        """cleanupHistory: deletes the oldest histories beyond
        revisionHistoryLimit that no pod (terminal ones included) still uses."""
        to_kill = len(old) - int(ds["spec"].get("revisionHistoryLimit", 10))
        if to_kill <= 0:
            return
        live = {p.hash for p in pods if p.hash}
        ns = ds["metadata"]["namespace"]
        for h in sorted(old, key=lambda h: int(h.get("revision", 0))):
            if to_kill <= 0:
                break
            if (h["metadata"].get("labels") or {}).get(HASH_LABEL) in live:
                continue
            with contextlib.suppress(NotFound):
                self.store.delete("ControllerRevision", h["metadata"]["name"], ns)
            to_kill -= 1

    # ------------------------------------------------------------ status

    def _update_status(
        self, ds: Obj, verdicts: dict[str, Verdict], hash_: str, pods: list[DaemonPod]
    ) -> None:
        """updateDaemonSetStatus: counts over the nodes, from the oldest pod
        on each; written only when something changed."""
        by_node = self._by_node(pods)
        desired = current = misscheduled = ready = updated = available = 0
        next_available: int | None = None
        for name in self._nodes.names:
            on_node = by_node.get(name)
            if verdicts[name].should_run:
                desired += 1
                if not on_node:
                    continue
                current += 1
                pod = on_node[0] if len(on_node) == 1 else min(on_node, key=by_creation)
                if pod.ready:
                    ready += 1
                    if pod.available:
                        available += 1
                    elif pod.available_in is not None and (
                        next_available is None or pod.available_in < next_available
                    ):
                        next_available = pod.available_in
                if is_pod_updated(pod, hash_):
                    updated += 1
            elif on_node:
                misscheduled += 1
        self._write_status(
            ds, (desired, current, misscheduled, ready, updated, available, next_available)
        )

    def _write_status(
        self, ds: Obj, counts_: tuple[int, int, int, int, int, int, int | None]
    ) -> None:
        """The end of updateDaemonSetStatus: writes the counts (desired,
        current, misscheduled, ready, updated, available, seconds until the
        next pod turns available) when they or the generation changed."""
        desired, current, misscheduled, ready, updated, available, next_available = counts_
        counts = {
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
            "numberUnavailable": desired - available,
        }
        generation = int(ds["metadata"].get("generation", 0))
        status = dict(ds.get("status") or {})
        unchanged = all(int(status.get(k, 0)) == v for k, v in counts.items())
        if not (unchanged and int(status.get("observedGeneration", 0)) >= generation):
            status.update(counts)
            status["observedGeneration"] = generation
            # Go's omitempty drops these when zero; the first four are always set.
            for k in (
                "observedGeneration",
                "updatedNumberScheduled",
                "numberAvailable",
                "numberUnavailable",
            ):
                if not status.get(k):
                    status.pop(k, None)
            # The status subresource reads only the identity, the
            # preconditions and the status: the template need not be sent,
            # nor the stored DaemonSet converted back.
            meta = ds["metadata"]
            self.store.replace_status(
                {
                    "apiVersion": ds["apiVersion"],
                    "kind": ds["kind"],
                    "metadata": {
                        "name": meta["name"],
                        "namespace": meta["namespace"],
                        "uid": meta["uid"],
                        "resourceVersion": meta["resourceVersion"],
                    },
                    "status": status,
                },
                version_only=True,
            )
        if next_available is not None:
            # A pod turns available once it has been ready minReadySeconds.
            key = (ds["metadata"]["namespace"], ds["metadata"]["name"])
            self._requeue_after(key, max(next_available, 1))


def _controller_uid(obj: Obj) -> str | None:
    for r in obj["metadata"].get("ownerReferences") or []:
        if r.get("controller"):
            return str(r.get("uid"))
    return None


def _with_owners(obj: Obj, refs: list[Obj]) -> Obj:
    out = copy.deepcopy(obj)
    if refs:
        out["metadata"]["ownerReferences"] = refs
    else:
        out["metadata"].pop("ownerReferences", None)
    return out
