"""High-volume reconcile: DEPLOYMENTS Deployments of REPLICAS pods on NODES
nodes, from ``apply`` to every pod Ready, then an image change on all of them
to finished rollouts — scheduler, kubelets and the ReplicaSet/Deployment
controllers together, on the simulated clock.

Checked: every Deployment's status complete on the new template, every pod
Running on it, no pod changed in place (the old ReplicaSets are at 0).
Reported: wall time, per pod, simulated seconds, peak RSS of the process.
"""

from __future__ import annotations

import resource
from typing import Any

import pytest

import podcore

from conftest import scaled

DEPLOYMENTS = scaled(1_000, 3)
REPLICAS = scaled(100, 5)
NODES = scaled(1_000, 2)
PODS = DEPLOYMENTS * REPLICAS


def _deployment(i: int, image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}"},
        "spec": {
            "replicas": REPLICAS,
            "selector": {"matchLabels": {"app": f"app-{i}"}},
            "template": {
                "metadata": {"labels": {"app": f"app-{i}"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": image,
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        },
    }


def _cluster() -> podcore.Cluster:
    # Room for a rollout's surge: 250 pods per node.
    nodes = [
        {"metadata": {"name": f"node-{i}"}, "status": {"capacity": {"pods": "250"}}}
        for i in range(NODES)
    ]
    return podcore.Cluster(nodes=nodes)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _check(c: podcore.Cluster, image: str) -> None:
    for d in c.list("deploy"):
        st = d["status"]
        assert (st["replicas"], st["updatedReplicas"], st["availableReplicas"]) == (REPLICAS,) * 3
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == image
    assert c.store.count("pods") == PODS
    for rs in c.list("rs"):
        on_image = rs["spec"]["template"]["spec"]["containers"][0]["image"] == image
        assert rs["spec"]["replicas"] == (REPLICAS if on_image else 0)
        if on_image:
            assert c.store.owned_pod_counts(rs["metadata"]["uid"])["ready"] == REPLICAS


@pytest.mark.benchmark(group="rollout")
def test_apply_to_all_ready(benchmark: Any) -> None:
    def run() -> podcore.Cluster:
        c = _cluster()
        c.apply([_deployment(i, "nginx:1.27") for i in range(DEPLOYMENTS)])
        c.settle()
        return c

    c = benchmark.pedantic(run, rounds=1, iterations=1)
    _check(c, "nginx:1.27")
    benchmark.extra_info.update(pods=PODS, peak_rss_mib=round(_peak_rss_mib()))


@pytest.mark.benchmark(group="rollout")
def test_image_change_to_finished_rollout(benchmark: Any) -> None:
    c = _cluster()
    c.apply([_deployment(i, "nginx:1.27") for i in range(DEPLOYMENTS)])
    c.settle()

    def run() -> float:
        c.apply([_deployment(i, "nginx:1.28") for i in range(DEPLOYMENTS)])
        return c.settle()

    simulated = benchmark.pedantic(run, rounds=1, iterations=1)
    _check(c, "nginx:1.28")
    benchmark.extra_info.update(
        pods=PODS, simulated_seconds=simulated, peak_rss_mib=round(_peak_rss_mib())
    )
