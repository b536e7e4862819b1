"""CronJobs on the simulated clock: CRONJOBS CronJobs scheduled every minute,
advanced MINUTES simulated minutes (each minute: every CronJob creates a
Job, its pod runs 1 s, the Job completes, the oldest finished Job beyond the
history limit is deleted). Wall time and cost per Job run, compared with a
Deployment bring-up measured in the same process just before (the machine's
load moves absolute times, the ratio much less): ``extra_info`` holds
``per_run_us``, ``deployment_per_pod_us`` and their ratio.
"""

from __future__ import annotations

import time
from typing import Any

from test_workloads import (
    BASE_DEPLOYMENTS,
    BASE_REPLICAS,
    _bring_up_deployments,
    _check_deployments,
    _container,
)

import podcore

from conftest import scaled

CRONJOBS = scaled(100, 3)
MINUTES = scaled(10, 2)


def _cronjob(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": f"cron-{i}"},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {"restartPolicy": "Never", "containers": [_container("job:1")]}
                    }
                }
            },
        },
    }


def _deployment_per_pod() -> float:
    """The workloads' Deployment baseline, measured in this process."""
    c, seconds = _bring_up_deployments()
    _check_deployments(c)
    return seconds / (BASE_DEPLOYMENTS * BASE_REPLICAS)


def test_cronjobs_every_minute(benchmark: Any) -> None:
    baseline = _deployment_per_pod()

    def setup() -> tuple[tuple[podcore.Cluster], dict[str, Any]]:
        c = podcore.Cluster(nodes=10)
        c.apply([_cronjob(i) for i in range(CRONJOBS)])
        return (c,), {}

    timed: list[float] = []

    def run(c: podcore.Cluster) -> podcore.Cluster:
        # Timed here too: with --benchmark-disable (CI) there are no stats.
        start = time.perf_counter()
        c.advance(MINUTES * 60 + 30)
        timed.append(time.perf_counter() - start)
        return c

    c = benchmark.pedantic(run, setup=setup, rounds=1, iterations=1)
    runs = CRONJOBS * MINUTES
    # Three succeeded Jobs are kept per CronJob (successfulJobsHistoryLimit).
    assert c.store.count("jobs") == CRONJOBS * min(3, MINUTES)
    for cj in c.list("CronJob"):
        assert "active" not in cj["status"] and cj["status"]["lastSuccessfulTime"]
    per_run = timed[-1] / runs
    benchmark.extra_info["per_run_us"] = round(per_run * 1e6, 1)
    benchmark.extra_info["deployment_per_pod_us"] = round(baseline * 1e6, 1)
    benchmark.extra_info["vs_deployment"] = round(per_run / baseline, 2)
