"""Random histories of a cluster — scaling, template changes, pod and node
failures, time passing — always settle the way Kubernetes would: every
Deployment with exactly ``replicas`` ready pods on its newest template, none
of them on a failed node, no address shared."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from podcore import Cluster


def _deployment(
    replicas: int, image: str, surge: int | str, unavailable: int | str
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
            },
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
        },
    }


class ClusterHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.c = Cluster(nodes=4)
        self.failed: set[str] = set()
        self.replicas = 3
        self.version = 1
        self.surge: int | str = "25%"
        self.unavailable: int | str = "25%"

    def _apply(self) -> None:
        self.c.apply(
            _deployment(self.replicas, f"app:{self.version}", self.surge, self.unavailable)
        )

    @initialize(
        replicas=st.integers(0, 6),
        surge=st.sampled_from([0, 1, "25%", "50%"]),
        unavailable=st.sampled_from([1, "25%", "50%", 0]),
    )
    def start(self, replicas: int, surge: int | str, unavailable: int | str) -> None:
        if surge == 0 and unavailable == 0:
            unavailable = 1
        self.replicas, self.surge, self.unavailable = replicas, surge, unavailable
        self._apply()

    @rule(replicas=st.integers(0, 6))
    def scale(self, replicas: int) -> None:
        self.replicas = replicas
        self._apply()

    @rule()
    def new_template(self) -> None:
        self.version += 1
        self._apply()

    @rule(data=st.data())
    def fail_a_pod(self, data: st.DataObject) -> None:
        running = [
            p["metadata"]["name"]
            for p in self.c.list("pods")
            if any(
                "running" in (c.get("state") or {})
                for c in p["status"].get("containerStatuses", [])
            )
            and "deletionTimestamp" not in p["metadata"]
            and p["spec"].get("nodeName") not in self.failed
        ]
        if running:
            self.c.fail_pod(data.draw(st.sampled_from(running)), exit_code=1)

    @precondition(lambda self: len(self.failed) < 2)
    @rule(node=st.sampled_from(["node-0", "node-1", "node-2", "node-3"]))
    def fail_a_node(self, node: str) -> None:
        if node not in self.failed:
            self.failed.add(node)
            self.c.fail_node(node)

    @rule(seconds=st.sampled_from([1, 10, 60, 400]))
    def time_passes(self, seconds: int) -> None:
        self.c.advance(seconds)

    @invariant()
    def addresses_are_never_shared(self) -> None:
        ips = [
            p["status"]["podIP"]
            for p in self.c.list("pods")
            if p["status"].get("podIP") and "deletionTimestamp" not in p["metadata"]
        ]
        assert len(ips) == len(set(ips))

    def teardown(self) -> None:
        # Past every toleration (300 s) and back-off, the cluster settles.
        self.c.advance(400)
        self.c.settle(timeout=3600)
        image = f"app:{self.version}"
        live = [
            p
            for p in self.c.list("pods", label_selector="app=web")
            if "deletionTimestamp" not in p["metadata"]
        ]
        assert len(live) == self.replicas
        for p in live:
            assert p["spec"]["containers"][0]["image"] == image
            assert p["spec"]["nodeName"] not in self.failed
            ready = {c["type"]: c["status"] for c in p["status"]["conditions"]}
            assert ready["Ready"] == "True"
        status = self.c.get("deploy", "web")["status"]
        assert status.get("availableReplicas", 0) == self.replicas
        assert status.get("updatedReplicas", 0) == self.replicas


ClusterHistory.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
TestClusterHistory = ClusterHistory.TestCase
