"""The Deployment controller (pkg/controller/deployment): rolls a pod
template out through ReplicaSets named ``<deployment>-<pod-template-hash>``,
with the RollingUpdate or Recreate strategy, proportional scaling, pausing,
progress deadlines, revision history and status.

The arithmetic (fenceposts, proportions, scale-down budgets, hashing) is in
pure functions over plain dicts; ``DeploymentController`` reads the store,
decides with them and writes the results back. A template change never
touches a running pod: the controller only sets ReplicaSets' replicas and
the ReplicaSet controller creates and deletes pods.
"""

from __future__ import annotations

import calendar
import contextlib
import json
import math
import time
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from podcore.controllers.base import Change, Controller, Key, owner_reference, timestamp
from podcore.errors import AlreadyExists, ApiError, Conflict, NotFound
from podcore.sim.clock import Clock

Obj = dict[str, Any]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
#: The revision-history annotation keeps at most this many characters.
MAX_REVISION_HISTORY_CHARS = 2000
#: Deployment annotations that are not copied onto its ReplicaSets.
_NOT_COPIED = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        REVISION_HISTORY,
        DESIRED_REPLICAS,
        MAX_REPLICAS,
        "deprecated.deployment.rollback.to",
    }
)
#: A progressDeadlineSeconds of MaxInt32 means "no deadline".
_MAX_INT32 = 2**31 - 1

# Condition reasons, as Kubernetes spells them.
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
FAILED_RS_CREATE = "ReplicaSetCreateError"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"

_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


# ---------------------------------------------------------------- hashing


def safe_encode(s: str) -> str:
    """apimachinery's SafeEncodeString: each byte picks a character from an
    alphabet without vowels or look-alikes, so no word is spelled by accident."""
    return "".join(_ALPHANUMS[b % len(_ALPHANUMS)] for b in s.encode())


def compute_hash(template: Obj, collision_count: int | None) -> str:
    """The pod-template-hash of a template, as Kubernetes' ComputeHash forms
    it: FNV-32a over the template, then (when set) the collision count as
    8 little-endian bytes, the uint32 sum printed in decimal and encoded with
    ``safe_encode``.

    Kubernetes feeds the hash with Go's deep-hash printing of the typed
    PodTemplateSpec, which has no equivalent here; this hashes the template's
    canonical JSON (sorted keys, no spaces) instead. The value therefore
    differs from a real cluster's for the same template, but it has the same
    form (up to ten characters of that alphabet), is stable across runs, and
    changes with the template and with the collision count just as the real
    one does.
    """
    data = json.dumps(template, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    h = 0x811C9DC5
    payload = data.encode()
    if collision_count is not None:
        payload += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + b"\0\0\0\0"
    for b in payload:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return safe_encode(str(h))


def equal_ignore_hash(a: Obj, b: Obj) -> bool:
    """Whether two pod templates are the same apart from their
    pod-template-hash label (EqualIgnoreHash)."""

    def strip(t: Obj) -> Obj:
        # A shallow copy is enough: only the labels map is replaced.
        meta = dict(t.get("metadata") or {})
        labels = meta.get("labels")
        if isinstance(labels, dict) and HASH_LABEL in labels:
            meta["labels"] = {k: v for k, v in labels.items() if k != HASH_LABEL}
        return {**t, "metadata": meta}

    # Templates come from the store, normalized the same way (defaults, Go's
    # omitempty), so plain equality is apimachinery's semantic equality.
    return strip(a) == strip(b)


# ---------------------------------------------------------------- arithmetic


def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """GetScaledValueFromIntOrPercent: an int as is, ``"N%"`` of ``total``
    rounded up or down."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ValueError(f'invalid value for IntOrString: invalid value "{value}"')
    try:
        pct = int(value[:-1])
    except ValueError:
        raise ValueError(f'invalid value for IntOrString: invalid value "{value}"') from None
    return -(-pct * total // 100) if round_up else pct * total // 100


def resolve_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """(surge, unavailable) for ``desired`` replicas: surge rounds up,
    unavailable down, and when both come to 0 one pod may be unavailable
    (surging might be impossible, under a quota for instance)."""
    surge = scaled_value(max_surge, desired, True)
    unavailable = scaled_value(max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _replicas(obj: Obj) -> int:
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None and obj.get("kind") == "Deployment" else int(r or 0)


def _status(obj: Obj, field: str) -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def _annotations(obj: Obj) -> dict[str, str]:
    out: dict[str, str] = obj["metadata"].get("annotations") or {}
    return out


def is_rolling_update(d: Obj) -> bool:
    return bool(((d["spec"].get("strategy") or {}).get("type")) == "RollingUpdate")


def _rolling(d: Obj) -> tuple[int | str | None, int | str | None]:
    ru = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    return ru.get("maxSurge"), ru.get("maxUnavailable")


def max_surge(d: Obj) -> int:
    """How many pods above ``spec.replicas`` a rollout may run (0 for Recreate)."""
    if not is_rolling_update(d):
        return 0
    return resolve_fenceposts(*_rolling(d), _replicas(d))[0]


def max_unavailable(d: Obj) -> int:
    """How many of ``spec.replicas`` may be unavailable during a rollout,
    never more than ``spec.replicas`` (0 for Recreate)."""
    replicas = _replicas(d)
    if not is_rolling_update(d) or replicas == 0:
        return 0
    return min(resolve_fenceposts(*_rolling(d), replicas)[1], replicas)


def spec_total(rss: Iterable[Obj | None]) -> int:
    """Sum of the ReplicaSets' ``spec.replicas``."""
    return sum(_replicas(rs) for rs in rss if rs is not None)


def status_total(rss: Iterable[Obj | None], field: str) -> int:
    return sum(_status(rs, field) for rs in rss if rs is not None)


def active(rss: Iterable[Obj | None]) -> list[Obj]:
    """The ReplicaSets that want pods (FilterActiveReplicaSets)."""
    return [rs for rs in rss if rs is not None and _replicas(rs) > 0]


def by_creation(rs: Obj) -> tuple[str, str]:
    """Oldest first, ties by name (ReplicaSetsByCreationTimestamp)."""
    return (rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"])


def revision(rs: Obj) -> int | None:
    """The revision annotation; 0 when absent, None when unreadable."""
    v = _annotations(rs).get(REVISION)
    if v is None:
        return 0
    try:
        return int(v)
    except ValueError:
        return None


def max_revision(rss: Iterable[Obj]) -> int:
    return max((r for rs in rss if (r := revision(rs)) is not None), default=0)


def _int_annotation(rs: Obj, key: str) -> int | None:
    v = _annotations(rs).get(key)
    if v is None:
        return None
    try:
        return int(v)
    except ValueError:
        return None


def new_rs_new_replicas(d: Obj, all_rss: list[Obj], new_rs: Obj) -> int:
    """How far the new ReplicaSet may grow now (NewRSNewReplicas): under
    RollingUpdate, up to ``replicas + maxSurge`` pods in all; under Recreate,
    straight to ``replicas``."""
    replicas = _replicas(d)
    if not is_rolling_update(d):
        return replicas
    surge = scaled_value(_rolling(d)[0], replicas, True)
    current = spec_total(all_rss)
    most = replicas + surge
    if current >= most:
        return _replicas(new_rs)
    return _replicas(new_rs) + min(most - current, replicas - _replicas(new_rs))


def is_saturated(d: Obj, rs: Obj | None) -> bool:
    """The ReplicaSet has all of the deployment's replicas, desired and available."""
    if rs is None:
        return False
    desired = _int_annotation(rs, DESIRED_REPLICAS)
    replicas = _replicas(d)
    return (
        desired is not None
        and _replicas(rs) == replicas
        and desired == replicas
        and _status(rs, "availableReplicas") == replicas
    )


def find_active_or_latest(new_rs: Obj | None, old_rss: list[Obj]) -> Obj | None:
    """The only active ReplicaSet, or the newest when none is active; None
    when several are (they are then scaled proportionally)."""
    if new_rs is None and not old_rss:
        return None
    olds = sorted(old_rss, key=by_creation, reverse=True)
    live = active([*olds, new_rs])
    if not live:
        return new_rs if new_rs is not None else olds[0]
    return live[0] if len(live) == 1 else None


def _fraction(rs: Obj, d: Obj) -> int:
    """The change of size proportional to the deployment's change of
    ``replicas + maxSurge`` since the ReplicaSet was last scaled (its
    max-replicas annotation)."""
    replicas = _replicas(d)
    if replicas == 0:
        return -_replicas(rs)
    most = replicas + max_surge(d)
    before = _int_annotation(rs, MAX_REPLICAS)
    if not before:
        before = _status(d, "replicas")
        if before == 0:
            return 0
    # Go rounds half away from zero (math.Round); sizes are never negative.
    return math.floor(_replicas(rs) * most / before + 0.5) - _replicas(rs)


def proportion(rs: Obj, d: Obj, to_add: int, added: int) -> int:
    """GetReplicaSetProportion: the ReplicaSet's share of ``to_add``, never
    beyond what is left of it."""
    if _replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    frac = _fraction(rs, d)
    allowed = to_add - added
    return min(frac, allowed) if to_add > 0 else max(frac, allowed)


def proportional_sizes(d: Obj, new_rs: Obj | None, old_rss: list[Obj]) -> list[tuple[Obj, int]]:
    """The sizes a RollingUpdate deployment scaled mid-rollout gives its
    active ReplicaSets: ``replicas + maxSurge`` minus what they hold now is
    spread in proportion to their sizes, largest first (newer first among
    equals when growing, older first when shrinking), and the rounding
    leftover goes to the first."""
    rss = active([*old_rss, new_rs])
    replicas = _replicas(d)
    allowed = replicas + max_surge(d) if replicas > 0 else 0
    to_add = allowed - spec_total(rss)
    if to_add > 0:
        # Largest first; among equals, the newest first.
        rss.sort(key=by_creation, reverse=True)
        rss.sort(key=_replicas, reverse=True)
    elif to_add < 0:
        rss.sort(key=by_creation)
        rss.sort(key=_replicas, reverse=True)
    added = 0
    sizes: list[int] = []
    for rs in rss:
        if to_add != 0:
            p = proportion(rs, d, to_add, added)
            sizes.append(_replicas(rs) + p)
            added += p
        else:
            sizes.append(_replicas(rs))
    if rss and to_add != 0:
        sizes[0] = max(0, sizes[0] + to_add - added)
    return list(zip(rss, sizes, strict=True))


def deployment_complete(d: Obj, status: Obj) -> bool:
    """Every replica is updated and available, and the latest spec observed."""
    replicas = _replicas(d)
    return (
        int(status.get("updatedReplicas") or 0) == replicas
        and int(status.get("replicas") or 0) == replicas
        and int(status.get("availableReplicas") or 0) == replicas
        and int(status.get("observedGeneration") or 0) >= d["metadata"].get("generation", 0)
    )


def deployment_progressing(d: Obj, new: Obj) -> bool:
    """Progress since the stored status: more updated, ready or available
    pods, or fewer old ones."""
    old = d.get("status") or {}

    def n(s: Obj, f: str) -> int:
        return int(s.get(f) or 0)

    return (
        n(new, "updatedReplicas") > n(old, "updatedReplicas")
        or n(new, "replicas") - n(new, "updatedReplicas")
        < n(old, "replicas") - n(old, "updatedReplicas")
        or n(new, "readyReplicas") > n(old, "readyReplicas")
        or n(new, "availableReplicas") > n(old, "availableReplicas")
    )


def has_progress_deadline(d: Obj) -> bool:
    p = d["spec"].get("progressDeadlineSeconds")
    return p is not None and p != _MAX_INT32


def _parse_time(s: str) -> int:
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def get_condition(status: Obj, kind: str) -> Obj | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == kind), None)


def deployment_timed_out(d: Obj, status: Obj, now: int) -> bool:
    """The Progressing condition was last updated more than
    progressDeadlineSeconds ago (a completed rollout never times out)."""
    if not has_progress_deadline(d):
        return False
    cond = get_condition(status, "Progressing")
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    since = _parse_time(cond["lastUpdateTime"])
    return since + int(d["spec"]["progressDeadlineSeconds"]) < now


def new_condition(kind: str, status: str, reason: str, message: str, now: int) -> Obj:
    stamp = timestamp(now)
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def set_condition(status: Obj, cond: Obj) -> None:
    """SetDeploymentCondition: same status and reason keep the old condition;
    same status keeps its transition time; the new one goes last."""
    cur = get_condition(status, cond["type"])
    if cur is not None and cur["status"] == cond["status"] and cur.get("reason") == cond["reason"]:
        return
    if cur is not None and cur["status"] == cond["status"]:
        cond = {**cond, "lastTransitionTime": cur["lastTransitionTime"]}
    status["conditions"] = [
        c for c in status.get("conditions") or [] if c["type"] != cond["type"]
    ] + [cond]


def remove_condition(status: Obj, kind: str) -> None:
    status["conditions"] = [c for c in status.get("conditions") or [] if c["type"] != kind]


def _tidy(status: Obj) -> Obj:
    """The status as Go serializes it: zero counts and empty lists omitted."""
    order = (
        "observedGeneration",
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
        "conditions",
    )
    out = {k: status[k] for k in order if status.get(k)}
    if status.get("collisionCount") is not None:
        out["collisionCount"] = status["collisionCount"]
    return out


def calculate_status(d: Obj, all_rss: Sequence[Obj | None], new_rs: Obj | None, now: int) -> Obj:
    """The deployment's status from its ReplicaSets' (calculateStatus),
    with the Available condition set from the availability budget."""
    available = status_total(all_rss, "availableReplicas")
    status: Obj = {
        "observedGeneration": d["metadata"].get("generation", 0),
        "replicas": status_total(all_rss, "replicas"),
        "updatedReplicas": status_total([new_rs], "replicas"),
        "readyReplicas": status_total(all_rss, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": max(0, spec_total(all_rss) - available),
        "conditions": [dict(c) for c in (d.get("status") or {}).get("conditions") or []],
        "collisionCount": (d.get("status") or {}).get("collisionCount"),
    }
    if available >= _replicas(d) - max_unavailable(d):
        cond = new_condition(
            "Available", "True", MIN_AVAILABLE, "Deployment has minimum availability.", now
        )
    else:
        cond = new_condition(
            "Available",
            "False",
            MIN_UNAVAILABLE,
            "Deployment does not have minimum availability.",
            now,
        )
    set_condition(status, cond)
    return _tidy(status)


def set_new_rs_annotations(d: Obj, rs: Obj, new_revision: int, exists: bool) -> bool:
    """SetNewReplicaSetAnnotations on ``rs`` (edited in place): the
    deployment's own annotations, the revision (never lowered; a reused
    ReplicaSet keeps its former revisions in revision-history) and, on a new
    ReplicaSet, the desired/max replica annotations. Returns whether anything
    changed."""
    meta = rs["metadata"]
    ann: dict[str, str] = meta.setdefault("annotations", {})
    changed = False
    for k, v in _annotations(d).items():
        if k in _NOT_COPIED or ann.get(k) == v:
            continue
        ann[k] = v
        changed = True
    had = REVISION in ann
    old_revision = ann.get(REVISION, "")
    try:
        old = int(old_revision) if old_revision else 0
    except ValueError:
        return changed
    if old < new_revision:
        ann[REVISION] = str(new_revision)
        changed = True
    if had and old < new_revision:
        history = ann.get(REVISION_HISTORY, "")
        if not history:
            ann[REVISION_HISTORY] = old_revision
        else:
            revs = history.split(",")
            total = len(history) + len(old_revision) + 1
            start = 0
            while total > MAX_REVISION_HISTORY_CHARS and start < len(revs):
                total -= len(revs[start]) + 1
                start += 1
            if total <= MAX_REVISION_HISTORY_CHARS:
                ann[REVISION_HISTORY] = ",".join([*revs[start:], old_revision])
    if not exists and set_replicas_annotations(rs, _replicas(d), _replicas(d) + max_surge(d)):
        changed = True
    return changed


def set_replicas_annotations(rs: Obj, desired: int, most: int) -> bool:
    ann: dict[str, str] = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(most))):
        if ann.get(key) != value:
            ann[key] = value
            changed = True
    return changed


# ---------------------------------------------------------------- the controller


class DeploymentController(Controller):
    kind: ClassVar[str] = "Deployment"
    watches: ClassVar[tuple[str, ...]] = ("Deployment", "ReplicaSet", "Pod")
    pod_deletions: ClassVar[bool] = True

    def __init__(self, store: Any, clock: Clock) -> None:
        super().__init__(store, clock)
        # ReplicaSet uid → its controlling Deployment's uid, so that a pod's
        # deletion (its controller is the ReplicaSet) reaches the Deployment.
        self._rs_owner: dict[str, str] = {}
        # The pending progress-check requeue of each deployment: like a
        # delaying work queue, a key waits once, for the earliest time asked.
        self._requeue_at: dict[Key, Any] = {}

    # ------------------------------------------------------------ events

    def keys_for(self, change: Change) -> Iterable[Key]:
        etype, kind, ns, _name, uid, controller = change
        if kind == "ReplicaSet":
            if etype == "DELETED" or controller is None:
                self._rs_owner.pop(uid, None)
            else:
                self._rs_owner[uid] = controller
            if controller is None and etype != "DELETED":
                # An orphan may be adopted by any deployment selecting it.
                return self.store.keys("Deployment", ns)
            return ()
        if kind == "Pod" and etype == "DELETED" and controller is not None:
            # Recreate waits for the old pods to be gone.
            owner = self._rs_owner.get(controller)
            if owner is not None and owner in self.by_uid:
                return (self.by_uid[owner],)
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

    def _cancel_requeue(self, key: Key) -> None:
        """Drops a pending progress check that can no longer find anything
        to do (the rollout finished, timed out or the deployment is gone), so
        that a quiet cluster has no timers left."""
        pending = self._requeue_at.pop(key, None)
        if pending is not None:
            pending.cancelled = True

    # ------------------------------------------------------------ sync

    def sync(self, key: Key) -> None:
        try:
            self._sync(key)
        except Conflict:
            # Something changed under this sync (as with a stale informer
            # cache): the retry starts over from what is stored now.
            self.enqueue(key)

    def _sync(self, key: Key) -> None:
        d = self.get(key)
        if d is None:
            self._cancel_requeue(key)
            return
        rss = self._claim_replica_sets(d)
        if "deletionTimestamp" in d["metadata"]:
            new_rs, olds, d = self._new_and_old(d, rss, create=False)
            self._sync_status(d, [*olds, new_rs], new_rs)
            return
        d = self._check_paused_conditions(d)
        if d["spec"].get("paused"):
            self._sync_scale(d, rss)
            return
        scaling, d = self._is_scaling_event(d, rss)
        # Finding the new ReplicaSet may have updated it: read them again.
        rss = self._claim_replica_sets(d)
        if scaling:
            self._sync_scale(d, rss)
            return
        if is_rolling_update(d):
            self._rollout_rolling(d, rss)
        else:
            self._rollout_recreate(d, rss)

    def _claim_replica_sets(self, d: Obj) -> list[Obj]:
        """The deployment's ReplicaSets, adopting orphans its selector
        matches and releasing owned ones it no longer matches."""
        meta = d["metadata"]
        ns, uid = meta["namespace"], meta["uid"]
        selector = d["spec"].get("selector") or {}
        matching = {
            rs["metadata"]["name"]: rs for rs in self.store.list("ReplicaSet", ns, selector)
        }
        owned: list[Obj] = []
        for kind, _ns, name in self.store.dependents(uid):
            if kind != "ReplicaSet":
                continue
            try:
                rs = self.store.get("ReplicaSet", name, ns)
            except NotFound:
                continue
            if _controller_uid(rs) != uid:
                continue
            if name in matching or "deletionTimestamp" in meta:
                owned.append(rs)
            else:
                refs = [r for r in rs["metadata"]["ownerReferences"] if r.get("uid") != uid]
                self.store.replace(_with_owners(rs, refs))
        if "deletionTimestamp" not in meta:
            for rs in matching.values():
                if _controller_uid(rs) is None and "deletionTimestamp" not in rs["metadata"]:
                    refs = [*rs["metadata"].get("ownerReferences", []), owner_reference(d)]
                    owned.append(self.store.replace(_with_owners(rs, refs)))
        return owned

    def _check_paused_conditions(self, d: Obj) -> Obj:
        """Records pausing and resuming in the Progressing condition (unless
        the rollout already timed out)."""
        if not has_progress_deadline(d):
            return d
        status = _copy_status(d)
        cond = get_condition(status, "Progressing")
        if cond is not None and cond.get("reason") == TIMED_OUT:
            return d
        paused_cond = cond is not None and cond.get("reason") == PAUSED
        paused = bool(d["spec"].get("paused"))
        if paused and not paused_cond:
            c = new_condition("Progressing", "Unknown", PAUSED, "Deployment is paused", self.now())
        elif not paused and paused_cond:
            c = new_condition(
                "Progressing", "Unknown", RESUMED, "Deployment is resumed", self.now()
            )
        else:
            return d
        set_condition(status, c)
        return self._write_status(d, status)

    def _is_scaling_event(self, d: Obj, rss: list[Obj]) -> tuple[bool, Obj]:
        """Whether an active ReplicaSet was sized for a different ``replicas``."""
        new_rs, olds, d = self._new_and_old(d, rss, create=False)
        for rs in active([*olds, new_rs]):
            desired = _int_annotation(rs, DESIRED_REPLICAS)
            if desired is not None and desired != _replicas(d):
                return True, d
        return False, d

    def _sync_scale(self, d: Obj, rss: list[Obj]) -> None:
        """Scaling only, no rollout: for scaling events and paused deployments."""
        new_rs, olds, d = self._new_and_old(d, rss, create=False)
        self._scale(d, new_rs, olds)
        if d["spec"].get("paused"):
            self._cleanup(d, olds)
        self._sync_status(d, [*olds, new_rs], new_rs)

    # ------------------------------------------------------------ ReplicaSets

    def _new_and_old(
        self, d: Obj, rss: list[Obj], create: bool
    ) -> tuple[Obj | None, list[Obj], Obj]:
        """(new ReplicaSet, all old ones, deployment): the new one brought up
        to date (revision, annotations, minReadySeconds) or created, and the
        deployment's revision annotation synced with it."""
        rss = sorted(rss, key=by_creation)
        template = d["spec"]["template"]
        existing = next(
            (rs for rs in rss if equal_ignore_hash(rs["spec"]["template"], template)), None
        )
        olds = [rs for rs in rss if rs is not existing]
        new_revision = max_revision(olds) + 1
        if existing is not None:
            # Only the annotations and spec.minReadySeconds may be edited: copy those.
            meta = dict(existing["metadata"])
            meta["annotations"] = dict(meta.get("annotations") or {})
            rs = {**existing, "metadata": meta, "spec": dict(existing["spec"])}
            changed = set_new_rs_annotations(d, rs, new_revision, exists=True)
            min_ready = d["spec"].get("minReadySeconds", 0)
            if changed or rs["spec"].get("minReadySeconds", 0) != min_ready:
                rs["spec"]["minReadySeconds"] = min_ready
                return self.store.replace(rs), olds, d
            status = _copy_status(d)
            revised = self._revised(d, _annotations(rs).get(REVISION, ""))
            if has_progress_deadline(d) and get_condition(status, "Progressing") is None:
                msg = f'Found new replica set "{rs["metadata"]["name"]}"'
                set_condition(
                    status, new_condition("Progressing", "True", FOUND_NEW_RS, msg, self.now())
                )
                return rs, olds, self._write_status(revised, status)
            if revised is not d:
                return rs, olds, self._write_status(revised, status)
            return rs, olds, d
        if not create:
            return None, olds, d
        return self._create_new(d, olds, new_revision)

    def _create_new(
        self, d: Obj, olds: list[Obj], new_revision: int
    ) -> tuple[Obj | None, list[Obj], Obj]:
        meta = d["metadata"]
        status = _copy_status(d)
        # Copies of what changes: the template's metadata and the selector.
        template = {**d["spec"]["template"]}
        template["metadata"] = dict(template.get("metadata") or {})
        h = compute_hash(d["spec"]["template"], status.get("collisionCount"))
        tmeta = template.setdefault("metadata", {})
        tmeta["labels"] = {**(tmeta.get("labels") or {}), HASH_LABEL: h}
        selector = dict(d["spec"]["selector"])
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: h}
        name = f"{meta['name']}-{h}"
        rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": meta["namespace"],
                "labels": dict(tmeta["labels"]),
                "ownerReferences": [owner_reference(d)],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                "selector": selector,
                "template": template,
            },
        }
        rs["spec"]["replicas"] = new_rs_new_replicas(d, [*olds, rs], rs)
        set_new_rs_annotations(d, rs, new_revision, exists=False)
        already = False
        try:
            created = self.store.create(rs)
        except AlreadyExists:
            already = True
            try:
                found = self.store.get("ReplicaSet", name, meta["namespace"])
            except NotFound:
                return None, olds, d
            if _controller_uid(found) == meta["uid"] and equal_ignore_hash(
                d["spec"]["template"], found["spec"]["template"]
            ):
                created = found
            else:
                # A hash collision: the next sync hashes with a new count.
                status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
                self._write_status(d, status)
                return None, olds, d
        except ApiError as e:
            if has_progress_deadline(d):
                msg = f'Failed to create new replica set "{name}": {e.message}'
                set_condition(
                    status,
                    new_condition("Progressing", "False", FAILED_RS_CREATE, msg, self.now()),
                )
                self._write_status(d, status)
            return None, olds, d
        revised = self._revised(d, str(new_revision))
        if not already and has_progress_deadline(d):
            msg = f'Created new replica set "{name}"'
            set_condition(
                status, new_condition("Progressing", "True", NEW_RS_CREATED, msg, self.now())
            )
            return created, olds, self._write_status(revised, status)
        if revised is not d:
            return created, olds, self._write_status(revised, status)
        return created, olds, d

    def _revised(self, d: Obj, rev: str) -> Obj:
        """The deployment with its revision annotation set to ``rev``
        (written at once: only the status subresource is written later)."""
        if _annotations(d).get(REVISION) == rev:
            return d
        meta = {**d["metadata"], "annotations": dict(_annotations(d))}
        new = {**d, "metadata": meta}
        meta["annotations"][REVISION] = rev
        return self.store.replace(new)

    def _scale_rs(self, d: Obj, rs: Obj, size: int, force: bool = False) -> tuple[bool, Obj]:
        """Sets a ReplicaSet's replicas (and its desired/max annotations);
        returns whether the size changed, and the ReplicaSet as stored.
        Without ``force`` an unchanged size writes nothing."""
        if not force and _replicas(rs) == size:
            return False, rs
        sized = _replicas(rs) != size
        meta = {**rs["metadata"], "annotations": dict(_annotations(rs))}
        new = {**rs, "metadata": meta, "spec": dict(rs["spec"])}
        anns = set_replicas_annotations(new, _replicas(d), _replicas(d) + max_surge(d))
        if not sized and not anns:
            return False, rs
        new["spec"]["replicas"] = size
        return sized, self.store.replace(new)

    def _scale(self, d: Obj, new_rs: Obj | None, olds: list[Obj]) -> None:
        """Scaling without a rollout step: the only active (or the newest)
        ReplicaSet takes all replicas; a saturated new one leaves the old at
        0; otherwise RollingUpdate spreads the change proportionally."""
        only = find_active_or_latest(new_rs, olds)
        if only is not None:
            self._scale_rs(d, only, _replicas(d))
            return
        if is_saturated(d, new_rs):
            for rs in active(olds):
                self._scale_rs(d, rs, 0)
            return
        if is_rolling_update(d):
            for rs, size in proportional_sizes(d, new_rs, olds):
                self._scale_rs(d, rs, size, force=True)

    def _cleanup(self, d: Obj, olds: list[Obj]) -> None:
        """Deletes the oldest revisions beyond revisionHistoryLimit, among old
        ReplicaSets that are fully scaled down and observed so."""
        limit = d["spec"].get("revisionHistoryLimit")
        if limit is None or limit == _MAX_INT32:
            return
        alive = [rs for rs in olds if "deletionTimestamp" not in rs["metadata"]]
        excess = len(alive) - int(limit)
        if excess <= 0:
            return
        alive.sort(key=lambda rs: (revision(rs) or 0, *by_creation(rs)))
        for rs in alive[:excess]:
            if (
                _status(rs, "replicas") != 0
                or _replicas(rs) != 0
                or rs["metadata"].get("generation", 0) > _status(rs, "observedGeneration")
            ):
                continue
            with contextlib.suppress(NotFound):
                self.store.delete("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["namespace"])

    # ------------------------------------------------------------ strategies

    def _rollout_rolling(self, d: Obj, rss: list[Obj]) -> None:
        new_rs, olds, d = self._new_and_old(d, rss, create=True)
        if new_rs is None:
            return
        all_rss = [*olds, new_rs]
        if self._reconcile_new(d, all_rss, new_rs):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if self._reconcile_old(d, all_rss, active(olds), new_rs):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if deployment_complete(d, d.get("status") or {}):
            self._cleanup(d, olds)
        self._sync_rollout_status(d, all_rss, new_rs)

    def _reconcile_new(self, d: Obj, all_rss: list[Obj], new_rs: Obj) -> bool:
        """Grows the new ReplicaSet within the surge (or shrinks it to
        ``replicas``); returns whether its size changed."""
        replicas = _replicas(d)
        if _replicas(new_rs) == replicas:
            return False
        if _replicas(new_rs) > replicas:
            return self._scale_rs(d, new_rs, replicas)[0]
        return self._scale_rs(d, new_rs, new_rs_new_replicas(d, all_rss, new_rs))[0]

    def _reconcile_old(self, d: Obj, all_rss: list[Obj], olds: list[Obj], new_rs: Obj) -> bool:
        """Shrinks old ReplicaSets as far as availability allows: unhealthy
        replicas first, then available ones down to ``replicas -
        maxUnavailable`` available pods in all."""
        if spec_total(olds) == 0:
            return False
        min_available = _replicas(d) - max_unavailable(d)
        new_unavailable = _replicas(new_rs) - _status(new_rs, "availableReplicas")
        budget = spec_total(all_rss) - min_available - new_unavailable
        if budget <= 0:
            return False
        olds, cleaned = self._cleanup_unhealthy(d, olds, budget)
        scaled = self._scale_down_old(d, [*olds, new_rs], olds)
        return cleaned + scaled > 0

    def _cleanup_unhealthy(self, d: Obj, olds: list[Obj], budget: int) -> tuple[list[Obj], int]:
        """Removes up to ``budget`` unavailable replicas of old ReplicaSets,
        oldest ReplicaSet first: they hold nothing up, and would otherwise
        block the rollout."""
        olds = sorted(olds, key=by_creation)
        done = 0
        for i, rs in enumerate(olds):
            if done >= budget:
                break
            unhealthy = _replicas(rs) - _status(rs, "availableReplicas")
            if _replicas(rs) == 0 or unhealthy <= 0:
                continue
            n = min(budget - done, unhealthy)
            _, olds[i] = self._scale_rs(d, rs, _replicas(rs) - n)
            done += n
        return olds, done

    def _scale_down_old(self, d: Obj, all_rss: list[Obj], olds: list[Obj]) -> int:
        """Scales old ReplicaSets down, oldest first, by the available pods
        beyond ``replicas - maxUnavailable``."""
        min_available = _replicas(d) - max_unavailable(d)
        available = status_total(all_rss, "availableReplicas")
        if available <= min_available:
            return 0
        total = available - min_available
        done = 0
        for rs in sorted(olds, key=by_creation):
            if done >= total:
                break
            if _replicas(rs) == 0:
                continue
            n = min(_replicas(rs), total - done)
            self._scale_rs(d, rs, _replicas(rs) - n)
            done += n
        return done

    def _rollout_recreate(self, d: Obj, rss: list[Obj]) -> None:
        """Recreate: every old ReplicaSet to 0, then — once none of their
        pods is left running — the new ReplicaSet to ``replicas``."""
        new_rs, olds, d = self._new_and_old(d, rss, create=False)
        all_rss: list[Obj | None] = [*olds, new_rs]
        scaled = False
        for rs in active(olds):
            scaled = self._scale_rs(d, rs, 0)[0] or scaled
        if scaled or self._old_pods_running(olds):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if new_rs is None:
            new_rs, olds, d = self._new_and_old(d, rss, create=True)
            all_rss = [*olds, new_rs]
            if new_rs is None:
                return
        self._scale_rs(d, new_rs, _replicas(d))
        if deployment_complete(d, d.get("status") or {}):
            self._cleanup(d, olds)
        self._sync_rollout_status(d, all_rss, new_rs)

    def _old_pods_running(self, olds: list[Obj]) -> bool:
        """Whether an old ReplicaSet still has pods, terminating ones included."""
        if status_total(olds, "replicas") > 0:
            return True
        for rs in olds:
            meta = rs["metadata"]
            view = self.store.controller_pods(
                meta["namespace"], rs["spec"].get("selector") or {}, meta["uid"]
            )
            if view["active"] or view["terminating"]:
                return True
        return False

    # ------------------------------------------------------------ status

    def _write_status(self, d: Obj, status: Obj) -> Obj:
        status = _tidy(status)
        if status == (d.get("status") or {}):
            return d
        return self.store.replace_status({**d, "status": status})

    def _sync_status(self, d: Obj, all_rss: Sequence[Obj | None], new_rs: Obj | None) -> None:
        """Status from the ReplicaSets, without estimating progress."""
        self._write_status(d, calculate_status(d, all_rss, new_rs, self.now()))

    def _sync_rollout_status(
        self, d: Obj, all_rss: Sequence[Obj | None], new_rs: Obj | None
    ) -> None:
        """Status from the ReplicaSets, with the Progressing condition: the
        rollout progressed, completed, or ran out of its deadline."""
        now = self.now()
        status = calculate_status(d, all_rss, new_rs, now)
        name = d["metadata"]["name"]
        what = (
            f'ReplicaSet "{new_rs["metadata"]["name"]}"'
            if new_rs is not None
            else f'Deployment "{name}"'
        )
        current = get_condition(d.get("status") or {}, "Progressing")
        if not has_progress_deadline(d):
            remove_condition(status, "Progressing")
        complete_before = (
            status.get("replicas", 0) == status.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE
        )
        if has_progress_deadline(d) and not complete_before:
            if deployment_complete(d, status):
                set_condition(
                    status,
                    new_condition(
                        "Progressing",
                        "True",
                        NEW_RS_AVAILABLE,
                        f"{what} has successfully progressed.",
                        now,
                    ),
                )
            elif deployment_progressing(d, status):
                cond = new_condition(
                    "Progressing", "True", RS_UPDATED, f"{what} is progressing.", now
                )
                if current is not None:
                    if current["status"] == "True":
                        cond["lastTransitionTime"] = current["lastTransitionTime"]
                    remove_condition(status, "Progressing")
                set_condition(status, cond)
            elif deployment_timed_out(d, status, now):
                set_condition(
                    status,
                    new_condition(
                        "Progressing",
                        "False",
                        TIMED_OUT,
                        f"{what} has timed out progressing.",
                        now,
                    ),
                )
        failures = _replica_failures(all_rss, new_rs)
        if failures:
            set_condition(status, failures[0])
        else:
            remove_condition(status, "ReplicaFailure")
        status = _tidy(status)
        if status == (d.get("status") or {}):
            self._requeue_stuck(d, status)
            return
        self._write_status(d, status)

    def _requeue_stuck(self, d: Obj, status: Obj) -> None:
        """Without news, checks again when the progress deadline passes."""
        current = get_condition(d.get("status") or {}, "Progressing")
        key = (d["metadata"]["namespace"], d["metadata"]["name"])
        if (
            not has_progress_deadline(d)
            or current is None
            or deployment_complete(d, status)
            or current.get("reason") == TIMED_OUT
        ):
            self._cancel_requeue(key)
            return
        after = (
            _parse_time(current["lastUpdateTime"])
            + int(d["spec"]["progressDeadlineSeconds"])
            - self.now()
        )
        # One second past the deadline: the check needs the deadline to lie
        # strictly in the past, and the simulated clock counts whole seconds.
        self._requeue_after(key, max(after, 0) + 1)


def _replica_failures(all_rss: Sequence[Obj | None], new_rs: Obj | None) -> list[Obj]:
    """The ReplicaFailure conditions of the ReplicaSets, the new one's first,
    as deployment conditions."""

    def of(rs: Obj | None) -> list[Obj]:
        if rs is None:
            return []
        return [
            {
                "type": "ReplicaFailure",
                "status": c["status"],
                "lastUpdateTime": c.get("lastTransitionTime"),
                "lastTransitionTime": c.get("lastTransitionTime"),
                "reason": c.get("reason"),
                "message": c.get("message"),
            }
            for c in (rs.get("status") or {}).get("conditions") or []
            if c.get("type") == "ReplicaFailure"
        ]

    first = of(new_rs)
    if first:
        return first
    return [c for rs in all_rss for c in of(rs)]


def _controller_uid(obj: Obj) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def _copy_status(d: Obj) -> Obj:
    """A copy of the object's status that conditions can be set on."""
    status = dict(d.get("status") or {})
    if "conditions" in status:
        status["conditions"] = [dict(c) for c in status["conditions"]]
    return status


def _with_owners(rs: Obj, refs: list[Obj]) -> Obj:
    new = {**rs, "metadata": dict(rs["metadata"])}
    if refs:
        new["metadata"]["ownerReferences"] = refs
    else:
        new["metadata"].pop("ownerReferences", None)
    return new
