"""The StatefulSet controller (pkg/controller/statefulset): pods with stable
identities ``<set>-<ordinal>``, created in order and removed in reverse
order (OrderedReady) or all at once (Parallel), each with its own
PersistentVolumeClaims from ``volumeClaimTemplates``; template revisions
kept as ControllerRevisions and rolled out from the highest ordinal down
(RollingUpdate with a partition) or when pods are deleted (OnDelete).

Feature gates as in v1.33 by default: MaxUnavailableStatefulSet is off, so
a rolling update replaces one pod at a time whatever
``rollingUpdate.maxUnavailable`` says; StatefulSetAutoDeletePVC and
StatefulSetStartOrdinal are on, so ``persistentVolumeClaimRetentionPolicy``
and ``ordinals.start`` are honoured; PodIndexLabel is on.

The planning helpers are pure functions over plain values;
``StatefulSetController`` reads the store (one batch query for the pods),
decides with them and writes back.

Where the simulation differs from kube-controller-manager: a failed write is
not retried with rate-limited backoff (the next change to the set or its
pods syncs it again), so that a cluster with a broken template still
settles; and the extra resync that Kubernetes schedules ``minReadySeconds``
after every sync that finds pods unavailable is replaced by one timer at
the instant the next ready pod becomes available.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from podcore.controllers.base import Change, Controller, Key, ObjectCache, owner_reference
from podcore.controllers.deployment import safe_encode
from podcore.errors import AlreadyExists, ApiError, Conflict, NotFound

Obj = dict[str, Any]

#: The pod label naming the pod (StatefulSetPodNameLabel).
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
#: The pod label holding the ordinal (PodIndexLabel, on by default in v1.33).
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
#: The pod label naming the pod's ControllerRevision (StatefulSetRevisionLabel).
REVISION_LABEL = "controller-revision-hash"
#: The ControllerRevision label holding the hash of its data.
HASH_LABEL = "controller.kubernetes.io/hash"

RETAIN = "Retain"
DELETE = "Delete"
PARALLEL = "Parallel"
ROLLING_UPDATE = "RollingUpdate"
ON_DELETE = "OnDelete"

_SET_API = ("apps/v1", "StatefulSet")
_POD_API = ("v1", "Pod")
_MAX_INT32 = 2**31 - 1
#: StatefulSetStatus fields in the order Go writes them.
_STATUS_ORDER = (
    "observedGeneration",
    "replicas",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "currentRevision",
    "updateRevision",
    "collisionCount",
    "availableReplicas",
)
#: The status fields whose change makes a status write, with the value an
#: absent one stands for.
_STATUS_COMPARED = (
    ("replicas", 0),
    ("currentReplicas", 0),
    ("readyReplicas", 0),
    ("updatedReplicas", 0),
    ("currentRevision", ""),
    ("availableReplicas", 0),
    ("updateRevision", ""),
)
#: ControllerRevisionName keeps this many bytes of the owner's name.
_MAX_PREFIX = 223
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")
#: Encoded revisions and templates kept at most (then forgotten at once).
_ENCODED_KEPT = 4096


# ---------------------------------------------------------------- identity


@functools.lru_cache(maxsize=1 << 16)
def parent_and_ordinal(name: str) -> tuple[str, int]:
    """The StatefulSet a pod name belongs to and its ordinal, or ``("", -1)``
    when the name does not end in ``-<number>`` (an ordinal that does not
    fit in an int32 counts as -1, as Kubernetes parses it)."""
    m = _ORDINAL.match(name)
    if m is None:
        return "", -1
    digits = m.group(2)
    ordinal = int(digits) if len(digits) <= 10 else -1
    return m.group(1), ordinal if 0 <= ordinal <= _MAX_INT32 else -1


def pod_name(set_name: str, ordinal: int) -> str:
    return f"{set_name}-{ordinal}"


def claim_name(template_name: str, set_name: str, ordinal: int) -> str:
    """The PersistentVolumeClaim of one pod for one volumeClaimTemplate."""
    return f"{template_name}-{set_name}-{ordinal}"


def start_ordinal(sts: Obj) -> int:
    return int(((sts["spec"].get("ordinals") or {}).get("start")) or 0)


def spec_replicas(sts: Obj) -> int:
    return int(sts["spec"].get("replicas", 1))


def retention_policy(sts: Obj) -> tuple[str, str]:
    """(whenDeleted, whenScaled), Retain where unset."""
    p = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
    return p.get("whenDeleted") or RETAIN, p.get("whenScaled") or RETAIN


def claim_templates(sts: Obj) -> list[Obj]:
    return [t for t in sts["spec"].get("volumeClaimTemplates") or [] if isinstance(t, dict)]


def template_names(sts: Obj) -> list[str]:
    """The names of the set's volumeClaimTemplates, in order."""
    return [str((t.get("metadata") or {}).get("name", "")) for t in claim_templates(sts)]


# ---------------------------------------------------------------- revisions


def go_json(value: Any) -> bytes:
    """``value`` as Go's encoding/json writes a map[string]interface{}: keys
    sorted, no spaces, ``<``, ``>``, ``&``, U+2028 and U+2029 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text.encode()


def revision_data(template: Obj) -> Obj:
    """A ControllerRevision's data for a pod template: the strategic merge
    patch that puts the template back in place. Go prints the template's
    zero creationTimestamp as null, and so does this."""
    tpl = dict(template)
    tpl["metadata"] = {"creationTimestamp": None, **(tpl.get("metadata") or {})}
    tpl["$patch"] = "replace"
    return {"spec": {"template": tpl}}


def template_of(revision: Obj, fallback: Obj) -> Obj:
    """The pod template a revision restores (ApplyRevision)."""
    tpl = ((revision.get("data") or {}).get("spec") or {}).get("template")
    if not isinstance(tpl, dict):
        return fallback
    out = {k: v for k, v in tpl.items() if k != "$patch"}
    meta = {k: v for k, v in (out.get("metadata") or {}).items() if v is not None}
    out["metadata"] = meta
    return out


def hash_revision(data: Obj, collision_count: int | None) -> str:
    """HashControllerRevision: 32-bit FNV-1 over the data's JSON, then the
    collision count in decimal, the sum printed in decimal and safe-encoded."""
    payload = go_json(data)
    if collision_count is not None:
        payload += str(collision_count).encode()
    h = 0x811C9DC5
    for b in payload:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return safe_encode(str(h))


def revision_name(set_name: str, hash_: str) -> str:
    return f"{set_name[:_MAX_PREFIX]}-{hash_}"


def revision_sort_key(cr: Obj) -> tuple[int, str, str]:
    meta = cr["metadata"]
    return int(cr.get("revision", 0)), meta.get("creationTimestamp", ""), meta["name"]


# ---------------------------------------------------------------- pods


@dataclass(slots=True)
class Replica:
    """What the controller knows of one pod, or of one it is about to make."""

    name: str
    ordinal: int
    uid: str = ""
    phase: str = ""
    ready: bool = False
    available_in: int | None = None
    deleting: bool = False
    revision: str = ""
    name_label: str | None = None
    claims: list[str | None] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return self.phase != ""

    @property
    def available(self) -> bool:
        return self.available_in == 0

    @property
    def healthy(self) -> bool:
        return self.ready and not self.deleting

    @property
    def unavailable(self) -> bool:
        return not self.healthy or not self.available


#: The current and update revisions, the collision count, and the pod
#: template of each revision by name.
_Resolved = tuple[Obj, Obj, int, dict[str, Obj]]


#: Pods at indexes ``lo..hi`` (from the start ordinal) that are Running,
#: Ready, available, in their identity and on ``revision``: ``(lo, hi, revision)``.
Settled = tuple[int, int, str]


def identity_matches(set_name: str, pod: Replica) -> bool:
    parent, ordinal = parent_and_ordinal(pod.name)
    return (
        ordinal >= 0
        and parent == set_name
        and pod.name == pod_name(set_name, ordinal)
        and pod.name_label == pod.name
    )


def storage_matches(set_name: str, templates: Sequence[str], pod: Replica) -> bool:
    if pod.ordinal < 0:
        return False
    return all(
        pod.claims[i] == claim_name(t, set_name, pod.ordinal) if i < len(pod.claims) else False
        for i, t in enumerate(templates)
    )


def uses_current_revision(sts: Obj, ordinal: int) -> bool:
    """newVersionedStatefulSetPod: whether a new pod at ``ordinal`` gets the
    current revision (below the partition) rather than the update revision."""
    strategy = sts["spec"].get("updateStrategy") or {}
    ru = strategy.get("rollingUpdate")
    start = start_ordinal(sts)
    if strategy.get("type") == ROLLING_UPDATE and ru is None:
        current = int((sts.get("status") or {}).get("currentReplicas", 0))
        return ordinal < start + current
    return ru is not None and ordinal < start + int(ru.get("partition", 0))


# ---------------------------------------------------------------- claims and owners


def _matches_ref(ref: Obj, api: tuple[str, str], name: str) -> bool:
    return ref.get("apiVersion") == api[0] and ref.get("kind") == api[1] and ref.get("name") == name


def _has_owner(claim: Obj, uid: str) -> bool:
    return any(r.get("uid") == uid for r in claim["metadata"].get("ownerReferences", []))


def _has_stale_ref(claim: Obj, api: tuple[str, str], name: str, uid: str) -> bool:
    for r in claim["metadata"].get("ownerReferences", []):
        if _matches_ref(r, api, name):
            return bool(r.get("uid") != uid)
    return False


def _unexpected_controller(claim: Obj, sts: Obj, pod_name_: str, pod_uid: str) -> bool:
    when_deleted, when_scaled = retention_policy(sts)
    if when_deleted == RETAIN and when_scaled == RETAIN:
        return False
    set_name, set_uid = sts["metadata"]["name"], sts["metadata"]["uid"]
    for r in claim["metadata"].get("ownerReferences", []):
        if _matches_ref(r, _SET_API, set_name):
            if r.get("uid") != set_uid:
                return True
            continue
        if _matches_ref(r, _POD_API, pod_name_):
            if r.get("uid") != pod_uid:
                return True
            continue
        if r.get("controller"):
            return True
    return False


def _in_range(sts: Obj, ordinal: int) -> bool:
    start = start_ordinal(sts)
    return start <= ordinal <= start + spec_replicas(sts) - 1


def claim_owner_up_to_date(claim: Obj, sts: Obj, pod: Replica) -> bool:
    """isClaimOwnerUpToDate: whether the claim's ownerReferences say what
    the retention policy asks (set owns it to go with the set, pod owns it
    to go with a scaled-down pod). Claims referring to other incarnations
    of the set or pod are left alone."""
    set_name, set_uid = sts["metadata"]["name"], sts["metadata"]["uid"]
    if _has_stale_ref(claim, _SET_API, set_name, set_uid) or _has_stale_ref(
        claim, _POD_API, pod.name, pod.uid
    ):
        return True
    set_ref, pod_ref = _has_owner(claim, set_uid), _has_owner(claim, pod.uid)
    if _unexpected_controller(claim, sts, pod.name, pod.uid):
        return not (set_ref or pod_ref)
    for r in claim["metadata"].get("ownerReferences", []):
        if r.get("uid") in (set_uid, pod.uid) and not r.get("controller"):
            return False
    when_deleted, when_scaled = retention_policy(sts)
    scaled_down = not _in_range(sts, pod.ordinal)
    if when_scaled == DELETE and when_deleted == DELETE:
        return scaled_down != set_ref and scaled_down == pod_ref
    if when_scaled == DELETE:
        return not set_ref and scaled_down == pod_ref
    if when_deleted == DELETE:
        return set_ref and not pod_ref
    return not set_ref and not pod_ref


def claim_owner_references(claim: Obj, sts: Obj, pod: Replica) -> list[Obj]:
    """updateClaimOwnerRefForSetAndPod: the claim's ownerReferences with the
    set's and pod's replaced by what the retention policy asks."""
    set_name = sts["metadata"]["name"]
    unexpected = _unexpected_controller(claim, sts, pod.name, pod.uid)
    refs = [
        r
        for r in claim["metadata"].get("ownerReferences", [])
        if not (_matches_ref(r, _SET_API, set_name) or _matches_ref(r, _POD_API, pod.name))
    ]
    if unexpected:
        return refs
    when_deleted, when_scaled = retention_policy(sts)
    scaled_down = not _in_range(sts, pod.ordinal)
    set_ref = owner_reference(sts)
    pod_ref = {
        "apiVersion": "v1",
        "kind": "Pod",
        "name": pod.name,
        "uid": pod.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }

    def add(ref: Obj) -> None:
        if not any(r.get("uid") == ref["uid"] for r in refs):
            refs.append(ref)

    if when_scaled == DELETE and scaled_down:
        add(pod_ref)
    if when_deleted == DELETE and (when_scaled == RETAIN or not scaled_down):
        add(set_ref)
    return refs


def new_claim(sts: Obj, template: Obj, ordinal: int) -> Obj:
    """A pod's claim from a volumeClaimTemplate (getPersistentVolumeClaims):
    the template under its per-pod name, its labels plus the set's
    selector matchLabels."""
    meta = dict(template.get("metadata") or {})
    match_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
    meta["labels"] = {**(meta.get("labels") or {}), **match_labels}
    meta["name"] = claim_name(str(meta.get("name", "")), sts["metadata"]["name"], ordinal)
    meta["namespace"] = sts["metadata"]["namespace"]
    out: Obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta}
    out["spec"] = template.get("spec") or {}
    return out


# ---------------------------------------------------------------- the controller


class _Blocked(Exception):
    """A write failed: the sync stops here, as an error does in Kubernetes."""


class StatefulSetController(Controller):
    kind: ClassVar[str] = "StatefulSet"
    watches: ClassVar[tuple[str, ...]] = (
        "StatefulSet",
        "Pod",
        "ControllerRevision",
        "PersistentVolumeClaim",
    )
    # A controlled pod's change only queues its StatefulSet (updatePod).
    changes_queue_controller_only: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Claims a set waits on (being deleted, or stale from an earlier pod):
        # their changes carry no ownerReference to the set.
        self._claim_waiters: dict[Key, Key] = {}
        # Revision data and templates as Go encodes them, by object and version.
        self._json: dict[str, tuple[Any, bytes]] = {}
        # The sets as last read or written (a set is synced after every
        # change of it and of its pods, and converting it from the store
        # each time costs more than checking its version).
        self._sets = ObjectCache(self.store, self.kind)
        # By set uid: its ControllerRevisions as last listed, with the store's
        # resourceVersion then and the selector; kept while no revision of
        # the namespace changed since.
        self._listed: dict[str, tuple[str, Obj, list[Obj]]] = {}
        # By set uid: the current and update revisions, the collision count
        # and the templates, with the revision list and what of the set they
        # were read from (the generation stands for the template).
        self._resolved: dict[str, tuple[list[Obj], tuple[Any, ...], _Resolved]] = {}

    def keys_for(self, change: Change) -> Iterable[Key]:
        _, kind, ns, name, _, controller = change
        if kind == "PersistentVolumeClaim":
            waiter = self._claim_waiters.pop((ns, name), None)
            return () if waiter is None else (waiter,)
        if kind == "Pod" and controller is None:
            # An orphan the set named by the pod's name may adopt.
            parent, ordinal = parent_and_ordinal(name)
            if ordinal >= 0 and (ns, parent) in self.by_uid.values():
                return ((ns, parent),)
        return ()

    # ------------------------------------------------------------ sync

    def sync(self, key: Key) -> None:
        sts = self._sets.get(key)
        if sts is None:
            return
        selector = sts["spec"].get("selector") or {}
        revisions = self._list_revisions(sts, selector)
        view = self._claim_pods(sts, selector)
        done = self._update(sts, view, revisions)
        if done is None:
            return
        status, current, update = done
        self._write_status(sts, status)
        self._truncate_history(sts, view["revisions"], revisions, current, update)
        if view["next_available"]:
            self.enqueue_after(key, view["next_available"])

    def _list_revisions(self, sts: Obj, selector: Obj) -> list[Obj]:
        """The set's ControllerRevisions (adopting orphans), oldest first; the
        same list as the last sync's while no revision of the namespace
        changed (nor failed to be adopted)."""
        ns, uid = sts["metadata"]["namespace"], sts["metadata"]["uid"]
        hit = self._listed.get(uid)
        if (
            hit is not None
            and hit[1] == selector
            and not self.store.changed_since("ControllerRevision", ns, hit[0])
        ):
            return hit[2]
        version = self.store.resource_version
        out = []
        complete = True
        for cr in self.store.list("ControllerRevision", ns, selector):
            refs = [r for r in cr["metadata"].get("ownerReferences", []) if r.get("controller")]
            if not refs:
                patch = {"metadata": {"ownerReferences": [owner_reference(sts)]}}
                try:
                    cr = self.store.patch("ControllerRevision", cr["metadata"]["name"], patch, ns)
                except ApiError:
                    # Tried again by the next sync: the list is not kept.
                    complete = False
                    continue
            elif refs[0].get("uid") != uid:
                continue
            out.append(cr)
        out.sort(key=revision_sort_key)
        if len(self._listed) >= _ENCODED_KEPT:
            self._listed.clear()
        if complete:
            self._listed[uid] = (version, selector, out)
        else:
            self._listed.pop(uid, None)
        return out

    def _claim_pods(self, sts: Obj, selector: Obj) -> dict[str, Any]:
        """ClaimPods with the isMemberOf filter: adopt orphans named after the
        set, release pods that stopped matching or are not named after it;
        the view of the set's pods (``Store.stateful_view``)."""
        meta, spec = sts["metadata"], sts["spec"]
        ns, name, uid = meta["namespace"], meta["name"], meta["uid"]

        def read() -> dict[str, Any]:
            return self.store.stateful_view(
                ns,
                selector,
                uid,
                name,
                start=start_ordinal(sts),
                replicas=spec_replicas(sts),
                min_ready_seconds=int(spec.get("minReadySeconds", 0)),
                volume_names=template_names(sts),
                ordered=spec.get("podManagementPolicy") != PARALLEL,
            )

        view = read()
        if view["adopt"] and "deletionTimestamp" not in meta:
            self.store.set_controller(ns, view["adopt"], owner_reference(sts))
            view = read()
        if view["release"]:
            self.store.set_controller(ns, view["release"], None, release_uid=uid)
        return view

    # ------------------------------------------------------------ revisions

    def _resolve(self, sts: Obj, revisions: list[Obj]) -> _Resolved:
        """``_revisions`` and the pod template of each revision, the last
        answer again while the revision list, the set's generation and its
        recorded revision and collision count are the ones it came from (a
        write it made lists the revisions afresh, so it is not reused)."""
        meta = sts["metadata"]
        status = sts.get("status") or {}
        read = (meta.get("generation"), status.get("currentRevision"), status.get("collisionCount"))
        hit = self._resolved.get(meta["uid"])
        if hit is not None and hit[0] is revisions and hit[1] == read:
            return hit[2]
        current, update, collisions = self._revisions(sts, revisions)
        fallback = sts["spec"]["template"]
        templates = {
            current["metadata"]["name"]: template_of(current, fallback),
            update["metadata"]["name"]: template_of(update, fallback),
        }
        out = (current, update, collisions, templates)
        if len(self._resolved) >= _ENCODED_KEPT:
            self._resolved.clear()
        self._resolved[meta["uid"]] = (revisions, read, out)
        return out

    def _revisions(self, sts: Obj, revisions: list[Obj]) -> tuple[Obj, Obj, int]:
        """getStatefulSetRevisions: the current and update revisions (making
        or renumbering the update revision) and the collision count."""
        status = sts.get("status") or {}
        collisions = int(status.get("collisionCount", 0))
        data = revision_data(sts["spec"]["template"])
        number = int(revisions[-1].get("revision", 0)) + 1 if revisions else 1
        # EqualRevision against a revision made from the template: it carries
        # no hash label, so the data decide, compared as Go encodes them.
        meta = sts["metadata"]
        wanted = self._encoded(f"{meta['uid']}/template", meta.get("generation"), data)
        equal = [
            r
            for r in revisions
            if self._encoded(r["metadata"]["uid"], r["metadata"]["resourceVersion"], r.get("data"))
            == wanted
        ]
        if equal and revisions[-1] is equal[-1]:
            update = revisions[-1]
        elif equal:
            update = dict(equal[-1])
            update["revision"] = number
            update = self.store.replace(update)
        else:
            update, collisions = self._create_revision(sts, data, number, collisions)
        current = next(
            (r for r in revisions if r["metadata"]["name"] == status.get("currentRevision")),
            update,
        )
        return current, update, collisions

    def _encoded(self, key: str, version: Any, value: Any) -> bytes:
        """``go_json(value)`` for the object ``key`` at ``version`` (a
        revision's resourceVersion, a set's generation: its template changes
        only with a new one), encoded once per version."""
        hit = self._json.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        if len(self._json) >= _ENCODED_KEPT:
            self._json.clear()
        out = go_json(value)
        self._json[key] = (version, out)
        return out

    def _create_revision(
        self, sts: Obj, data: Obj, number: int, collisions: int
    ) -> tuple[Obj, int]:
        """CreateControllerRevision: named by the data's hash, with the
        collision count bumped while another revision holds the name."""
        meta = sts["metadata"]
        labels = dict((sts["spec"]["template"].get("metadata") or {}).get("labels") or {})
        annotations = dict(meta.get("annotations") or {})
        while True:
            hash_ = hash_revision(data, collisions)
            cr: Obj = {
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": revision_name(meta["name"], hash_),
                    "namespace": meta["namespace"],
                    "labels": {**labels, HASH_LABEL: hash_},
                    "ownerReferences": [owner_reference(sts)],
                },
                "data": data,
                "revision": number,
            }
            if annotations:
                cr["metadata"]["annotations"] = annotations
            try:
                return self.store.create(cr), collisions
            except AlreadyExists:
                existing = self.store.get(
                    "ControllerRevision", cr["metadata"]["name"], meta["namespace"]
                )
                if go_json(existing.get("data")) == go_json(data):
                    return existing, collisions
                collisions += 1

    def _truncate_history(
        self, sts: Obj, in_use: list[str], revisions: list[Obj], current: Obj, update: Obj
    ) -> None:
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update(in_use)
        history = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = int(sts["spec"].get("revisionHistoryLimit", 10))
        if limit < 0 or len(history) <= limit:
            return
        ns = sts["metadata"]["namespace"]
        doomed = [(ns, r["metadata"]["name"]) for r in history[: len(history) - limit]]
        self.store.delete_many("ControllerRevision", doomed)

    # ------------------------------------------------------------ the update

    def _update(
        self, sts: Obj, view: dict[str, Any], revisions: list[Obj]
    ) -> tuple[Obj, Obj, Obj] | None:
        """UpdateStatefulSet: moves the pods one step toward the spec and
        returns the status to record with the current and update revisions."""
        meta, spec = sts["metadata"], sts["spec"]
        try:
            current, update, collisions, templates = self._resolve(sts, revisions)
        except ApiError:
            return None
        cur_name, upd_name = current["metadata"]["name"], update["metadata"]["name"]
        status: Obj = {
            "observedGeneration": meta.get("generation", 0),
            "currentRevision": cur_name,
            "updateRevision": upd_name,
            "collisionCount": collisions,
        }

        def record(counts: tuple[int, int, int, dict[str, int]]) -> None:
            """computeReplicaStatus, from the view's counts."""
            status["replicas"], status["readyReplicas"], status["availableReplicas"] = counts[:3]
            status["currentReplicas"] = counts[3].get(cur_name, 0)
            status["updatedReplicas"] = counts[3].get(upd_name, 0)

        record(view["members"])
        name, start = meta["name"], start_ordinal(sts)
        monotonic = spec.get("podManagementPolicy") != PARALLEL

        def new_replica(index: int) -> Replica:
            """newVersionedStatefulSetPod: the pod to make at this index."""
            ordinal = start + index
            rev = cur_name if uses_current_revision(sts, ordinal) else upd_name
            out = Replica(name=pod_name(name, ordinal), ordinal=ordinal, revision=rev)
            out.name_label = out.name
            out.claims = [claim_name(t, name, ordinal) for t in template_names(sts)]
            return out

        # The ordinals in range, in order: pods needing attention and pods to
        # make one by one, healthy pods in their identity as stretches. Under
        # OrderedReady only the first missing pod matters (it is made, or the
        # sync stops on it).
        replicas: list[Replica | Settled] = []
        for lo, hi, rev, row in view["slots"]:
            if row is not None:
                replicas.append(Replica(*row))
            elif rev is not None:
                replicas.append((lo, hi, rev))
            else:
                replicas.extend(new_replica(i) for i in range(lo, (lo if monotonic else hi) + 1))
        condemned = [Replica(*row) for row in view["condemned"]]
        first_unavailable = next(
            (p for p in replicas if isinstance(p, Replica) and p.unavailable), None
        )
        if first_unavailable is None:
            first_unavailable = next((p for p in reversed(condemned) if p.unavailable), None)

        if "deletionTimestamp" in meta:
            return status, current, update
        claims = self._claims(sts)
        try:
            if self._process_replicas(sts, replicas, templates, claims, monotonic):
                record(view["slotted"])
                return status, current, update
            for p in condemned:
                self._fix_claims(sts, p, claims)
            if self._process_condemned(sts, condemned, first_unavailable, monotonic):
                record(view["slotted"])
                return status, current, update
        except _Blocked:
            record(view["slotted"])
            return status, current, update
        record(view["slotted"])
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type") == ON_DELETE:
            return status, current, update
        # MaxUnavailableStatefulSet is off: one pod at a time, from the top
        # down to the partition (an index from the start ordinal).
        partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0))
        for item in reversed(replicas):
            if isinstance(item, tuple):
                # Healthy pods: the highest one not on the update revision goes.
                _, hi, rev = item
                if hi < partition:
                    break
                if rev != upd_name:
                    self._delete_pods(sts, [Replica(pod_name(name, start + hi), start + hi)])
                    status["currentReplicas"] -= 1
                    return status, current, update
                continue
            p = item
            if p.ordinal - start < partition:
                break
            if p.revision != upd_name and not p.deleting:
                self._delete_pods(sts, [p])
                status["currentReplicas"] -= 1
                return status, current, update
            if p.unavailable:
                break
        return status, current, update

    def _process_replicas(
        self,
        sts: Obj,
        replicas: list[Replica | Settled],
        templates: dict[str, Obj],
        claims: dict[str, Obj],
        monotonic: bool,
    ) -> bool:
        """processReplica over the ordinals in range; True when the sync must
        stop here (OrderedReady waits on the first pod that is not Running,
        Ready and available). Settled stretches need nothing."""
        pods = [p for p in replicas if isinstance(p, Replica)]
        if not monotonic:
            return self._process_replicas_in_parallel(sts, pods, templates, claims)
        for p in pods:
            if p.phase in ("Failed", "Succeeded"):
                if not p.deleting:
                    self._delete_pods(sts, [p])
                return True
            if not p.created:
                if self._claims_stale(sts, p, claims):
                    return True
                self._create_pods(sts, [p], templates, claims)
                return True
            if p.phase == "Pending":
                self._create_claims(sts, p, claims)
                self._fix_claims(sts, p, claims)
            if p.deleting or not p.ready or not p.available:
                return True
            self._enforce_identity(sts, p, claims)
        return False

    def _process_replicas_in_parallel(
        self,
        sts: Obj,
        replicas: list[Replica],
        templates: dict[str, Obj],
        claims: dict[str, Obj],
    ) -> bool:
        """Parallel: every ordinal at once (Kubernetes' slow-start batches,
        here one batch per kind of write); True on a failed write."""
        finished = [p for p in replicas if p.phase in ("Failed", "Succeeded")]
        self._delete_pods(sts, [p for p in finished if not p.deleting])
        missing = [p for p in replicas if not p.created]
        to_make = [p for p in missing if not self._claims_stale(sts, p, claims)]
        if to_make:
            self._create_pods(sts, to_make, templates, claims)
        for p in replicas:
            if p in finished or not p.created:
                continue
            if p.phase == "Pending":
                self._create_claims(sts, p, claims)
                self._fix_claims(sts, p, claims)
            self._enforce_identity(sts, p, claims)
        return False

    def _process_condemned(
        self, sts: Obj, condemned: list[Replica], first_unavailable: Replica | None, monotonic: bool
    ) -> bool:
        """Scale down from the highest ordinal; OrderedReady deletes one pod
        per sync and only while every other pod is healthy."""
        if not monotonic:
            self._delete_pods(sts, [p for p in condemned if not p.deleting])
            return False
        for p in condemned:
            if p.deleting:
                return True
            if p.unavailable and p is not first_unavailable:
                return True
            self._delete_pods(sts, [p])
            return True
        return False

    # ------------------------------------------------------------ writes

    def _create_pods(
        self, sts: Obj, pods: list[Replica], templates: dict[str, Obj], claims: dict[str, Obj]
    ) -> None:
        """CreateStatefulPod for each: its claims first, then the pod with
        its identity (name, hostname, subdomain, labels) and claim volumes."""
        meta, spec = sts["metadata"], sts["spec"]
        ns, name = meta["namespace"], meta["name"]
        for p in pods:
            self._create_claims(sts, p, claims)
        service = spec.get("serviceName") or ""
        tnames = template_names(sts)
        for rev in dict.fromkeys(p.revision for p in pods):
            group = [p for p in pods if p.revision == rev]
            template = templates[rev]
            base_volumes = (template.get("spec") or {}).get("volumes") or []
            overlays = []
            for p in group:
                pod_spec: Obj = {"hostname": p.name}
                if service:
                    pod_spec["subdomain"] = service
                if tnames:
                    volumes: list[Obj] = [
                        {
                            "name": t,
                            "persistentVolumeClaim": {"claimName": claim_name(t, name, p.ordinal)},
                        }
                        for t in tnames
                    ]
                    volumes += [v for v in base_volumes if v.get("name") not in tnames]
                    pod_spec["volumes"] = volumes
                labels = {
                    POD_NAME_LABEL: p.name,
                    POD_INDEX_LABEL: str(p.ordinal),
                    REVISION_LABEL: rev,
                }
                overlays.append({"metadata": {"labels": labels}, "spec": pod_spec})
            try:
                self.store.create_pods(
                    ns,
                    template,
                    names=[p.name for p in group],
                    owner=owner_reference(sts),
                    overlays=overlays,
                )
            except ApiError as e:
                raise _Blocked from e
        for p in pods:
            self._fix_claims(sts, p, claims)

    def _delete_pods(self, sts: Obj, pods: list[Replica]) -> None:
        if pods:
            ns = sts["metadata"]["namespace"]
            self.store.delete_many("Pod", [(ns, p.name) for p in pods])

    def _claims(self, sts: Obj) -> dict[str, Obj]:
        """The namespace's claims that carry the set's selector labels (as
        the claims the set makes do), by name."""
        if not claim_templates(sts):
            return {}
        match_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
        ns = sts["metadata"]["namespace"]
        return {
            c["metadata"]["name"]: c
            for c in self.store.list("PersistentVolumeClaim", ns, {"matchLabels": match_labels})
        }

    def _claim(self, sts: Obj, name: str, claims: dict[str, Obj]) -> Obj | None:
        if name in claims:
            return claims[name]
        try:
            claim = self.store.get("PersistentVolumeClaim", name, sts["metadata"]["namespace"])
        except NotFound:
            return None
        claims[name] = claim
        return claim

    def _create_claims(self, sts: Obj, pod: Replica, claims: dict[str, Obj]) -> None:
        """createPersistentVolumeClaims: make the pod's missing claims; a claim
        being deleted blocks the pod until it is gone."""
        ns = sts["metadata"]["namespace"]
        key = (ns, sts["metadata"]["name"])
        errors = []
        for t in claim_templates(sts):
            want = new_claim(sts, t, pod.ordinal)
            cname = want["metadata"]["name"]
            existing = self._claim(sts, cname, claims)
            if existing is None:
                try:
                    claims[cname] = self.store.create(want)
                except ApiError as e:
                    errors.append(f"failed to create PVC {cname}: {e}")
            elif "deletionTimestamp" in existing["metadata"]:
                self._claim_waiters[(ns, cname)] = key
                errors.append(f"pvc {cname} is being deleted")
        if errors:
            raise _Blocked("; ".join(errors))

    def _claims_stale(self, sts: Obj, pod: Replica, claims: dict[str, Obj]) -> bool:
        """PodClaimIsStale: with whenScaled=Delete, a claim still owned by an
        earlier pod of this name must go before the pod comes back."""
        if retention_policy(sts)[1] == RETAIN:
            return False
        ns = sts["metadata"]["namespace"]
        for t in template_names(sts):
            cname = claim_name(t, sts["metadata"]["name"], pod.ordinal)
            claim = self._claim(sts, cname, claims)
            if claim is not None and _has_stale_ref(claim, _POD_API, pod.name, pod.uid):
                self._claim_waiters[(ns, cname)] = (ns, sts["metadata"]["name"])
                return True
        return False

    def _fix_claims(self, sts: Obj, pod: Replica, claims: dict[str, Obj]) -> bool:
        """UpdatePodClaimForRetentionPolicy; True if a claim changed."""
        changed = False
        for t in template_names(sts):
            cname = claim_name(t, sts["metadata"]["name"], pod.ordinal)
            claim = self._claim(sts, cname, claims)
            if claim is None or claim_owner_up_to_date(claim, sts, pod):
                continue
            refs = claim_owner_references(claim, sts, pod)
            updated = {**claim, "metadata": {**claim["metadata"], "ownerReferences": refs}}
            if not refs:
                del updated["metadata"]["ownerReferences"]
            try:
                claims[cname] = self.store.replace(updated)
            except ApiError as e:
                raise _Blocked(
                    f"could not update claim {cname} for delete policy ownerRefs: {e}"
                ) from e
            changed = True
        return changed

    def _enforce_identity(self, sts: Obj, pod: Replica, claims: dict[str, Obj]) -> None:
        """UpdateStatefulPod: restore the pod's identity labels, its claims and
        the claims' owners. A pod without its claim volumes cannot get them:
        a pod's volumes are immutable, so the update fails as it does in
        Kubernetes."""
        name = sts["metadata"]["name"]
        tnames = template_names(sts)
        identity = identity_matches(name, pod)
        storage = storage_matches(name, tnames, pod)
        found = (self._claim(sts, claim_name(t, name, pod.ordinal), claims) for t in tnames)
        retention = all(claim_owner_up_to_date(c, sts, pod) for c in found if c is not None)
        if identity and storage and retention:
            return
        ns = sts["metadata"]["namespace"]
        patch: Obj = {}
        if not identity:
            labels = {POD_NAME_LABEL: pod.name, POD_INDEX_LABEL: str(pod.ordinal)}
            patch["metadata"] = {"labels": labels}
        if not storage:
            self._create_claims(sts, pod, claims)
            pvcs = [
                {
                    "name": t,
                    "persistentVolumeClaim": {"claimName": claim_name(t, name, pod.ordinal)},
                }
                for t in tnames
            ]
            patch["spec"] = {"volumes": pvcs}
        self._fix_claims(sts, pod, claims)
        if not patch:
            return
        try:
            self.store.patch("Pod", pod.name, patch, ns, "strategic")
        except ApiError as e:
            raise _Blocked from e

    def _write_status(self, sts: Obj, status: Obj) -> None:
        """updateStatefulSetStatus: finish a complete rolling update, and
        write only when a counted field or revision changed."""
        spec = sts["spec"]
        old = sts.get("status") or {}
        replicas = spec_replicas(sts)
        if "currentRevision" not in status:
            return
        if (
            (spec.get("updateStrategy") or {}).get("type") == ROLLING_UPDATE
            and status["updatedReplicas"] == replicas
            and status["readyReplicas"] == replicas
            and status["replicas"] == replicas
        ):
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = status["updateRevision"]
        inconsistent = status["observedGeneration"] > old.get("observedGeneration", 0)
        if not inconsistent:
            for f, zero in _STATUS_COMPARED:
                if status.get(f) != old.get(f, zero):
                    inconsistent = True
                    break
        if not inconsistent:
            return
        # Go omits zero counts and empty strings but always writes replicas,
        # availableReplicas and the collision count the controller sets.
        always = ("replicas", "availableReplicas", "collisionCount")
        out = {k: status[k] for k in _STATUS_ORDER if k in status and (status[k] or k in always)}
        # The status subresource reads only the identity, the preconditions
        # and the status: the template need not be sent, nor the stored set
        # converted back.
        meta = sts["metadata"]
        identity = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion")}
        try:
            version = self.store.replace_status(
                {
                    "apiVersion": sts["apiVersion"],
                    "kind": sts["kind"],
                    "metadata": identity,
                    "status": out,
                },
                version_only=True,
            )
            self._sets.status_written((meta["namespace"], meta["name"]), version, out)
        except Conflict:
            # The set changed under this sync: sync it again from the new one.
            self.enqueue((sts["metadata"]["namespace"], sts["metadata"]["name"]))
