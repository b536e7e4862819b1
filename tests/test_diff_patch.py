"""diff and the three patch flavours, against RFC 6902/7386, Python's
jsonpatch and Kubernetes' strategic merge behaviour."""

from __future__ import annotations

import copy
import enum
import itertools
import math
import threading
from collections import OrderedDict
from typing import Any

import jsonpatch
import pytest
from hypothesis import given
from hypothesis import strategies as st

import podcore
from podcore import _core, _yaml

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


# ----------------------------------------------- diff straight from Python objects
#
# podcore.diff walks the Python objects; _core._diff_values converts them to
# JSON values first and diffs those. The two must agree on every input: the
# same operations, with values of the same types, or the same exception.


class _Str(str):
    pass


class _Int(int):
    pass


class _Float(float):
    pass


class _Color(enum.IntEnum):
    RED = 1


def _exact(x: Any) -> Any:
    """``x`` with every type made visible: in Python 1 == 1.0 == True and
    0.0 == -0.0, and dicts compare regardless of order."""
    if isinstance(x, dict):
        return (type(x), [(_exact(k), _exact(v)) for k, v in x.items()])
    if isinstance(x, list | tuple):
        return (type(x), [_exact(v) for v in x])
    if isinstance(x, float):
        return (type(x), repr(x))
    return (type(x), x)


def _outcome(fn: Any, old: Any, new: Any) -> Any:
    try:
        return ("ok", _exact(fn(old, new)))
    except Exception as err:
        return (type(err), str(err))


def _assert_same_as_conversion(old: Any, new: Any) -> None:
    assert _outcome(podcore.diff, old, new) == _outcome(_core._diff_values, old, new)


_keys = st.sampled_from(["a", "b", "c", "~", "/", "a/b", "~1", "-", "", "é"])
# Every JSON value in the Python types that read as one: tuples, subclasses,
# integers up to u64, floats that equal integers, bools next to 0 and 1.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(-(2**63), 2**64 - 1),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e300]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from([_Str("a"), _Int(1), _Float(1.0), _Color.RED]),
)
_json_like = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_keys, inner, max_size=5)
    ),
    max_leaves=30,
)
# What the conversion refuses, anywhere in a document.
_refused = st.sampled_from(
    [
        {1, 2},
        object(),
        math.nan,
        -math.inf,
        2**64,
        -(2**63) - 1,
        "\ud800",
        {1: "int key"},
        {"\udc00": "surrogate key"},
        b"bytes",
    ]
)
_anything = st.recursive(
    _scalars | _refused,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


def _twins(x: Any) -> list[Any]:
    """Values Python finds equal to ``x`` that are other JSON values (or the same one)."""
    if isinstance(x, bool):
        return [int(x), float(x)]
    if isinstance(x, int) and abs(x) < 2**53:
        return [float(x), _Int(x)] + ([bool(x)] if x in (0, 1) else [])
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return [int(x), -x]
    if isinstance(x, str):
        return [_Str(x)]
    return []


@st.composite
def _edited(draw: Any, value: Any, leaves: Any = _json_like, tuples: bool = True) -> Any:
    """A copy of ``value`` with random edits; parts left alone are sometimes
    the very same objects, as in documents built from one another."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return value
    if choice == 1:
        return draw(leaves)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if draw(st.integers(0, 6)):
                out[k] = draw(_edited(v, leaves, tuples))
        if draw(st.booleans()):
            out[draw(_keys)] = draw(leaves)
        if draw(st.integers(0, 3)) == 0:
            out = dict(reversed(out.items()))
        return out
    if isinstance(value, list | tuple):
        items = [draw(_edited(v, leaves, tuples)) for v in value]
        if items and draw(st.booleans()):
            del items[draw(st.integers(0, len(items) - 1))]
        if draw(st.booleans()):
            items.insert(draw(st.integers(0, len(items))), draw(leaves))
        return tuple(items) if tuples and draw(st.booleans()) else items
    return draw(st.sampled_from([value, *_twins(value)]))


@given(_json_like, _json_like)
def test_diff_of_unrelated_values_matches_the_conversion_based_diff(old: Any, new: Any) -> None:
    _assert_same_as_conversion(old, new)


@given(st.data(), _json_like)
def test_diff_of_an_edited_copy_matches_the_conversion_based_diff(data: Any, old: Any) -> None:
    _assert_same_as_conversion(old, data.draw(_edited(old)))


@given(st.data(), _anything)
def test_diff_of_any_python_objects_matches_the_conversion_based_diff(data: Any, old: Any) -> None:
    new = data.draw(_edited(old, _anything))
    _assert_same_as_conversion(old, new)
    _assert_same_as_conversion(new, old)


@given(st.data(), json_values)
def test_diff_of_an_edited_copy_applied_gives_the_copy(data: Any, old: Any) -> None:
    new = data.draw(_edited(old, json_values, tuples=False))
    ops = podcore.diff(old, new)
    assert jsonpatch.apply_patch(copy.deepcopy(old), ops) == new


def test_diff_between_consecutive_fixtures_matches_the_conversion_based_diff() -> None:
    for old, new in itertools.pairwise(_fixture_objects()):
        _assert_same_as_conversion(old, new)


def test_a_value_diffed_with_itself_gives_no_operations() -> None:
    for obj in _fixture_objects():
        assert podcore.diff(obj, obj) == []


def test_shared_subtrees_give_no_operations_and_the_rest_is_compared() -> None:
    spec = {"containers": [{"name": "c", "image": "x:1"}]}
    old = {"metadata": {"name": "p", "resourceVersion": "1"}, "spec": spec}
    new = {"metadata": {"name": "p", "resourceVersion": "2"}, "spec": spec}
    assert podcore.diff(old, new) == [
        {"op": "replace", "path": "/metadata/resourceVersion", "value": "2"}
    ]


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ({"s": {1, 2}}, TypeError, "cannot convert set to JSON"),
        ({"n": math.nan}, podcore.BadRequest, "NaN and infinity are not JSON numbers"),
        ({1: "x"}, TypeError, "object keys must be strings, not int"),
    ],
)
def test_shared_subtrees_are_still_checked(bad: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        podcore.diff({"a": bad, "b": 1}, {"a": bad, "b": 2})
    with pytest.raises(error, match=message):
        podcore.diff(bad, bad)


def _nested(levels: int, innermost: Any) -> Any:
    value = innermost
    for i in range(levels):
        value = [value] if i % 2 else {"x": value}
    return value


def test_documents_nested_100_levels_are_diffed() -> None:
    old, new = _nested(99, [0]), _nested(99, [1])
    ops = podcore.diff(old, new)
    assert ops == _core._diff_values(old, new)
    assert len(ops) == 1
    assert ops[0]["op"] == "replace"
    assert ops[0]["path"].count("/") == 100


@pytest.mark.parametrize("levels", [101, 1000, 100_000])
def test_deeper_documents_are_bad_requests(levels: int) -> None:
    deep = _nested(levels, None)
    for old, new in [(deep, deep), (deep, 1), (1, deep), (deep, _nested(levels, 1))]:
        with pytest.raises(podcore.BadRequest, match="object nested deeper than 100 levels"):
            podcore.diff(old, new)


def test_a_dict_that_contains_itself_is_a_bad_request() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    for old, new in [(loop, loop), (loop, {"self": {}}), ({"self": 1}, loop)]:
        with pytest.raises(podcore.BadRequest, match="object nested deeper than 100 levels"):
            podcore.diff(old, new)


@pytest.mark.parametrize(
    ("old", "new", "error", "message"),
    [
        ({1, 2}, 1, TypeError, "cannot convert set to JSON"),
        ({"a": 1}, {"a": object()}, TypeError, "cannot convert object to JSON"),
        ({"a": b"x"}, {"a": "x"}, TypeError, "cannot convert bytes to JSON"),
        ({1: 2}, {}, TypeError, "object keys must be strings, not int"),
        ({"a": math.nan}, {"a": math.nan}, podcore.BadRequest, "NaN and infinity"),
        ([1], [1, math.inf], podcore.BadRequest, "NaN and infinity"),
        (2**64, 1, podcore.BadRequest, "integer out of range"),
        (0, -(2**63) - 1, podcore.BadRequest, "integer out of range"),
        ("\ud800", "a", UnicodeEncodeError, "surrogates not allowed"),
        ({"\ud800": 1}, {}, UnicodeEncodeError, "surrogates not allowed"),
        # The old document is read first, so its error is the one raised.
        ({"a": math.nan}, {"a": {1}}, podcore.BadRequest, "NaN and infinity"),
        ({"a": {1}}, {"a": math.nan}, TypeError, "cannot convert set to JSON"),
    ],
)
def test_values_that_are_not_json_raise_as_the_conversion_does(
    old: Any, new: Any, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        podcore.diff(old, new)
    _assert_same_as_conversion(old, new)


@pytest.mark.parametrize(
    ("old", "new", "ops"),
    [
        ({"a": 1}, {"a": 1.0}, [{"op": "replace", "path": "/a", "value": 1.0}]),
        ({"a": 1.0}, {"a": 1}, [{"op": "replace", "path": "/a", "value": 1}]),
        ({"a": True}, {"a": 1}, [{"op": "replace", "path": "/a", "value": 1}]),
        ({"a": 0}, {"a": False}, [{"op": "replace", "path": "/a", "value": False}]),
        ({"a": None}, {"a": 0}, [{"op": "replace", "path": "/a", "value": 0}]),
        ({"a": 0.0}, {"a": -0.0}, []),
        ({"a": 2**63}, {"a": 2**63}, []),
        ({"a": 2**63}, {"a": 2**63 - 1}, [{"op": "replace", "path": "/a", "value": 2**63 - 1}]),
        ({"a": _Color.RED}, {"a": 1}, []),
        ({"a": [1, 2]}, {"a": (1, 2)}, []),
        ({"a": "x"}, {"a": _Str("x")}, []),
        (OrderedDict(a=1), {"a": 2}, [{"op": "replace", "path": "/a", "value": 2}]),
    ],
)
def test_json_equality_decides_what_changed(old: Any, new: Any, ops: Any) -> None:
    got = podcore.diff(old, new)
    assert _exact(got) == _exact(ops)
    _assert_same_as_conversion(old, new)


def test_values_in_operations_come_back_as_plain_json_types() -> None:
    new = {"a": (1, _Str("s"), _Int(2), _Float(0.5), _Color.RED, {"k": (True,)})}
    (op,) = podcore.diff({}, new)
    assert _exact(op["value"]) == _exact([1, "s", 2, 0.5, 1, {"k": [True]}])


def test_values_in_operations_are_copies() -> None:
    sidecar = {"name": "s", "env": [{"name": "A"}]}
    (op,) = podcore.diff({"containers": []}, {"containers": [sidecar]})
    op["value"]["env"].append({"name": "B"})
    assert sidecar == {"name": "s", "env": [{"name": "A"}]}


def test_members_follow_the_old_order_then_the_new_ones() -> None:
    old = {"z": 1, "y": 1, "x": 1, "w": 1}
    new = {"v": 0, "w": 2, "x": 1, "z": 2, "u": 0}
    assert [(op["op"], op["path"]) for op in podcore.diff(old, new)] == [
        ("replace", "/z"),
        ("remove", "/y"),
        ("replace", "/w"),
        ("add", "/v"),
        ("add", "/u"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "ops"),
    [
        ([1, 2, 3], [0, 1, 2, 3], [{"op": "add", "path": "/0", "value": 0}]),
        ([1, 2, 3], [1, 3], [{"op": "remove", "path": "/1"}]),
        ([1, 2, 3, 4], [1, 4], [{"op": "remove", "path": "/2"}, {"op": "remove", "path": "/1"}]),
        (
            [1, 2],
            [3, 4],
            [
                {"op": "replace", "path": "/0", "value": 3},
                {"op": "replace", "path": "/1", "value": 4},
            ],
        ),
        (
            [{"a": 1}, 9],
            [{"a": 2}, 8, 9],
            [
                {"op": "replace", "path": "/0/a", "value": 2},
                {"op": "add", "path": "/1", "value": 8},
            ],
        ),
    ],
)
def test_arrays_match_common_leading_and_trailing_items(old: Any, new: Any, ops: Any) -> None:
    assert podcore.diff(old, new) == ops
    _assert_same_as_conversion(old, new)


def test_pointer_tokens_are_escaped() -> None:
    old = {"a/b": {"m~n": 1}, "-": 1}
    new = {"a/b": {"m~n": 2}, "-": 2}
    assert podcore.diff(old, new) == [
        {"op": "replace", "path": "/a~1b/m~0n", "value": 2},
        {"op": "add", "path": "/-", "value": 2},
    ]


def test_nesting_at_the_limit_fits_a_small_thread_stack() -> None:
    """The walk recurses once per level, and the level bound keeps that within
    what a thread with a 1 MiB stack holds."""
    old, new = _nested(99, [0]), _nested(99, [1])
    results: list[Any] = []

    def run() -> None:
        results.append(podcore.diff(old, new))
        try:
            podcore.diff(_nested(100_000, 1), _nested(100_000, 2))
        except podcore.BadRequest as err:
            results.append(str(err))

    previous = threading.stack_size(1 << 20)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous)
    assert results == [_core._diff_values(old, new), "object nested deeper than 100 levels"]
