"""StatefulSet, DaemonSet and Job controllers at scale, to a settled cluster:
wall time and per-pod cost, to compare with the Deployment benchmark's
(benches/test_rollout.py).

- a DaemonSet across NODES_DS nodes (one pod each);
- a StatefulSet of STS_REPLICAS under OrderedReady (each pod waits for the
  one before it to be Running and Ready);
- JOBS Jobs of 10 completions each (parallelism 2; pods exit 0 after 1 s).
Checked: every pod where Kubernetes would put it, every status complete.
"""

from __future__ import annotations

from typing import Any

import pytest

import podcore

from conftest import scaled

NODES_DS = scaled(5_000, 4)
STS_REPLICAS = scaled(1_000, 5)
JOBS = scaled(10_000, 3)


def _container(image: str) -> dict[str, Any]:
    return {"name": "c", "image": image, "resources": {"requests": {"cpu": "10m"}}}


@pytest.mark.benchmark(group="workloads")
def test_daemonset_across_nodes(benchmark: Any) -> None:
    def run() -> podcore.Cluster:
        c = podcore.Cluster(nodes=NODES_DS)
        c.apply(
            {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "metadata": {"name": "agent"},
                "spec": {
                    "selector": {"matchLabels": {"app": "agent"}},
                    "template": {
                        "metadata": {"labels": {"app": "agent"}},
                        "spec": {"containers": [_container("agent:1")]},
                    },
                },
            }
        )
        c.settle()
        return c

    c = benchmark.pedantic(run, rounds=1, iterations=1)
    st = c.get("ds", "agent")["status"]
    assert st["desiredNumberScheduled"] == st["numberReady"] == NODES_DS
    nodes = {n for _, n in c.store.keys("pods")}
    assert len(nodes) == NODES_DS
    benchmark.extra_info["pods"] = NODES_DS


@pytest.mark.benchmark(group="workloads")
def test_statefulset_ordered_ready(benchmark: Any) -> None:
    def run() -> podcore.Cluster:
        c = podcore.Cluster(nodes=max(3, STS_REPLICAS // 100))
        c.apply(
            {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": "db"},
                "spec": {
                    "replicas": STS_REPLICAS,
                    "serviceName": "db",
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": {
                        "metadata": {"labels": {"app": "db"}},
                        "spec": {"containers": [_container("db:1")]},
                    },
                },
            }
        )
        c.settle(timeout=10 * STS_REPLICAS)
        return c

    c = benchmark.pedantic(run, rounds=1, iterations=1)
    st = c.get("sts", "db")["status"]
    assert st["readyReplicas"] == STS_REPLICAS
    assert c.get("pods", f"db-{STS_REPLICAS - 1}")["status"]["phase"] == "Running"
    benchmark.extra_info["pods"] = STS_REPLICAS


@pytest.mark.benchmark(group="workloads")
def test_jobs_of_ten_completions(benchmark: Any) -> None:
    def job(i: int) -> dict[str, Any]:
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": f"job-{i}"},
            "spec": {
                "completions": 10,
                "parallelism": 2,
                "template": {
                    "spec": {"restartPolicy": "Never", "containers": [_container("task:1")]}
                },
            },
        }

    def run() -> podcore.Cluster:
        c = podcore.Cluster(nodes=max(3, JOBS // 10))
        c.apply([job(i) for i in range(JOBS)])
        c.settle()
        return c

    c = benchmark.pedantic(run, rounds=1, iterations=1)
    for j in c.list("jobs"):
        assert j["status"]["succeeded"] == 10
        assert any(x["type"] == "Complete" for x in j["status"]["conditions"])
    benchmark.extra_info["pods"] = JOBS * 10
