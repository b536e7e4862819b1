"""The Cluster's CRUD face: what kube-apiserver does on create, get, list,
replace, patch, delete and watch, as a Kubernetes user sees it."""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import podcore
from podcore import AlreadyExists, BadRequest, Cluster, Conflict, Forbidden, Gone, Invalid, NotFound


def pod(name: str = "web", **labels: str) -> dict[str, Any]:
    # A scheduler nobody runs: the pods stay as the apiserver left them, so
    # only the apiserver's behaviour shows.
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": "web"}},
        "spec": {
            "schedulerName": "manual",
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    }


def deployment(name: str = "web", replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
        },
    }


@pytest.fixture
def c() -> Cluster:
    return Cluster(nodes=0)


# ------------------------------------------------------------------ create


def test_create_fills_in_identity_defaults_and_status(c: Cluster) -> None:
    p = c.create(pod())
    m = p["metadata"]
    assert m["namespace"] == "default"
    assert m["generation"] == 1
    assert m["creationTimestamp"] == "2025-01-01T00:00:00Z"
    assert len(m["uid"]) == 36 and m["uid"][14] == "4"
    assert int(m["resourceVersion"]) > 0
    assert p["spec"]["restartPolicy"] == "Always"
    assert p["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert p["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_create_takes_yaml_and_json_text(c: Cluster) -> None:
    c.create(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: i}]\n"
    )
    c.create(
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"},'
        ' "spec": {"containers": [{"name": "c", "image": "i"}]}}'
    )
    assert [p["metadata"]["name"] for p in c.list("pods")] == ["a", "b"]


def test_invalid_pod_is_rejected_with_every_error_and_not_stored(c: Cluster) -> None:
    bad = pod()
    bad["spec"]["containers"][0]["image"] = ""
    bad["spec"]["restartPolicy"] = "Sometimes"
    rv = c.store.resource_version
    with pytest.raises(Invalid) as e:
        c.create(bad)
    assert e.value.code == 422
    assert {(f.field, f.type) for f in e.value.errors} == {
        ("spec.containers[0].image", "FieldValueRequired"),
        ("spec.restartPolicy", "FieldValueNotSupported"),
    }
    assert str(e.value).startswith('Pod "web" is invalid: [')
    assert c.store.resource_version == rv
    with pytest.raises(NotFound):
        c.get("Pod", "web")


def test_taken_name_is_already_exists(c: Cluster) -> None:
    c.create(pod())
    with pytest.raises(AlreadyExists, match='pods "web" already exists'):
        c.create(pod())


def test_missing_namespace_is_not_found(c: Cluster) -> None:
    p = pod()
    p["metadata"]["namespace"] = "team-a"
    with pytest.raises(NotFound, match='namespaces "team-a" not found'):
        c.create(p)


def test_system_namespaces_exist(c: Cluster) -> None:
    names = [n["metadata"]["name"] for n in c.list("namespaces")]
    assert {"default", "kube-system"} <= set(names)
    assert c.get("ns", "default", namespace="")["status"]["phase"] == "Active"


def test_generate_name_gives_kubernetes_suffixes_fixed_by_the_seed() -> None:
    def names(seed: int) -> list[str]:
        c = Cluster(nodes=0, seed=seed)
        p = pod()
        del p["metadata"]["name"]
        p["metadata"]["generateName"] = "web-"
        return [c.create(p)["metadata"]["name"] for _ in range(5)]

    a = names(1)
    assert a == names(1)
    assert a != names(2)
    for n in a:
        assert n.startswith("web-") and len(n) == 9
        assert set(n[4:]) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_unknown_kind_and_version_are_bad_requests(c: Cluster) -> None:
    with pytest.raises(
        BadRequest, match='no matches for kind "Deployment" in version "apps/v1beta1"'
    ):
        c.create({**deployment(), "apiVersion": "apps/v1beta1"})
    with pytest.raises(BadRequest):
        c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}})
    with pytest.raises(BadRequest, match="resource type"):
        c.get("services", "x")


def test_kinds_answer_to_kubectl_names(c: Cluster) -> None:
    c.apply(deployment())
    for name in ("Deployment", "deployments", "deploy", "deployment.apps"):
        assert c.get(name, "web")["kind"] == "Deployment"


# ------------------------------------------------------------------ update


def test_replace_with_stale_resource_version_is_a_conflict(c: Cluster) -> None:
    p = c.create(pod())
    c.patch("pods", "web", {"metadata": {"labels": {"tier": "front"}}})
    p["spec"]["containers"][0]["image"] = "nginx:1.28"
    with pytest.raises(Conflict) as e:
        c.replace(p)
    assert e.value.code == 409
    assert str(e.value) == (
        'Operation cannot be fulfilled on pods "web": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_replace_without_resource_version_is_unconditional(c: Cluster) -> None:
    p = c.create(pod())
    c.patch("pods", "web", {"metadata": {"labels": {"tier": "front"}}})
    del p["metadata"]["resourceVersion"]
    p["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert c.replace(p)["spec"]["containers"][0]["image"] == "nginx:1.28"


def test_generation_rises_with_spec_changes_only(c: Cluster) -> None:
    c.create(pod())
    labelled = c.patch("pods", "web", {"metadata": {"labels": {"tier": "front"}}})
    assert labelled["metadata"]["generation"] == 1
    bumped = c.patch("pods", "web", {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}})
    assert bumped["metadata"]["generation"] == 2
    c.apply(deployment())
    d = c.patch("deploy", "web", {"spec": {"replicas": 5}})
    assert d["metadata"]["generation"] == 2
    d = c.patch("deploy", "web", {"metadata": {"annotations": {"note": "x"}}})
    assert d["metadata"]["generation"] == 2


def test_resource_versions_only_grow(c: Cluster) -> None:
    seen = [int(c.create(pod())["metadata"]["resourceVersion"])]
    for i in range(5):
        p = c.patch("pods", "web", {"metadata": {"labels": {"n": str(i)}}})
        seen.append(int(p["metadata"]["resourceVersion"]))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


def test_an_update_that_changes_nothing_keeps_the_resource_version(c: Cluster) -> None:
    p = c.create(pod())
    assert c.replace(p)["metadata"]["resourceVersion"] == p["metadata"]["resourceVersion"]


def test_forbidden_pod_update_is_invalid_and_changes_nothing(c: Cluster) -> None:
    before = c.create(pod())
    with pytest.raises(Invalid) as e:
        c.patch(
            "pods",
            "web",
            {"spec": {"containers": [{"name": "app", "ports": [{"containerPort": 80}]}]}},
        )
    assert [(f.field, f.type) for f in e.value.errors] == [("spec", "FieldValueForbidden")]
    assert c.get("pods", "web") == before


def test_pod_status_cannot_be_written_through_the_main_resource(c: Cluster) -> None:
    c.create(pod())
    p = c.patch("pods", "web", {"status": {"phase": "Running"}}, type="merge")
    assert p["status"]["phase"] == "Pending"
    s = c.get("pods", "web")
    s["status"]["phase"] = "Running"
    assert c.store.replace_status(s)["status"]["phase"] == "Running"


def test_patch_types(c: Cluster) -> None:
    c.create(pod())
    p = c.patch(
        "pods", "web", [{"op": "add", "path": "/metadata/labels/x", "value": "1"}], type="json"
    )
    assert p["metadata"]["labels"]["x"] == "1"
    p = c.patch("pods", "web", {"metadata": {"labels": {"x": None}}}, type="merge")
    assert "x" not in p["metadata"]["labels"]
    with pytest.raises(BadRequest):
        c.patch("pods", "web", [{"op": "remove", "path": "/nope"}], type="json")
    with pytest.raises(BadRequest, match="unknown patch type"):
        c.patch("pods", "web", {}, type="apply")


def test_no_finalizer_may_be_added_once_deleting(c: Cluster) -> None:
    p = pod()
    p["metadata"]["finalizers"] = ["example.com/hold"]
    c.create(p)
    held = c.delete("pods", "web")
    assert held is not None and "deletionTimestamp" in held["metadata"]
    with pytest.raises(Invalid) as e:
        c.patch(
            "pods",
            "web",
            {"metadata": {"finalizers": ["example.com/hold", "example.com/more"]}},
            type="merge",
        )
    assert ("metadata.finalizers", "FieldValueForbidden") in {
        (f.field, f.type) for f in e.value.errors
    }
    c.patch("pods", "web", {"metadata": {"finalizers": None}}, type="merge")
    with pytest.raises(NotFound):
        c.get("pods", "web")


# ------------------------------------------------------------------ list


def test_list_filters_by_namespace_and_selector_in_key_order(c: Cluster) -> None:
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b-team"}})
    for name, ns, app, tier in [
        ("z", "default", "web", "front"),
        ("a", "default", "web", "back"),
        ("m", "default", "db", "back"),
        ("q", "b-team", "web", "front"),
    ]:
        p = pod(name, app=app, tier=tier)
        p["metadata"]["namespace"] = ns
        c.create(p)

    def names(**kw: Any) -> list[str]:
        return [
            f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in c.list("pods", **kw)
        ]

    assert names() == ["b-team/q", "default/a", "default/m", "default/z"]
    assert names(namespace="default", label_selector="app=web") == ["default/a", "default/z"]
    assert names(label_selector="app in (web),tier!=back") == ["b-team/q", "default/z"]
    assert names(label_selector="!tier") == []
    assert names(
        label_selector={
            "matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]
        }
    ) == ["default/m"]
    assert names(label_selector="") == names()


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("app in (web", "unable to parse requirement"),
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("app=we b", "found 'b', expected: ',' or 'end of string'"),
    ],
)
def test_malformed_selectors_are_bad_requests(c: Cluster, selector: str, message: str) -> None:
    with pytest.raises(BadRequest, match=re.escape(message)) as e:
        c.list("pods", label_selector=selector)
    assert e.value.code == 400


# ------------------------------------------------------------------ delete


def test_unscheduled_pods_go_at_once(c: Cluster) -> None:
    c.create(pod())
    assert c.delete("pods", "web") is None
    with pytest.raises(NotFound):
        c.get("pods", "web")
    with pytest.raises(NotFound):
        c.delete("pods", "web")


def test_background_deletion_collects_dependents(c: Cluster) -> None:
    c.apply(deployment())
    owner = c.get("deploy", "web")
    for i in range(3):
        p = pod(f"web-{i}")
        p["metadata"]["ownerReferences"] = [_ref(owner)]
        c.create(p)
    c.delete("deploy", "web")
    assert c.list("pods") == []


def test_orphan_deletion_keeps_dependents_without_the_reference(c: Cluster) -> None:
    c.apply(deployment())
    owner = c.get("deploy", "web")
    p = pod("web-0")
    p["metadata"]["ownerReferences"] = [_ref(owner)]
    c.create(p)
    assert c.delete("deploy", "web", propagation="Orphan") is None
    left = c.get("pods", "web-0")
    assert "ownerReferences" not in left["metadata"]


def test_foreground_deletion_removes_dependents_before_the_owner(c: Cluster) -> None:
    c.apply(deployment())
    owner = c.get("deploy", "web")
    p = pod("web-0")
    p["metadata"]["ownerReferences"] = [_ref(owner)]
    p["metadata"]["finalizers"] = ["example.com/hold"]
    c.create(p)
    held = c.delete("deploy", "web", propagation="Foreground")
    assert held is not None
    assert held["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert "deletionTimestamp" in c.get("pods", "web-0")["metadata"]
    c.patch("pods", "web-0", {"metadata": {"finalizers": None}}, type="merge")
    c.reconcile()
    with pytest.raises(NotFound):
        c.get("deploy", "web")


def test_dependents_of_an_owner_that_never_existed_are_collected(c: Cluster) -> None:
    p = pod()
    p["metadata"]["ownerReferences"] = [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "ghost", "uid": "1234"}
    ]
    c.create(p)
    assert c.list("pods") == []


def test_deleting_a_namespace_deletes_its_content(c: Cluster) -> None:
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    p = pod()
    p["metadata"]["namespace"] = "team"
    c.create(p)
    c.delete("namespaces", "team", namespace="")
    assert c.list("pods", namespace="team") == []
    with pytest.raises(NotFound):
        c.get("namespaces", "team", namespace="")


def test_default_namespace_may_not_be_deleted(c: Cluster) -> None:
    with pytest.raises(Forbidden) as e:
        c.delete("namespaces", "default", namespace="")
    assert e.value.code == 403
    assert str(e.value) == 'namespaces "default" is forbidden: this namespace may not be deleted'


def _ref(owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


# ------------------------------------------------------------------ watch


def test_watch_replays_every_change_after_a_resource_version(c: Cluster) -> None:
    start = c.store.resource_version
    c.create(pod("a"))
    c.patch("pods", "a", {"metadata": {"labels": {"x": "1"}}})
    c.delete("pods", "a")
    events = [
        (e["type"], e["object"]["metadata"]["name"])
        for e in c.watch("pods", resource_version=start)
    ]
    assert events == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in c.watch(resource_version=start)]
    assert rvs == sorted(rvs) and rvs[0] > int(start)


def test_watch_without_a_version_starts_with_the_current_objects(c: Cluster) -> None:
    c.create(pod("a"))
    c.create(pod("b"))
    w = c.watch("pods")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in w] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
    ]


def test_watch_with_a_selector_sees_objects_enter_and_leave_it(c: Cluster) -> None:
    start = c.store.resource_version
    c.create(pod("a", app="web"))
    c.patch("pods", "a", {"metadata": {"labels": {"app": "db"}}})
    c.patch("pods", "a", {"metadata": {"labels": {"app": "web"}}})
    seen = [e["type"] for e in c.watch("pods", resource_version=start, label_selector="app=web")]
    assert seen == ["ADDED", "DELETED", "ADDED"]


def test_watch_from_before_the_window_is_gone() -> None:
    c = Cluster(nodes=0, watch_window=5)
    start = c.store.resource_version
    for i in range(10):
        c.create(pod(f"p{i}"))
    with pytest.raises(Gone) as e:
        c.watch(resource_version=start)
    assert e.value.code == 410
    assert "too old resource version" in str(e.value)


def test_watch_waits_for_changes_from_other_threads(c: Cluster) -> None:
    w = c.watch("pods", resource_version=c.store.resource_version, timeout_seconds=5.0)
    t = threading.Timer(0.05, lambda: c.store.create(pod("late")))
    t.start()
    event = next(w)
    t.join()
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "late")


# ------------------------------------------------------------------ apply


def test_apply_creates_then_updates_and_drops_removed_fields(c: Cluster) -> None:
    d = deployment()
    d["metadata"]["labels"] = {"team": "a", "tier": "web"}
    created = c.apply(d)[0]
    assert created["metadata"]["generation"] == 1
    settled = c.get("deploy", "web")
    again = c.apply(copy.deepcopy(d))[0]
    assert again["metadata"]["resourceVersion"] == settled["metadata"]["resourceVersion"]
    del d["metadata"]["labels"]["tier"]
    d["spec"]["replicas"] = 4
    updated = c.apply(d)[0]
    assert updated["metadata"]["labels"] == {"team": "a"}
    assert updated["spec"]["replicas"] == 4
    assert updated["metadata"]["generation"] == 2


def test_a_failed_apply_applies_nothing(c: Cluster) -> None:
    bad = pod("b")
    bad["spec"]["containers"][0]["image"] = ""
    rv = c.store.resource_version
    with pytest.raises(Invalid):
        c.apply([pod("a"), bad])
    assert c.list("pods") == []
    assert c.store.resource_version == rv
    assert list(c.watch(resource_version=rv)) == []


def test_apply_reads_multi_document_yaml_and_paths(c: Cluster, tmp_path: Any) -> None:
    text = (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\n"
        "spec: {containers: [{name: c, image: i}]}\n"
    )
    assert [o["kind"] for o in c.apply(text)] == ["Namespace", "Pod"]
    f = tmp_path / "pod.yaml"
    f.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: c, image: i}]}\n"
    )
    import pathlib

    assert c.apply(pathlib.Path(f))[0]["metadata"]["name"] == "b"


# ------------------------------------------------------------------ batch


def test_pods_made_from_one_template_in_one_call(c: Cluster) -> None:
    c.apply(deployment("batch", replicas=0))
    owner = c.get("deploy", "batch")
    template = owner["spec"]["template"]
    names = c.store.create_pods(
        "default", template, count=20, generate_name="batch-", owner=_ref(owner)
    )
    assert len(set(names)) == 20
    pods = c.list("pods", label_selector="app=batch")
    assert sorted(p["metadata"]["name"] for p in pods) == sorted(names)
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == owner["metadata"]["uid"] for p in pods)
    assert c.store.owned_pod_counts(owner["metadata"]["uid"]) == {
        "total": 20,
        "pending": 20,
        "running": 0,
        "succeeded": 0,
        "failed": 0,
        "ready": 0,
        "deleting": 0,
        "scheduled": 0,
    }


def test_pods_pinned_to_nodes_get_the_daemonset_node_affinity(c: Cluster) -> None:
    template = {
        "metadata": {"labels": {"app": "agent"}},
        "spec": {
            "containers": [{"name": "c", "image": "agent:1"}],
            "affinity": {"podAntiAffinity": {}},
        },
    }
    names = c.store.create_pods(
        "default", template, count=2, generate_name="agent-", pin_nodes=["node-0", "node-1"]
    )
    for name, node in zip(names, ["node-0", "node-1"], strict=True):
        affinity = c.get("pods", name)["spec"]["affinity"]
        # ReplaceDaemonSetPodNodeNameNodeAffinity: one matchFields term, the
        # rest of the affinity kept.
        assert affinity["nodeAffinity"] == {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
                ]
            }
        }
        assert affinity["podAntiAffinity"] == {}
    rv = c.store.resource_version
    with pytest.raises(BadRequest):
        c.store.create_pods(
            "default", template, count=1, overlays=[{}], pin_nodes=["node-0"], generate_name="x-"
        )
    assert c.store.resource_version == rv


def test_a_bad_template_makes_no_pods(c: Cluster) -> None:
    rv = c.store.resource_version
    with pytest.raises(Invalid):
        c.store.create_pods(
            "default", {"spec": {"containers": [{"name": "c"}]}}, count=3, generate_name="x-"
        )
    assert c.store.resource_version == rv


# ------------------------------------------------------------------ threads


def test_guarded_replaces_from_many_threads_lose_no_update() -> None:
    c = Cluster(nodes=0)
    c.create(pod())
    per_thread, threads = 40, 4

    def bump() -> None:
        done = 0
        while done < per_thread:
            p = c.get("pods", "web")
            n = int(p["metadata"].get("annotations", {}).get("count", "0"))
            p["metadata"].setdefault("annotations", {})["count"] = str(n + 1)
            try:
                c.store.replace(p)
                done += 1
            except Conflict:
                continue

    workers = [threading.Thread(target=bump) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert c.get("pods", "web")["metadata"]["annotations"]["count"] == str(per_thread * threads)


# ------------------------------------------------------------------ properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150)
@given(
    path=st.sampled_from(["spec", "metadata", "status", "spec/containers/0", "metadata/labels"]),
    key=st.text(min_size=1, max_size=12),
    value=json_values,
)
def test_a_failed_call_changes_nothing(path: str, key: str, value: Any) -> None:
    c = Cluster(nodes=0)
    c.create(pod())
    before_rv = c.store.resource_version
    before = c.get("pods", "web")
    patch = [
        {
            "op": "add",
            "path": f"/{path}/{key.replace('~', '~0').replace('/', '~1')}",
            "value": value,
        }
    ]
    try:
        after = c.patch("pods", "web", patch, type="json")
    except podcore.ApiError:
        assert c.get("pods", "web") == before
        assert c.store.resource_version == before_rv
        return
    # What was accepted is a legal pod update: its spec differs only where
    # Kubernetes allows.
    assert after["spec"]["containers"][0]["name"] == "app"


def test_apply_removes_a_container_dropped_from_the_manifest(c: Cluster) -> None:
    d = deployment()
    sidecar = {"name": "log", "image": "busybox", "command": ["tail", "-f", "/dev/null"]}
    d["spec"]["template"]["spec"]["containers"].append(sidecar)
    c.apply(d)
    d["spec"]["template"]["spec"]["containers"].pop()
    del d["spec"]["template"]["spec"]["containers"][0]["image"]
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    updated = c.apply(d)[0]
    containers = updated["spec"]["template"]["spec"]["containers"]
    assert [x["name"] for x in containers] == ["app"]
    assert containers[0]["image"] == "nginx:1.28"
