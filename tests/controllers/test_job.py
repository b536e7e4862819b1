"""The Job controller and the TTL-after-finished controller against
kube-controller-manager's behaviour (pkg/controller/job and
pkg/controller/ttlafterfinished, v1.33 default feature gates)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcore import Cluster
from podcore.controllers.job import (
    TRACKING_FINALIZER,
    format_indexes,
    match_success_policy,
    parse_indexes,
)

EXIT_AFTER = "sim.podcore.dev/exit-after-seconds"
EXIT_CODE = "sim.podcore.dev/exit-code"


def job(
    name: str = "pi",
    restart: str = "Never",
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "metadata": {"annotations": annotations or {}},
                "spec": {
                    "restartPolicy": restart,
                    "containers": [{"name": "main", "image": "busybox"}],
                },
            },
            **spec,
        },
    }


def pods(c: Cluster, name: str = "pi") -> list[dict[str, Any]]:
    return c.list("Pod", label_selector=f"batch.kubernetes.io/job-name={name}")


def active(c: Cluster, name: str = "pi") -> list[dict[str, Any]]:
    return [
        p
        for p in pods(c, name)
        if p["status"].get("phase") not in ("Succeeded", "Failed")
        and "deletionTimestamp" not in p["metadata"]
    ]


def conditions(c: Cluster, name: str = "pi") -> list[tuple[str, str, str, str]]:
    status = c.get("Job", name)["status"]
    return [
        (x["type"], x["status"], x.get("reason", ""), x.get("message", ""))
        for x in status.get("conditions", [])
    ]


COMPLETE = [
    (
        "SuccessCriteriaMet",
        "True",
        "CompletionsReached",
        "Reached expected number of succeeded pods",
    ),
    ("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
]


def test_job_runs_completions_pods_parallelism_at_a_time_then_completes() -> None:
    c = Cluster()
    c.apply(job(completions=5, parallelism=2))
    assert len(active(c)) == 2
    status = c.get("Job", "pi")["status"]
    assert status == {
        "startTime": "2025-01-01T00:00:00Z",
        "active": 2,
        "terminating": 0,
        "uncountedTerminatedPods": {},
        "ready": 0,
    }
    while c.get("Job", "pi")["status"].get("succeeded", 0) < 5:
        assert len(active(c)) <= 2
        c.advance(0.5)
    c.settle()
    status = c.get("Job", "pi")["status"]
    assert conditions(c) == COMPLETE
    assert status["succeeded"] == 5
    assert "failed" not in status and "active" not in status
    assert status["ready"] == 0 and status["terminating"] == 0
    assert status["uncountedTerminatedPods"] == {}
    assert status["completionTime"] == status["conditions"][1]["lastTransitionTime"]
    assert len(pods(c)) == 5


def test_job_pods_carry_the_job_labels_owner_and_tracking_finalizer() -> None:
    c = Cluster()
    c.apply(job())
    j = c.get("Job", "pi")
    (pod,) = pods(c)
    uid = j["metadata"]["uid"]
    assert re.fullmatch(r"pi-[a-z0-9]{5}", pod["metadata"]["name"])
    assert pod["metadata"]["labels"] == {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": uid,
        "job-name": "pi",
    }
    assert pod["metadata"]["finalizers"] == [TRACKING_FINALIZER]
    (ref,) = pod["metadata"]["ownerReferences"]
    assert ref == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "name": "pi",
        "uid": uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }
    c.settle()
    (pod,) = pods(c)
    # Counted pods lose the finalizer.
    assert "finalizers" not in pod["metadata"]


def test_indexed_job_pods_get_index_annotation_label_hostname_and_env() -> None:
    c = Cluster()
    c.apply(job(completions=3, parallelism=3, completionMode="Indexed"))
    by_index = {
        p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]: p for p in pods(c)
    }
    assert sorted(by_index) == ["0", "1", "2"]
    for ix, p in by_index.items():
        assert re.fullmatch(rf"pi-{ix}-[a-z0-9]{{5}}", p["metadata"]["name"])
        assert p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == ix
        assert p["spec"]["hostname"] == f"pi-{ix}"
        assert c.hostname(p["metadata"]["name"]) == f"pi-{ix}"
        assert p["spec"]["containers"][0]["env"] == [
            {
                "name": "JOB_COMPLETION_INDEX",
                "valueFrom": {
                    "fieldRef": {
                        "apiVersion": "v1",
                        "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']",
                    }
                },
            }
        ]
    c.settle()
    status = c.get("Job", "pi")["status"]
    assert status["completedIndexes"] == "0-2"
    assert status["succeeded"] == 3
    assert conditions(c) == COMPLETE


def test_indexed_job_replaces_a_failed_index_with_a_pod_of_the_same_index() -> None:
    c = Cluster()
    c.apply(
        job(completions=2, parallelism=2, completionMode="Indexed", annotations={EXIT_AFTER: "5"})
    )
    c.advance(2)
    first = next(
        p
        for p in pods(c)
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "1"
    )
    c.fail_pod(first["metadata"]["name"])
    c.settle()
    status = c.get("Job", "pi")["status"]
    assert status["failed"] == 1 and status["succeeded"] == 2
    assert status["completedIndexes"] == "0,1"
    ones = [
        p
        for p in pods(c)
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "1"
    ]
    assert len(ones) == 2


def test_never_failures_back_off_exponentially_and_exceed_the_backoff_limit() -> None:
    c = Cluster()
    c.apply(job(backoffLimit=2, annotations={EXIT_CODE: "1"}))
    created: list[str] = []
    seen: set[str] = set()
    while not any(t == "Failed" for t, *_ in conditions(c)) and c.now < 200:
        for p in pods(c):
            if p["metadata"]["name"] not in seen:
                seen.add(p["metadata"]["name"])
                created.append(p["metadata"]["creationTimestamp"])
        c.advance(1)
    status = c.get("Job", "pi")["status"]
    assert status["failed"] == 3
    # Created at 0 s, failed at 2 s; the next waits 10 s, the third 20 s.
    assert created == ["2025-01-01T00:00:00Z", "2025-01-01T00:00:12Z", "2025-01-01T00:00:34Z"]
    assert conditions(c) == [
        (
            "FailureTarget",
            "True",
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ),
        ("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
    ]
    assert "completionTime" not in status


def test_on_failure_container_restarts_count_toward_the_backoff_limit() -> None:
    c = Cluster()
    c.apply(job(restart="OnFailure", backoffLimit=2, annotations={EXIT_CODE: "3"}))
    c.settle()
    assert conditions(c)[-1][:3] == ("Failed", "True", "BackoffLimitExceeded")
    # The one pod restarted in place, then was deleted when the Job failed.
    assert pods(c) == []
    status = c.get("Job", "pi")["status"]
    assert status["failed"] == 1
    assert "active" not in status


def test_active_deadline_fails_the_job_and_deletes_its_pods() -> None:
    c = Cluster()
    c.apply(job(activeDeadlineSeconds=5, annotations={EXIT_AFTER: "100"}))
    c.advance(4)
    assert conditions(c) == []
    c.settle()
    assert conditions(c) == [
        (
            "FailureTarget",
            "True",
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        ),
        ("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline"),
    ]
    assert pods(c) == []
    assert c.get("Job", "pi")["status"]["failed"] == 1


def test_suspended_job_creates_no_pods_until_resumed() -> None:
    c = Cluster()
    c.apply(job(suspend=True, completions=2))
    assert pods(c) == []
    status = c.get("Job", "pi")["status"]
    assert "startTime" not in status
    assert conditions(c) == [("Suspended", "True", "JobSuspended", "Job suspended")]
    c.advance(30)
    c.patch("Job", "pi", {"spec": {"suspend": False}})
    assert len(active(c)) == 1
    assert conditions(c) == [("Suspended", "False", "JobResumed", "Job resumed")]
    assert c.get("Job", "pi")["status"]["startTime"] == "2025-01-01T00:00:30Z"
    c.settle()
    assert conditions(c)[1:] == COMPLETE


def test_suspending_a_running_job_deletes_its_active_pods_without_counting_them() -> None:
    c = Cluster()
    c.apply(job(parallelism=2, completions=4, annotations={EXIT_AFTER: "100"}))
    c.advance(2)
    c.patch("Job", "pi", {"spec": {"suspend": True}})
    c.settle()
    assert pods(c) == []
    status = c.get("Job", "pi")["status"]
    assert "failed" not in status and "active" not in status
    assert conditions(c) == [("Suspended", "True", "JobSuspended", "Job suspended")]


def test_ttl_after_finished_deletes_the_job_and_its_pods() -> None:
    c = Cluster()
    c.apply(job(ttlSecondsAfterFinished=30))
    c.advance(10)
    assert conditions(c) == COMPLETE
    c.advance(15)
    assert c.list("Job") != []
    c.settle()
    assert c.list("Job") == []
    assert pods(c) == []


def test_pod_failure_policy_fail_job_on_exit_code() -> None:
    c = Cluster()
    c.apply(
        job(
            backoffLimit=6,
            annotations={EXIT_CODE: "42"},
            podFailurePolicy={
                "rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]
            },
        )
    )
    name = pods(c)[0]["metadata"]["name"]
    c.settle()
    msg = (
        f"Container main for pod default/{name} failed with exit code 42 "
        "matching FailJob rule at index 0"
    )
    assert conditions(c) == [
        ("FailureTarget", "True", "PodFailurePolicy", msg),
        ("Failed", "True", "PodFailurePolicy", msg),
    ]
    assert c.get("Job", "pi")["status"]["failed"] == 1


def test_pod_failure_policy_ignore_does_not_count_the_failure() -> None:
    c = Cluster()
    c.apply(
        job(
            backoffLimit=0,
            annotations={EXIT_AFTER: "5"},
            podFailurePolicy={
                "rules": [{"action": "Ignore", "onExitCodes": {"operator": "NotIn", "values": [1]}}]
            },
        )
    )
    c.advance(2)
    c.fail_pod(pods(c)[0]["metadata"]["name"], exit_code=7)
    c.settle()
    assert conditions(c) == COMPLETE
    status = c.get("Job", "pi")["status"]
    assert "failed" not in status and status["succeeded"] == 1


def test_pod_failure_policy_count_and_unmatched_rules_count_the_failure() -> None:
    c = Cluster()
    c.apply(
        job(
            backoffLimit=0,
            annotations={EXIT_CODE: "3"},
            podFailurePolicy={
                "rules": [{"action": "Count", "onExitCodes": {"operator": "In", "values": [3]}}]
            },
        )
    )
    c.settle()
    assert conditions(c)[-1][:3] == ("Failed", "True", "BackoffLimitExceeded")


def test_backoff_limit_per_index_fails_only_that_index() -> None:
    c = Cluster()
    c.apply(
        job(
            completions=3,
            parallelism=3,
            completionMode="Indexed",
            backoffLimitPerIndex=1,
            annotations={EXIT_AFTER: "5"},
        )
    )
    c.advance(2)
    bad = next(
        p
        for p in pods(c)
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "1"
    )
    assert bad["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] == "0"
    c.fail_pod(bad["metadata"]["name"])

    def replacement() -> list[dict[str, Any]]:
        return [
            p
            for p in active(c)
            if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "1"
        ]

    # The index waits out its own 10 s back-off, then gets a replacement
    # that carries the index's failure count.
    c.advance(9)
    assert replacement() == []
    while not replacement() or replacement()[0]["status"].get("phase") != "Running":
        c.advance(0.5)
    (again,) = replacement()
    assert again["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] == "1"
    c.fail_pod(again["metadata"]["name"])
    c.settle()
    status = c.get("Job", "pi")["status"]
    assert status["failedIndexes"] == "1"
    assert status["completedIndexes"] == "0,2"
    assert conditions(c) == [
        ("FailureTarget", "True", "FailedIndexes", "Job has failed indexes"),
        ("Failed", "True", "FailedIndexes", "Job has failed indexes"),
    ]


def test_pod_failure_policy_fail_index_stops_retrying_the_index() -> None:
    c = Cluster()
    c.apply(
        job(
            completions=2,
            parallelism=2,
            completionMode="Indexed",
            backoffLimitPerIndex=3,
            annotations={EXIT_AFTER: "5"},
            podFailurePolicy={
                "rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [9]}}]
            },
        )
    )
    c.advance(2)
    bad = next(
        p
        for p in pods(c)
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "0"
    )
    c.fail_pod(bad["metadata"]["name"], exit_code=9)
    c.settle()
    status = c.get("Job", "pi")["status"]
    assert status["failedIndexes"] == "0"
    assert status["completedIndexes"] == "1"
    assert conditions(c)[-1][:3] == ("Failed", "True", "FailedIndexes")


def test_success_policy_completes_an_indexed_job_early() -> None:
    c = Cluster()
    c.apply(
        job(
            completions=4,
            parallelism=4,
            completionMode="Indexed",
            annotations={EXIT_AFTER: "50"},
            successPolicy={"rules": [{"succeededIndexes": "0"}]},
        )
    )
    c.advance(2)
    zero = next(
        p
        for p in pods(c)
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "0"
    )
    # Index 0 finishes early: its container exits 0.
    c.fail_pod(zero["metadata"]["name"], exit_code=0)
    c.settle()
    assert conditions(c) == [
        ("SuccessCriteriaMet", "True", "SuccessPolicy", "Matched rules at index 0"),
        ("Complete", "True", "SuccessPolicy", "Matched rules at index 0"),
    ]
    status = c.get("Job", "pi")["status"]
    assert status["completedIndexes"] == "0"
    assert active(c) == []


def test_job_without_completions_completes_when_a_pod_succeeds_and_the_rest_finish() -> None:
    c = Cluster()
    c.apply(job(parallelism=3))
    assert len(active(c)) == 3
    c.settle()
    assert conditions(c) == COMPLETE
    assert c.get("Job", "pi")["status"]["succeeded"] == 3


def test_deleted_job_pods_are_released_from_the_tracking_finalizer() -> None:
    c = Cluster()
    c.apply(job(parallelism=2, completions=2, annotations={EXIT_AFTER: "100"}))
    c.advance(2)
    c.delete("Job", "pi")
    c.settle()
    assert c.list("Pod") == []


def test_foreground_deletion_of_a_running_job_waits_for_its_pods() -> None:
    c = Cluster()
    c.apply(job(parallelism=2, completions=2, annotations={EXIT_AFTER: "100"}))
    c.advance(2)
    assert c.delete("Job", "pi", propagation="Foreground") is not None
    c.settle()
    assert c.list("Job") == [] and c.list("Pod") == []


def test_job_managed_by_another_controller_is_left_alone() -> None:
    c = Cluster()
    c.apply(job(managedBy="example.com/other"))
    c.settle()
    assert pods(c) == []
    assert c.get("Job", "pi").get("status", {}) == {}


def test_completed_indexes_use_the_compressed_interval_form() -> None:
    assert format_indexes([0, 1, 2, 5, 7, 8]) == "0-2,5,7,8"
    assert parse_indexes("0-2,5,7,8", 8) == {0, 1, 2, 5, 7}
    assert parse_indexes("x,1-3", 10) == {1, 2, 3}
    assert match_success_policy({"rules": [{"succeededCount": 2}]}, 4, {0, 3}) == (
        "Matched rules at index 0"
    )
    assert (
        match_success_policy(
            {"rules": [{"succeededIndexes": "0-2", "succeededCount": 3}]}, 4, {0, 3}
        )
        is None
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    completions=st.integers(1, 6),
    parallelism=st.integers(1, 4),
    indexed=st.booleans(),
    backoff=st.integers(0, 3),
    failures=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5)), max_size=5),
)
def test_job_never_exceeds_parallelism_and_finishes_exactly_once(
    completions: int,
    parallelism: int,
    indexed: bool,
    backoff: int,
    failures: list[tuple[int, int]],
) -> None:
    c = Cluster()
    spec: dict[str, Any] = {
        "completions": completions,
        "parallelism": parallelism,
        "backoffLimit": backoff,
    }
    if indexed:
        spec["completionMode"] = "Indexed"
    c.apply(job(annotations={EXIT_AFTER: "3"}, **spec))
    terminal_seen: list[str] = []
    for at, which in sorted(failures):
        if at > c.now:
            c.advance(at - c.now)
        running = [p for p in active(c) if p["status"].get("phase") == "Running"]
        assert len(active(c)) <= parallelism
        if running:
            c.fail_pod(running[which % len(running)]["metadata"]["name"])
    for _ in range(2000):
        assert len(active(c)) <= parallelism
        conds = conditions(c)
        terminal = [t for t, s, *_ in conds if t in ("Complete", "Failed") and s == "True"]
        assert len(terminal) <= 1
        if terminal:
            terminal_seen = terminal
            break
        c.advance(1)
    assert len(terminal_seen) == 1
    c.settle()
    conds = conditions(c)
    assert [t for t, *_ in conds if t in ("Complete", "Failed")] == terminal_seen
    status = c.get("Job", "pi")["status"]
    if terminal_seen == ["Complete"]:
        assert status["succeeded"] >= completions
        assert conds[-2][0] == "SuccessCriteriaMet"
    else:
        assert status["failed"] > backoff
        assert conds[-2][0] == "FailureTarget"
    assert active(c) == []
    assert all(TRACKING_FINALIZER not in p["metadata"].get("finalizers", []) for p in c.list("Pod"))
