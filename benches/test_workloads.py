"""StatefulSet, DaemonSet and Job controllers at scale, to a settled cluster:
wall time and per-pod cost, compared with a Deployment bring-up measured in
the same process just before (the machine's load moves absolute times, the
ratio much less).

- the baseline: BASE_DEPLOYMENTS Deployments of 100 replicas, from apply to
  every pod Ready (as benches/test_rollout.py's first phase, smaller);
- a DaemonSet across NODES_DS nodes (one pod each; the cluster and its nodes
  are made before the timed part);
- a StatefulSet of STS_REPLICAS under OrderedReady (each pod waits for the
  one before it to be Running and Ready; its 10 nodes are made before the
  timed part);
- JOBS Jobs of 10 completions each (parallelism 2; pods exit 0 after 1 s).
Every workload uses the same container (10m cpu). Checked: every pod where
Kubernetes would put it, every status complete. ``extra_info`` holds the
per-pod cost, the baseline's and their ratio (``vs_deployment``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import podcore

from conftest import scaled

NODES_DS = scaled(5_000, 4)
STS_REPLICAS = scaled(1_000, 5)
JOBS = scaled(10_000, 3)
BASE_DEPLOYMENTS = scaled(100, 2)
BASE_REPLICAS = scaled(100, 5)


def _container(image: str) -> dict[str, Any]:
    return {"name": "c", "image": image, "resources": {"requests": {"cpu": "10m"}}}


def _deployment(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}"},
        "spec": {
            "replicas": BASE_REPLICAS,
            "selector": {"matchLabels": {"app": f"app-{i}"}},
            "template": {
                "metadata": {"labels": {"app": f"app-{i}"}},
                "spec": {"containers": [_container("web:1")]},
            },
        },
    }


def _bring_up_deployments() -> tuple[podcore.Cluster, float]:
    """The baseline: Deployments from apply to every pod Ready; returns the
    cluster and the wall seconds (the cluster's nodes are made untimed)."""
    # 100 pods per node, under the default 110.
    c = podcore.Cluster(nodes=max(3, BASE_DEPLOYMENTS))
    manifests = [_deployment(i) for i in range(BASE_DEPLOYMENTS)]
    start = time.perf_counter()
    c.apply(manifests)
    c.settle()
    return c, time.perf_counter() - start


def _check_deployments(c: podcore.Cluster) -> None:
    for d in c.list("deploy"):
        assert d["status"]["availableReplicas"] == BASE_REPLICAS
    assert c.store.count("pods") == BASE_DEPLOYMENTS * BASE_REPLICAS


@pytest.fixture
def deployment_per_pod() -> float:
    """The baseline's wall seconds per pod, measured now."""
    c, seconds = _bring_up_deployments()
    _check_deployments(c)
    return seconds / (BASE_DEPLOYMENTS * BASE_REPLICAS)


def _record(benchmark: Any, pods: int, seconds: float, baseline: float) -> None:
    per_pod = seconds / pods
    benchmark.extra_info["pods"] = pods
    benchmark.extra_info["per_pod_us"] = round(per_pod * 1e6, 1)
    benchmark.extra_info["deployment_per_pod_us"] = round(baseline * 1e6, 1)
    benchmark.extra_info["vs_deployment"] = round(per_pod / baseline, 2)


@pytest.mark.benchmark(group="workloads")
def test_deployment_bring_up_baseline(benchmark: Any) -> None:
    timed: list[float] = []

    def run() -> podcore.Cluster:
        c, seconds = _bring_up_deployments()
        timed.append(seconds)
        return c

    c = benchmark.pedantic(run, rounds=1, iterations=1)
    _check_deployments(c)
    _record(
        benchmark,
        BASE_DEPLOYMENTS * BASE_REPLICAS,
        timed[0],
        timed[0] / (BASE_DEPLOYMENTS * BASE_REPLICAS),
    )


@pytest.mark.benchmark(group="workloads")
def test_daemonset_across_nodes(benchmark: Any, deployment_per_pod: float) -> None:
    timed: list[float] = []

    def setup() -> tuple[tuple[podcore.Cluster], dict[str, Any]]:
        # Registering the nodes is the cluster's setup, not the DaemonSet's work.
        return (podcore.Cluster(nodes=NODES_DS),), {}

    def run(c: podcore.Cluster) -> podcore.Cluster:
        start = time.perf_counter()
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
        timed.append(time.perf_counter() - start)
        return c

    c = benchmark.pedantic(run, setup=setup, rounds=1, iterations=1)
    st = c.get("ds", "agent")["status"]
    assert st["desiredNumberScheduled"] == st["numberReady"] == NODES_DS
    bound = {p["spec"]["nodeName"] for p in c.list("pods")}
    assert len(bound) == NODES_DS
    _record(benchmark, NODES_DS, timed[0], deployment_per_pod)


@pytest.mark.benchmark(group="workloads")
def test_statefulset_ordered_ready(benchmark: Any, deployment_per_pod: float) -> None:
    timed: list[float] = []

    def setup() -> tuple[tuple[podcore.Cluster], dict[str, Any]]:
        return (podcore.Cluster(nodes=max(3, STS_REPLICAS // 100)),), {}

    def run(c: podcore.Cluster) -> podcore.Cluster:
        start = time.perf_counter()
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
        timed.append(time.perf_counter() - start)
        return c

    c = benchmark.pedantic(run, setup=setup, rounds=1, iterations=1)
    st = c.get("sts", "db")["status"]
    assert st["readyReplicas"] == STS_REPLICAS
    assert c.get("pods", f"db-{STS_REPLICAS - 1}")["status"]["phase"] == "Running"
    _record(benchmark, STS_REPLICAS, timed[0], deployment_per_pod)


@pytest.mark.benchmark(group="workloads")
def test_jobs_of_ten_completions(benchmark: Any, deployment_per_pod: float) -> None:
    timed: list[float] = []

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

    def setup() -> tuple[tuple[podcore.Cluster, list[dict[str, Any]]], dict[str, Any]]:
        return (podcore.Cluster(nodes=max(3, JOBS // 10)), [job(i) for i in range(JOBS)]), {}

    def run(c: podcore.Cluster, jobs: list[dict[str, Any]]) -> podcore.Cluster:
        start = time.perf_counter()
        c.apply(jobs)
        c.settle()
        timed.append(time.perf_counter() - start)
        return c

    c = benchmark.pedantic(run, setup=setup, rounds=1, iterations=1)
    for j in c.list("jobs"):
        assert j["status"]["succeeded"] == 10
        assert any(x["type"] == "Complete" for x in j["status"]["conditions"])
    assert c.store.count("pods") == JOBS * 10
    _record(benchmark, JOBS * 10, timed[0], deployment_per_pod)
