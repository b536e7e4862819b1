"""The DaemonSet controller against kube-controller-manager's behaviour
(pkg/controller/daemon, v1.33): one pod per eligible node (nodeSelector,
required node affinity, taints and the controller's own tolerations),
placement by the scheduler through a per-pod node-name affinity, nodes
coming and going, failed pods, ControllerRevision history, RollingUpdate
with maxUnavailable or maxSurge, OnDelete, and status."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from podcore import Cluster
from podcore.controllers.daemonset import (
    add_or_update_toleration,
    daemon_tolerations,
    node_should_run_daemon_pod,
    surge_count,
    unavailable_count,
)
from podcore.sim.nodes import make_node

STAMP = "2025-01-01T00:00:00Z"
#: Pods that take this long to become Ready after they start.
SLOW_READY = {"sim.podcore.dev/ready-seconds": "10"}

DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]

_index = itertools.count(100)


def daemonset(
    name: str = "agent",
    image: str = "agent:1",
    strategy: dict[str, Any] | None = None,
    pod_spec: dict[str, Any] | None = None,
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    template_meta: dict[str, Any] = {"labels": {"app": name}}
    if annotations:
        template_meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": template_meta,
                "spec": {"containers": [{"name": "app", "image": image}], **(pod_spec or {})},
            },
            **({"updateStrategy": strategy} if strategy is not None else {}),
            **spec,
        },
    }


def node(name: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    """A registered node, as its kubelet would create it."""
    given = {"metadata": {"name": name, "labels": labels or {}}, "spec": spec}
    return make_node(name, next(_index), ("IPv4",), STAMP, given)


def pods(c: Cluster, name: str = "agent") -> list[dict[str, Any]]:
    return c.list("Pod", "default", {"matchLabels": {"app": name}})


def live(c: Cluster, name: str = "agent") -> list[dict[str, Any]]:
    return [p for p in pods(c, name) if "deletionTimestamp" not in p["metadata"]]


def placement(c: Cluster, name: str = "agent") -> dict[str, int]:
    """Live pods per node they are bound or meant for."""
    out: dict[str, int] = {}
    for p in live(c, name):
        target = p["spec"].get("nodeName") or target_node(p)
        out[target] = out.get(target, 0) + 1
    return out


def target_node(p: dict[str, Any]) -> str:
    terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    return str(terms["nodeSelectorTerms"][0]["matchFields"][0]["values"][0])


def status(c: Cluster, name: str = "agent") -> dict[str, Any]:
    out: dict[str, Any] = c.get("DaemonSet", name)["status"]
    return out


def rolling(unavailable: int | str = 1, surge: int | str = 0) -> dict[str, Any]:
    return {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": unavailable, "maxSurge": surge},
    }


def set_image(c: Cluster, image: str, name: str = "agent") -> None:
    c.patch(
        "DaemonSet",
        name,
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}},
    )


def images(c: Cluster, name: str = "agent") -> dict[str, str]:
    return {
        p["spec"].get("nodeName") or target_node(p): p["spec"]["containers"][0]["image"]
        for p in live(c, name)
    }


# ---------------------------------------------------------------- placement


def test_one_pod_runs_on_every_node() -> None:
    c = Cluster(nodes=3)
    c.apply(daemonset())
    c.settle()
    assert placement(c) == {"node-0": 1, "node-1": 1, "node-2": 1}
    assert all(p["status"]["phase"] == "Running" for p in pods(c))


def test_pods_are_placed_by_the_default_scheduler_through_a_node_name_affinity() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset())
    for p in pods(c):
        assert p["spec"]["schedulerName"] == "default-scheduler"
        term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": []}]}
        term["matchFields"][0]["values"] = [p["spec"]["nodeName"]]
        assert p["spec"]["affinity"] == {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
            }
        }
        conditions = {x["type"]: x for x in p["status"]["conditions"]}
        assert conditions["PodScheduled"]["status"] == "True"


def test_the_node_name_term_replaces_required_terms_and_keeps_the_rest_of_the_affinity() -> None:
    c = Cluster(nodes=[node("a", {"zone": "x"}), node("b", {"zone": "y"})])
    preferred = [
        {"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "Exists"}]}}
    ]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["x"]}]}
                ]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": preferred,
        }
    }
    c.apply(daemonset(pod_spec={"affinity": affinity}))
    (p,) = pods(c)
    na = p["spec"]["affinity"]["nodeAffinity"]
    assert na["preferredDuringSchedulingIgnoredDuringExecution"] == preferred
    assert na["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]}]}
    ]
    assert p["spec"]["nodeName"] == "a"


def test_pods_carry_the_controller_reference_hash_and_template_generation_labels() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    ds = c.get("DaemonSet", "agent")
    (p,) = pods(c)
    (history,) = c.list("ControllerRevision")
    assert p["metadata"]["generateName"] == "agent-"
    assert p["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "name": "agent",
            "uid": ds["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert p["metadata"]["labels"] == {
        "app": "agent",
        "controller-revision-hash": history["metadata"]["labels"]["controller-revision-hash"],
        "pod-template-generation": "1",
    }


def test_daemon_pods_get_the_controllers_tolerations() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    (p,) = pods(c)
    assert p["spec"]["tolerations"] == DAEMON_TOLERATIONS


def test_host_network_daemon_pods_also_tolerate_an_unavailable_network() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset(pod_spec={"hostNetwork": True}))
    (p,) = pods(c)
    assert p["spec"]["tolerations"] == [
        *DAEMON_TOLERATIONS,
        {
            "key": "node.kubernetes.io/network-unavailable",
            "operator": "Exists",
            "effect": "NoSchedule",
        },
    ]


def test_a_template_toleration_of_the_same_taint_is_replaced_not_duplicated() -> None:
    mine = {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    }
    other = {"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}
    out = daemon_tolerations({"tolerations": [other, mine]})
    assert out[0] == other
    assert out[1] == DAEMON_TOLERATIONS[0]
    assert out[2:] == DAEMON_TOLERATIONS[1:]
    # An equal toleration is left as it is.
    assert add_or_update_toleration([DAEMON_TOLERATIONS[0]], DAEMON_TOLERATIONS[0]) == [
        DAEMON_TOLERATIONS[0]
    ]


def test_node_selector_picks_the_nodes() -> None:
    c = Cluster(nodes=[node("a", {"role": "edge"}), node("b"), node("c", {"role": "edge"})])
    c.apply(daemonset(pod_spec={"nodeSelector": {"role": "edge"}}))
    c.settle()
    assert placement(c) == {"a": 1, "c": 1}
    assert status(c)["desiredNumberScheduled"] == 2


def test_required_node_affinity_picks_the_nodes() -> None:
    c = Cluster(nodes=[node("a", {"gpu": "4"}), node("b", {"gpu": "1"}), node("c")])
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "gpu", "operator": "Gt", "values": ["2"]}]},
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["c"]}]},
                ]
            }
        }
    }
    c.apply(daemonset(pod_spec={"affinity": affinity}))
    assert placement(c) == {"a": 1, "c": 1}


def test_template_node_name_limits_the_daemonset_to_that_node() -> None:
    ds = daemonset()
    verdict = node_should_run_daemon_pod(node("a"), {**ds, "spec": {**ds["spec"]}})
    assert verdict == (True, True)
    ds["spec"]["template"]["spec"]["nodeName"] = "b"
    assert node_should_run_daemon_pod(node("a"), ds) == (False, False)


def test_a_node_labelled_to_match_gets_a_pod_and_loses_it_when_unlabelled() -> None:
    c = Cluster(nodes=[node("a", {"role": "edge"}), node("b")])
    c.apply(daemonset(pod_spec={"nodeSelector": {"role": "edge"}}))
    c.patch("Node", "b", {"metadata": {"labels": {"role": "edge"}}}, "")
    c.settle()
    assert placement(c) == {"a": 1, "b": 1}
    c.patch("Node", "a", {"metadata": {"labels": {"role": None}}}, "")
    c.settle()
    assert placement(c) == {"b": 1}
    assert status(c)["desiredNumberScheduled"] == 1


def test_untolerated_no_schedule_taint_blocks_new_pods_but_keeps_running_ones() -> None:
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    c = Cluster(nodes=[node("a"), node("b", taints=[taint])])
    c.apply(daemonset())
    c.settle()
    assert placement(c) == {"a": 1}
    c.patch("Node", "a", {"spec": {"taints": [taint]}}, "")
    c.settle()
    assert placement(c) == {"a": 1}
    s = status(c)
    assert s["desiredNumberScheduled"] == 0
    assert s["numberMisscheduled"] == 1


def test_untolerated_no_execute_taint_removes_the_pod() -> None:
    c = Cluster(nodes=[node("a"), node("b")])
    c.apply(daemonset())
    c.settle()
    c.patch("Node", "b", {"spec": {"taints": [{"key": "evict", "effect": "NoExecute"}]}}, "")
    c.settle()
    assert placement(c) == {"a": 1}


def test_template_tolerations_let_pods_onto_tainted_nodes() -> None:
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    c = Cluster(nodes=[node("a", taints=[taint])])
    tolerations = [{"key": "dedicated", "operator": "Equal", "value": "db"}]
    c.apply(daemonset(pod_spec={"tolerations": tolerations}))
    c.settle()
    assert placement(c) == {"a": 1}


@pytest.mark.parametrize(
    "taint",
    [
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable",
    ],
)
def test_daemon_pods_run_despite_node_condition_taints(taint: str) -> None:
    c = Cluster(nodes=[node("a", taints=[{"key": taint, "effect": "NoSchedule"}])])
    c.apply(daemonset())
    c.settle()
    assert placement(c) == {"a": 1}


def test_network_unavailable_taint_admits_only_host_network_daemon_pods() -> None:
    taint = {"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}
    c = Cluster(nodes=[node("a", taints=[taint])])
    c.apply(daemonset("plain"))
    c.apply(daemonset("host", pod_spec={"hostNetwork": True}))
    c.settle()
    assert placement(c, "plain") == {}
    assert placement(c, "host") == {"a": 1}


def test_cordoned_nodes_keep_and_get_daemon_pods() -> None:
    c = Cluster(nodes=[node("a"), node("b", unschedulable=True)])
    c.apply(daemonset())
    c.patch("Node", "a", {"spec": {"unschedulable": True}}, "")
    c.settle()
    assert placement(c) == {"a": 1, "b": 1}
    assert all(p["status"]["phase"] == "Running" for p in pods(c))


# ---------------------------------------------------------------- nodes come and go


def test_an_added_node_gets_a_pod() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset())
    c.settle()
    c.create(node("late"))
    c.settle()
    assert placement(c) == {"node-0": 1, "node-1": 1, "late": 1}
    assert status(c)["numberAvailable"] == 3


def test_a_removed_nodes_pod_is_collected_after_the_pod_gc_quarantine() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset())
    c.settle()
    c.delete("Node", "node-1", "")
    assert status(c)["desiredNumberScheduled"] == 1
    c.advance(39)
    assert "node-1" in placement(c)
    c.advance(1)
    assert placement(c) == {"node-0": 1}
    assert status(c)["currentNumberScheduled"] == 1


def test_a_failed_nodes_pod_tolerates_the_unreachable_taint_and_stays() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset())
    c.settle()
    c.fail_node("node-1")
    c.advance(400)
    assert placement(c) == {"node-0": 1, "node-1": 1}
    s = status(c)
    assert s["desiredNumberScheduled"] == 1
    assert s["numberMisscheduled"] == 1


# ---------------------------------------------------------------- failed pods


def _fail(c: Cluster, name: str) -> None:
    pod = c.get("Pod", name)
    c.store.replace_status({**pod, "status": {**pod["status"], "phase": "Failed"}})
    c.reconcile()


def test_a_failed_daemon_pod_is_deleted_and_replaced() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    c.settle()
    (first,) = pods(c)
    _fail(c, first["metadata"]["name"])
    c.settle()
    (second,) = pods(c)
    assert second["metadata"]["name"] != first["metadata"]["name"]
    assert second["status"]["phase"] == "Running"


def test_a_succeeded_daemon_pod_is_deleted_and_replaced() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    c.settle()
    (first,) = pods(c)
    pod = c.get("Pod", first["metadata"]["name"])
    c.store.replace_status({**pod, "status": {**pod["status"], "phase": "Succeeded"}})
    c.settle()
    (second,) = pods(c)
    assert second["metadata"]["uid"] != first["metadata"]["uid"]


def test_failed_pods_on_a_node_are_replaced_with_a_doubling_back_off() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    _fail(c, pods(c)[0]["metadata"]["name"])  # first failure: deleted at once
    (second,) = pods(c)
    _fail(c, second["metadata"]["name"])  # within 1 s: held back
    assert [p["metadata"]["name"] for p in pods(c)] == [second["metadata"]["name"]]
    c.advance(1)
    (third,) = pods(c)
    assert third["metadata"]["name"] != second["metadata"]["name"]
    _fail(c, third["metadata"]["name"])  # the delay is now 2 s
    c.advance(1)
    assert [p["metadata"]["name"] for p in pods(c)] == [third["metadata"]["name"]]
    c.advance(1)
    assert [p["metadata"]["name"] for p in pods(c)] != [third["metadata"]["name"]]


# ---------------------------------------------------------------- ownership


def test_a_matching_orphan_pod_is_adopted_instead_of_doubled() -> None:
    # OnDelete: a rolling update would replace the adopted pod, which lacks
    # the revision hash.
    c = Cluster(nodes=2)
    c.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "stray", "labels": {"app": "agent"}},
            "spec": {"nodeName": "node-0", "containers": [{"name": "app", "image": "agent:1"}]},
        }
    )
    c.apply(daemonset(strategy={"type": "OnDelete"}))
    c.settle()
    assert placement(c) == {"node-0": 1, "node-1": 1}
    owner = c.get("Pod", "stray")["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "DaemonSet"


def test_a_pod_relabelled_out_of_the_selector_is_released_and_replaced() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    c.settle()
    (p,) = pods(c)
    c.patch("Pod", p["metadata"]["name"], {"metadata": {"labels": {"app": "debug"}}})
    c.settle()
    assert "ownerReferences" not in c.get("Pod", p["metadata"]["name"])["metadata"]
    assert placement(c) == {"node-0": 1}


def test_excess_pods_on_a_node_are_pruned_to_the_oldest() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    c.settle()
    (kept,) = pods(c)
    c.advance(5)
    c.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "extra", "labels": {"app": "agent"}},
            "spec": {"nodeName": "node-0", "containers": [{"name": "app", "image": "agent:1"}]},
        }
    )
    c.settle()
    assert [p["metadata"]["name"] for p in live(c)] == [kept["metadata"]["name"]]


def test_deleting_the_daemonset_removes_its_pods_and_history() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset())
    c.settle()
    c.delete("DaemonSet", "agent")
    c.settle()
    assert pods(c) == []
    assert c.list("ControllerRevision") == []


# ---------------------------------------------------------------- history


def test_history_is_recorded_in_a_controller_revision() -> None:
    c = Cluster(nodes=1)
    (ds,) = c.apply(daemonset())
    (h,) = c.list("ControllerRevision")
    ds = c.get("DaemonSet", "agent")
    hash_ = h["metadata"]["labels"]["controller-revision-hash"]
    assert h["metadata"]["name"] == f"agent-{hash_}"
    assert h["metadata"]["labels"] == {"app": "agent", "controller-revision-hash": hash_}
    assert h["metadata"]["annotations"] == ds["metadata"]["annotations"]
    assert h["metadata"]["ownerReferences"][0]["uid"] == ds["metadata"]["uid"]
    assert h["revision"] == 1
    assert h["data"] == {"spec": {"template": {**ds["spec"]["template"], "$patch": "replace"}}}


def test_template_generation_annotation_rises_only_with_template_changes() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    ds = c.get("DaemonSet", "agent")
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    c.patch("DaemonSet", "agent", {"spec": {"minReadySeconds": 5}})
    ds = c.get("DaemonSet", "agent")
    assert ds["metadata"]["generation"] == 2
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    set_image(c, "agent:2")
    ds = c.get("DaemonSet", "agent")
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"
    c.settle()
    assert {p["metadata"]["labels"]["pod-template-generation"] for p in pods(c)} == {"2"}


def test_a_template_change_adds_a_revision_and_a_rollback_reuses_the_old_one() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset())
    set_image(c, "agent:2")
    c.settle()
    revisions = {h["metadata"]["name"]: h["revision"] for h in c.list("ControllerRevision")}
    assert sorted(revisions.values()) == [1, 2]
    set_image(c, "agent:1")
    c.settle()
    after = {h["metadata"]["name"]: h["revision"] for h in c.list("ControllerRevision")}
    assert set(after) == set(revisions)
    first = next(n for n, r in revisions.items() if r == 1)
    assert after[first] == 3
    (p,) = pods(c)
    assert first.endswith(p["metadata"]["labels"]["controller-revision-hash"])


def test_old_revisions_beyond_the_history_limit_are_deleted() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset(revisionHistoryLimit=1))
    for i in range(2, 5):
        set_image(c, f"agent:{i}")
        c.settle()
    assert sorted(h["revision"] for h in c.list("ControllerRevision")) == [3, 4]


# ---------------------------------------------------------------- updates


def test_percentages_round_up_for_both_surge_and_unavailability() -> None:
    ds = daemonset(strategy=rolling("30%", 0))
    assert unavailable_count(ds, 5) == 2
    assert surge_count(daemonset(strategy=rolling(0, "30%")), 5) == 2
    assert surge_count(daemonset(strategy={"type": "OnDelete"}), 5) == 0


NODES4 = ["node-0", "node-1", "node-2", "node-3"]


def test_rolling_update_replaces_at_most_max_unavailable_pods_at_a_time() -> None:
    c = Cluster(nodes=4)
    c.apply(daemonset(strategy=rolling(2), annotations=SLOW_READY))
    c.settle()
    set_image(c, "agent:2")
    seen_unavailable = 0
    for _ in range(80):
        s = status(c)
        seen_unavailable = max(seen_unavailable, s.get("numberUnavailable", 0))
        if images(c) == dict.fromkeys(NODES4, "agent:2") and s.get("numberAvailable") == 4:
            break
        c.advance(1)
    assert images(c) == dict.fromkeys(NODES4, "agent:2")
    assert seen_unavailable == 2
    assert status(c)["updatedNumberScheduled"] == 4


def test_rolling_update_with_surge_starts_the_new_pod_before_removing_the_old() -> None:
    c = Cluster(nodes=3)
    c.apply(daemonset(strategy=rolling(0, 1), annotations=SLOW_READY))
    c.settle()
    set_image(c, "agent:2")
    most = 0
    for _ in range(80):
        ps = live(c)
        most = max(most, len(ps))
        s = status(c)
        # Surging never leaves a node without an available pod.
        assert s.get("numberAvailable", 0) == 3
        if {p["spec"]["containers"][0]["image"] for p in ps} == {"agent:2"} and len(ps) == 3:
            break
        c.advance(1)
    assert most == 4
    assert set(images(c).values()) == {"agent:2"}


def test_on_delete_updates_only_pods_that_are_deleted() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset(strategy={"type": "OnDelete"}))
    c.settle()
    set_image(c, "agent:2")
    c.settle()
    assert set(images(c).values()) == {"agent:1"}
    assert "updatedNumberScheduled" not in status(c)
    victim = next(p for p in pods(c) if p["spec"]["nodeName"] == "node-0")
    c.delete("Pod", victim["metadata"]["name"])
    c.settle()
    assert images(c) == {"node-0": "agent:2", "node-1": "agent:1"}
    assert status(c)["updatedNumberScheduled"] == 1


# ---------------------------------------------------------------- status


def test_status_omits_zero_counts_as_go_does() -> None:
    c = Cluster(nodes=2)
    c.apply(daemonset(annotations=SLOW_READY))
    assert status(c) == {
        "currentNumberScheduled": 2,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 2,
        "numberReady": 0,
        "observedGeneration": 1,
        "updatedNumberScheduled": 2,
        "numberUnavailable": 2,
    }
    c.settle()
    assert status(c) == {
        "currentNumberScheduled": 2,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 2,
        "numberReady": 2,
        "observedGeneration": 1,
        "updatedNumberScheduled": 2,
        "numberAvailable": 2,
    }


def test_pods_count_as_available_after_min_ready_seconds() -> None:
    c = Cluster(nodes=1)
    c.apply(daemonset(minReadySeconds=30))
    c.advance(1)
    s = status(c)
    assert s["numberReady"] == 1
    assert "numberAvailable" not in s
    c.advance(29)
    assert "numberAvailable" not in status(c)
    c.advance(1)
    assert status(c)["numberAvailable"] == 1
    assert "numberUnavailable" not in status(c)


def test_more_nodes_than_one_burst_all_get_pods() -> None:
    c = Cluster(nodes=260)
    c.apply(daemonset())
    assert len(live(c)) == 260
    assert status(c)["currentNumberScheduled"] == 260


# ---------------------------------------------------------------- convergence


class DaemonSetMachine(RuleBasedStateMachine):
    """Random node additions, removals, failures, label changes, taints,
    cordons and pod failures: after settling, every eligible node runs
    exactly one daemon pod and no ineligible node runs one, except nodes
    that went unreachable, which keep theirs."""

    def __init__(self) -> None:
        super().__init__()
        self.c = Cluster(nodes=[node(f"n{i}", {"role": "edge"}) for i in range(3)])
        self.c.apply(daemonset(pod_spec={"nodeSelector": {"role": "edge"}}))
        self.names = itertools.count(3)
        self.nodes = {f"n{i}" for i in range(3)}
        self.failed: set[str] = set()

    @rule(edge=st.booleans())
    def add_node(self, edge: bool) -> None:
        name = f"n{next(self.names)}"
        self.c.create(node(name, {"role": "edge"} if edge else {}))
        self.nodes.add(name)

    @precondition(lambda self: self.nodes)
    @rule(data=st.data())
    def remove_node(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.nodes)))
        self.c.delete("Node", name, "")
        self.nodes.discard(name)
        self.failed.discard(name)

    @precondition(lambda self: self.nodes - self.failed)
    @rule(data=st.data())
    def fail_node(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.nodes - self.failed)))
        self.c.fail_node(name)
        self.failed.add(name)

    @precondition(lambda self: self.nodes)
    @rule(data=st.data(), edge=st.booleans())
    def relabel(self, data: st.DataObject, edge: bool) -> None:
        name = data.draw(st.sampled_from(sorted(self.nodes)))
        self.c.patch("Node", name, {"metadata": {"labels": {"role": "edge" if edge else None}}}, "")

    @precondition(lambda self: self.nodes)
    @rule(data=st.data(), effect=st.sampled_from(["NoSchedule", "NoExecute", None]))
    def taint(self, data: st.DataObject, effect: str | None) -> None:
        name = data.draw(st.sampled_from(sorted(self.nodes)))
        current = self.c.get("Node", name, "")["spec"].get("taints", [])
        taints = [t for t in current if t["key"] != "test"]
        if effect is not None:
            taints.append({"key": "test", "effect": effect})
        self.c.patch("Node", name, {"spec": {"taints": taints}}, "", "merge")

    @precondition(lambda self: self.nodes)
    @rule(data=st.data(), cordon=st.booleans())
    def cordon(self, data: st.DataObject, cordon: bool) -> None:
        name = data.draw(st.sampled_from(sorted(self.nodes)))
        self.c.patch("Node", name, {"spec": {"unschedulable": cordon}}, "")

    @rule(data=st.data())
    def fail_pod(self, data: st.DataObject) -> None:
        running = [p for p in live(self.c) if p["status"].get("phase") == "Running"]
        if running:
            p = data.draw(st.sampled_from(running))
            _fail(self.c, p["metadata"]["name"])

    @invariant()
    def converges_to_one_pod_per_eligible_node(self) -> None:
        self.c.settle(timeout=3600)
        on = placement(self.c)
        for name in self.nodes:
            n = self.c.get("Node", name, "")
            labels = n["metadata"].get("labels", {})
            taints = {t.get("effect") for t in n["spec"].get("taints", []) if t["key"] == "test"}
            selected = labels.get("role") == "edge" and "NoExecute" not in taints
            unreachable = name in self.failed
            eligible = selected and "NoSchedule" not in taints and not unreachable
            if eligible:
                assert on.get(name) == 1, (name, on)
            elif not selected:
                assert name not in on, (name, on)
            else:
                assert on.get(name, 0) <= 1, (name, on)
        assert set(on) <= self.nodes
        s = status(self.c)
        eligible_count = sum(
            1
            for name in self.nodes
            if node_should_run_daemon_pod(
                self.c.get("Node", name, ""), self.c.get("DaemonSet", "agent")
            ).should_run
        )
        assert s["desiredNumberScheduled"] == eligible_count
        assert s["currentNumberScheduled"] == eligible_count


DaemonSetMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=10, deadline=None
)
test_daemonset_converges = DaemonSetMachine.TestCase
