"""The StatefulSet controller against kube-controller-manager's behaviour
(pkg/controller/statefulset, v1.33 default gates): ordered and parallel pod
management, stable pod identity, volume claims and their retention policy,
ControllerRevision history, rolling updates with a partition, OnDelete,
replacement of failed pods, start ordinals and status."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from podcore import Cluster
from podcore._core import Store
from podcore.controllers.base import timestamp
from podcore.controllers.statefulset import (
    StatefulSetController,
    go_json,
    hash_revision,
    parent_and_ordinal,
    revision_data,
)
from podcore.errors import NotFound

POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"
REVISION = "controller-revision-hash"


def statefulset(
    name: str = "web",
    replicas: int = 3,
    image: str = "nginx:1.27",
    annotations: dict[str, str] | None = None,
    claims: list[str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    template: dict[str, Any] = {
        "metadata": {"labels": {"app": name}},
        "spec": {"containers": [{"name": "app", "image": image}]},
    }
    if annotations:
        template["metadata"]["annotations"] = annotations
    out: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "serviceName": "nginx",
            "selector": {"matchLabels": {"app": name}},
            "template": template,
            **spec,
        },
    }
    if claims:
        out["spec"]["volumeClaimTemplates"] = [
            {
                "metadata": {"name": c, "labels": {"tier": "data"}},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
            for c in claims
        ]
    return out


def pods(c: Cluster, ns: str = "default") -> dict[str, dict[str, Any]]:
    return {p["metadata"]["name"]: p for p in c.list("Pod", ns)}


def live(c: Cluster) -> list[str]:
    """Pods not being deleted, by name."""
    return sorted(n for n, p in pods(c).items() if "deletionTimestamp" not in p["metadata"])


def is_ready(p: dict[str, Any]) -> bool:
    return p["status"].get("phase") == "Running" and any(
        x["type"] == "Ready" and x["status"] == "True" for x in p["status"].get("conditions", [])
    )


def revisions(c: Cluster) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in c.list("ControllerRevision")}


# ---------------------------------------------------------------- pure helpers


def test_pod_names_give_parent_and_ordinal_as_kubernetes_parses_them() -> None:
    assert parent_and_ordinal("web-0") == ("web", 0)
    assert parent_and_ordinal("my-db-12") == ("my-db", 12)
    assert parent_and_ordinal("web") == ("", -1)
    assert parent_and_ordinal("web-x") == ("", -1)
    assert parent_and_ordinal("web-99999999999") == ("web", -1)


def test_controller_revision_hash_matches_kubernetes_compatibility_fixture() -> None:
    # pkg/controller/statefulset/testdata/compatibility_revision_1.33.0.json:
    # this template's revision is named test-c77f6d978.
    template = {
        "metadata": {"annotations": {"test": "value"}, "labels": {"app": "foo"}},
        "spec": {
            "containers": [
                {
                    "image": "test",
                    "imagePullPolicy": "Always",
                    "name": "test",
                    "resources": {},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30,
        },
    }
    assert hash_revision(revision_data(template), 0) == "c77f6d978"
    assert hash_revision(revision_data(template), 1) != "c77f6d978"


def test_revision_data_is_encoded_as_go_encodes_maps() -> None:
    assert go_json({"b": 1, "a": "<&>"}) == b'{"a":"\\u003c\\u0026\\u003e","b":1}'


# ---------------------------------------------------------------- ordering


def test_ordered_ready_creates_ordinal_zero_first_and_the_next_only_when_ready() -> None:
    c = Cluster()
    c.apply(statefulset(annotations={"sim.podcore.dev/ready-seconds": "5"}))
    assert live(c) == ["web-0"]
    c.advance(5)  # web-0 starts at 1 s and is Ready 5 s later
    assert live(c) == ["web-0"]
    c.advance(1.5)
    assert live(c) == ["web-0", "web-1"]
    assert is_ready(pods(c)["web-0"]) and not is_ready(pods(c)["web-1"])
    c.settle()
    assert live(c) == ["web-0", "web-1", "web-2"]


def test_ordered_ready_waits_for_min_ready_seconds_before_the_next_ordinal() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2, minReadySeconds=10))
    c.advance(2)
    assert is_ready(pods(c)["web-0"])
    assert live(c) == ["web-0"]
    assert c.get("StatefulSet", "web")["status"]["availableReplicas"] == 0
    c.advance(10)
    assert live(c) == ["web-0", "web-1"]
    c.settle()
    assert c.get("StatefulSet", "web")["status"]["availableReplicas"] == 2


def test_parallel_creates_every_pod_without_waiting() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=4, podManagementPolicy="Parallel"))
    assert live(c) == ["web-0", "web-1", "web-2", "web-3"]


def test_ordered_ready_scales_down_in_reverse_order_one_at_a_time() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=4))
    c.settle()
    seen: list[str] = []
    stream = c.watch("Pod", resource_version=c.store.resource_version)
    c.patch("StatefulSet", "web", {"spec": {"replicas": 1}})
    terminating = [n for n, p in pods(c).items() if "deletionTimestamp" in p["metadata"]]
    assert terminating == ["web-3"]
    c.settle()
    for ev in stream:
        if ev["type"] == "DELETED":
            seen.append(ev["object"]["metadata"]["name"])
    assert seen == ["web-3", "web-2", "web-1"]
    assert live(c) == ["web-0"]


def test_parallel_scales_down_all_at_once() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=4, podManagementPolicy="Parallel"))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"replicas": 1}})
    terminating = sorted(n for n, p in pods(c).items() if "deletionTimestamp" in p["metadata"])
    assert terminating == ["web-1", "web-2", "web-3"]


def test_ordered_ready_halts_scaling_while_a_pod_is_unhealthy() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2))
    c.settle()
    node = pods(c)["web-0"]["spec"]["nodeName"]
    c.fail_node(node)
    c.advance(60)  # the node goes unknown after 50 s; its pods lose readiness
    assert not is_ready(pods(c)["web-0"])
    c.patch("StatefulSet", "web", {"spec": {"replicas": 3}})
    c.advance(30)
    assert "web-2" not in pods(c)
    c.patch("StatefulSet", "web", {"spec": {"replicas": 1}})
    c.advance(30)
    # Scale-down waits too: web-1 is healthy but web-0 is not.
    assert "deletionTimestamp" not in pods(c)["web-1"]["metadata"]


# ---------------------------------------------------------------- identity


def test_pods_get_stable_network_identity_and_identity_labels() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2))
    c.settle()
    for ordinal in range(2):
        p = pods(c)[f"web-{ordinal}"]
        assert p["spec"]["hostname"] == f"web-{ordinal}"
        assert p["spec"]["subdomain"] == "nginx"
        labels = p["metadata"]["labels"]
        assert labels[POD_NAME] == f"web-{ordinal}"
        assert labels[POD_INDEX] == str(ordinal)
        assert labels["app"] == "web"
        owner = p["metadata"]["ownerReferences"][0]
        assert owner["kind"] == "StatefulSet" and owner["controller"] is True
        assert c.hostname(f"web-{ordinal}") == f"web-{ordinal}"


def test_start_ordinal_numbers_pods_from_ordinals_start() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2, ordinals={"start": 5}))
    c.settle()
    assert live(c) == ["web-5", "web-6"]
    assert pods(c)["web-5"]["metadata"]["labels"][POD_INDEX] == "5"
    c.patch("StatefulSet", "web", {"spec": {"ordinals": {"start": 6}}})
    c.settle()
    assert live(c) == ["web-6", "web-7"]


def test_deleted_pod_is_recreated_with_the_same_name_and_identity() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2, claims=["data"]))
    c.settle()
    old = pods(c)["web-1"]
    claim_uid = c.get("PersistentVolumeClaim", "data-web-1")["metadata"]["uid"]
    c.delete("Pod", "web-1")
    c.settle()
    new = pods(c)["web-1"]
    assert new["metadata"]["uid"] != old["metadata"]["uid"]
    assert new["spec"]["hostname"] == "web-1"
    assert new["metadata"]["labels"][POD_NAME] == "web-1"
    assert new["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "data-web-1"
    assert c.get("PersistentVolumeClaim", "data-web-1")["metadata"]["uid"] == claim_uid


def test_failed_pod_is_deleted_and_recreated_from_the_template() -> None:
    # A StatefulSet template must restart Always; a pod that can fail is an
    # orphan the set adopts because its name and labels are the set's.
    c = Cluster()
    c.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web-1",
                "labels": {"app": "web"},
                "annotations": {"sim.podcore.dev/exit-after-seconds": "100000"},
            },
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "app", "image": "busybox"}],
            },
        }
    )
    c.advance(2)
    # OnDelete: a rolling update would replace the adopted pod at once, as
    # it carries no revision of the set.
    c.apply(statefulset(replicas=2, updateStrategy={"type": "OnDelete"}))
    c.advance(2)
    adopted = pods(c)["web-1"]
    assert adopted["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
    # The adopted pod gets its identity labels back.
    assert adopted["metadata"]["labels"][POD_NAME] == "web-1"
    c.fail_pod("web-1")
    c.advance(5)
    again = pods(c)["web-1"]
    assert again["metadata"]["uid"] != adopted["metadata"]["uid"]
    assert again["spec"]["restartPolicy"] == "Always"
    assert is_ready(again)


def test_pod_that_stops_matching_the_selector_is_released_and_replaced() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2))
    c.settle()
    c.patch("Pod", "web-1", {"metadata": {"labels": {"app": "other"}}})
    released = c.get("Pod", "web-1")
    assert not released["metadata"].get("ownerReferences")
    # The name is taken, so the set cannot make its web-1 (AlreadyExists).
    assert c.get("StatefulSet", "web")["status"]["replicas"] == 1
    c.delete("Pod", "web-1")
    c.settle()
    assert c.get("Pod", "web-1")["metadata"]["labels"]["app"] == "web"


# ---------------------------------------------------------------- claims


def test_volume_claim_templates_make_one_claim_per_pod() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2, claims=["data", "logs"]))
    c.settle()
    names = sorted(p["metadata"]["name"] for p in c.list("PersistentVolumeClaim"))
    assert names == ["data-web-0", "data-web-1", "logs-web-0", "logs-web-1"]
    claim = c.get("PersistentVolumeClaim", "data-web-0")
    assert claim["metadata"]["labels"] == {"tier": "data", "app": "web"}
    assert not claim["metadata"].get("ownerReferences")  # Retain/Retain
    volumes = pods(c)["web-0"]["spec"]["volumes"]
    assert volumes == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}},
        {"name": "logs", "persistentVolumeClaim": {"claimName": "logs-web-0"}},
    ]


def test_claims_are_retained_by_default_on_scale_down_and_set_deletion() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2, claims=["data"]))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"replicas": 1}})
    c.settle()
    c.delete("StatefulSet", "web")
    c.settle()
    assert sorted(p["metadata"]["name"] for p in c.list("PersistentVolumeClaim")) == [
        "data-web-0",
        "data-web-1",
    ]


def test_when_scaled_delete_removes_claims_of_scaled_down_pods() -> None:
    c = Cluster()
    policy = {"whenDeleted": "Retain", "whenScaled": "Delete"}
    c.apply(statefulset(replicas=3, claims=["data"], persistentVolumeClaimRetentionPolicy=policy))
    c.settle()
    assert not c.get("PersistentVolumeClaim", "data-web-2")["metadata"].get("ownerReferences")
    c.patch("StatefulSet", "web", {"spec": {"replicas": 1}})
    c.settle()
    assert [p["metadata"]["name"] for p in c.list("PersistentVolumeClaim")] == ["data-web-0"]
    # Scaling up again makes fresh claims.
    c.patch("StatefulSet", "web", {"spec": {"replicas": 2}})
    c.settle()
    assert live(c) == ["web-0", "web-1"]
    assert c.get("PersistentVolumeClaim", "data-web-1")


def test_when_deleted_delete_makes_the_set_own_its_claims() -> None:
    c = Cluster()
    policy = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    c.apply(statefulset(replicas=2, claims=["data"], persistentVolumeClaimRetentionPolicy=policy))
    c.settle()
    sts = c.get("StatefulSet", "web")
    refs = c.get("PersistentVolumeClaim", "data-web-0")["metadata"]["ownerReferences"]
    assert refs == [
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "name": "web",
            "uid": sts["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    c.patch("StatefulSet", "web", {"spec": {"replicas": 1}})
    c.settle()
    assert len(c.list("PersistentVolumeClaim")) == 2  # scale-down retains
    c.delete("StatefulSet", "web")
    c.settle()
    # data-web-1 belonged to a pod scaled away while the set owned it.
    assert c.list("PersistentVolumeClaim") == []


def test_retention_policy_change_updates_claim_owners() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=1, claims=["data"]))
    c.settle()
    policy = {"whenDeleted": "Delete", "whenScaled": "Delete"}
    c.patch("StatefulSet", "web", {"spec": {"persistentVolumeClaimRetentionPolicy": policy}})
    c.settle()
    refs = c.get("PersistentVolumeClaim", "data-web-0")["metadata"]["ownerReferences"]
    assert [r["kind"] for r in refs] == ["StatefulSet"]
    retain = {"whenDeleted": "Retain", "whenScaled": "Retain"}
    c.patch("StatefulSet", "web", {"spec": {"persistentVolumeClaimRetentionPolicy": retain}})
    c.settle()
    assert not c.get("PersistentVolumeClaim", "data-web-0")["metadata"].get("ownerReferences")


# ---------------------------------------------------------------- revisions and updates


def test_controller_revision_records_the_template() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=1))
    c.settle()
    ((name, cr),) = revisions(c).items()
    sts = c.get("StatefulSet", "web")
    assert name == f"web-{cr['metadata']['labels']['controller.kubernetes.io/hash']}"
    assert cr["revision"] == 1
    assert cr["metadata"]["labels"]["app"] == "web"
    assert cr["metadata"]["ownerReferences"][0]["uid"] == sts["metadata"]["uid"]
    assert cr["data"]["spec"]["template"]["$patch"] == "replace"
    status = sts["status"]
    assert status["currentRevision"] == status["updateRevision"] == name
    assert pods(c)["web-0"]["metadata"]["labels"][REVISION] == name


def test_rolling_update_replaces_pods_from_the_highest_ordinal_down() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=3))
    c.settle()
    before = c.get("StatefulSet", "web")["status"]["currentRevision"]
    stream = c.watch("Pod", resource_version=c.store.resource_version)
    c.patch(
        "StatefulSet",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}},
    )
    mid = c.get("StatefulSet", "web")["status"]
    assert mid["currentRevision"] == before and mid["updateRevision"] != before
    c.settle()
    deleted = [e["object"]["metadata"]["name"] for e in stream if e["type"] == "DELETED"]
    assert deleted == ["web-2", "web-1", "web-0"]
    status = c.get("StatefulSet", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"] != before
    assert status["currentReplicas"] == status["updatedReplicas"] == 3
    for p in pods(c).values():
        assert p["spec"]["containers"][0]["image"] == "nginx:1.28"
        assert p["metadata"]["labels"][REVISION] == status["updateRevision"]
    assert sorted(r["revision"] for r in revisions(c).values()) == [1, 2]


def test_rolling_update_ignores_max_unavailable_while_its_gate_is_off() -> None:
    c = Cluster()
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 3}}
    c.apply(statefulset(replicas=3, updateStrategy=strategy))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"template": {"metadata": {"labels": {"v": "2"}}}}})
    terminating = [n for n, p in pods(c).items() if "deletionTimestamp" in p["metadata"]]
    assert terminating == ["web-2"]


def test_partition_keeps_lower_ordinals_on_the_current_revision() -> None:
    c = Cluster()
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}
    c.apply(statefulset(replicas=3, updateStrategy=strategy))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"template": {"metadata": {"labels": {"v": "2"}}}}})
    c.settle()
    status = c.get("StatefulSet", "web")["status"]
    assert status["currentRevision"] != status["updateRevision"]
    assert status["currentReplicas"] == 2 and status["updatedReplicas"] == 1
    p = pods(c)
    assert p["web-2"]["metadata"]["labels"][REVISION] == status["updateRevision"]
    assert p["web-0"]["metadata"]["labels"][REVISION] == status["currentRevision"]
    # A deleted pod below the partition comes back at the current revision.
    c.delete("Pod", "web-0")
    c.settle()
    assert pods(c)["web-0"]["metadata"]["labels"][REVISION] == status["currentRevision"]
    c.patch("StatefulSet", "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}})
    c.settle()
    status = c.get("StatefulSet", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"]
    assert status["updatedReplicas"] == 3


def test_on_delete_updates_a_pod_only_when_it_is_deleted() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2, updateStrategy={"type": "OnDelete"}))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"template": {"metadata": {"labels": {"v": "2"}}}}})
    c.settle()
    status = c.get("StatefulSet", "web")["status"]
    assert "updatedReplicas" not in status and status["currentReplicas"] == 2
    assert all("v" not in p["metadata"]["labels"] for p in pods(c).values())
    c.delete("Pod", "web-1")
    c.settle()
    p = pods(c)
    assert p["web-1"]["metadata"]["labels"]["v"] == "2"
    assert "v" not in p["web-0"]["metadata"]["labels"]
    status = c.get("StatefulSet", "web")["status"]
    assert status["updatedReplicas"] == 1 and status["currentReplicas"] == 1
    assert status["currentRevision"] != status["updateRevision"]


def test_rollback_renumbers_the_equal_revision_instead_of_making_one() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=1))
    c.settle()
    first = c.get("StatefulSet", "web")["status"]["currentRevision"]
    c.patch("StatefulSet", "web", {"spec": {"template": {"metadata": {"labels": {"v": "2"}}}}})
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"template": {"metadata": {"labels": {"v": None}}}}})
    c.settle()
    revs = revisions(c)
    assert len(revs) == 2
    assert revs[first]["revision"] == 3
    assert c.get("StatefulSet", "web")["status"]["currentRevision"] == first


def test_revision_history_limit_deletes_the_oldest_unused_revisions() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=1, revisionHistoryLimit=1))
    c.settle()
    for v in range(2, 6):
        c.patch(
            "StatefulSet", "web", {"spec": {"template": {"metadata": {"labels": {"v": str(v)}}}}}
        )
        c.settle()
    numbers = sorted(r["revision"] for r in revisions(c).values())
    assert numbers == [4, 5]


# ---------------------------------------------------------------- status and errors


def test_status_omits_zero_fields_as_go_does() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=0))
    c.settle()
    status = c.get("StatefulSet", "web")["status"]
    rev = status["currentRevision"]
    assert status == {
        "observedGeneration": 1,
        "replicas": 0,
        "currentRevision": rev,
        "updateRevision": rev,
        "collisionCount": 0,
        "availableReplicas": 0,
    }


def test_status_counts_ready_current_updated_and_available_replicas() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=3))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"replicas": 4}})
    status = c.get("StatefulSet", "web")["status"]
    assert status["observedGeneration"] == 2
    assert status["replicas"] == 4 and status["readyReplicas"] == 3
    c.settle()
    status = c.get("StatefulSet", "web")["status"]
    assert status["readyReplicas"] == status["availableReplicas"] == 4
    assert status["currentReplicas"] == status["updatedReplicas"] == 4


def test_invalid_pod_template_is_accepted_but_pod_creation_fails() -> None:
    c = Cluster()
    bad = statefulset(replicas=2)
    bad["spec"]["template"]["spec"]["containers"][0]["name"] = "Not_A_DNS_Label"
    c.apply(bad)
    c.settle()
    assert c.list("Pod") == []
    status = c.get("StatefulSet", "web")["status"]
    assert status["replicas"] == 0
    containers = [{"name": "app", "image": "nginx:1.27"}]
    c.patch(
        "StatefulSet",
        "web",
        {"spec": {"template": {"spec": {"containers": containers}}}},
        type="merge",
    )
    c.settle()
    assert live(c) == ["web-0", "web-1"]


def test_deleting_the_set_deletes_its_pods_and_revisions() -> None:
    c = Cluster()
    c.apply(statefulset(replicas=2))
    c.settle()
    c.delete("StatefulSet", "web")
    c.settle()
    assert c.list("Pod") == [] and c.list("ControllerRevision") == []


# ---------------------------------------------------------------- properties


class StatefulSetMachine(RuleBasedStateMachine):
    """Random scaling, pod deletions and failures and node failures: a set
    never has two pods with one ordinal, and under OrderedReady it never
    creates ordinal k while a lower ordinal is missing or not Ready."""

    def __init__(self) -> None:
        super().__init__()
        self.c = Cluster(nodes=3)
        self.seen = self.c.store.resource_version
        self.failed_nodes: set[str] = set()
        self.state: dict[str, dict[str, Any]] = {}
        self.c.apply(statefulset(replicas=2))
        self.check_creations()

    def check_creations(self) -> None:
        """Replays the pod changes since the last look: under OrderedReady
        every lower ordinal existed, Running and Ready, when a pod was made."""
        state = dict(self.state)
        for ev in self.c.watch("Pod", resource_version=self.seen):
            obj = ev["object"]
            name = obj["metadata"]["name"]
            if ev["type"] == "ADDED":
                _, k = parent_and_ordinal(name)
                for lower in range(k):
                    prior = state.get(f"web-{lower}")
                    assert prior is not None, f"web-{k} created while web-{lower} is missing"
                    assert is_ready(prior), f"web-{k} created while web-{lower} is not Ready"
            if ev["type"] == "DELETED":
                state.pop(name, None)
            else:
                state[name] = obj
        self.seen = self.c.store.resource_version
        self.state = state

    @rule(replicas=st.integers(0, 5))
    def scale(self, replicas: int) -> None:
        self.c.patch("StatefulSet", "web", {"spec": {"replicas": replicas}})
        self.check_creations()

    @rule(ordinal=st.integers(0, 4))
    def delete_pod(self, ordinal: int) -> None:
        if f"web-{ordinal}" in pods(self.c):
            self.c.delete("Pod", f"web-{ordinal}")
        self.check_creations()

    @rule(ordinal=st.integers(0, 4))
    def fail_pod(self, ordinal: int) -> None:
        p = pods(self.c).get(f"web-{ordinal}")
        if p is not None and p["status"].get("phase") == "Running":
            # Containers waiting to restart have nothing to fail.
            with contextlib.suppress(ValueError):
                self.c.fail_pod(f"web-{ordinal}")
        self.check_creations()

    @precondition(lambda self: len(self.failed_nodes) < 2)
    @rule(node=st.sampled_from(["node-0", "node-1", "node-2"]))
    def fail_node(self, node: str) -> None:
        self.failed_nodes.add(node)
        self.c.fail_node(node)
        self.check_creations()

    @rule(seconds=st.sampled_from([0.5, 1.0, 3.0, 60.0, 400.0]))
    def advance(self, seconds: float) -> None:
        self.c.advance(seconds)
        self.check_creations()

    @invariant()
    def one_pod_per_ordinal(self) -> None:
        ordinals = [parent_and_ordinal(n)[1] for n in pods(self.c)]
        assert len(ordinals) == len(set(ordinals))
        for p in pods(self.c).values():
            labels = p["metadata"]["labels"]
            assert labels[POD_NAME] == p["metadata"]["name"] == p["spec"]["hostname"]


TestStatefulSetMachine = StatefulSetMachine.TestCase
TestStatefulSetMachine.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)


@pytest.mark.parametrize("policy", ["OrderedReady", "Parallel"])
def test_settles_to_the_desired_replicas_after_scaling(policy: str) -> None:
    c = Cluster()
    c.apply(statefulset(replicas=5, podManagementPolicy=policy))
    c.settle()
    c.patch("StatefulSet", "web", {"spec": {"replicas": 2}})
    c.settle()
    assert live(c) == ["web-0", "web-1"]


# ---------------------------------------------------------------- the pod view


_OWNER = {"apiVersion": "v1", "kind": "Node", "name": "owner", "controller": True}
_NAMES = ["web-0", "web-1", "web-01", "web-2", "web-3", "web-007", "web-4", "web-9"]
_NAMES += ["web-99999999999", "web-x", "db-1", "web-5", "web-6"]

_pod_specs = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(_NAMES),
            "owner": st.sampled_from([*["set"] * 6, "other", None]),
            "app": st.sampled_from([*["web"] * 6, "other"]),
            "revision": st.sampled_from([None, "r1", "r2", "r2"]),
            "name_label": st.sampled_from([True, True, True, True, False]),
            "state": st.sampled_from(["Pending", "Running", "Failed", "Succeeded", *["Ready"] * 6]),
            "ready_for": st.sampled_from([0, 3, 20, 20]),
            "deleting": st.sampled_from([False, False, False, True]),
            "claim": st.booleans(),
        }
    ),
    min_size=1,
    max_size=10,
    unique_by=lambda p: p["name"],
)


def _reference_view(
    store: Any, uid: str, start: int, replicas: int, min_ready: int, vols: list[str], ordered: bool
) -> dict[str, Any]:
    """The view computed pod by pod from the per-pod rows (``stateful_pods``)
    and ``controller_pods``, as the controller read them before."""
    sel = {"matchLabels": {"app": "web"}}
    owned = store.controller_pods("default", sel, uid)
    adopt = sorted(n for n in owned["orphans"] if parent_and_ordinal(n)[0] == "web")
    release = list(owned["strays"])
    members = []
    rows = store.stateful_pods(
        "default",
        sel,
        min_ready_seconds=min_ready,
        label_keys=[REVISION, POD_NAME],
        volume_names=vols,
    )
    for name, puid, owner, phase, ready, avail, deleting, labels, claims in rows:
        if owner != uid:
            continue
        parent, ordinal = parent_and_ordinal(name)
        if parent != "web":
            release.append(name)
            continue
        members.append(
            (name, ordinal, puid, phase, ready, avail, deleting, labels[0] or "", labels[1], claims)
        )

    def counts(group: list[Any]) -> tuple[int, int, int, dict[str, int]]:
        by_rev: dict[str, int] = {}
        for m in group:
            if m[3] and not m[6]:
                by_rev[m[7]] = by_rev.get(m[7], 0) + 1
        created = sum(1 for m in group if m[3])
        ready = sum(1 for m in group if m[4])
        available = sum(1 for m in group if m[4] and m[5] == 0)
        return created, ready, available, by_rev

    slots: list[Any] = [None] * replicas
    condemned = []
    for m in members:
        if start <= m[1] < start + replicas:
            slots[m[1] - start] = m
        elif m[1] >= 0:
            condemned.append(m)
    condemned.sort(key=lambda m: m[1], reverse=True)
    walk: list[tuple[int, int, str | None, Any]] = []
    for i, m in enumerate(slots):
        if m is None:
            if walk and walk[-1][2] is None and walk[-1][3] is None and walk[-1][1] == i - 1:
                walk[-1] = (walk[-1][0], i, None, None)
            else:
                walk.append((i, i, None, None))
            continue
        if ordered and walk and walk[-1][3] is None and walk[-1][2] is None:
            break
        healthy = m[4] and m[5] == 0 and not m[6]
        identity = m[0] == f"web-{m[1]}" and m[8] == m[0]
        if healthy and identity and not vols:
            if walk and walk[-1][2] == m[7] and walk[-1][3] is None and walk[-1][1] == i - 1:
                walk[-1] = (walk[-1][0], i, m[7], None)
            else:
                walk.append((i, i, m[7], None))
            continue
        walk.append((i, i, None, m))
        if ordered and not healthy:
            break
    if ordered:
        # Nothing after the first missing pod.
        for k, seg in enumerate(walk):
            if seg[2] is None and seg[3] is None:
                walk = walk[: k + 1]
                break
    waits = [m[5] for m in members if m[5] and not m[6]]
    return {
        "adopt": adopt,
        "release": sorted(release),
        "members": counts(members),
        "slotted": counts([m for m in slots if m is not None] + condemned),
        "revisions": sorted({m[7] for m in members}),
        "next_available": min(waits) if waits else None,
        "slots": walk,
        "condemned": condemned,
    }


@settings(max_examples=150, deadline=None)
@given(
    specs=_pod_specs,
    start=st.integers(0, 2),
    replicas=st.integers(0, 6),
    min_ready=st.sampled_from([0, 10]),
    claims=st.sampled_from([False, False, True]),
    ordered=st.booleans(),
)
def test_pod_view_agrees_with_the_pods_read_one_by_one(
    specs: list[dict[str, Any]],
    start: int,
    replicas: int,
    min_ready: int,
    claims: bool,
    ordered: bool,
) -> None:
    store = Store(seed=1)
    store.now = 1_735_689_600 + 100
    owners = {
        k: store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": k}})
        for k in ("set", "other")
    }
    uid = owners["set"]["metadata"]["uid"]
    vols = ["data"] if claims else []

    def view() -> dict[str, Any]:
        return store.stateful_view(
            "default",
            {"matchLabels": {"app": "web"}},
            uid,
            "web",
            start=start,
            replicas=replicas,
            min_ready_seconds=min_ready,
            volume_names=vols,
            ordered=ordered,
        )

    for spec in specs:
        # The store keeps what it read of unchanged pods from call to call.
        view()
        name = spec["name"]
        labels = {"app": spec["app"]}
        if spec["revision"]:
            labels[REVISION] = spec["revision"]
        if spec["name_label"]:
            labels[POD_NAME] = name
        meta: dict[str, Any] = {"name": name, "labels": labels, "finalizers": ["test/keep"]}
        if spec["owner"]:
            owner = owners[spec["owner"]]["metadata"]
            meta["ownerReferences"] = [{**_OWNER, "name": owner["name"], "uid": owner["uid"]}]
        pod_spec: dict[str, Any] = {"containers": [{"name": "c", "image": "x"}]}
        if spec["claim"]:
            pod_spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "d"}}]
        pod = store.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec})
        state = spec["state"]
        if state != "Pending":
            phase = "Running" if state == "Ready" else state
            status: dict[str, Any] = {"phase": phase}
            if state == "Ready":
                since = timestamp(store.now - spec["ready_for"])
                status["conditions"] = [
                    {"type": "Ready", "status": "True", "lastTransitionTime": since}
                ]
            store.replace_status({**pod, "status": status})
        if spec["deleting"]:
            store.delete("Pod", name, "default")
    assert view() == _reference_view(store, uid, start, replicas, min_ready, vols, ordered)
    # A pod changes, another goes: the view follows.
    if specs:
        first = specs[0]["name"]
        pod = store.get("Pod", first, "default")
        labels = {**pod["metadata"]["labels"], POD_NAME: "other"}
        store.patch("Pod", first, {"metadata": {"labels": labels}}, "default", "merge")
        store.patch(
            "Pod", specs[-1]["name"], {"metadata": {"finalizers": None}}, "default", "merge"
        )
        with contextlib.suppress(NotFound):  # gone already if it was being deleted
            store.delete("Pod", specs[-1]["name"], "default")
    assert view() == _reference_view(store, uid, start, replicas, min_ready, vols, ordered)


def test_the_set_kept_between_syncs_is_the_one_the_store_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = []
    plain_sync = StatefulSetController.sync

    def sync(self: StatefulSetController, key: tuple[str, str]) -> None:
        plain_sync(self, key)
        for (ns, name), (version, kept) in self._sets._objects.items():
            stored = self.store.version_of("StatefulSet", name, ns)
            if stored is not None and stored[0] == version:
                assert kept == self.store.get("StatefulSet", name, ns)
                checked.append(name)

    monkeypatch.setattr(StatefulSetController, "sync", sync)
    c = Cluster()
    c.apply(statefulset("web", replicas=3, claims=["data"]))
    c.apply(statefulset("par", replicas=3, podManagementPolicy="Parallel"))
    c.settle()
    c.patch(
        "StatefulSet",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}},
    )
    c.patch("StatefulSet", "par", {"spec": {"replicas": 1}})
    c.settle()
    c.delete("Pod", "web-0")
    c.settle()
    assert {"web", "par"} <= set(checked)
    assert c.get("StatefulSet", "web")["status"]["updatedReplicas"] == 3
