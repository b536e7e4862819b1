"""The store queries controllers keep caches with: ``Store.version_of`` (the
job controllers tell whether a Job they converted is current),
``Store.node_placements`` (the DaemonSet controller's view of the nodes) and
``Store.changed_since`` (the StatefulSet controller's ControllerRevisions)."""

from __future__ import annotations

import pytest

import podcore
from podcore._core import Store
from podcore.errors import BadRequest


def _job() -> dict[str, object]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {
            "suspend": True,
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}
            },
        },
    }


def test_version_of_follows_every_write_and_is_none_once_the_object_is_gone() -> None:
    store = Store()
    assert store.version_of("Job", "j") is None
    made = store.create(_job())
    assert store.version_of("Job", "j") == (
        made["metadata"]["resourceVersion"],
        made["metadata"]["uid"],
    )
    changed = store.patch("Job", "j", {"metadata": {"labels": {"a": "b"}}}, type="merge")
    assert store.version_of("jobs", "j", "default") == (
        changed["metadata"]["resourceVersion"],
        made["metadata"]["uid"],
    )
    assert store.version_of("Job", "j", "other") is None
    store.delete("Job", "j")
    assert store.version_of("Job", "j") is None


def test_version_of_reads_cluster_scoped_objects_whatever_the_namespace() -> None:
    c = podcore.Cluster(nodes=1)
    node = c.get("Node", "node-0", "")
    assert c.store.version_of("Node", "node-0") == (
        node["metadata"]["resourceVersion"],
        node["metadata"]["uid"],
    )


def test_node_placements_give_each_nodes_labels_and_taints_in_name_order() -> None:
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    c = podcore.Cluster(
        nodes=[
            {"metadata": {"name": "b", "labels": {"zone": "z1"}}, "spec": {"taints": [taint]}},
            {"metadata": {"name": "a"}},
        ]
    )
    rows = c.store.node_placements()
    assert [r[0] for r in rows] == ["a", "b"]
    for name, version, labels, taints in rows:
        node = c.get("Node", name, "")
        assert version == node["metadata"]["resourceVersion"]
        assert labels == node["metadata"].get("labels", {})
        assert taints == node.get("spec", {}).get("taints", [])
    assert rows[1][3] == [taint]
    assert c.store.node_placements(["b", "gone"]) == [rows[1]]
    assert c.store.node_placements([]) == []


def _revision(name: str, namespace: str = "default") -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": namespace},
        "data": {"spec": {}},
        "revision": 1,
    }


def test_changed_since_sees_writes_and_deletions_of_the_kind_in_the_namespace_only() -> None:
    store = Store()
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    store.create(_revision("r"))
    version = store.resource_version
    assert not store.changed_since("ControllerRevision", "default", version)
    store.create(_job())
    store.create(_revision("r", "other"))
    assert not store.changed_since("ControllerRevision", "default", version)
    assert store.changed_since("ControllerRevision", "other", version)
    store.patch("ControllerRevision", "r", {"metadata": {"labels": {"a": "b"}}}, type="merge")
    assert store.changed_since("controllerrevisions", "default", version)
    version = store.resource_version
    store.delete("ControllerRevision", "r")
    assert store.changed_since("ControllerRevision", "default", version)
    assert not store.changed_since("ControllerRevision", "default", store.resource_version)


def test_changed_since_says_changed_when_the_log_no_longer_reaches_back() -> None:
    store = Store(window=4)
    store.create(_revision("r"))
    version = store.resource_version
    for i in range(8):
        store.create({**_job(), "metadata": {"name": f"j{i}"}})
    assert store.changed_since("ControllerRevision", "default", version)
    assert store.changed_since("ControllerRevision", "default", "99999999")
    with pytest.raises(BadRequest):
        store.changed_since("ControllerRevision", "default", "soon")
