"""``podcore.Cluster``: a simulated Kubernetes cluster in-process.

Objects live in the Rust store (``podcore._core.Store``), which does what
kube-apiserver does on every call: defaulting, validation, resourceVersions,
generations, graceful deletion, watches. The controllers run when the cluster
reconciles, on a simulated clock.
"""

from __future__ import annotations

import builtins
import math
import pathlib
from collections.abc import Iterator, Sequence
from typing import Any

from podcore import _yaml
from podcore._core import Kubelets, Store
from podcore.controllers.base import Controller
from podcore.controllers.cronjob import CronJobController
from podcore.controllers.daemonset import DaemonSetController
from podcore.controllers.deployment import DeploymentController
from podcore.controllers.garbagecollector import GarbageCollectorController
from podcore.controllers.job import JobCache, job_controllers
from podcore.controllers.replicaset import ReplicaSetController
from podcore.controllers.statefulset import StatefulSetController
from podcore.errors import BadRequest, Gone, NotFound
from podcore.sim.clock import Clock
from podcore.sim.nodelifecycle import NodeLifecycleController
from podcore.sim.nodes import make_node
from podcore.sim.volumebinding import PersistentVolumeBinder
from podcore.sim.volumes import Files, Volumes

#: The instant a cluster starts, in Unix seconds: 2025-01-01T00:00:00Z.
EPOCH = 1_735_689_600

_FAMILIES = ("IPv4", "IPv6")

#: Changes read from the store at a time (a burst of writes is read in
#: slices, not turned into one huge list).
_CHANGES_PER_READ = 10_000

#: Reconcile rounds at one instant before the cluster is declared stuck.
_MAX_ROUNDS = 100_000

Objects = dict[str, Any] | list[dict[str, Any]] | str | bytes | pathlib.Path


def _documents(objects: Objects) -> list[dict[str, Any]]:
    """The objects of an ``apply`` argument, in order."""
    if isinstance(objects, pathlib.Path):
        files = sorted(p for p in objects.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        if objects.is_file():
            files = [objects]
        docs: list[Any] = []
        for f in files:
            docs.extend(_yaml.load_all(f.read_bytes()))
    elif isinstance(objects, (str, bytes)):
        docs = _yaml.load_all(objects)
    elif isinstance(objects, dict):
        docs = [objects]
    elif isinstance(objects, list):
        docs = list(objects)
    else:
        raise TypeError(
            "apply takes a dict, a list of dicts, YAML or JSON text, or a pathlib.Path, "
            f"not {type(objects).__name__}"
        )
    out: list[dict[str, Any]] = []
    for d in docs:
        if not isinstance(d, dict):
            raise BadRequest(f"an object must be a mapping, not {type(d).__name__}")
        # A List (kubectl get -o yaml prints one) stands for its items.
        if d.get("kind") == "List" and isinstance(d.get("items"), list):
            out.extend(d["items"])
        else:
            out.append(d)
    return out


class Cluster:
    """A simulated cluster: the apiserver's store, the controllers and nodes.

    Args:
        nodes: how many nodes (``node-0``, ``node-1``, ...), or Node objects;
            nodes given without a status are registered with podcore's
            defaults (cpu 8, memory 32Gi, pods 110, Ready).
        seed: fixes uids, generated names and addresses: the same seed gives
            the same cluster, run after run.
        ip_families: ``("IPv4",)``, ``("IPv6",)`` or both for dual-stack.
        watch_window: how many recent events watches can resume from (older
            resourceVersions are ``Gone``, as after etcd compaction); each
            event keeps its version of the object alive.
    """

    def __init__(
        self,
        nodes: int | Sequence[dict[str, Any]] = 3,
        seed: int = 0,
        ip_families: Sequence[str] = ("IPv4",),
        *,
        watch_window: int = 10_000,
    ) -> None:
        families = tuple(ip_families)
        if (
            not families
            or len(set(families)) != len(families)
            or any(f not in _FAMILIES for f in families)
        ):
            raise ValueError(f"ip_families must be IPv4 and/or IPv6, once each, not {families!r}")
        self.ip_families = families
        self.store = Store(seed=seed, window=watch_window)
        self.clock = Clock()
        self.store.now = EPOCH
        self._controllers: list[Controller] = [ReplicaSetController(self.store, self.clock)]
        self._controllers.append(DeploymentController(self.store, self.clock))
        self._controllers.append(DaemonSetController(self.store, self.clock))
        self._controllers.append(StatefulSetController(self.store, self.clock))
        jobs = JobCache(self.store)
        self._controllers.extend(job_controllers(self.store, self.clock, jobs))
        self._controllers.append(CronJobController(self.store, self.clock, jobs))
        self._controllers.append(PersistentVolumeBinder(self.store, self.clock))
        self._gc = GarbageCollectorController(self.store)
        self._kinds = sorted(
            {k for c in self._controllers for k in c.watches} | {"Pod", "PersistentVolumeClaim"}
        )
        self._seen = "0"
        # Which controllers hear changes of each kind; which controller manages
        # the object with a given uid (its pods' changes go to it alone).
        self._watchers: dict[str, list[Controller]] = {}
        for c in self._controllers:
            for k in c.watches:
                self._watchers.setdefault(k, []).append(c)
        self._owner_of: dict[str, Controller] = {}
        self._deletion_watchers = [c for c in self._controllers if c.pod_deletions]
        self._volumes = Volumes()
        self._kubelets = Kubelets()
        self._kubelet_wake: float | None = None
        self._nodes = NodeLifecycleController(self.store, self.clock, self._kubelets)
        given = [None] * nodes if isinstance(nodes, int) else list(nodes)
        stamp = "2025-01-01T00:00:00Z"
        for i, n in enumerate(given):
            self.store.create(make_node(f"node-{i}", i, families, stamp, n))

    # ------------------------------------------------------------ the API

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster started."""
        return self.clock.now

    def apply(self, objects: Objects) -> list[dict[str, Any]]:
        """Creates or updates each object as ``kubectl apply`` does, all or
        nothing, and reconciles. Returns the objects as stored."""
        out = self.store.apply(_documents(objects))
        self.reconcile()
        return out

    def create(self, obj: dict[str, Any] | str | bytes) -> dict[str, Any]:
        out = self.store.create(obj)
        self.reconcile()
        return out

    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]:
        return self.store.get(kind, name, namespace)

    def list(
        self,
        kind: str,
        namespace: str | None = None,
        label_selector: str | dict[str, Any] | None = None,
    ) -> builtins.list[dict[str, Any]]:
        return self.store.list(kind, namespace, label_selector)

    def replace(self, obj: dict[str, Any] | str | bytes) -> dict[str, Any]:
        out = self.store.replace(obj)
        self.reconcile()
        return out

    def patch(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any] | builtins.list[Any] | str | bytes,
        namespace: str = "default",
        type: str = "strategic",
    ) -> dict[str, Any]:
        out = self.store.patch(kind, name, patch, namespace, type)
        self.reconcile()
        return out

    def delete(
        self,
        kind: str,
        name: str,
        namespace: str = "default",
        propagation: str = "Background",
        *,
        grace_period_seconds: int | None = None,
    ) -> dict[str, Any] | None:
        """Deletes an object. Returns it while it stays (graceful deletion,
        finalizers), None once it is gone."""
        out = self.store.delete(
            kind, name, namespace, propagation, grace_period_seconds=grace_period_seconds
        )
        self.reconcile()
        if out is None:
            return None
        try:
            return self.store.get(kind, name, namespace)
        except NotFound:
            return None

    def watch(
        self,
        kind: str | None = None,
        namespace: str | None = None,
        resource_version: str | None = None,
        *,
        label_selector: str | dict[str, Any] | None = None,
        timeout_seconds: float = 0.0,
    ) -> Iterator[dict[str, Any]]:
        """Change events, ``{"type": "ADDED"|"MODIFIED"|"DELETED", "object": {...}}``.

        From ``resource_version``, everything after it (``podcore.Gone`` if it
        is older than the events kept); without one, the current objects as
        ADDED, then changes. The iterator ends when it has caught up, or after
        ``timeout_seconds`` of wall time without news (changes made by other
        threads)."""
        return self.store.watch(
            kind,
            namespace,
            resource_version,
            label_selector=label_selector,
            timeout_seconds=timeout_seconds,
        )

    # ------------------------------------------------------------ simulation

    def fail_pod(self, name: str, namespace: str = "default", exit_code: int = 1) -> None:
        """Makes the pod's running containers exit with ``exit_code`` now; its
        restartPolicy decides what follows."""
        pod = self.store.get("Pod", name, namespace)
        if not self._kubelets.fail_pod(namespace, name, exit_code, self.clock.now):
            phase = pod.get("status", {}).get("phase")
            raise ValueError(f"pod {namespace}/{name} has no running containers (phase {phase})")
        self.reconcile()

    def fail_node(self, name: str) -> None:
        """The node's kubelet stops: the node goes NotReady (Unknown) after the
        node monitor grace period, its pods lose readiness and are evicted
        when their toleration of the unreachable taint runs out."""
        self.store.get("Node", name, "")
        self._nodes.fail(name)
        self.reconcile()

    def hostname(self, name: str, namespace: str = "default") -> str:
        """The hostname the pod's containers see: ``spec.hostname`` or the pod's
        name (cut to 63 characters); with host networking, the node's name. With
        ``spec.subdomain`` and ``setHostnameAsFQDN``, the fully qualified name
        ``<hostname>.<subdomain>.<namespace>.svc.cluster.local``."""
        pod = self.store.get("Pod", name, namespace)
        spec = pod["spec"]
        if spec.get("hostNetwork"):
            return str(spec.get("nodeName", ""))
        host = str(spec.get("hostname") or pod["metadata"]["name"])[:63].rstrip("-.")
        if spec.get("subdomain") and spec.get("setHostnameAsFQDN"):
            return f"{host}.{spec['subdomain']}.{namespace}.svc.cluster.local"
        return host

    def volume(self, pod: str, volume: str, namespace: str = "default") -> Files:
        """The files in one of a pod's volumes, as a dict of path to contents
        that all the pod's containers share (write to it to simulate a
        container writing). An emptyDir lives as long as the pod, through
        container restarts; a persistentVolumeClaim's files belong to the
        claim and outlive the pod; a hostPath's belong to the node."""
        return self._volumes.files(self.store.get("Pod", pod, namespace), volume)

    # ------------------------------------------------------------ time

    def reconcile(self) -> int:
        """Runs the controllers until none has work at the current instant;
        returns how many changes they made."""
        total = 0
        for _ in range(_MAX_ROUNDS):
            self._observe()
            done = 0
            # Most controllers have nothing queued in most rounds.
            for c in self._controllers:
                if c.has_work():
                    done += c.process()
            done += self._gc.sync()
            done += self._nodes.process()
            done += self.store.schedule()
            done += self._run_kubelets()
            if done == 0:
                return total
            total += done
        # Controllers that keep giving each other work at one instant would
        # otherwise never return.
        raise RuntimeError(
            f"the controllers did not quiesce within {_MAX_ROUNDS} rounds at "
            f"{self.clock.now:g} simulated seconds"
        )

    def _run_kubelets(self) -> int:
        """Lets the kubelets catch up with the clock; returns 1 if they wrote."""
        before = self.store.resource_version
        due = self._kubelets.sync(self.store, self.clock.now)
        if due is not None and (self._kubelet_wake is None or due < self._kubelet_wake):
            self._kubelet_wake = due
            self.clock.call_at(due, self._wake_kubelets)
        return int(self.store.resource_version != before)

    def _wake_kubelets(self) -> None:
        self._kubelet_wake = None

    def _observe(self) -> None:
        """Feeds the store's changes since the last look to the controllers'
        queues; after a gap in the log, every object is queued again."""
        while True:
            try:
                changes, self._seen = self.store.changes(
                    self._seen,
                    self._kinds,
                    reader="controllers",
                    limit=_CHANGES_PER_READ,
                    latest_only=True,
                )
            except Gone:
                self._seen = self.store.resource_version
                for c in self._controllers:
                    for ns, name in self.store.keys(c.kind):
                        c.enqueue((ns, name))
                return
            self._dispatch(changes)
            if self._seen == self.store.resource_version:
                return

    def _dispatch(self, changes: builtins.list[tuple[str, str, str, str, str, str | None]]) -> None:
        """Hands each change to the controllers it concerns."""
        watchers = self._watchers
        owner_of = self._owner_of
        # For controllers that say so, a controlled pod's addition or change
        # only queues its controller's key (deletions can concern others), so
        # within one read the first such change per controller is enough.
        queued: set[str] = set()
        for change in changes:
            etype, kind = change[0], change[1]
            if etype == "DELETED":
                if kind == "Pod":
                    self._volumes.pod_gone(change[4])
                elif kind == "PersistentVolumeClaim":
                    self._volumes.claim_gone(change[2], change[3])
            controller = change[5]
            if kind == "Pod" and controller is not None and controller in owner_of:
                if etype != "DELETED" and owner_of[controller].changes_queue_controller_only:
                    if controller in queued:
                        continue
                    queued.add(controller)
                # A pod with a known controller concerns that controller (and,
                # for deletions, the controllers that wait on them).
                owner_of[controller].observe(change)
                if etype == "DELETED":
                    for c in self._deletion_watchers:
                        if c is not owner_of[controller]:
                            c.observe(change)
                continue
            for c in watchers.get(kind, ()):
                if c.kind == kind and "Pod" in c.watches:
                    owner_of.setdefault(change[4], c)
                c.observe(change)

    def advance(self, seconds: float) -> None:
        """Moves the clock ``seconds`` forward, firing what falls due in time
        order and reconciling after each."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
        until = self.clock.now + seconds
        reconciled_at = None
        while (timer := self.clock.pop_due(until)) is not None:
            self._tick()
            if not timer.cancelled:
                timer.action()
            self.reconcile()
            reconciled_at = self.clock.now
        if reconciled_at == until:
            # The cluster was reconciled at this very instant, after its last
            # timer, and is quiet: another round would find nothing to do.
            return
        self.clock.now = until
        self._tick()
        self.reconcile()

    def settle(self, timeout: float = 600.0) -> float:
        """Advances until nothing is pending; returns the simulated seconds it
        took. TimeoutError if the cluster is not quiet within ``timeout``."""
        start = self.clock.now
        self.reconcile()
        # A CronJob's next schedule time is not pending work.
        while (due := self.clock.next_due(background=False)) is not None:
            if due - start > timeout:
                raise TimeoutError(
                    f"the cluster did not settle within {timeout:g} simulated seconds"
                )
            self.advance(due - self.clock.now)
        return self.clock.now - start

    def _tick(self) -> None:
        self.store.now = EPOCH + math.floor(self.clock.now)
