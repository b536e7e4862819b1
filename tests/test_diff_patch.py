"""diff and the three patch flavours, against RFC 6902/7386, Python's
jsonpatch and Kubernetes' strategic merge behaviour."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import jsonpatch
import pytest
from hypothesis import given
from hypothesis import strategies as st

import podcore
from podcore import _yaml

from conftest import FIXTURES, fixture_index

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(["a", "b", "c", "~", "/", "a/b", "~1", "-", ""]), inner, max_size=5
        )
    ),
    max_leaves=40,
)


@given(json_values, json_values)
def test_diff_applied_gives_the_target(old: Any, new: Any) -> None:
    ops = podcore.diff(old, new)
    assert jsonpatch.apply_patch(copy.deepcopy(old), ops) == new
    assert podcore.apply_json_patch(old, ops) == new if isinstance(old, dict | list) else True


@given(json_values)
def test_diff_of_a_value_with_itself_is_empty(value: Any) -> None:
    assert podcore.diff(value, copy.deepcopy(value)) == []


def _fixture_objects() -> list[Any]:
    out = []
    for entry in fixture_index():
        out.extend(_yaml.load_all((FIXTURES / entry["path"]).read_bytes()))
    return [o for o in out if isinstance(o, dict)]


def test_diff_between_every_pair_of_consecutive_fixtures() -> None:
    objs = _fixture_objects()
    for old, new in itertools.pairwise(objs):
        assert jsonpatch.apply_patch(copy.deepcopy(old), podcore.diff(old, new)) == new


def test_common_pod_changes_give_small_patches() -> None:
    pod = {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"containers": [{"name": "c", "image": "x:1"}]},
    }
    bumped = copy.deepcopy(pod)
    bumped["spec"]["containers"][0]["image"] = "x:2"
    assert podcore.diff(pod, bumped) == [
        {"op": "replace", "path": "/spec/containers/0/image", "value": "x:2"}
    ]
    labelled = copy.deepcopy(pod)
    labelled["metadata"]["labels"]["tier"] = "web"
    assert podcore.diff(pod, labelled) == [
        {"op": "add", "path": "/metadata/labels/tier", "value": "web"}
    ]
    grown = copy.deepcopy(pod)
    grown["spec"]["containers"].append({"name": "d", "image": "y"})
    assert podcore.diff(pod, grown) == [
        {"op": "add", "path": "/spec/containers/1", "value": {"name": "d", "image": "y"}}
    ]


@pytest.mark.parametrize(
    ("doc", "ops", "expected"),
    [
        (
            {"foo": "bar"},
            [{"op": "add", "path": "/baz", "value": "qux"}],
            {"foo": "bar", "baz": "qux"},
        ),
        (
            {"foo": ["bar", "baz"]},
            [{"op": "add", "path": "/foo/1", "value": "qux"}],
            {"foo": ["bar", "qux", "baz"]},
        ),
        ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": "x"}], {"foo": ["bar", "x"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        ({"baz": "qux"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo"}),
        (
            {"foo": {"bar": "baz"}, "q": {}},
            [{"op": "move", "from": "/foo/bar", "path": "/q/b"}],
            {"foo": {}, "q": {"b": "baz"}},
        ),
        ({"a": [1]}, [{"op": "copy", "from": "/a", "path": "/b"}], {"a": [1], "b": [1]}),
        (
            {"a/b": 1, "m~n": 2},
            [{"op": "test", "path": "/a~1b", "value": 1}, {"op": "remove", "path": "/m~0n"}],
            {"a/b": 1},
        ),
    ],
)
def test_json_patch_rfc6902_examples(doc: Any, ops: Any, expected: Any) -> None:
    before = copy.deepcopy(doc)
    assert podcore.apply_json_patch(doc, ops) == expected
    assert doc == before, "the input must not change"


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "remove", "path": "/missing"}],
        [{"op": "add", "path": "/a/5", "value": 1}],
        [{"op": "test", "path": "/a", "value": "nope"}],
        [{"op": "move", "from": "/a", "path": "/a/0"}],
        [{"op": "frobnicate", "path": "/a"}],
        [{"op": "add", "path": "/b"}],
        [{"op": "replace", "path": "/a/01", "value": 1}],
        [{"path": "/a"}],
    ],
)
def test_json_patch_errors_are_bad_requests_and_change_nothing(ops: Any) -> None:
    doc = {"a": [1, 2]}
    with pytest.raises(podcore.BadRequest):
        podcore.apply_json_patch(doc, [{"op": "add", "path": "/ok", "value": 1}, *ops])
    assert doc == {"a": [1, 2]}


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_rfc7386_table(target: Any, patch: Any, result: Any) -> None:
    assert podcore.apply_merge_patch(target, patch) == result


def _pod(containers: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", **meta},
        "spec": {"containers": containers},
    }


def test_strategic_merge_merges_containers_by_name() -> None:
    pod = _pod(
        [
            {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}]},
            {"name": "b", "image": "y"},
        ]
    )
    patch = {"spec": {"containers": [{"name": "a", "env": [{"name": "B", "value": "2"}]}]}}
    out = podcore.apply_strategic_merge_patch(pod, patch)
    a, b = out["spec"]["containers"]
    assert a["image"] == "x"
    assert sorted(e["name"] for e in a["env"]) == ["A", "B"]
    assert b == {"name": "b", "image": "y"}


def test_strategic_merge_patch_delete_directive_removes_a_container() -> None:
    pod = _pod([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}])
    patch = {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}
    out = podcore.apply_strategic_merge_patch(pod, patch)
    assert out["spec"]["containers"] == [{"name": "b", "image": "y"}]


def test_strategic_merge_delete_from_primitive_list() -> None:
    pod = _pod([{"name": "a", "image": "x"}], finalizers=["a/x", "b/y"])
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a/x"]}}
    assert podcore.apply_strategic_merge_patch(pod, patch)["metadata"]["finalizers"] == ["b/y"]


def test_strategic_merge_retain_keys_switches_deployment_strategy() -> None:
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            }
        },
    }
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    out = podcore.apply_strategic_merge_patch(deploy, patch)
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_strategic_merge_on_unknown_kind_is_a_bad_request() -> None:
    with pytest.raises(podcore.BadRequest):
        podcore.apply_strategic_merge_patch({"kind": "Widget"}, {"a": 1})
