"""The node lifecycle controller (pkg/controller/nodelifecycle) for simulated
node failures: a node whose kubelet stopped posting status goes Unknown after
the grace period, gets the ``node.kubernetes.io/unreachable`` taints, its
pods lose readiness and are evicted when their toleration runs out."""

from __future__ import annotations

from typing import Any

from podcore._core import Kubelets, Store
from podcore.controllers.base import timestamp
from podcore.errors import NotFound
from podcore.sim.clock import Clock

#: kube-controller-manager's --node-monitor-grace-period (v1.33 default).
NODE_MONITOR_GRACE_PERIOD = 50.0

UNREACHABLE = "node.kubernetes.io/unreachable"


class NodeLifecycleController:
    def __init__(self, store: Store, clock: Clock, kubelets: Kubelets) -> None:
        self.store = store
        self.clock = clock
        self.kubelets = kubelets
        self.failed: set[str] = set()

    def fail(self, name: str) -> None:
        """The node's kubelet stops posting status from now on."""
        if name in self.failed:
            return
        self.failed.add(name)
        self.kubelets.set_node_down(name, True)
        self.clock.call_later(NODE_MONITOR_GRACE_PERIOD, lambda: self._unreachable(name))

    def process(self) -> int:
        return 0

    def _unreachable(self, name: str) -> None:
        try:
            node = self.store.get("Node", name, "")
        except NotFound:
            return
        stamp = timestamp(self.store.now)
        status = node.get("status") or {}
        conditions = []
        for c in status.get("conditions", []):
            c = dict(c)
            if c["status"] != "Unknown":
                c["lastTransitionTime"] = stamp
            c["status"] = "Unknown"
            c["reason"] = "NodeStatusUnknown"
            c["message"] = "Kubelet stopped posting node status."
            conditions.append(c)
        self.store.replace_status({**node, "status": {**status, "conditions": conditions}})
        node = self.store.get("Node", name, "")
        taints = [t for t in node["spec"].get("taints", []) if t.get("key") != UNREACHABLE]
        taints += [
            {"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": stamp},
            {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": stamp},
        ]
        node["spec"]["taints"] = taints
        self.store.replace(node)
        self.store.mark_pods_not_ready(name)
        for ns, pod_name in self.store.pods_on_node(name):
            self._plan_eviction(ns, pod_name)

    def _plan_eviction(self, ns: str, name: str) -> None:
        """The taint manager: evict now, or when the pod's toleration of the
        unreachable NoExecute taint runs out; never if it tolerates it forever."""
        try:
            pod = self.store.get("Pod", name, ns)
        except NotFound:
            return
        seconds = _toleration_seconds(pod["spec"].get("tolerations", []))
        if seconds is None:
            return
        uid = pod["metadata"]["uid"]
        self.clock.call_later(max(seconds, 0), lambda: self._evict(ns, name, uid))

    def _evict(self, ns: str, name: str, uid: str) -> None:
        try:
            self.store.delete("Pod", name, ns, uid=uid)
        except NotFound:
            return
        except Exception as e:  # a precondition failure: the pod was replaced
            from podcore.errors import Conflict

            if not isinstance(e, Conflict):
                raise


def _toleration_seconds(tolerations: list[dict[str, Any]]) -> float | None:
    """How long the pod tolerates the unreachable NoExecute taint: 0 when it
    does not, None when forever."""
    best: float | None = 0.0
    for t in tolerations:
        key_ok = t.get("key") == UNREACHABLE or (not t.get("key") and t.get("operator") == "Exists")
        effect_ok = t.get("effect") in (None, "", "NoExecute")
        if key_ok and effect_ok:
            if t.get("tolerationSeconds") is None:
                return None
            best = max(best or 0.0, float(t["tolerationSeconds"]))
    return best
