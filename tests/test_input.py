"""Decoding: every accepted input form gives the same verdict, and bad input
gives podcore's errors, never a crash."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import podcore


def _pod(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    base.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": base,
    }


def _pairs(errors: list[podcore.FieldError]) -> set[tuple[str, str]]:
    return {(e.field, e.type) for e in errors}


INVALID = _pod(restartPolicy="Sometimes", containers=[{"name": "Bad_Name", "image": ""}])


@pytest.mark.parametrize(
    "form",
    [
        lambda o: o,
        lambda o: json.dumps(o),
        lambda o: json.dumps(o).encode(),
        lambda o: yaml.safe_dump(o),
        lambda o: yaml.safe_dump(o).encode(),
    ],
    ids=["dict", "json-str", "json-bytes", "yaml-str", "yaml-bytes"],
)
def test_every_input_form_gives_the_same_verdict(form: Any) -> None:
    expected = _pairs(podcore.validate_pod(INVALID))
    assert expected, "the sample pod must be invalid for this test to mean anything"
    assert _pairs(podcore.validate_pod(form(INVALID))) == expected


@pytest.mark.parametrize(
    "garbage",
    [b"\xff\xfe\x00garbage", b"{not json", "[1, 2, 3]", "42", b"", "- a\n- b\n", "null"],
)
def test_input_that_is_not_an_object_is_bad_request(garbage: Any) -> None:
    with pytest.raises(podcore.BadRequest) as info:
        podcore.validate_pod(garbage)
    assert info.value.code == 400
    assert info.value.reason == "BadRequest"


def test_wrong_json_type_is_reported_at_its_field() -> None:
    pod = _pod(containers=[{"name": "app", "image": "x", "ports": [{"containerPort": "80"}]}])
    errs = podcore.validate_pod(pod)
    assert _pairs(errs) == {("spec.containers[0].ports[0].containerPort", "FieldValueTypeInvalid")}


def test_null_reads_as_the_zero_value_as_in_go() -> None:
    # kubernetes/hack/testdata/invalid-pod.yaml: a container whose name is null.
    pod = _pod(containers=[{"name": None, "image": "nginx"}])
    assert ("spec.containers[0].name", "FieldValueRequired") in _pairs(podcore.validate_pod(pod))


def test_non_string_keys_and_unknown_python_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        podcore.validate_pod({1: "x"})
    with pytest.raises(TypeError):
        podcore.validate_pod({"metadata": {"name": object()}})
    with pytest.raises(TypeError):
        podcore.validate_pod(12)  # type: ignore[arg-type]


def test_deeply_nested_input_is_refused_not_a_crash() -> None:
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = {"a": deep}
    with pytest.raises(podcore.BadRequest):
        podcore.validate_pod({"metadata": {"managedFields": [deep]}})
    text = '{"metadata":{"managedFields":[' + "[" * 100_000 + "]" * 100_000 + "]}}"
    with pytest.raises(podcore.BadRequest):
        podcore.validate_pod(text)


def test_huge_document_is_handled() -> None:
    pod = _pod()
    pod["metadata"]["annotations"] = {f"k{i}": "v" * 100 for i in range(5000)}
    errs = podcore.validate_pod(orjson.dumps(pod))
    assert ("metadata.annotations", "FieldValueTooLong") in _pairs(errs)


def test_batch_reports_the_index_of_a_malformed_pair() -> None:
    good = orjson.dumps(_pod())
    with pytest.raises(podcore.BadRequest, match="pair 1"):
        podcore.validate_pod_updates([(good, good), (good, b"[]")])


def test_batch_rejects_things_that_are_not_pairs() -> None:
    with pytest.raises(TypeError):
        podcore.validate_pod_updates([_pod()])  # type: ignore[list-item]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)

pod_keys = st.sampled_from(["metadata", "spec", "status", "kind", "apiVersion"])
spec_keys = st.sampled_from(
    [
        "containers",
        "volumes",
        "restartPolicy",
        "tolerations",
        "affinity",
        "initContainers",
        "securityContext",
        "activeDeadlineSeconds",
        "hostname",
        "dnsConfig",
    ]
)


@given(st.dictionaries(pod_keys, json_values, max_size=5))
def test_arbitrary_json_raises_only_podcore_errors(obj: dict[str, Any]) -> None:
    for form in (obj, orjson.dumps(obj)):
        try:
            podcore.validate_pod(form)
            podcore.validate_pod_update(form, form)
        except podcore.ApiError:
            pass


@given(st.dictionaries(spec_keys, json_values, max_size=5))
def test_arbitrary_spec_raises_only_podcore_errors(spec: dict[str, Any]) -> None:
    obj = {"metadata": {"name": "p", "namespace": "default"}, "spec": spec}
    try:
        errs = podcore.validate_pod(obj)
    except podcore.ApiError:
        return
    assert all(isinstance(e, podcore.FieldError) for e in errs)
