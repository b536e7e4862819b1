"""Pod metadata validation on create (ValidateObjectMeta, the pod-specific
annotations, the create-only checks) and the apiserver's pod warnings.

Cases follow Kubernetes' TestValidateObjectMeta*, TestValidatePodCreate-style
tables and pkg/api/pod warnings tests, each as a minimal pod and the exact set
of (field, type) pairs the apiserver reports for it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import podcore

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def pod(*, meta: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    """A valid pod named `web`; `meta` replaces metadata keys, `spec` spec keys."""
    metadata: dict[str, Any] = {"name": "web", "namespace": "default"}
    metadata.update(meta or {})
    body: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx:1.25"}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": body}


def annotated(annotations: dict[str, str], **spec: Any) -> dict[str, Any]:
    return pod(meta={"annotations": annotations}, **spec)


def errors_of(obj: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e.field, e.type) for e in podcore.validate_pod(obj)}


def owner(name: str = "rs", **extra: Any) -> dict[str, Any]:
    ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": "u-" + name}
    ref.update(extra)
    return ref


def without_name() -> dict[str, Any]:
    p = pod()
    del p["metadata"]["name"]
    return p


def generated(prefix: str) -> dict[str, Any]:
    p = without_name()
    p["metadata"]["generateName"] = prefix
    return p


def with_container_security(sc: dict[str, Any], annotations: dict[str, str]) -> dict[str, Any]:
    p = annotated(annotations)
    p["spec"]["containers"][0]["securityContext"] = sc
    return p


APPARMOR_KEY = "container.apparmor.security.beta.kubernetes.io/app"
SECCOMP_POD_KEY = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_APP_KEY = "container.seccomp.security.alpha.kubernetes.io/app"
COST = "controller.kubernetes.io/pod-deletion-cost"
MIRROR = "kubernetes.io/config.mirror"
TOLERATIONS = "scheduler.alpha.kubernetes.io/tolerations"

CREATE_CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    ("valid", pod(), set()),
    ("namespace defaults to the request's", pod(meta={"namespace": ""}), set()),
    ("name missing", without_name(), {("metadata.name", REQUIRED)}),
    ("generateName only", generated("web-"), set()),
    ("generateName with dots", generated("web.v1-"), set()),
    ("generateName ending in a dot", generated("web.v1."), {("metadata.generateName", INVALID)}),
    (
        "uppercase generateName",
        generated("Web-"),
        {("metadata.generateName", INVALID), ("metadata.name", INVALID)},
    ),
    (
        "long generateName is cut for the name",
        generated("a" * 300),
        {("metadata.generateName", INVALID)},
    ),
    ("uppercase name", pod(meta={"name": "Web"}), {("metadata.name", INVALID)}),
    ("name with dots", pod(meta={"name": "web.v1"}), set()),
    ("name with underscore", pod(meta={"name": "web_1"}), {("metadata.name", INVALID)}),
    ("name leading dash", pod(meta={"name": "-web"}), {("metadata.name", INVALID)}),
    ("name trailing dash", pod(meta={"name": "web-"}), {("metadata.name", INVALID)}),
    ("name of 253 bytes", pod(meta={"name": "a" * 253}), set()),
    ("name of 254 bytes", pod(meta={"name": "a" * 254}), {("metadata.name", INVALID)}),
    ("namespace uppercase", pod(meta={"namespace": "Prod"}), {("metadata.namespace", INVALID)}),
    ("namespace with dot", pod(meta={"namespace": "a.b"}), {("metadata.namespace", INVALID)}),
    ("namespace of 64 bytes", pod(meta={"namespace": "a" * 64}), {("metadata.namespace", INVALID)}),
    ("generation is set by the apiserver", pod(meta={"generation": -1}), set()),
    ("valid labels", pod(meta={"labels": {"app": "web", "example.com/tier": "front"}}), set()),
    (
        "label key with two slashes",
        pod(meta={"labels": {"a/b/c": "x"}}),
        {("metadata.labels", INVALID)},
    ),
    ("label key too long", pod(meta={"labels": {"k" * 64: "x"}}), {("metadata.labels", INVALID)}),
    (
        "label value with leading dash",
        pod(meta={"labels": {"app": "-x"}}),
        {("metadata.labels", INVALID)},
    ),
    (
        "label value too long",
        pod(meta={"labels": {"app": "v" * 64}}),
        {("metadata.labels", INVALID)},
    ),
    ("empty label value", pod(meta={"labels": {"app": ""}}), set()),
    ("annotation keys ignore case", annotated({"Example.COM/Owner": "x"}), set()),
    ("annotation key with space", annotated({"a b": "x"}), {("metadata.annotations", INVALID)}),
    ("annotation key empty prefix", annotated({"/x": "x"}), {("metadata.annotations", INVALID)}),
    ("annotations at the size limit", annotated({"a": "x" * (262144 - 1)}), set()),
    (
        "annotations over the size limit",
        annotated({"a": "x" * 262144}),
        {("metadata.annotations", TOO_LONG)},
    ),
    ("owner reference", pod(meta={"ownerReferences": [owner()]}), set()),
    (
        "empty owner reference",
        pod(meta={"ownerReferences": [{}]}),
        {
            ("metadata.ownerReferences.apiVersion", INVALID),
            ("metadata.ownerReferences.kind", INVALID),
            ("metadata.ownerReferences.name", INVALID),
            ("metadata.ownerReferences.uid", INVALID),
        },
    ),
    (
        "owner apiVersion without version",
        pod(meta={"ownerReferences": [owner(apiVersion="apps/")]}),
        {("metadata.ownerReferences.apiVersion", INVALID)},
    ),
    (
        "owner apiVersion with two slashes",
        pod(meta={"ownerReferences": [owner(apiVersion="a/b/c")]}),
        {("metadata.ownerReferences.apiVersion", INVALID)},
    ),
    (
        "event owner",
        pod(meta={"ownerReferences": [owner(apiVersion="v1", kind="Event")]}),
        {("metadata.ownerReferences", INVALID)},
    ),
    (
        "one controller",
        pod(meta={"ownerReferences": [owner("a", controller=True), owner("b", controller=False)]}),
        set(),
    ),
    (
        "two controllers",
        pod(meta={"ownerReferences": [owner("a", controller=True), owner("b", controller=True)]}),
        {("metadata.ownerReferences", INVALID)},
    ),
    ("standard finalizer", pod(meta={"finalizers": ["kubernetes", "orphan"]}), set()),
    ("qualified finalizer", pod(meta={"finalizers": ["example.com/cleanup"]}), set()),
    (
        "unqualified finalizer",
        pod(meta={"finalizers": ["cleanup"]}),
        {("metadata.finalizers[0]", INVALID)},
    ),
    (
        "malformed finalizer",
        pod(meta={"finalizers": ["a/b/c"]}),
        {("metadata.finalizers", INVALID), ("metadata.finalizers[0]", INVALID)},
    ),
    (
        "orphan with foreground deletion",
        pod(meta={"finalizers": ["orphan", "foregroundDeletion"]}),
        {("metadata.finalizers", INVALID)},
    ),
    (
        "managed fields with a bad operation",
        pod(
            meta={
                "managedFields": [{"manager": "m", "operation": "Patch", "fieldsType": "FieldsV1"}]
            }
        ),
        {("metadata.managedFields[0].operation", INVALID)},
    ),
    (
        "managed fields with a bad type",
        pod(
            meta={
                "managedFields": [{"manager": "m", "operation": "Apply", "fieldsType": "FieldsV2"}]
            }
        ),
        {("metadata.managedFields[0].fieldsType", INVALID)},
    ),
    (
        "mirror pod without node",
        annotated({MIRROR: "abc"}),
        {(f"metadata.annotations[{MIRROR}]", INVALID)},
    ),
    ("mirror pod on a node", annotated({MIRROR: "abc"}, nodeName="node-1"), set()),
    ("deletion cost", annotated({COST: "-10"}), set()),
    (
        "deletion cost not a number",
        annotated({COST: "abc"}),
        {(f"metadata.annotations[{COST}]", INVALID)},
    ),
    (
        "deletion cost with plus",
        annotated({COST: "+10"}),
        {(f"metadata.annotations[{COST}]", INVALID)},
    ),
    (
        "deletion cost with leading zero",
        annotated({COST: "010"}),
        {(f"metadata.annotations[{COST}]", INVALID)},
    ),
    (
        "deletion cost over int32",
        annotated({COST: "2147483648"}),
        {(f"metadata.annotations[{COST}]", INVALID)},
    ),
    (
        "tolerations annotation",
        annotated({TOLERATIONS: '[{"key":"k","operator":"Exists"}]'}),
        set(),
    ),
    (
        "tolerations annotation not JSON",
        annotated({TOLERATIONS: "nope"}),
        {("metadata.annotations", INVALID)},
    ),
    (
        "tolerations annotation with a bad toleration",
        annotated({TOLERATIONS: '[{"key":"","operator":"Equal"}]'}),
        {(f"metadata.annotations.{TOLERATIONS}[0].operator", INVALID)},
    ),
    ("seccomp pod annotation", annotated({SECCOMP_POD_KEY: "runtime/default"}), set()),
    (
        "seccomp pod annotation unknown",
        annotated({SECCOMP_POD_KEY: "strict"}),
        {(f"metadata.annotations.{SECCOMP_POD_KEY}", INVALID)},
    ),
    (
        "seccomp container annotation stepping up",
        annotated({SECCOMP_APP_KEY: "localhost/../x.json"}),
        {(f"metadata.annotations.{SECCOMP_APP_KEY}", INVALID)},
    ),
    ("apparmor annotation", annotated({APPARMOR_KEY: "runtime/default"}), set()),
    (
        "apparmor annotation for a missing container",
        annotated({"container.apparmor.security.beta.kubernetes.io/nope": "runtime/default"}),
        {("metadata.annotations[container.apparmor.security.beta.kubernetes.io/nope]", INVALID)},
    ),
    (
        "apparmor annotation with an unknown profile",
        annotated({APPARMOR_KEY: "strict"}),
        {(f"metadata.annotations[{APPARMOR_KEY}]", INVALID)},
    ),
    (
        "apparmor annotation contradicting the field",
        with_container_security(
            {"appArmorProfile": {"type": "Unconfined"}}, {APPARMOR_KEY: "runtime/default"}
        ),
        {("spec.containers[0].securityContext.appArmorProfile.type", FORBIDDEN)},
    ),
    (
        "apparmor localhost annotation with another profile",
        with_container_security(
            {"appArmorProfile": {"type": "Localhost", "localhostProfile": "a"}},
            {APPARMOR_KEY: "localhost/b"},
        ),
        {("spec.containers[0].securityContext.appArmorProfile.localhostProfile", FORBIDDEN)},
    ),
    (
        "seccomp annotation agreeing with the field",
        with_container_security(
            {"seccompProfile": {"type": "RuntimeDefault"}}, {SECCOMP_APP_KEY: "docker/default"}
        ),
        set(),
    ),
    (
        "seccomp annotation contradicting the field",
        with_container_security(
            {"seccompProfile": {"type": "RuntimeDefault"}}, {SECCOMP_APP_KEY: "unconfined"}
        ),
        {("spec.containers[0].securityContext.seccompProfile.type", FORBIDDEN)},
    ),
    (
        "seccomp pod annotation contradicting the pod field",
        annotated(
            {SECCOMP_POD_KEY: "unconfined"},
            securityContext={"seccompProfile": {"type": "RuntimeDefault"}},
        ),
        {("spec.securityContext.seccompProfile.type", FORBIDDEN)},
    ),
    (
        "ephemeral containers on create",
        pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}]),
        {("spec.ephemeralContainers", FORBIDDEN)},
    ),
    (
        "node name with scheduling gates",
        pod(nodeName="node-1", schedulingGates=[{"name": "example.com/wait"}]),
        {("spec.nodeName", FORBIDDEN)},
    ),
    (
        "image with surrounding whitespace",
        pod(containers=[{"name": "app", "image": " nginx "}]),
        {("spec.containers[0].image", INVALID)},
    ),
    (
        "token projection without service account",
        pod(
            volumes=[
                {
                    "name": "tok",
                    "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]},
                }
            ]
        ),
        {("spec.volumes[0].projected.sources[0].serviceAccountToken", FORBIDDEN)},
    ),
    (
        "token projection with service account",
        pod(
            serviceAccountName="builder",
            volumes=[
                {
                    "name": "tok",
                    "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]},
                }
            ],
        ),
        set(),
    ),
    ("pod-level resources are dropped (gate off)", pod(resources={"limits": {"cpu": "-1"}}), set()),
    ("resource claims are dropped (gate off)", pod(resourceClaims=[{"name": "Bad Name"}]), set()),
    ("status is ignored on create", {**pod(), "status": {"phase": "Bogus", "podIP": "x"}}, set()),
]


@pytest.mark.parametrize(
    ("obj", "expected"), [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES]
)
def test_create_reports_exactly(obj: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    assert errors_of(obj) == expected


def only(obj: dict[str, Any]) -> podcore.FieldError:
    errs = podcore.validate_pod(obj)
    assert len(errs) == 1, errs
    return errs[0]


def test_missing_name_detail() -> None:
    assert (
        str(only(without_name()))
        == "metadata.name: Required value: name or generateName is required"
    )


def test_bad_name_detail() -> None:
    err = only(pod(meta={"name": "Web"}))
    assert err.detail == SUBDOMAIN_MSG
    assert err.bad_value == "Web"


def test_annotation_size_detail() -> None:
    assert str(only(annotated({"a": "x" * 262144}))) == (
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    )


def test_two_controllers_detail() -> None:
    err = only(
        pod(meta={"ownerReferences": [owner("a", controller=True), owner("b", controller=True)]})
    )
    assert err.detail == (
        'Only one reference can have Controller set to true. Found "true" in references for '
        "ReplicaSet/a and ReplicaSet/b"
    )


def test_event_owner_detail() -> None:
    err = only(pod(meta={"ownerReferences": [owner(apiVersion="v1", kind="Event")]}))
    assert err.detail == "/v1, Kind=Event is disallowed from being an owner"


def test_owner_missing_uid_prints_empty_string() -> None:
    ref = owner()
    del ref["uid"]
    assert str(only(pod(meta={"ownerReferences": [ref]}))) == (
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty'
    )


def test_unqualified_finalizer_detail() -> None:
    assert str(only(pod(meta={"finalizers": ["cleanup"]}))) == (
        'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer '
        "name nor is it fully qualified"
    )


def test_conflicting_finalizers_detail() -> None:
    err = only(pod(meta={"finalizers": ["orphan", "foregroundDeletion"]}))
    assert err.detail == "finalizer orphan and foregroundDeletion cannot be both set"


def test_mirror_annotation_detail() -> None:
    assert (
        only(annotated({MIRROR: "abc"})).detail
        == "must set spec.nodeName if mirror pod annotation is set"
    )


def test_deletion_cost_detail() -> None:
    assert str(only(annotated({COST: "abc"}))) == (
        f'metadata.annotations[{COST}]: Invalid value: "abc": must be a 32bit integer'
    )


def test_apparmor_unknown_profile_detail() -> None:
    assert (
        only(annotated({APPARMOR_KEY: "strict"})).detail
        == 'invalid AppArmor profile name: "strict"'
    )


def test_ephemeral_containers_detail() -> None:
    err = only(pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}]))
    assert str(err) == "spec.ephemeralContainers: Forbidden: cannot be set on create"


def test_node_name_with_gates_detail() -> None:
    err = only(pod(nodeName="node-1", schedulingGates=[{"name": "example.com/wait"}]))
    assert err.detail == "cannot be set until all schedulingGates have been cleared"


def test_seccomp_mismatch_detail() -> None:
    obj = with_container_security(
        {"seccompProfile": {"type": "RuntimeDefault"}}, {SECCOMP_APP_KEY: "unconfined"}
    )
    assert only(obj).detail == "seccomp type in annotation and field must match"


def test_input_is_not_modified() -> None:
    obj = annotated({APPARMOR_KEY: "runtime/default"})
    before = copy.deepcopy(obj)
    podcore.validate_pod(obj)
    assert obj == before


# ---------------------------------------------------------------- warnings

NAME_WARNING = (
    "metadata.name: this is used in the Pod's hostname, which can result in surprising "
    "behavior; a DNS label is recommended: [must not contain dots]"
)


def two_containers(ports_a: list[dict[str, Any]], ports_b: list[dict[str, Any]]) -> dict[str, Any]:
    return pod(
        containers=[
            {"name": "a", "image": "x", "ports": ports_a},
            {"name": "b", "image": "y", "ports": ports_b},
        ]
    )


def with_env(env: list[dict[str, Any]]) -> dict[str, Any]:
    return pod(containers=[{"name": "app", "image": "nginx", "env": env}])


def with_resources(resources: dict[str, Any]) -> dict[str, Any]:
    return pod(containers=[{"name": "app", "image": "nginx", "resources": resources}])


REQUIRED_TERMS = (
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
)

WARNING_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("clean pod", pod(), []),
    ("name with a dot", pod(meta={"name": "web.v1"}), [NAME_WARNING]),
    (
        "deprecated node selector label",
        pod(nodeSelector={"beta.kubernetes.io/os": "linux"}),
        [
            'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead'
        ],
    ),
    (
        "deprecated label in required node affinity",
        pod(
            affinity={
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {
                                "matchExpressions": [
                                    {
                                        "key": "failure-domain.beta.kubernetes.io/zone",
                                        "operator": "In",
                                        "values": ["a"],
                                    }
                                ]
                            }
                        ]
                    }
                }
            }
        ),
        [
            f"{REQUIRED_TERMS}[0].matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is "
            'deprecated since v1.17; use "topology.kubernetes.io/zone" instead'
        ],
    ),
    (
        "topology spread on a deprecated key without selector",
        pod(
            topologySpreadConstraints=[
                {
                    "maxSkew": 1,
                    "topologyKey": "beta.kubernetes.io/arch",
                    "whenUnsatisfiable": "DoNotSchedule",
                }
            ]
        ),
        [
            "spec.topologySpreadConstraints[0].topologyKey: beta.kubernetes.io/arch is deprecated since "
            'v1.14; use "kubernetes.io/arch" instead',
            "spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod",
        ],
    ),
    (
        "critical-pod annotation",
        annotated({"scheduler.alpha.kubernetes.io/critical-pod": ""}),
        [
            "metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in "
            'v1.16+; use the "priorityClassName" field instead'
        ],
    ),
    (
        "seccomp annotation without field",
        annotated({SECCOMP_POD_KEY: "runtime/default"}),
        [
            f'metadata.annotations[{SECCOMP_POD_KEY}]: non-functional in v1.27+; use the "seccompProfile" field instead'
        ],
    ),
    (
        "apparmor annotation becomes a field",
        annotated({APPARMOR_KEY: "runtime/default"}),
        [
            f'metadata.annotations[{APPARMOR_KEY}]: deprecated since v1.30; use the "appArmorProfile" field instead'
        ],
    ),
    (
        "gitRepo volume",
        pod(volumes=[{"name": "src", "gitRepo": {"repository": "https://example.com/r.git"}}]),
        ["spec.volumes[0].gitRepo: deprecated in v1.11"],
    ),
    (
        "duplicate host alias ip",
        pod(
            hostAliases=[
                {"ip": "10.0.0.1", "hostnames": ["a"]},
                {"ip": "10.0.0.1", "hostnames": ["b"]},
            ]
        ),
        ['spec.hostAliases[1].ip: duplicate ip "10.0.0.1"'],
    ),
    (
        "duplicate and empty pull secrets",
        pod(imagePullSecrets=[{"name": "reg"}, {"name": "reg"}, {}]),
        [
            'spec.imagePullSecrets[1].name: duplicate name "reg"',
            'spec.imagePullSecrets[2].name: invalid empty name ""',
        ],
    ),
    (
        "fractional memory",
        with_resources({"limits": {"memory": "0.5"}, "requests": {"memory": "0.5"}}),
        [
            'spec.containers[0].resources.limits[memory]: fractional byte value "500m" is invalid, must be an integer',
            'spec.containers[0].resources.requests[memory]: fractional byte value "500m" is invalid, must be an integer',
        ],
    ),
    (
        "env var hiding an earlier one",
        with_env([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]),
        [
            'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply'
        ],
    ),
    (
        "env var extending an earlier one",
        with_env([{"name": "A", "value": "1"}, {"name": "A", "value": "$(A):2"}]),
        [],
    ),
    (
        "same port in two containers",
        two_containers([{"containerPort": 80}], [{"containerPort": 80}]),
        ["spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]"],
    ),
    (
        "same port, other protocol",
        two_containers([{"containerPort": 53}], [{"containerPort": 53, "protocol": "UDP"}]),
        [],
    ),
    (
        "same port, one with host port",
        two_containers([{"containerPort": 80, "hostPort": 8080}], [{"containerPort": 80}]),
        [
            "spec.containers[1].ports[0]: overlapping port definition with spec.containers[0].ports[0]"
        ],
    ),
    (
        "host IP without host port",
        pod(
            containers=[
                {
                    "name": "app",
                    "image": "x",
                    "ports": [{"containerPort": 80, "hostIP": "10.0.0.1"}],
                }
            ]
        ),
        [
            "spec.containers[0].ports[0]: hostIP set without hostPort: "
            "{Name: HostPort:0 ContainerPort:80 Protocol:TCP HostIP:10.0.0.1}"
        ],
    ),
    (
        "negative grace period",
        pod(terminationGracePeriodSeconds=-1),
        [
            "spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"
        ],
    ),
    (
        "pod affinity term without selector",
        pod(
            affinity={
                "podAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "zone"}]
                }
            }
        ),
        [
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector: "
            "a null labelSelector results in matching no pod"
        ],
    ),
    (
        "overlapping configMap paths",
        pod(
            volumes=[
                {
                    "name": "cfg",
                    "configMap": {
                        "name": "c",
                        "items": [{"key": "a", "path": "dir"}, {"key": "b", "path": "dir/file"}],
                    },
                }
            ]
        ),
        ['volume "cfg" (ConfigMap "c"): overlapping paths: "dir/file" with "dir"'],
    ),
]


@pytest.mark.parametrize(
    ("obj", "expected"), [c[1:] for c in WARNING_CASES], ids=[c[0] for c in WARNING_CASES]
)
def test_create_warnings(obj: dict[str, Any], expected: list[str]) -> None:
    assert podcore.pod_warnings(obj) == expected


def test_updates_get_no_warnings() -> None:
    bad = pod(terminationGracePeriodSeconds=-1, nodeSelector={"beta.kubernetes.io/os": "linux"})
    assert podcore.pod_warnings(bad, old=pod()) == []
