"""The dicts the store hands out (get, list, watch, create, replace): exactly
the objects' JSON shape — the dicts the general serde conversion (pythonize)
makes of the same objects, keys in the same order, the same Python types —
and every result a new, independent object."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fixture_cluster import FILES, REJECTED, _held, cluster_for

from podcore import Cluster

KINDS = ["Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "Node", "Namespace"]


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Equal, with the same types and the same key order at every level."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{where}: {len(a)} != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def containers(obj: Any) -> list[Any]:
    """Every dict and list in `obj`, `obj` included."""
    out = []
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            out.append(x)
            stack.extend(x.values())
        elif isinstance(x, list):
            out.append(x)
            stack.extend(x)
    return out


def assert_matches_reference(c: Cluster) -> None:
    for kind in KINDS:
        reference = c.store._reference_dicts(kind)
        listed = c.store.list(kind)
        assert_same(listed, reference, kind)
        for obj in reference:
            m = obj["metadata"]
            got = c.store.get(kind, m["name"], m.get("namespace", ""))
            assert_same(got, obj, f"{kind} {m['name']}")


def running_cluster() -> Cluster:
    c = Cluster(nodes=3)
    c.apply(
        [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {
                    "replicas": 4,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "app",
                                    "image": "nginx:1.27",
                                    "ports": [{"containerPort": 80}],
                                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                                    "env": [{"name": "MODE", "value": "prod"}],
                                }
                            ],
                            "tolerations": [{"key": "k", "operator": "Exists"}],
                        },
                    },
                },
            }
        ]
    )
    c.settle(timeout=600)
    return c


@pytest.fixture
def cluster() -> Cluster:
    return running_cluster()


def test_pods_bound_to_nodes_have_their_node_name_in_place(cluster: Cluster) -> None:
    pods = cluster.list("pods")
    assert len(pods) == 4
    assert all(p["spec"]["nodeName"].startswith("node-") for p in pods)
    assert_matches_reference(cluster)


def test_watch_events_carry_the_reference_dicts(cluster: Cluster) -> None:
    events = list(cluster.store.watch("pods"))
    reference = {p["metadata"]["name"]: p for p in cluster.store._reference_dicts("pods")}
    last = {e["object"]["metadata"]["name"]: e["object"] for e in events}
    assert set(last) == set(reference)
    for name, obj in last.items():
        assert_same(obj, reference[name], name)


@pytest.mark.parametrize("path", [p for p in FILES if p not in REJECTED])
def test_fixture_objects_as_dicts_match_the_reference(path: str) -> None:
    objects = _held(path)
    c = cluster_for(objects)
    c.apply(objects)
    c.settle(timeout=3600)
    assert_matches_reference(c)


def test_results_share_no_dict_or_list(cluster: Cluster) -> None:
    first = cluster.list("pods")
    second = cluster.list("pods")
    one = cluster.get("pods", first[0]["metadata"]["name"])
    ids = [id(x) for r in (first, second, one) for x in containers(r)]
    assert len(ids) == len(set(ids))


def test_mutating_a_result_changes_no_other_result_nor_the_store(cluster: Cluster) -> None:
    pods = cluster.list("pods")
    before = copy.deepcopy(pods)
    name = pods[0]["metadata"]["name"]
    victim = pods[0]
    victim["metadata"]["labels"]["app"] = "changed"
    victim["metadata"]["ownerReferences"][0]["name"] = "changed"
    victim["spec"]["containers"][0]["image"] = "changed"
    victim["spec"]["containers"][0]["env"].append({"name": "X"})
    victim["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "9"
    victim["spec"]["tolerations"].clear()
    victim["status"]["conditions"][0]["type"] = "changed"
    victim["apiVersion"] = "changed"
    # The other pods (same template, same shared spec in the store) and every
    # later read are as before.
    assert_same(pods[1:], before[1:])
    assert_same(cluster.list("pods"), before)
    assert_same(cluster.get("pods", name), before[0])


@settings(max_examples=25, deadline=None)
@given(
    labels=st.dictionaries(
        st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True),
        st.from_regex(r"([a-z0-9]([a-z0-9.-]{0,8}[a-z0-9])?)?", fullmatch=True),
        max_size=4,
    ),
    annotations=st.dictionaries(
        st.text(alphabet="abcxyz./-", min_size=1, max_size=10).filter(
            lambda k: k[0].isalpha() and k[-1].isalpha() and "/" not in k
        ),
        st.text(max_size=20),
        max_size=3,
    ),
    image=st.from_regex(r"[a-z]{1,8}(:[a-z0-9.]{1,5})?", fullmatch=True),
    deadline=st.none() | st.integers(min_value=1, max_value=2**31 - 1),
    finalizers=st.lists(st.sampled_from(["a.io/x", "b.io/y"]), max_size=2, unique=True),
    node=st.booleans(),
)
def test_any_pod_matches_the_reference(
    labels: dict[str, str],
    annotations: dict[str, str],
    image: str,
    deadline: int | None,
    finalizers: list[str],
    node: bool,
) -> None:
    c = Cluster(nodes=1)
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "image": image, "args": ["ünïcode", "☃"]}],
    }
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    if not node:
        spec["schedulerName"] = "manual"
    c.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "p",
                "labels": labels,
                "annotations": annotations,
                "finalizers": finalizers,
            },
            "spec": spec,
        }
    )
    c.advance(5)
    assert_matches_reference(c)
    if finalizers:
        c.delete("pods", "p")
        assert_matches_reference(c)


def test_unscheduled_pods_of_one_template_match_the_reference() -> None:
    c = Cluster(nodes=0)
    template = {
        "metadata": {"labels": {"app": "batch"}, "annotations": {"a": "b"}},
        "spec": {
            "schedulerName": "manual",
            "containers": [{"name": "c", "image": "busybox", "args": ["sleep", "1"]}],
        },
    }
    names = c.store.create_pods("default", template, count=5, generate_name="batch-")
    assert len(names) == 5
    for _ in range(2):  # converted, then from the cache
        pods = c.store.list("pods")
        assert all("nodeName" not in p["spec"] for p in pods)
        assert_matches_reference(c)
    pods[0]["spec"]["containers"][0]["args"].append("changed")
    pods[0]["metadata"]["annotations"]["a"] = "changed"
    assert_same(c.store.list("pods"), c.store._reference_dicts("pods"))
    assert pods[1]["spec"]["containers"][0]["args"] == ["sleep", "1"]
    assert pods[1]["metadata"]["annotations"] == {"a": "b"}


def test_a_changed_pod_of_a_template_is_not_served_from_the_cache() -> None:
    c = Cluster(nodes=0)
    template = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"schedulerName": "manual", "containers": [{"name": "c", "image": "v1"}]},
    }
    names = c.store.create_pods("default", template, count=3, generate_name="web-")
    c.store.list("pods")
    changed = c.get("pods", names[0])
    changed["spec"]["containers"][0]["image"] = "v2"
    changed["metadata"]["labels"]["app"] = "other"
    c.replace(changed)
    pods = {p["metadata"]["name"]: p for p in c.store.list("pods")}
    assert pods[names[0]]["spec"]["containers"][0]["image"] == "v2"
    assert pods[names[0]]["metadata"]["labels"] == {"app": "other"}
    assert pods[names[1]]["spec"]["containers"][0]["image"] == "v1"
    assert_matches_reference(c)


def test_stores_made_and_dropped_one_after_another_never_see_each_others_parts() -> None:
    # Each store's template pods share parts at addresses a dropped store's
    # parts may have had.
    for i in range(30):
        c = Cluster(nodes=0)
        template = {
            "metadata": {"labels": {"round": str(i)}},
            "spec": {
                "schedulerName": "manual",
                "containers": [{"name": "c", "image": f"img:{i}"}],
            },
        }
        c.store.create_pods("default", template, count=2, generate_name="p-")
        pods = c.store.list("pods")
        assert {p["spec"]["containers"][0]["image"] for p in pods} == {f"img:{i}"}
        assert {p["metadata"]["labels"]["round"] for p in pods} == {str(i)}
        assert_matches_reference(c)
