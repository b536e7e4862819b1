"""Events, as ``kubectl get events`` lists them, derived from store changes.

podcore's controllers and kubelets do not write Event objects; this module
reads the watch stream of a :class:`podcore.Cluster` and says, for each
change, what event the Kubernetes component that made it records: the
ReplicaSet, StatefulSet, DaemonSet and Job controllers' ``SuccessfulCreate``
and ``SuccessfulDelete``, the Deployment controller's ``ScalingReplicaSet``,
the scheduler's ``Scheduled`` and ``FailedScheduling``, the kubelet's
``Pulling``/``Pulled``/``Created``/``Started``/``Killing``/``BackOff``, the
node lifecycle controller's ``NodeNotReady``/``NodeReady``,
``RegisteredNode``/``RemovingNode`` and the taint eviction controller's
``TaintManagerEviction``, with those components' reasons and messages.

Usage::

    recorder = EventRecorder(cluster)
    cluster.apply(manifest)
    for event in recorder.poll():
        print(event.time, event.reason, event.object, event.message)

Call :meth:`EventRecorder.poll` after each step of the simulation; an event
takes the simulated time of the poll that saw its change, so poll after every
timer the clock fires (as ``podcore simulate`` does) for exact times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podcore.errors import Gone

if TYPE_CHECKING:
    from podcore.cluster import Cluster

UNREACHABLE = "node.kubernetes.io/unreachable"

#: The OBJECT column's resource name for each kind, as kubectl prints it.
_RESOURCE = {
    "Pod": "pod",
    "ReplicaSet": "replicaset",
    "Deployment": "deployment",
    "StatefulSet": "statefulset",
    "DaemonSet": "daemonset",
    "Job": "job",
    "Node": "node",
    "PersistentVolumeClaim": "persistentvolumeclaim",
    "Namespace": "namespace",
}

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Event:
    """One event: when (simulated seconds), Normal or Warning, why, about what."""

    time: float
    type: str
    reason: str
    object: str
    message: str
    namespace: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "type": self.type,
            "reason": self.reason,
            "object": self.object,
            "namespace": self.namespace,
            "message": self.message,
        }


@dataclass
class Sample:
    """What the cluster looked like at one instant, for plotting."""

    time: float
    replicas: dict[str, int] = field(default_factory=dict)
    ready: int = 0
    unavailable: int = 0


def object_name(kind: str, name: str) -> str:
    """The OBJECT column: ``pod/web-abc``, ``deployment/web``."""
    return f"{_RESOURCE.get(kind, kind.lower())}/{name}"


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _status(obj: dict[str, Any] | None) -> dict[str, Any]:
    status = (obj or {}).get("status")
    return status if isinstance(status, dict) else {}


def _spec(obj: dict[str, Any] | None) -> dict[str, Any]:
    spec = (obj or {}).get("spec")
    return spec if isinstance(spec, dict) else {}


def _condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    for c in _status(obj).get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == kind:
            return c
    return None


def _condition_true(obj: dict[str, Any] | None, kind: str) -> bool:
    c = _condition(obj, kind)
    return c is not None and c.get("status") == "True"


def _controller(obj: dict[str, Any]) -> dict[str, Any] | None:
    for ref in _meta(obj).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def _state(cs: dict[str, Any] | None) -> str:
    """``running``, ``terminated``, ``waiting`` or ``""``."""
    state = (cs or {}).get("state") or {}
    for s in ("running", "terminated", "waiting"):
        if s in state:
            return s
    return ""


def _containers(pod: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    status = _status(pod)
    out: dict[str, dict[str, Any]] = {}
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in status.get(key) or []:
            if isinstance(cs, dict) and isinstance(cs.get("name"), str):
                out[cs["name"]] = cs
    return out


def _pull_policies(pod: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each container's image and imagePullPolicy, by name."""
    spec = _spec(pod)
    out: dict[str, tuple[str, str]] = {}
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict) and isinstance(c.get("name"), str):
                out[c["name"]] = (str(c.get("image", "")), str(c.get("imagePullPolicy", "")))
    return out


class EventRecorder:
    """Turns a cluster's changes into events; keeps the last version of every
    object to compare each change with."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.events: list[Event] = []
        self.samples: list[Sample] = []
        self._objects: dict[Key, dict[str, Any]] = {}
        # Deletions the user asked for: no controller records an event for them.
        self._requested: set[Key] = set()
        watch = cluster.store.watch(None, None, None)
        for ev in watch:
            obj = ev["object"]
            self._objects[self._key(obj)] = obj
        self._version = watch.resource_version
        self._sample()

    @staticmethod
    def _key(obj: dict[str, Any]) -> Key:
        meta = _meta(obj)
        return (str(obj.get("kind", "")), str(meta.get("namespace", "")), str(meta.get("name", "")))

    def expect_deletion(self, kind: str, name: str, namespace: str) -> None:
        """Marks a deletion as the user's own, which no controller reports."""
        self._requested.add((kind, namespace, name))

    def poll(self) -> list[Event]:
        """The events for the changes since the last poll, at the cluster's
        current simulated time; also appended to :attr:`events`."""
        try:
            watch = self.cluster.store.watch(None, None, self._version)
            changes = list(watch)
        except Gone:
            raise RuntimeError(
                "too many changes at one simulated instant to follow them all"
            ) from None
        self._version = watch.resource_version
        out: list[Event] = []
        for change in changes:
            obj = change["object"]
            key = self._key(obj)
            old = self._objects.get(key)
            if change["type"] == "DELETED":
                self._objects.pop(key, None)
                new = None
            else:
                self._objects[key] = obj
                new = obj
            out.extend(self._derive(key, old, new, obj))
        self.events.extend(out)
        if changes or not self.samples:
            self._sample()
        return out

    # ------------------------------------------------------------ derivation

    def _event(self, kind: str, ns: str, name: str, type_: str, reason: str, msg: str) -> Event:
        return Event(self.cluster.now, type_, reason, object_name(kind, name), msg, ns)

    def _derive(
        self,
        key: Key,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        last: dict[str, Any],
    ) -> Iterable[Event]:
        kind = key[0]
        if kind == "Pod":
            return self._pod(key, old, new, last)
        if kind == "ReplicaSet":
            return self._replicaset(old, new)
        if kind == "Job":
            return self._job(key, old, new)
        if kind == "Node":
            return self._node(key, old, new)
        if kind == "PersistentVolumeClaim" and old is None and new is not None:
            return self._claim(key)
        return ()

    def _pod(
        self,
        key: Key,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        last: dict[str, Any],
    ) -> list[Event]:
        _, ns, name = key
        out: list[Event] = []
        owner = _controller(last)
        if old is None and new is not None and owner is not None:
            out.extend(self._created_by(owner, ns, name))
        if new is not None:
            node = _spec(new).get("nodeName")
            if node and not _spec(old).get("nodeName"):
                out.append(
                    self._event(
                        "Pod",
                        ns,
                        name,
                        "Normal",
                        "Scheduled",
                        f"Successfully assigned {ns}/{name} to {node}",
                    )
                )
            out.extend(self._scheduling_failure(ns, name, old, new))
            out.extend(self._containers_changed(ns, name, old, new))
            if (
                _condition_true(old, "Ready")
                and not _condition_true(new, "Ready")
                and not self._node_ready(str(node or ""))
            ):
                out.append(
                    self._event("Pod", ns, name, "Warning", "NodeNotReady", "Node is not ready")
                )
        was_deleting = old is not None and _meta(old).get("deletionTimestamp")
        deleting = new is None or _meta(new).get("deletionTimestamp")
        if deleting and not was_deleting and old is not None:
            out.extend(self._deletion(key, old, owner))
        if new is None:
            self._requested.discard(key)
        return out

    def _created_by(self, owner: dict[str, Any], ns: str, name: str) -> list[Event]:
        kind, owner_name = str(owner.get("kind", "")), str(owner.get("name", ""))
        if kind == "StatefulSet":
            msg = f"create Pod {name} in StatefulSet {owner_name} successful"
        elif kind in ("ReplicaSet", "DaemonSet", "Job"):
            msg = f"Created pod: {name}"
        else:
            return []
        return [self._event(kind, ns, owner_name, "Normal", "SuccessfulCreate", msg)]

    def _scheduling_failure(
        self, ns: str, name: str, old: dict[str, Any] | None, new: dict[str, Any]
    ) -> list[Event]:
        cond = _condition(new, "PodScheduled")
        if cond is None or cond.get("status") != "False":
            return []
        before = _condition(old, "PodScheduled")
        if (
            before is not None
            and before.get("status") == "False"
            and before.get("message") == cond.get("message")
        ):
            return []
        msg = str(cond.get("message") or cond.get("reason") or "")
        return [self._event("Pod", ns, name, "Warning", "FailedScheduling", msg)]

    def _containers_changed(
        self, ns: str, name: str, old: dict[str, Any] | None, new: dict[str, Any]
    ) -> list[Event]:
        out: list[Event] = []
        before = _containers(old)
        images = _pull_policies(new)
        uid = _meta(new).get("uid", "")
        for cname, cs in _containers(new).items():
            prev = before.get(cname)
            state, prev_state = _state(cs), _state(prev)
            restarts = int(cs.get("restartCount") or 0)
            prev_restarts = int((prev or {}).get("restartCount") or 0)
            started = state in ("running", "terminated") and (
                prev_state in ("", "waiting") or restarts > prev_restarts
            )
            if started:
                image, policy = images.get(cname, (str(cs.get("image", "")), ""))
                if policy == "Always":
                    out.append(
                        self._event(
                            "Pod", ns, name, "Normal", "Pulling", f'Pulling image "{image}"'
                        )
                    )
                    msg = f'Successfully pulled image "{image}" in 0s (0s including waiting)'
                else:
                    msg = f'Container image "{image}" already present on machine'
                out.append(self._event("Pod", ns, name, "Normal", "Pulled", msg))
                out.append(
                    self._event("Pod", ns, name, "Normal", "Created", f"Created container: {cname}")
                )
                out.append(
                    self._event("Pod", ns, name, "Normal", "Started", f"Started container {cname}")
                )
            waiting = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
            prev_waiting = (((prev or {}).get("state") or {}).get("waiting") or {}).get("reason")
            if waiting == "CrashLoopBackOff" and (
                prev_waiting != "CrashLoopBackOff" or restarts != prev_restarts
            ):
                out.append(
                    self._event(
                        "Pod",
                        ns,
                        name,
                        "Warning",
                        "BackOff",
                        f"Back-off restarting failed container {cname} in pod {name}_{ns}({uid})",
                    )
                )
        return out

    def _deletion(self, key: Key, old: dict[str, Any], owner: dict[str, Any] | None) -> list[Event]:
        _, ns, name = key
        out: list[Event] = []
        node = str(_spec(old).get("nodeName") or "")
        if self._node_unreachable(node) and key not in self._requested:
            out.append(
                self._event(
                    "Pod",
                    ns,
                    name,
                    "Normal",
                    "TaintManagerEviction",
                    f"Marking for deletion Pod {ns}/{name}",
                )
            )
        elif key not in self._requested and owner is not None:
            out.extend(self._deleted_by(owner, ns, name))
        if node and self._node_ready(node):
            for cname, cs in _containers(old).items():
                if _state(cs) == "running":
                    out.append(
                        self._event(
                            "Pod", ns, name, "Normal", "Killing", f"Stopping container {cname}"
                        )
                    )
        return out

    def _deleted_by(self, owner: dict[str, Any], ns: str, name: str) -> list[Event]:
        kind, owner_name = str(owner.get("kind", "")), str(owner.get("name", ""))
        current = self._objects.get((kind, ns, owner_name))
        # The garbage collector, not the owner, deletes the pods of an owner
        # that is gone or going.
        if (
            current is None
            or _meta(current).get("uid") != owner.get("uid")
            or _meta(current).get("deletionTimestamp")
        ):
            return []
        if kind == "StatefulSet":
            msg = f"delete Pod {name} in StatefulSet {owner_name} successful"
        elif kind in ("ReplicaSet", "DaemonSet", "Job"):
            msg = f"Deleted pod: {name}"
        else:
            return []
        return [self._event(kind, ns, owner_name, "Normal", "SuccessfulDelete", msg)]

    def _replicaset(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
        if new is None:
            return []
        owner = _controller(new)
        if owner is None or owner.get("kind") != "Deployment":
            return []
        before = int(_spec(old).get("replicas") or 0) if old is not None else 0
        after = int(_spec(new).get("replicas") or 0)
        if before == after:
            return []
        verb = "up" if after > before else "down"
        meta = _meta(new)
        return [
            self._event(
                "Deployment",
                str(meta.get("namespace", "")),
                str(owner.get("name", "")),
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {verb} replica set {meta.get('name')} from {before} to {after}",
            )
        ]

    def _job(self, key: Key, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
        if new is None:
            return []
        _, ns, name = key
        if _condition_true(new, "Complete") and not _condition_true(old, "Complete"):
            return [self._event("Job", ns, name, "Normal", "Completed", "Job completed")]
        if _condition_true(new, "Failed") and not _condition_true(old, "Failed"):
            cond = _condition(new, "Failed") or {}
            reason = str(cond.get("reason") or "Failed")
            return [self._event("Job", ns, name, "Warning", reason, str(cond.get("message", "")))]
        return []

    def _node(
        self, key: Key, old: dict[str, Any] | None, new: dict[str, Any] | None
    ) -> list[Event]:
        name = key[2]
        if old is None and new is not None:
            msg = f"Node {name} event: Registered Node {name} in Controller"
            return [self._event("Node", "", name, "Normal", "RegisteredNode", msg)]
        if new is None:
            msg = f"Node {name} event: Removing Node {name} from Controller"
            return [self._event("Node", "", name, "Normal", "RemovingNode", msg)]
        out: list[Event] = []
        # The kubelet reports cordoning and uncordoning, the node lifecycle
        # controller readiness.
        cordoned = bool(_spec(new).get("unschedulable"))
        if cordoned != bool(_spec(old).get("unschedulable")):
            status = "NodeNotSchedulable" if cordoned else "NodeSchedulable"
            msg = f"Node {name} status is now: {status}"
            out.append(self._event("Node", "", name, "Normal", status, msg))
        was, now = _condition_true(old, "Ready"), _condition_true(new, "Ready")
        if was != now:
            status = "NodeReady" if now else "NodeNotReady"
            msg = f"Node {name} status is now: {status}"
            out.append(self._event("Node", "", name, "Normal", status, msg))
        return out

    def _claim(self, key: Key) -> list[Event]:
        """The StatefulSet controller names each claim it makes
        ``<template>-<set>-<ordinal>`` and reports it with the pod's name."""
        _, ns, claim = key
        for (kind, set_ns, set_name), sts in self._objects.items():
            if kind != "StatefulSet" or set_ns != ns:
                continue
            for tmpl in _spec(sts).get("volumeClaimTemplates") or []:
                prefix = f"{_meta(tmpl).get('name')}-{set_name}-"
                ordinal = claim.removeprefix(prefix)
                if claim.startswith(prefix) and ordinal.isdigit():
                    msg = (
                        f"create Claim {claim} Pod {set_name}-{ordinal} "
                        f"in StatefulSet {set_name} success"
                    )
                    return [
                        self._event("StatefulSet", ns, set_name, "Normal", "SuccessfulCreate", msg)
                    ]
        return []

    # ------------------------------------------------------------ nodes

    def _node_ready(self, name: str) -> bool:
        node = self._objects.get(("Node", "", name))
        return node is not None and _condition_true(node, "Ready")

    def _node_unreachable(self, name: str) -> bool:
        node = self._objects.get(("Node", "", name))
        return node is not None and any(
            isinstance(t, dict) and t.get("key") == UNREACHABLE and t.get("effect") == "NoExecute"
            for t in _spec(node).get("taints") or []
        )

    # ------------------------------------------------------------ samples

    def _sample(self) -> None:
        sample = Sample(self.cluster.now)
        for (kind, _, name), obj in sorted(self._objects.items()):
            if kind in ("ReplicaSet", "StatefulSet"):
                sample.replicas[object_name(kind, name)] = int(_status(obj).get("replicas") or 0)
            if kind == "Pod" and not _meta(obj).get("deletionTimestamp"):
                sample.ready += int(_condition_true(obj, "Ready"))
            if kind == "Deployment":
                sample.unavailable += int(_status(obj).get("unavailableReplicas") or 0)
            elif kind == "StatefulSet":
                wanted = int(_spec(obj).get("replicas", 1) or 0)
                sample.unavailable += max(
                    0, wanted - int(_status(obj).get("availableReplicas") or 0)
                )
        if self.samples and self.samples[-1].time == sample.time:
            self.samples[-1] = sample
        else:
            self.samples.append(sample)
