"""Laws of pod update validation, checked with Hypothesis.

- Changing any field an update may not touch, on a valid running pod, is
  reported at `spec` (or at the field's own path); changing only images,
  adding tolerations or lowering the deadline is not reported at all.
- The verdict does not depend on how the objects are passed (dict, JSON
  text as str, JSON bytes).
- No input, however malformed, raises anything but a podcore.ApiError.
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import podcore

Pod = dict[str, Any]

BASE: Pod = podcore.apply_defaults(
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "uid": "1", "resourceVersion": "7"},
        "spec": {
            "nodeName": "node-1",
            "activeDeadlineSeconds": 3600,
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "containers": [
                {"name": "app", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"},
                {"name": "side", "image": "envoy:1.30", "imagePullPolicy": "IfNotPresent"},
            ],
            "tolerations": [
                {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}
            ],
        },
        "status": {"phase": "Running"},
    }
)


def test_base_pod_is_valid() -> None:
    assert podcore.validate_pod(BASE) == []
    assert podcore.validate_pod_update(BASE, BASE) == []


# ----------------------------------------------------------- immutable edits

label_value = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
small_int = st.integers(min_value=1, max_value=10_000)


def set_spec(key: str, value: Any) -> Any:
    def edit(p: Pod) -> None:
        p["spec"][key] = value

    return edit


def set_container(index: int, key: str, value: Any) -> Any:
    def edit(p: Pod) -> None:
        p["spec"]["containers"][index][key] = value

    return edit


immutable_edits = st.one_of(
    st.sampled_from(["Never", "OnFailure"]).map(lambda v: set_spec("restartPolicy", v)),
    st.sampled_from(["Default", "None", "ClusterFirstWithHostNet"]).map(
        lambda v: set_spec("dnsPolicy", v)
    ),
    label_value.filter(lambda v: v != "node-1").map(lambda v: set_spec("nodeName", v)),
    label_value.map(lambda v: set_spec("hostname", v)),
    label_value.map(lambda v: set_spec("serviceAccountName", v)),
    label_value.filter(lambda v: v != "default-scheduler").map(
        lambda v: set_spec("schedulerName", v)
    ),
    st.booleans().map(lambda v: set_spec("hostNetwork", True) if v else set_spec("hostPID", True)),
    st.dictionaries(label_value, label_value, min_size=1, max_size=3).map(
        lambda v: set_spec("nodeSelector", v)
    ),
    small_int.filter(lambda v: v != 30).map(lambda v: set_spec("terminationGracePeriodSeconds", v)),
    st.integers(min_value=0, max_value=100_000).map(
        lambda v: set_spec("securityContext", {"runAsUser": v})
    ),
    st.tuples(st.integers(0, 1), st.lists(label_value, min_size=1, max_size=3)).map(
        lambda t: set_container(t[0], "command", t[1])
    ),
    st.tuples(st.integers(0, 1), st.integers(1, 65535)).map(
        lambda t: set_container(t[0], "ports", [{"containerPort": t[1]}])
    ),
    st.tuples(st.integers(0, 1), small_int).map(
        lambda t: set_container(t[0], "resources", {"requests": {"cpu": f"{t[1]}m"}})
    ),
    st.tuples(st.integers(0, 1), label_value).map(
        lambda t: set_container(t[0], "env", [{"name": "X", "value": t[1]}])
    ),
    label_value.map(lambda v: set_spec("volumes", [{"name": v, "emptyDir": {}}])),
)


@settings(max_examples=60, deadline=None)
@given(edit=immutable_edits)
def test_immutable_changes_are_reported_at_spec(edit: Any) -> None:
    new = copy.deepcopy(BASE)
    edit(new)
    errs = podcore.validate_pod_update(BASE, new)
    assert errs, "an immutable change went through"
    assert any(e.field == "spec" and e.type == "FieldValueForbidden" for e in errs) or all(
        e.field.startswith("spec.") for e in errs
    )


# ------------------------------------------------------------- allowed edits

image = st.from_regex(r"registry\.example\.com/[a-z]{1,8}:v[0-9]{1,3}", fullmatch=True)
toleration = st.builds(
    lambda key, effect: {"key": key, "operator": "Exists", "effect": effect},
    label_value,
    st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
)


@settings(max_examples=60, deadline=None)
@given(
    images=st.lists(st.one_of(st.none(), image), min_size=3, max_size=3),
    added=st.lists(toleration, max_size=3),
    deadline=st.one_of(st.none(), st.integers(min_value=1, max_value=3600)),
)
def test_allowed_changes_are_accepted(
    images: list[str | None], added: list[Pod], deadline: int | None
) -> None:
    new = copy.deepcopy(BASE)
    containers = [*new["spec"]["initContainers"], *new["spec"]["containers"]]
    for c, img in zip(containers, images, strict=True):
        if img is not None:
            c["image"] = img
    new["spec"]["tolerations"] += added
    if deadline is not None:
        new["spec"]["activeDeadlineSeconds"] = deadline
    assert podcore.validate_pod_update(BASE, new) == []


@settings(max_examples=40, deadline=None)
@given(raise_by=st.integers(min_value=1, max_value=1_000_000))
def test_raising_the_deadline_is_reported(raise_by: int) -> None:
    new = copy.deepcopy(BASE)
    new["spec"]["activeDeadlineSeconds"] = 3600 + raise_by
    errs = podcore.validate_pod_update(BASE, new)
    assert [(e.field, e.type) for e in errs] == [
        ("spec.activeDeadlineSeconds", "FieldValueInvalid")
    ]


# -------------------------------------------------------- input independence

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

spec_keys = st.sampled_from(
    [
        "restartPolicy",
        "activeDeadlineSeconds",
        "nodeName",
        "tolerations",
        "containers",
        "hostNetwork",
        "priority",
    ]
)


@st.composite
def edited_pods(draw: st.DrawFn) -> Pod:
    """BASE with a few spec fields replaced by arbitrary JSON."""
    new = copy.deepcopy(BASE)
    for key in draw(st.lists(spec_keys, max_size=3, unique=True)):
        new["spec"][key] = draw(json_values)
    if draw(st.booleans()):
        new["metadata"]["labels"] = draw(
            st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3)
        )
    return new


def verdict(call: Any) -> Any:
    try:
        return sorted((e.field, e.type, e.detail) for e in call())
    except podcore.ApiError as err:
        return (type(err).__name__, err.message)


@settings(max_examples=60, deadline=None)
@given(new=edited_pods())
def test_verdict_does_not_depend_on_input_form(new: Pod) -> None:
    text = json.dumps(new)
    old_text = json.dumps(BASE)
    as_dict = verdict(lambda: podcore.validate_pod_update(BASE, new))
    assert verdict(lambda: podcore.validate_pod_update(old_text, text)) == as_dict
    assert verdict(lambda: podcore.validate_pod_update(old_text.encode(), text.encode())) == as_dict
    create = verdict(lambda: podcore.validate_pod(new))
    assert verdict(lambda: podcore.validate_pod(text)) == create
    assert verdict(lambda: podcore.validate_pod(text.encode())) == create


def test_first_decoding_error_is_the_same_for_dict_and_text() -> None:
    new = copy.deepcopy(BASE)
    new["spec"]["restartPolicy"] = []
    new["spec"]["activeDeadlineSeconds"] = []
    as_dict = verdict(lambda: podcore.validate_pod_update(BASE, new))
    assert verdict(lambda: podcore.validate_pod_update(BASE, json.dumps(new))) == as_dict


# ---------------------------------------------------------- robustness


@settings(max_examples=100, deadline=None)
@given(doc=json_values, other=json_values)
def test_arbitrary_json_only_raises_api_errors(doc: Any, other: Any) -> None:
    for arg in (json.dumps(doc), json.dumps(doc).encode()):
        with contextlib.suppress(podcore.ApiError):
            podcore.validate_pod(arg)
        with contextlib.suppress(podcore.ApiError):
            podcore.validate_pod_update(json.dumps(other), arg)
        with contextlib.suppress(podcore.ApiError):
            podcore.pod_warnings(arg)


@settings(max_examples=100, deadline=None)
@given(meta=json_values, spec=json_values, status=json_values)
def test_arbitrary_pod_shaped_json_only_raises_api_errors(
    meta: Any, spec: Any, status: Any
) -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}
    for call in (
        lambda: podcore.validate_pod(doc),
        lambda: podcore.validate_pod_update(BASE, doc),
        lambda: podcore.validate_pod_update(doc, BASE),
        lambda: podcore.pod_warnings(doc),
    ):
        with contextlib.suppress(podcore.ApiError):
            call()
