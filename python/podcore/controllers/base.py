"""What every controller shares: a work queue of object keys fed by the
store's changes, level-triggered syncs, and delayed requeues on the
simulated clock (kube-controller-manager's informers and workqueues)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from podcore._core import Store
from podcore.sim.clock import Clock

#: (namespace, name)
Key = tuple[str, str]
#: A store change: (type, kind, namespace, name, uid, controller uid).
Change = tuple[str, str, str, str, str, "str | None"]


class Controller:
    """A level-triggered controller: changes become keys in its queue, and
    ``sync(key)`` moves that object one step toward its desired state, from
    whatever the store holds now."""

    #: The kinds whose changes the controller reacts to.
    watches: ClassVar[tuple[str, ...]] = ()
    #: The kind it manages; its own objects' changes enqueue their keys.
    kind: ClassVar[str] = ""
    #: Whether it needs to hear of every pod deletion, not only of its own
    #: pods' (a Deployment's Recreate waits for its ReplicaSets' pods to go).
    pod_deletions: ClassVar[bool] = False
    #: True when a pod's addition or change matters to it only as "queue the
    #: pod's controller": the cluster then hands it one such change per
    #: controller and read of the change feed.
    changes_queue_controller_only: ClassVar[bool] = False

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.queue: dict[Key, None] = {}
        # uid → key of the objects this controller manages, so that changes to
        # their dependents (which name the owner by uid) map back to them.
        self.by_uid: dict[str, Key] = {}

    def enqueue(self, key: Key) -> None:
        self.queue[key] = None

    def enqueue_after(self, key: Key, seconds: float) -> None:
        """Requeues ``key`` when the simulated clock has moved on ``seconds``."""
        self.clock.call_later(seconds, lambda: self.enqueue(key))

    def observe(self, change: Change) -> None:
        """Turns a change into work: the managed object's own key, or its
        controller's key for a dependent."""
        etype, kind, ns, name, uid, controller = change
        if kind == self.kind:
            if etype == "DELETED":
                self.by_uid.pop(uid, None)
            else:
                self.by_uid[uid] = (ns, name)
            self.enqueue((ns, name))
            return
        for key in self.keys_for(change):
            self.enqueue(key)
        if controller is not None and controller in self.by_uid:
            self.enqueue(self.by_uid[controller])

    def keys_for(self, change: Change) -> Iterable[Key]:
        """Extra keys a change of a watched kind maps to (beyond its controller)."""
        return ()

    def has_work(self) -> bool:
        """Whether ``process`` has anything to do now: a key queued (a
        controller with work outside its queue says so too)."""
        return bool(self.queue)

    def process(self) -> int:
        """Syncs every key queued now; returns how many were synced."""
        keys = list(self.queue)
        self.queue.clear()
        for key in keys:
            self.sync(key)
        return len(keys)

    def sync(self, key: Key) -> None:
        raise NotImplementedError

    def now(self) -> int:
        """The store's clock (Unix seconds)."""
        return self.store.now

    def get(self, key: Key) -> dict[str, Any] | None:
        from podcore.errors import NotFound

        try:
            return self.store.get(self.kind, key[1], key[0])
        except NotFound:
            return None


class ObjectCache:
    """Objects of one kind as a controller last read or wrote them, like an
    informer's cache: an object becomes a dict again only once its
    resourceVersion has moved on (``Store.version_of`` tells without
    converting it). The dicts are shared and must not be changed in place."""

    def __init__(self, store: Any, kind: str) -> None:
        self.store = store
        self.kind = kind
        self._objects: dict[Key, tuple[str, dict[str, Any]]] = {}

    def get(self, key: Key) -> dict[str, Any] | None:
        ns, name = key
        version = self.store.version_of(self.kind, name, ns)
        if version is None:
            self._objects.pop(key, None)
            return None
        hit = self._objects.get(key)
        if hit is not None and hit[0] == version[0]:
            return hit[1]
        from podcore.errors import NotFound

        try:
            obj: dict[str, Any] = self.store.get(self.kind, name, ns)
        except NotFound:
            return None
        self.remember(obj)
        return obj

    def forget(self, key: Key) -> None:
        self._objects.pop(key, None)

    def version(self, key: Key) -> str | None:
        """The resourceVersion of the kept object, None if none is kept."""
        hit = self._objects.get(key)
        return None if hit is None else hit[0]

    def status_written(self, key: Key, version: str, status: dict[str, Any]) -> None:
        """Keeps the kept object with the status a write gave it: a status
        write changes only the resourceVersion and the status (the store
        keeps a status as sent), so the kept object is the one read with
        those two replaced, its spec shared, and nothing is converted back
        from the store."""
        hit = self._objects.get(key)
        if hit is None:
            return
        obj = hit[1]
        kept = {k: v for k, v in obj.items() if k != "status"}
        kept["metadata"] = {**obj["metadata"], "resourceVersion": version}
        kept["status"] = status
        self._objects[key] = (version, kept)

    def remember(self, obj: dict[str, Any]) -> None:
        """Keeps ``obj`` as stored (what a read or a write returned)."""
        meta = obj["metadata"]
        self._objects[(meta["namespace"], meta["name"])] = (meta["resourceVersion"], obj)


def owner_reference(obj: dict[str, Any]) -> dict[str, Any]:
    """A controller ownerReference to ``obj``, as controllers set it."""
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def timestamp(unix: int) -> str:
    """Unix seconds as the API prints them."""
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))
