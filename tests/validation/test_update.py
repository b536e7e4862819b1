"""Updates of the pods resource (ValidatePodUpdate with the registry's
preparation), following Kubernetes' TestValidatePodUpdate and
TestValidateObjectMetaUpdate: each case edits a stored running pod and lists
the exact set of (field, type) pairs the apiserver reports."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import podcore

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
FORBIDDEN = "FieldValueForbidden"

Pod = dict[str, Any]

SPEC_DETAIL_PREFIX = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
)


def stored(**spec: Any) -> Pod:
    """A running pod as the apiserver stores it; `spec` replaces spec keys."""
    body: dict[str, Any] = {
        "nodeName": "node-1",
        "initContainers": [{"name": "init", "image": "busybox:1.36"}],
        "containers": [{"name": "app", "image": "nginx:1.25"}],
        "tolerations": [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            }
        ],
    }
    body.update(spec)
    # Stored objects carry the API defaults (image pull policies and the
    # like), so an edit that keeps them does not change them by accident.
    return podcore.apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "uid": "0b1c",
                "resourceVersion": "42",
                "creationTimestamp": "2025-01-01T00:00:00Z",
                "labels": {"app": "web"},
            },
            "spec": body,
            "status": {"phase": "Running", "podIP": "10.0.0.7"},
        }
    )


def gated(**spec: Any) -> Pod:
    body = {"nodeName": "", "schedulingGates": [{"name": "example.com/quota"}]}
    body.update(spec)
    return stored(**body)


def deleting(finalizers: list[str]) -> Pod:
    p = stored()
    p["metadata"]["deletionTimestamp"] = "2025-01-02T00:00:00Z"
    p["metadata"]["deletionGracePeriodSeconds"] = 30
    p["metadata"]["finalizers"] = finalizers
    return p


def errors(old: Pod, edit: Callable[[Pod], None]) -> list[podcore.FieldError]:
    new = copy.deepcopy(old)
    edit(new)
    return podcore.validate_pod_update(old, new)


def pairs(errs: list[podcore.FieldError]) -> set[tuple[str, str]]:
    return {(e.field, e.type) for e in errs}


def s(key: str, value: Any) -> Callable[[Pod], None]:
    """An edit setting spec[key]."""

    def edit(p: Pod) -> None:
        p["spec"][key] = value

    return edit


def m(key: str, value: Any) -> Callable[[Pod], None]:
    """An edit setting metadata[key]."""

    def edit(p: Pod) -> None:
        p["metadata"][key] = value

    return edit


def drop_m(key: str) -> Callable[[Pod], None]:
    def edit(p: Pod) -> None:
        p["metadata"].pop(key, None)

    return edit


def c(key: str, value: Any, list_name: str = "containers") -> Callable[[Pod], None]:
    """An edit setting a key of the first container (or init container)."""

    def edit(p: Pod) -> None:
        p["spec"][list_name][0][key] = value

    return edit


def seq(*edits: Callable[[Pod], None]) -> Callable[[Pod], None]:
    def edit(p: Pod) -> None:
        for e in edits:
            e(p)

    return edit


def nothing(_: Pod) -> None:
    pass


def ann(annotations: dict[str, str]) -> Callable[[Pod], None]:
    return m("annotations", annotations)


def term(*exprs: dict[str, Any]) -> dict[str, Any]:
    return {"matchExpressions": list(exprs)}


def expr(key: str, *values: str) -> dict[str, Any]:
    return {"key": key, "operator": "In", "values": list(values)}


def required(*terms: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}
        }
    }


NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}
TERMS = (
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
)
MIRROR = "kubernetes.io/config.mirror"
APPARMOR_KEY = "container.apparmor.security.beta.kubernetes.io/app"
COST = "controller.kubernetes.io/pod-deletion-cost"

CASES: list[tuple[str, Pod, Callable[[Pod], None], set[tuple[str, str]]]] = [
    ("no change", stored(), nothing, set()),
    ("container image", stored(), c("image", "nginx:1.26"), set()),
    ("init container image", stored(), c("image", "busybox:1.37", "initContainers"), set()),
    ("container image emptied", stored(), c("image", ""), {("spec.containers[0].image", REQUIRED)}),
    (
        "init container image emptied",
        stored(),
        c("image", "", "initContainers"),
        {("spec.initContainers[0].image", REQUIRED)},
    ),
    (
        "image with whitespace",
        stored(),
        c("image", "nginx "),
        {("spec.containers[0].image", INVALID)},
    ),
    (
        "container added",
        stored(),
        s("containers", [{"name": "app", "image": "nginx"}, {"name": "side", "image": "envoy"}]),
        {("spec.containers", FORBIDDEN)},
    ),
    (
        "init container removed",
        stored(),
        s("initContainers", []),
        {("spec.initContainers", FORBIDDEN)},
    ),
    (
        "all containers removed",
        stored(),
        s("containers", []),
        {("spec.containers", FORBIDDEN), ("spec.containers", REQUIRED)},
    ),
    (
        "image switched to latest without a pull policy",
        stored(),
        lambda p: p["spec"]["containers"][0].update(image="nginx", imagePullPolicy=None),
        {("spec", FORBIDDEN)},
    ),
    ("container renamed", stored(), c("name", "main"), {("spec", FORBIDDEN)}),
    ("container command", stored(), c("command", ["sleep", "1"]), {("spec", FORBIDDEN)}),
    ("container env", stored(), c("env", [{"name": "A", "value": "1"}]), {("spec", FORBIDDEN)}),
    ("container ports", stored(), c("ports", [{"containerPort": 80}]), {("spec", FORBIDDEN)}),
    (
        "container resources",
        stored(),
        c("resources", {"limits": {"cpu": "1"}}),
        {("spec", FORBIDDEN)},
    ),
    ("deadline set", stored(), s("activeDeadlineSeconds", 600), set()),
    ("deadline lowered", stored(activeDeadlineSeconds=600), s("activeDeadlineSeconds", 300), set()),
    ("deadline kept", stored(activeDeadlineSeconds=600), s("activeDeadlineSeconds", 600), set()),
    (
        "deadline raised",
        stored(activeDeadlineSeconds=10),
        s("activeDeadlineSeconds", 11),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    (
        "deadline removed",
        stored(activeDeadlineSeconds=10),
        s("activeDeadlineSeconds", None),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    (
        "deadline negative",
        stored(),
        s("activeDeadlineSeconds", -1),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    (
        "deadline zero",
        stored(activeDeadlineSeconds=10),
        s("activeDeadlineSeconds", 0),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    (
        "deadline raised hides other changes",
        stored(activeDeadlineSeconds=10),
        seq(s("activeDeadlineSeconds", 20), s("restartPolicy", "Never")),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    (
        "toleration added",
        stored(),
        s(
            "tolerations",
            [{**NOT_READY, "tolerationSeconds": 300}, {"key": "gpu", "operator": "Exists"}],
        ),
        set(),
    ),
    (
        "toleration seconds changed",
        stored(),
        s("tolerations", [{**NOT_READY, "tolerationSeconds": 10}]),
        set(),
    ),
    (
        "toleration seconds removed",
        stored(),
        s("tolerations", [NOT_READY]),
        set(),
    ),
    ("toleration removed", stored(), s("tolerations", []), {("spec.tolerations", FORBIDDEN)}),
    (
        "toleration effect changed",
        stored(),
        s("tolerations", [{**NOT_READY, "effect": "NoSchedule"}]),
        {("spec.tolerations", FORBIDDEN)},
    ),
    (
        "invalid toleration added",
        stored(),
        s(
            "tolerations",
            [{**NOT_READY, "tolerationSeconds": 300}, {"key": "", "operator": "Equal"}],
        ),
        {("spec.tolerations[1].operator", INVALID)},
    ),
    ("scheduling gate removed", gated(), s("schedulingGates", []), set()),
    (
        "scheduling gate added",
        gated(),
        s("schedulingGates", [{"name": "example.com/quota"}, {"name": "example.com/more"}]),
        {("spec.schedulingGates[1].name", FORBIDDEN)},
    ),
    (
        "scheduling gate added to an ungated pod",
        stored(nodeName=""),
        s("schedulingGates", [{"name": "example.com/late"}]),
        {("spec.schedulingGates[0].name", FORBIDDEN)},
    ),
    ("node selector added while gated", gated(), s("nodeSelector", {"zone": "a"}), set()),
    (
        "node selector extended while gated",
        gated(nodeSelector={"zone": "a"}),
        s("nodeSelector", {"zone": "a", "disk": "ssd"}),
        set(),
    ),
    (
        "node selector changed while gated",
        gated(nodeSelector={"zone": "a"}),
        s("nodeSelector", {"zone": "b"}),
        {("spec.nodeSelector", INVALID)},
    ),
    (
        "node selector removed while gated",
        gated(nodeSelector={"zone": "a"}),
        s("nodeSelector", {}),
        {("spec.nodeSelector", INVALID)},
    ),
    (
        "node selector added after scheduling",
        stored(),
        s("nodeSelector", {"zone": "a"}),
        {("spec", FORBIDDEN)},
    ),
    (
        "node affinity added while gated",
        gated(),
        s("affinity", required(term(expr("zone", "a")))),
        set(),
    ),
    (
        "node affinity expression added while gated",
        gated(affinity=required(term(expr("zone", "a")))),
        s("affinity", required(term(expr("zone", "a"), expr("disk", "ssd")))),
        set(),
    ),
    (
        "node affinity expression changed while gated",
        gated(affinity=required(term(expr("zone", "a")))),
        s("affinity", required(term(expr("zone", "b")))),
        {(f"{TERMS}[0]", INVALID)},
    ),
    (
        "node affinity term added while gated",
        gated(affinity=required(term(expr("zone", "a")))),
        s("affinity", required(term(expr("zone", "a")), term(expr("disk", "ssd")))),
        {(TERMS, INVALID)},
    ),
    (
        "node affinity removed while gated",
        gated(affinity=required(term(expr("zone", "a")))),
        s("affinity", None),
        {(TERMS, INVALID)},
    ),
    (
        "preferred node affinity changed while gated",
        gated(),
        s(
            "affinity",
            {
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 10, "preference": term(expr("zone", "a"))}
                    ]
                }
            },
        ),
        set(),
    ),
    (
        "pod affinity added while gated",
        gated(),
        s(
            "affinity",
            {
                "podAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone"}
                    ]
                }
            },
        ),
        {("spec", FORBIDDEN)},
    ),
    (
        "node affinity added after scheduling",
        stored(),
        s("affinity", required(term(expr("zone", "a")))),
        {("spec", FORBIDDEN)},
    ),
    (
        "negative grace period set to 1",
        stored(terminationGracePeriodSeconds=-1),
        s("terminationGracePeriodSeconds", 1),
        set(),
    ),
    (
        "negative grace period set to 2",
        stored(terminationGracePeriodSeconds=-1),
        s("terminationGracePeriodSeconds", 2),
        {("spec", FORBIDDEN)},
    ),
    (
        "grace period changed",
        stored(),
        s("terminationGracePeriodSeconds", 10),
        {("spec", FORBIDDEN)},
    ),
    ("restart policy", stored(), s("restartPolicy", "Never"), {("spec", FORBIDDEN)}),
    ("dns policy", stored(), s("dnsPolicy", "Default"), {("spec", FORBIDDEN)}),
    ("node name", stored(), s("nodeName", "node-2"), {("spec", FORBIDDEN)}),
    ("service account", stored(), s("serviceAccountName", "builder"), {("spec", FORBIDDEN)}),
    ("host network", stored(), s("hostNetwork", True), {("spec", FORBIDDEN)}),
    ("priority class", stored(), s("priorityClassName", "high"), {("spec", FORBIDDEN)}),
    (
        "volume added",
        stored(),
        s("volumes", [{"name": "tmp", "emptyDir": {}}]),
        {("spec", FORBIDDEN)},
    ),
    (
        "ephemeral container added",
        stored(),
        s(
            "ephemeralContainers",
            [{"name": "debug", "image": "busybox", "targetContainerName": "app"}],
        ),
        {("spec", FORBIDDEN)},
    ),
    (
        "security context",
        stored(),
        s("securityContext", {"runAsUser": 1000}),
        {("spec", FORBIDDEN)},
    ),
    (
        "pod-level resources dropped (gate off)",
        stored(),
        s("resources", {"limits": {"cpu": "1"}}),
        set(),
    ),
    ("status ignored", stored(), lambda p: p.update(status={"phase": "Failed"}), set()),
    ("labels changed", stored(), m("labels", {"app": "web", "track": "canary"}), set()),
    ("bad label", stored(), m("labels", {"app": "-web"}), {("metadata.labels", INVALID)}),
    ("annotation added", stored(), ann({"example.com/note": "hi"}), set()),
    ("bad annotation key", stored(), ann({"a b": "x"}), {("metadata.annotations", INVALID)}),
    ("name changed", stored(), m("name", "web2"), {("metadata.name", INVALID)}),
    ("namespace changed", stored(), m("namespace", "prod"), {("metadata.namespace", INVALID)}),
    ("namespace omitted", stored(), drop_m("namespace"), set()),
    ("uid changed", stored(), m("uid", "ffff"), {("metadata.uid", INVALID)}),
    ("uid omitted", stored(), drop_m("uid"), set()),
    ("resource version omitted", stored(), drop_m("resourceVersion"), set()),
    ("generation lowered (kept by the apiserver)", stored(), m("generation", -5), set()),
    (
        "creation time changed (kept by the apiserver)",
        stored(),
        m("creationTimestamp", "2030-01-01T00:00:00Z"),
        set(),
    ),
    (
        "deletion time set",
        stored(),
        m("deletionTimestamp", "2025-02-01T00:00:00Z"),
        {("metadata.deletionTimestamp", INVALID)},
    ),
    (
        "deletion grace period set",
        stored(),
        m("deletionGracePeriodSeconds", 10),
        {("metadata.deletionGracePeriodSeconds", INVALID)},
    ),
    (
        "deletion grace period changed",
        deleting([]),
        m("deletionGracePeriodSeconds", 5),
        {("metadata.deletionGracePeriodSeconds", INVALID)},
    ),
    (
        "deletion fields omitted while deleting",
        deleting([]),
        seq(drop_m("deletionTimestamp"), drop_m("deletionGracePeriodSeconds")),
        set(),
    ),
    (
        "finalizer added while deleting",
        deleting(["example.com/a"]),
        m("finalizers", ["example.com/a", "example.com/b"]),
        {("metadata.finalizers", FORBIDDEN)},
    ),
    ("finalizer removed while deleting", deleting(["example.com/a"]), m("finalizers", []), set()),
    ("finalizer added", stored(), m("finalizers", ["example.com/a"]), set()),
    (
        "bad finalizer added",
        stored(),
        m("finalizers", ["cleanup"]),
        {("metadata.finalizers[0]", INVALID)},
    ),
    (
        "second controller added",
        stored(),
        m(
            "ownerReferences",
            [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "a",
                    "uid": "1",
                    "controller": True,
                },
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "b",
                    "uid": "2",
                    "controller": True,
                },
            ],
        ),
        {("metadata.ownerReferences", INVALID)},
    ),
    (
        "mirror annotation added",
        stored(),
        ann({MIRROR: "x"}),
        {(f"metadata.annotations[{MIRROR}]", FORBIDDEN)},
    ),
    (
        "apparmor annotation added",
        stored(),
        ann({APPARMOR_KEY: "runtime/default"}),
        {(f"metadata.annotations[{APPARMOR_KEY}]", FORBIDDEN)},
    ),
    ("bad deletion cost", stored(), ann({COST: "x"}), {(f"metadata.annotations[{COST}]", INVALID)}),
]


def _mirror_pod() -> Pod:
    p = stored()
    p["metadata"]["annotations"] = {MIRROR: "x", APPARMOR_KEY: "runtime/default"}
    return p


def _cost_pod() -> Pod:
    p = stored()
    p["metadata"]["annotations"] = {COST: "not-a-number"}
    return p


# Cases whose stored pod carries annotations.
CASES += [
    (
        "mirror and apparmor annotations removed",
        _mirror_pod(),
        ann({}),
        {
            (f"metadata.annotations[{MIRROR}]", FORBIDDEN),
            (f"metadata.annotations[{APPARMOR_KEY}]", FORBIDDEN),
        },
    ),
    ("mirror annotation kept", _mirror_pod(), c("image", "nginx:2"), set()),
    (
        "apparmor annotation changed",
        _mirror_pod(),
        ann({MIRROR: "x", APPARMOR_KEY: "unconfined"}),
        {(f"metadata.annotations[{APPARMOR_KEY}]", FORBIDDEN)},
    ),
    ("invalid deletion cost kept", _cost_pod(), c("image", "nginx:2"), set()),
]


@pytest.mark.parametrize(
    ("old", "edit", "expected"), [x[1:] for x in CASES], ids=[x[0] for x in CASES]
)
def test_update_reports_exactly(
    old: Pod, edit: Callable[[Pod], None], expected: set[tuple[str, str]]
) -> None:
    assert pairs(errors(old, edit)) == expected


def only(old: Pod, edit: Callable[[Pod], None]) -> podcore.FieldError:
    errs = errors(old, edit)
    assert len(errs) == 1, errs
    return errs[0]


def test_raised_deadline_message() -> None:
    err = only(stored(activeDeadlineSeconds=10), s("activeDeadlineSeconds", 11))
    assert (
        str(err)
        == "spec.activeDeadlineSeconds: Invalid value: 11: must be less than or equal to previous value"
    )
    assert err.bad_value == 11


def test_removed_deadline_message() -> None:
    err = only(stored(activeDeadlineSeconds=10), s("activeDeadlineSeconds", None))
    assert str(err) == (
        "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"
    )


def test_negative_deadline_is_reported_by_both_checks() -> None:
    errs = errors(stored(), s("activeDeadlineSeconds", -1))
    assert {e.detail for e in errs} == {
        "must be between 0 and 2147483647, inclusive",
        "must be between 1 and 2147483647, inclusive",
    }


def test_forbidden_spec_change_detail() -> None:
    err = only(stored(), s("restartPolicy", "Never"))
    assert err.field == "spec"
    assert err.detail.startswith(SPEC_DETAIL_PREFIX)
    assert '"Always"' in err.detail and '"Never"' in err.detail
    assert str(err).startswith("spec: Forbidden: pod updates may not change fields other than ")


def test_image_change_does_not_show_in_the_diff() -> None:
    err = only(stored(), seq(c("image", "nginx:9"), s("restartPolicy", "Never")))
    assert "nginx:9" not in err.detail


def test_added_container_detail() -> None:
    err = only(
        stored(), s("containers", [{"name": "app", "image": "a"}, {"name": "b", "image": "b"}])
    )
    assert str(err) == "spec.containers: Forbidden: pod updates may not add or remove containers"


def test_toleration_detail() -> None:
    err = only(stored(), s("tolerations", []))
    assert err.detail == "existing toleration can not be modified except its tolerationSeconds"


def test_scheduling_gate_detail() -> None:
    err = only(
        gated(), s("schedulingGates", [{"name": "example.com/quota"}, {"name": "example.com/more"}])
    )
    assert (
        err.detail == "only deletion is allowed, but found new scheduling gate 'example.com/more'"
    )


def test_node_selector_detail() -> None:
    err = only(gated(nodeSelector={"zone": "a"}), s("nodeSelector", {"zone": "b"}))
    assert (
        err.detail == "only additions to spec.nodeSelector are allowed (no mutations or deletions)"
    )
    assert err.bad_value == {"zone": "b"}


def test_node_affinity_details() -> None:
    changed = only(
        gated(affinity=required(term(expr("zone", "a")))),
        s("affinity", required(term(expr("zone", "b")))),
    )
    assert changed.detail == "only additions are allowed (no mutations or deletions)"
    added = only(
        gated(affinity=required(term(expr("zone", "a")))),
        s("affinity", required(term(expr("zone", "a")), term(expr("x", "y")))),
    )
    assert added.detail == "no additions/deletions to non-empty NodeSelectorTerms list are allowed"


def test_immutable_name_message() -> None:
    assert (
        str(only(stored(), m("name", "web2")))
        == 'metadata.name: Invalid value: "web2": field is immutable'
    )


def test_new_finalizer_while_deleting_message() -> None:
    err = only(
        deleting(["example.com/a"]),
        m("finalizers", ["example.com/z", "example.com/a", "example.com/b"]),
    )
    assert str(err) == (
        "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, "
        'found new finalizers []string{"example.com/b", "example.com/z"}'
    )


def test_mirror_annotation_details() -> None:
    added = only(stored(), ann({MIRROR: "x"}))
    assert added.detail == "may not add mirror pod annotation"
    errs = errors(_mirror_pod(), ann({}))
    assert {e.detail for e in errs} == {
        "may not remove or update mirror pod annotation",
        "may not remove or update AppArmor annotations",
    }


def test_batch_matches_single_calls() -> None:
    chosen = CASES[:20]
    batch = []
    singles = []
    for _, old, edit, _ in chosen:
        new = copy.deepcopy(old)
        edit(new)
        batch.append((old, new))
        singles.append(podcore.validate_pod_update(old, new))
    assert podcore.validate_pod_updates(batch) == singles
