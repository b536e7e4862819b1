"""The Deployment controller against kube-controller-manager's behaviour
(pkg/controller/deployment, v1.33): ReplicaSet naming, revisions, rolling
and recreate rollouts, rollback, history cleanup, proportional scaling,
pausing, progress deadlines and status."""

from __future__ import annotations

import calendar
import copy
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podcore import Cluster
from podcore.controllers.deployment import (
    compute_hash,
    equal_ignore_hash,
    max_surge,
    max_unavailable,
    resolve_fenceposts,
    safe_encode,
)

#: A template annotation that keeps pods from becoming Ready for a day: an
#: image that never starts, for the purposes of these tests.
NEVER_READY = {"sim.podcore.dev/ready-seconds": "86400"}


def deployment(
    name: str = "web",
    replicas: int = 3,
    image: str = "nginx:1.27",
    strategy: dict[str, Any] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
            **({"strategy": strategy} if strategy is not None else {}),
            **spec,
        },
    }


def rolling(surge: int | str, unavailable: int | str) -> dict[str, Any]:
    return {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
    }


def _ready(pod: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _active(pod: dict[str, Any]) -> bool:
    return "deletionTimestamp" not in pod["metadata"] and (pod.get("status") or {}).get(
        "phase"
    ) not in ("Succeeded", "Failed")


def run_pods(c: Cluster) -> None:
    """Lets the pods run for two simulated seconds: the kubelets start their
    containers (1 s) and report them Ready (0 s later), honouring
    ``sim.podcore.dev/ready-seconds``; the controllers react."""
    c.advance(2)


def roll_out(c: Cluster, name: str = "web", steps: int = 50) -> None:
    """Runs pods until the deployment's rollout is complete."""
    for _ in range(steps):
        run_pods(c)
        if complete(c.get("Deployment", name)):
            return
    raise AssertionError(f"rollout of {name} did not complete: {c.get('Deployment', name)}")


def complete(d: dict[str, Any]) -> bool:
    s = d.get("status") or {}
    r = d["spec"]["replicas"]
    return (
        s.get("updatedReplicas", 0) == r
        and s.get("replicas", 0) == r
        and s.get("availableReplicas", 0) == r
        and s.get("observedGeneration", 0) >= d["metadata"]["generation"]
    )


def replica_sets(c: Cluster, name: str = "web") -> list[dict[str, Any]]:
    """The deployment's ReplicaSets, oldest revision first."""
    rss = c.list("ReplicaSet", label_selector={"matchLabels": {"app": name}})
    return sorted(rss, key=lambda rs: int(rs["metadata"]["annotations"][REV]))


def condition(d: dict[str, Any], kind: str) -> dict[str, Any]:
    conds = [x for x in d["status"].get("conditions", []) if x["type"] == kind]
    assert len(conds) == 1, d["status"]
    return conds[0]


def set_image(c: Cluster, image: str, name: str = "web", **annotations: str) -> None:
    patch: dict[str, Any] = {
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}
    }
    if annotations:
        patch["spec"]["template"]["metadata"] = {"annotations": annotations}
    c.patch("Deployment", name, patch)


REV = "deployment.kubernetes.io/revision"


@pytest.fixture
def c() -> Cluster:
    return Cluster(nodes=3)


# ---------------------------------------------------------------- hashing


def test_safe_encode_maps_decimal_digits_as_apimachinery_does() -> None:
    # '0'..'9' are bytes 48..57; modulo the 27-letter alphabet.
    assert safe_encode("0123456789") == "456789bcdf"


def test_pod_template_hash_has_kubernetes_form_and_changes_with_collision_count() -> None:
    t = deployment()["spec"]["template"]
    h = compute_hash(t, None)
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{1,10}", h)
    assert compute_hash(copy.deepcopy(t), None) == h
    assert compute_hash(t, 1) != h
    assert compute_hash(t, 0) != h  # a set count (even 0) is hashed in


def test_equal_ignore_hash_ignores_only_the_pod_template_hash_label() -> None:
    t = deployment()["spec"]["template"]
    hashed = copy.deepcopy(t)
    hashed["metadata"]["labels"]["pod-template-hash"] = "abc"
    assert equal_ignore_hash(t, hashed)
    other = copy.deepcopy(hashed)
    other["metadata"]["labels"]["tier"] = "x"
    assert not equal_ignore_hash(t, other)


# ---------------------------------------------------------------- fenceposts


@pytest.mark.parametrize(
    ("surge", "unavailable", "replicas", "expected"),
    [
        ("25%", "25%", 10, (3, 2)),  # surge rounds up, unavailable down
        ("25%", "25%", 1, (1, 0)),
        (0, "10%", 3, (0, 1)),  # both resolve to 0: one pod may be unavailable
        ("0%", "10%", 3, (0, 1)),
        (3, 2, 10, (3, 2)),
    ],
)
def test_resolve_fenceposts_rounds_surge_up_and_unavailable_down(
    surge: int | str, unavailable: int | str, replicas: int, expected: tuple[int, int]
) -> None:
    assert resolve_fenceposts(surge, unavailable, replicas) == expected


def test_max_unavailable_is_capped_at_replicas_and_zero_for_recreate() -> None:
    d = deployment(replicas=2, strategy=rolling(0, 5))
    assert max_unavailable(d) == 2
    r = deployment(strategy={"type": "Recreate"})
    assert (max_surge(r), max_unavailable(r)) == (0, 0)


# ---------------------------------------------------------------- ReplicaSets


def test_replicaset_is_named_after_the_deployment_and_the_pod_template_hash(c: Cluster) -> None:
    d = c.apply(deployment())[0]
    [rs] = c.list("ReplicaSet")
    h = rs["metadata"]["labels"]["pod-template-hash"]
    stored = c.get("Deployment", "web")
    assert h == compute_hash(stored["spec"]["template"], None)
    assert rs["metadata"]["name"] == f"web-{h}"
    # The hash is in the selector, the template labels and the RS labels.
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": h}}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "web",
            "uid": d["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    pods = c.list("Pod")
    assert len(pods) == 3
    assert all(p["metadata"]["labels"]["pod-template-hash"] == h for p in pods)


def test_replicaset_carries_revision_and_replica_annotations(c: Cluster) -> None:
    c.apply(deployment(replicas=4, strategy=rolling("25%", "25%")))
    [rs] = c.list("ReplicaSet")
    ann = rs["metadata"]["annotations"]
    assert ann[REV] == "1"
    assert ann["deployment.kubernetes.io/desired-replicas"] == "4"
    assert ann["deployment.kubernetes.io/max-replicas"] == "5"  # 4 + ceil(25% of 4)
    assert "deployment.kubernetes.io/revision-history" not in ann
    assert c.get("Deployment", "web")["metadata"]["annotations"][REV] == "1"


def test_deployment_annotations_are_copied_to_the_replicaset_except_its_own(c: Cluster) -> None:
    d = deployment()
    d["metadata"]["annotations"] = {"team": "blue"}
    c.apply(d)
    [rs] = c.list("ReplicaSet")
    assert rs["metadata"]["annotations"]["team"] == "blue"


def test_template_change_creates_a_new_replicaset_with_the_next_revision(c: Cluster) -> None:
    c.apply(deployment())
    roll_out(c)
    old_pods = {p["metadata"]["uid"] for p in c.list("Pod")}
    set_image(c, "nginx:1.28")
    roll_out(c)
    old, new = replica_sets(c)
    assert new["metadata"]["annotations"][REV] == "2"
    assert c.get("Deployment", "web")["metadata"]["annotations"][REV] == "2"
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, 3)
    # No pod was changed in place: every running pod is a new one.
    pods = c.list("Pod")
    assert not {p["metadata"]["uid"] for p in pods} & old_pods
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.28"}


def test_rollback_to_an_old_template_reuses_its_replicaset_with_revision_history(
    c: Cluster,
) -> None:
    c.apply(deployment())
    roll_out(c)
    first = replica_sets(c)[0]["metadata"]["name"]
    set_image(c, "nginx:1.28")
    roll_out(c)
    set_image(c, "nginx:1.27")
    roll_out(c)
    rss = replica_sets(c)
    assert len(rss) == 2
    reused = rss[-1]
    assert reused["metadata"]["name"] == first
    assert reused["metadata"]["annotations"][REV] == "3"  # max + 1
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert reused["spec"]["replicas"] == 3
    assert c.get("Deployment", "web")["metadata"]["annotations"][REV] == "3"


def test_revision_history_limit_deletes_the_oldest_scaled_down_replicasets(c: Cluster) -> None:
    c.apply(deployment(revisionHistoryLimit=1))
    for image in ("nginx:1", "nginx:2", "nginx:3"):
        roll_out(c)
        set_image(c, image)
    roll_out(c)
    run_pods(c)
    rss = replica_sets(c)
    # The new ReplicaSet and one old one (the latest old revision) remain.
    assert [rs["metadata"]["annotations"][REV] for rs in rss] == ["3", "4"]
    assert [rs["spec"]["template"]["spec"]["containers"][0]["image"] for rs in rss] == [
        "nginx:2",
        "nginx:3",
    ]


# ---------------------------------------------------------------- RollingUpdate


def _replay(c: Cluster, start: list[dict[str, Any]], rv: str) -> list[tuple[int, int, set[str]]]:
    """(active pods, available pods, their templates' hashes) after each pod
    event since ``rv``, from the pods there were at ``rv``."""
    pods = {p["metadata"]["name"]: p for p in start}
    out = []
    for ev in c.watch("Pod", resource_version=rv):
        obj = ev["object"]
        if ev["type"] == "DELETED":
            pods.pop(obj["metadata"]["name"], None)
        else:
            pods[obj["metadata"]["name"]] = obj
        live = [p for p in pods.values() if _active(p)]
        out.append(
            (
                len(live),
                sum(_ready(p) for p in live),
                {p["metadata"]["labels"]["pod-template-hash"] for p in live},
            )
        )
    return out


fencepost = st.one_of(st.integers(0, 4), st.integers(0, 100).map(lambda n: f"{n}%"))


@settings(deadline=None)
@given(replicas=st.integers(1, 8), surge=fencepost, unavailable=fencepost)
def test_rolling_update_keeps_pods_within_max_surge_and_availability_above_max_unavailable(
    replicas: int, surge: int | str, unavailable: int | str
) -> None:
    if surge in (0, "0%") and unavailable in (0, "0%"):
        return  # validation rejects both 0
    c = Cluster(nodes=3)
    d = deployment(replicas=replicas, strategy=rolling(surge, unavailable))
    c.apply(d)
    roll_out(c)
    stored = c.get("Deployment", "web")
    most = replicas + max_surge(stored)
    least = replicas - max_unavailable(stored)
    start, rv = c.list("Pod"), c.store.resource_version
    set_image(c, "nginx:next")
    roll_out(c)
    run_pods(c)
    for count, available, _ in _replay(c, start, rv):
        assert count <= most
        assert available >= least
    new = replica_sets(c)[-1]
    pods = [p for p in c.list("Pod") if _active(p)]
    assert len(pods) == replicas
    h = new["metadata"]["labels"]["pod-template-hash"]
    assert {p["metadata"]["labels"]["pod-template-hash"] for p in pods} == {h}
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:next"}
    assert all(rs["spec"]["replicas"] == 0 for rs in replica_sets(c)[:-1])


def test_rolling_update_first_step_surges_then_scales_old_down_by_the_budget(
    c: Cluster,
) -> None:
    c.apply(deployment(replicas=10, strategy=rolling(3, 2)))
    roll_out(c)
    set_image(c, "nginx:broken", **NEVER_READY)
    run_pods(c)
    old, new = replica_sets(c)
    # 13 pods at most, 8 available at least; the new pods never become ready.
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (8, 5)
    d = c.get("Deployment", "web")
    assert d["status"]["replicas"] == 13
    assert d["status"]["updatedReplicas"] == 5
    assert d["status"]["availableReplicas"] == 8
    assert d["status"]["unavailableReplicas"] == 5
    assert condition(d, "Available")["status"] == "True"  # 8 >= 10 - 2


# ---------------------------------------------------------------- proportional scaling


def test_scaling_mid_rollout_spreads_new_replicas_proportionally_as_the_docs_example(
    c: Cluster,
) -> None:
    # kubernetes.io "Proportional scaling": 10 replicas, maxSurge 3,
    # maxUnavailable 2, a rollout to an image that never becomes ready leaves
    # the old ReplicaSet at 8 and the new one at 5; scaling to 15 adds 3 to
    # the old ReplicaSet and 2 to the new one.
    c.apply(deployment(replicas=10, strategy=rolling(3, 2)))
    roll_out(c)
    set_image(c, "nginx:sometag", **NEVER_READY)
    run_pods(c)
    old, new = replica_sets(c)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (8, 5)
    c.patch("Deployment", "web", {"spec": {"replicas": 15}})
    run_pods(c)
    old, new = replica_sets(c)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (11, 7)
    for rs in (old, new):
        ann = rs["metadata"]["annotations"]
        assert ann["deployment.kubernetes.io/desired-replicas"] == "15"
        assert ann["deployment.kubernetes.io/max-replicas"] == "18"


def test_scaling_down_mid_rollout_takes_proportionally_from_both(c: Cluster) -> None:
    c.apply(deployment(replicas=10, strategy=rolling(3, 2)))
    roll_out(c)
    set_image(c, "nginx:sometag", **NEVER_READY)
    run_pods(c)
    old, new = (rs["metadata"]["name"] for rs in replica_sets(c))
    rv = c.store.resource_version
    c.patch("Deployment", "web", {"spec": {"replicas": 5}})
    sizes: dict[str, list[int]] = {old: [], new: []}
    for e in c.watch("ReplicaSet", resource_version=rv):
        size = e["object"]["spec"]["replicas"]
        seen = sizes[e["object"]["metadata"]["name"]]
        if not seen or seen[-1] != size:
            seen.append(size)
    # 13 pods allowed become 8 (5 + 3): the old ReplicaSet (older, first
    # among the largest when shrinking) goes to round(8*8/13) = 5, the new to
    # round(5*8/13) = 3; the rollout then carries on from there.
    assert (sizes[old][0], sizes[new][0]) == (5, 3)


def test_scaling_a_settled_deployment_scales_its_only_replicaset(c: Cluster) -> None:
    c.apply(deployment(replicas=2))
    roll_out(c)
    c.patch("Deployment", "web", {"spec": {"replicas": 5}})
    roll_out(c)
    [rs] = replica_sets(c)
    assert rs["spec"]["replicas"] == 5
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
    assert len(c.list("Pod")) == 5


# ---------------------------------------------------------------- Recreate


def test_recreate_scales_old_to_zero_and_creates_new_pods_only_after_old_are_gone(
    c: Cluster,
) -> None:
    c.apply(deployment(replicas=3, strategy={"type": "Recreate"}))
    roll_out(c)
    start, rv = c.list("Pod"), c.store.resource_version
    old_hash = start[0]["metadata"]["labels"]["pod-template-hash"]
    set_image(c, "nginx:1.28")
    roll_out(c)
    timeline = _replay(c, start, rv)
    for _, _, hashes in timeline:
        assert not (old_hash in hashes and len(hashes) > 1)
    assert timeline[-1][2] != {old_hash}
    old, new = replica_sets(c)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, 3)
    d = c.get("Deployment", "web")
    # Recreate allows no unavailability: Available needs every replica.
    assert condition(d, "Available")["status"] == "True"


def test_recreate_reports_unavailable_while_old_pods_are_replaced(c: Cluster) -> None:
    c.apply(deployment(replicas=2, strategy={"type": "Recreate"}))
    roll_out(c)
    set_image(c, "nginx:next", **NEVER_READY)
    run_pods(c)
    d = c.get("Deployment", "web")
    available = condition(d, "Available")
    assert (available["status"], available["reason"], available["message"]) == (
        "False",
        "MinimumReplicasUnavailable",
        "Deployment does not have minimum availability.",
    )


# ---------------------------------------------------------------- paused


def test_paused_deployment_does_not_roll_out_but_scales_and_resumes(c: Cluster) -> None:
    c.apply(deployment(replicas=2))
    roll_out(c)
    c.patch("Deployment", "web", {"spec": {"paused": True}})
    d = c.get("Deployment", "web")
    p = condition(d, "Progressing")
    assert (p["status"], p["reason"], p["message"]) == (
        "Unknown",
        "DeploymentPaused",
        "Deployment is paused",
    )
    set_image(c, "nginx:1.28")
    run_pods(c)
    assert len(replica_sets(c)) == 1  # no rollout while paused
    c.patch("Deployment", "web", {"spec": {"replicas": 4}})
    run_pods(c)
    [rs] = replica_sets(c)
    assert rs["spec"]["replicas"] == 4  # scaling still happens
    assert c.get("Deployment", "web")["status"]["replicas"] == 4
    c.patch("Deployment", "web", {"spec": {"paused": False}})
    rss = replica_sets(c)
    assert len(rss) == 2
    d = c.get("Deployment", "web")
    assert condition(d, "Progressing")["reason"] in ("DeploymentResumed", "ReplicaSetUpdated")
    roll_out(c)
    assert condition(c.get("Deployment", "web"), "Progressing")["reason"] == (
        "NewReplicaSetAvailable"
    )


def test_unpausing_records_deployment_resumed_and_starts_the_rollout(c: Cluster) -> None:
    c.apply(deployment(replicas=1, paused=True))
    d = c.get("Deployment", "web")
    assert condition(d, "Progressing")["reason"] == "DeploymentPaused"
    # Paused from the start: no ReplicaSet is created.
    assert c.list("ReplicaSet") == []
    rv = c.store.resource_version
    c.patch("Deployment", "web", {"spec": {"paused": False}})
    resumed = [
        (cond["status"], cond["message"])
        for e in c.watch("Deployment", resource_version=rv)
        for cond in (e["object"].get("status") or {}).get("conditions", [])
        if cond["reason"] == "DeploymentResumed"
    ]
    assert ("Unknown", "Deployment is resumed") in resumed
    assert len(c.list("ReplicaSet")) == 1


# ---------------------------------------------------------------- progress


def test_progressing_conditions_follow_the_rollout_with_kubernetes_messages(c: Cluster) -> None:
    c.apply(deployment(replicas=2))
    [rs] = c.list("ReplicaSet")
    name = rs["metadata"]["name"]
    d = c.get("Deployment", "web")
    p = condition(d, "Progressing")
    assert p["status"] == "True"
    assert (p["reason"], p["message"]) in {
        ("NewReplicaSetCreated", f'Created new replica set "{name}"'),
        ("ReplicaSetUpdated", f'ReplicaSet "{name}" is progressing.'),
    }
    roll_out(c)
    d = c.get("Deployment", "web")
    p = condition(d, "Progressing")
    assert (p["status"], p["reason"], p["message"]) == (
        "True",
        "NewReplicaSetAvailable",
        f'ReplicaSet "{name}" has successfully progressed.',
    )


def test_rollout_past_progress_deadline_is_progress_deadline_exceeded(c: Cluster) -> None:
    c.apply(deployment(replicas=2, progressDeadlineSeconds=30))
    roll_out(c)
    set_image(c, "nginx:broken", **NEVER_READY)
    run_pods(c)
    new = replica_sets(c)[-1]["metadata"]["name"]
    d = c.get("Deployment", "web")
    p = condition(d, "Progressing")
    assert (p["reason"], p["message"]) == (
        "ReplicaSetUpdated",
        f'ReplicaSet "{new}" is progressing.',
    )
    # Timed out once the last progress lies more than 30 s in the past.
    deadline = _unix(p["lastUpdateTime"]) + 30
    c.advance(deadline - c.store.now)
    assert condition(c.get("Deployment", "web"), "Progressing")["reason"] == "ReplicaSetUpdated"
    c.advance(1)
    p = condition(c.get("Deployment", "web"), "Progressing")
    assert (p["status"], p["reason"], p["message"]) == (
        "False",
        "ProgressDeadlineExceeded",
        f'ReplicaSet "{new}" has timed out progressing.',
    )
    # A timed-out rollout is not estimated again: the condition stays.
    c.advance(60)
    assert condition(c.get("Deployment", "web"), "Progressing") == p


def _unix(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def test_min_ready_seconds_delays_availability(c: Cluster) -> None:
    c.apply(deployment(replicas=2, minReadySeconds=10))
    [rs] = c.list("ReplicaSet")
    assert rs["spec"]["minReadySeconds"] == 10
    run_pods(c)
    d = c.get("Deployment", "web")
    assert d["status"]["readyReplicas"] == 2
    assert "availableReplicas" not in d["status"]
    assert condition(d, "Available")["status"] == "False"
    c.advance(10)
    d = c.get("Deployment", "web")
    assert d["status"]["availableReplicas"] == 2
    assert condition(d, "Available")["status"] == "True"
    assert condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"


# ---------------------------------------------------------------- status


def test_status_of_a_complete_rollout_has_go_shaped_fields(c: Cluster) -> None:
    c.apply(deployment(replicas=3))
    roll_out(c)
    d = c.get("Deployment", "web")
    s = d["status"]
    assert {k: v for k, v in s.items() if k != "conditions"} == {
        "observedGeneration": d["metadata"]["generation"],
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
    }  # zero unavailableReplicas and an unset collisionCount are omitted
    a = condition(d, "Available")
    assert (a["status"], a["reason"], a["message"]) == (
        "True",
        "MinimumReplicasAvailable",
        "Deployment has minimum availability.",
    )
    for cond in s["conditions"]:
        assert set(cond) == {
            "type",
            "status",
            "lastUpdateTime",
            "lastTransitionTime",
            "reason",
            "message",
        }
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cond["lastUpdateTime"])


def test_scaled_to_zero_has_no_replica_counts(c: Cluster) -> None:
    c.apply(deployment(replicas=0))
    d = c.get("Deployment", "web")
    assert set(d["status"]) == {"observedGeneration", "conditions"}
    [rs] = c.list("ReplicaSet")
    assert rs["spec"]["replicas"] == 0


def test_deleting_a_deployment_leaves_its_replicasets_to_garbage_collection(c: Cluster) -> None:
    c.apply(deployment(replicas=2))
    roll_out(c)
    c.delete("Deployment", "web")
    c.settle()
    assert c.list("ReplicaSet") == []
    assert [p for p in c.list("Pod") if _active(p)] == []


def test_orphaned_replicaset_matching_the_selector_is_adopted(c: Cluster) -> None:
    c.apply(deployment(replicas=2))
    roll_out(c)
    [rs] = c.list("ReplicaSet")
    c.delete("Deployment", "web", propagation="Orphan")
    c.settle()
    [orphan] = c.list("ReplicaSet")
    assert "ownerReferences" not in orphan["metadata"]
    d = c.apply(deployment(replicas=2))[0]
    [adopted] = c.list("ReplicaSet")
    assert adopted["metadata"]["name"] == rs["metadata"]["name"]
    assert adopted["metadata"]["ownerReferences"][0]["uid"] == d["metadata"]["uid"]
