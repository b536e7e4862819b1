"""Container validation (validateContainers, validateInitContainers,
validateEphemeralContainers and everything under them), as the v1.33
apiserver reports it with its default feature gates.

Each case is a minimal pod and the exact set of (field, type) pairs the
apiserver returns for it; some cases also pin the detail text."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import podcore

C = "spec.containers[0]"
REQ, INV, UNSUP, FORB, DUP, NOTF = (
    "FieldValueRequired",
    "FieldValueInvalid",
    "FieldValueNotSupported",
    "FieldValueForbidden",
    "FieldValueDuplicate",
    "FieldValueNotFound",
)


def ctr(name: str = "c", image: str = "img", **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": image, **fields}


def pod(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    spec.setdefault("containers", list(containers) or [ctr()])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": spec,
    }


def with_c(**fields: Any) -> dict[str, Any]:
    """A pod whose one container has these extra fields."""
    return pod(ctr(**fields))


VOLS = [
    {"name": "vol", "emptyDir": {}},
    {"name": "claim", "persistentVolumeClaim": {"claimName": "data"}},
]


def mounts(*ms: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return pod(ctr(volumeMounts=list(ms), **fields), volumes=copy.deepcopy(VOLS))


def devices(*ds: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return pod(ctr(volumeDevices=list(ds), **fields), volumes=copy.deepcopy(VOLS))


def env(*vs: dict[str, Any]) -> dict[str, Any]:
    return with_c(env=list(vs))


def field_ref(path: str, api_version: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"fieldPath": path}
    if api_version is not None:
        ref["apiVersion"] = api_version
    return {"name": "E", "valueFrom": {"fieldRef": ref}}


def res_ref(resource: str, divisor: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"resource": resource}
    if divisor is not None:
        ref["divisor"] = divisor
    return {"name": "E", "valueFrom": {"resourceFieldRef": ref}}


def resources(limits: dict[str, str] | None = None, requests: dict[str, str] | None = None):
    r: dict[str, Any] = {}
    if limits is not None:
        r["limits"] = limits
    if requests is not None:
        r["requests"] = requests
    return with_c(resources=r)


def port(container_port: int = 80, **fields: Any) -> dict[str, Any]:
    return {"containerPort": container_port, **fields}


EXEC = {"exec": {"command": ["true"]}}


def probe(kind: str = "livenessProbe", **fields: Any) -> dict[str, Any]:
    return with_c(**{kind: {**EXEC, **fields}})


def sc(**fields: Any) -> dict[str, Any]:
    return with_c(securityContext=fields)


def sidecar(**fields: Any) -> dict[str, Any]:
    return pod(initContainers=[ctr("side", restartPolicy="Always", **fields)], containers=[ctr()])


def init(**fields: Any) -> dict[str, Any]:
    return pod(initContainers=[ctr("init", **fields)], containers=[ctr()])


def errors(p: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e.field, e.type) for e in podcore.validate_pod(p)}


CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    # names, images and policies
    ("minimal", pod(), set()),
    ("no containers", pod(containers=[]), {("spec.containers", REQ)}),
    ("name required", with_c(name=""), {(f"{C}.name", REQ)}),
    ("name not a label", with_c(name="Bad_Name"), {(f"{C}.name", INV)}),
    ("name too long", with_c(name="a" * 64), {(f"{C}.name", INV)}),
    ("duplicate container names", pod(ctr("a"), ctr("a")), {("spec.containers[1].name", DUP)}),
    (
        "init name clashes with a container",
        pod(initContainers=[ctr("a")], containers=[ctr("a")]),
        {("spec.initContainers[0].name", DUP)},
    ),
    (
        "duplicate init names",
        pod(initContainers=[ctr("i"), ctr("i")], containers=[ctr()]),
        {("spec.initContainers[1].name", DUP)},
    ),
    ("image required", with_c(image=""), {(f"{C}.image", REQ)}),
    ("image padded", with_c(image=" img"), {(f"{C}.image", INV)}),
    ("init image required", init(image=""), {("spec.initContainers[0].image", REQ)}),
    ("init image padded", init(image="img "), {("spec.initContainers[0].image", INV)}),
    (
        "termination message policy",
        with_c(terminationMessagePolicy="Sometimes"),
        {(f"{C}.terminationMessagePolicy", UNSUP)},
    ),
    ("fallback to logs", with_c(terminationMessagePolicy="FallbackToLogsOnError"), set()),
    ("pull policy", with_c(imagePullPolicy="Sometimes"), {(f"{C}.imagePullPolicy", UNSUP)}),
    ("pull policy never", with_c(imagePullPolicy="Never"), set()),
    (
        "restartPolicy on a regular container",
        with_c(restartPolicy="Always"),
        {(f"{C}.restartPolicy", FORB)},
    ),
    (
        "init restartPolicy other than Always",
        init(restartPolicy="OnFailure"),
        {("spec.initContainers[0].restartPolicy", UNSUP)},
    ),
    # ports
    (
        "container port required",
        with_c(ports=[{"name": "http"}]),
        {(f"{C}.ports[0].containerPort", REQ)},
    ),
    ("container port too big", with_c(ports=[port(65536)]), {(f"{C}.ports[0].containerPort", INV)}),
    ("container port negative", with_c(ports=[port(-1)]), {(f"{C}.ports[0].containerPort", INV)}),
    ("host port too big", with_c(ports=[port(hostPort=70000)]), {(f"{C}.ports[0].hostPort", INV)}),
    ("protocol", with_c(ports=[port(protocol="ICMP")]), {(f"{C}.ports[0].protocol", UNSUP)}),
    ("sctp", with_c(ports=[port(protocol="SCTP")]), set()),
    ("port name syntax", with_c(ports=[port(name="-bad")]), {(f"{C}.ports[0].name", INV)}),
    (
        "port name too long",
        with_c(ports=[port(name="abcdefghijklmnop")]),
        {(f"{C}.ports[0].name", INV)},
    ),
    (
        "duplicate port names",
        with_c(ports=[port(80, name="web"), port(81, name="web")]),
        {(f"{C}.ports[1].name", DUP)},
    ),
    (
        "host port clash across containers",
        pod(ctr("a", ports=[port(hostPort=8080)]), ctr("b", ports=[port(81, hostPort=8080)])),
        {("spec.containers[1].ports[0].hostPort", DUP)},
    ),
    (
        "same host port on another protocol",
        pod(
            ctr("a", ports=[port(hostPort=53)]),
            ctr("b", ports=[port(53, hostPort=53, protocol="UDP")]),
        ),
        set(),
    ),
    (
        "same host port on another host IP",
        pod(
            ctr("a", ports=[port(hostPort=80, hostIP="10.0.0.1")]),
            ctr("b", ports=[port(hostPort=80, hostIP="10.0.0.2")]),
        ),
        set(),
    ),
    (
        "init host ports are checked per container, under index 0",
        pod(
            initContainers=[ctr("i0"), ctr("i1", ports=[port(hostPort=90), port(91, hostPort=90)])],
            containers=[ctr()],
        ),
        {("spec.initContainers[0].ports[1].hostPort", DUP)},
    ),
    (
        "init and regular containers may share a host port",
        pod(
            initContainers=[ctr("i", ports=[port(hostPort=90)])],
            containers=[ctr(ports=[port(hostPort=90)])],
        ),
        set(),
    ),
    (
        "hostNetwork needs hostPort == containerPort",
        pod(ctr(ports=[port(80, hostPort=81)]), hostNetwork=True),
        {(f"{C}.ports[0].hostPort", INV)},
    ),
    ("hostNetwork defaults the host port", pod(ctr(ports=[port(80)]), hostNetwork=True), set()),
    # env
    ("env name required", env({"name": "", "value": "x"}), {(f"{C}.env[0].name", REQ)}),
    ("env name with =", env({"name": "A=B"}), {(f"{C}.env[0].name", INV)}),
    ("env name relaxed rule", env({"name": "1-a.b:c"}), set()),
    ("env name non-ascii", env({"name": "café"}), {(f"{C}.env[0].name", INV)}),
    (
        "valueFrom without source",
        env({"name": "E", "valueFrom": {}}),
        {(f"{C}.env[0].valueFrom", INV)},
    ),
    (
        "value and valueFrom",
        env({"name": "E", "value": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}),
        {(f"{C}.env[0].valueFrom", INV)},
    ),
    (
        "two sources",
        env(
            {
                "name": "E",
                "valueFrom": {
                    "fieldRef": {"fieldPath": "metadata.name"},
                    "secretKeyRef": {"name": "s", "key": "k"},
                },
            }
        ),
        {(f"{C}.env[0].valueFrom", INV)},
    ),
    ("fieldRef name", env(field_ref("metadata.name")), set()),
    ("fieldRef legacy spec.host", env(field_ref("spec.host")), set()),
    ("fieldRef podIPs", env(field_ref("status.podIPs")), set()),
    (
        "fieldRef unknown",
        env(field_ref("metadata.whatever")),
        {(f"{C}.env[0].valueFrom.fieldRef.fieldPath", INV)},
    ),
    (
        "fieldRef not for env",
        env(field_ref("status.phase")),
        {(f"{C}.env[0].valueFrom.fieldRef.fieldPath", UNSUP)},
    ),
    (
        "fieldRef unsubscripted labels",
        env(field_ref("metadata.labels")),
        {(f"{C}.env[0].valueFrom.fieldRef.fieldPath", UNSUP)},
    ),
    ("fieldRef one label", env(field_ref("metadata.labels['app']")), set()),
    (
        "fieldRef bad label key",
        env(field_ref("metadata.labels['bad key']")),
        {(f"{C}.env[0].valueFrom.fieldRef", INV)},
    ),
    (
        "fieldRef annotation key is lowercased",
        env(field_ref("metadata.annotations['Some.Key']")),
        set(),
    ),
    (
        "fieldRef subscript on a plain field",
        env(field_ref("metadata.name['x']")),
        {(f"{C}.env[0].valueFrom.fieldRef.fieldPath", INV)},
    ),
    (
        "fieldRef other api version",
        env(field_ref("metadata.name", "v2")),
        {(f"{C}.env[0].valueFrom.fieldRef.fieldPath", INV)},
    ),
    (
        "fieldRef path required",
        env({"name": "E", "valueFrom": {"fieldRef": {"apiVersion": "v1"}}}),
        {(f"{C}.env[0].valueFrom.fieldRef.fieldPath", REQ)},
    ),
    ("resourceFieldRef cpu", env(res_ref("limits.cpu", "1m")), set()),
    (
        "resourceFieldRef resource required",
        env(res_ref("")),
        {(f"{C}.env[0].valueFrom.resourceFieldRef.resource", REQ)},
    ),
    (
        "resourceFieldRef unknown resource",
        env(res_ref("limits.gpu")),
        {(f"{C}.env[0].valueFrom.resourceFieldRef.resource", UNSUP)},
    ),
    ("resourceFieldRef hugepages", env(res_ref("requests.hugepages-2Mi", "1Mi")), set()),
    (
        "resourceFieldRef cpu divisor",
        env(res_ref("requests.cpu", "1Ki")),
        {(f"{C}.env[0].valueFrom.resourceFieldRef.divisor", INV)},
    ),
    ("resourceFieldRef cpu divisor 1000m is 1", env(res_ref("requests.cpu", "1000m")), set()),
    (
        "resourceFieldRef memory divisor",
        env(res_ref("limits.memory", "3")),
        {(f"{C}.env[0].valueFrom.resourceFieldRef.divisor", INV)},
    ),
    (
        "configMapKeyRef name is checked, not required",
        env({"name": "E", "valueFrom": {"configMapKeyRef": {"name": "", "key": "k"}}}),
        {(f"{C}.env[0].valueFrom.configMapKeyRef.name", INV)},
    ),
    (
        "configMapKeyRef key required",
        env({"name": "E", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": ""}}}),
        {(f"{C}.env[0].valueFrom.configMapKeyRef.key", REQ)},
    ),
    (
        "secretKeyRef key syntax",
        env({"name": "E", "valueFrom": {"secretKeyRef": {"name": "s", "key": "a/b"}}}),
        {(f"{C}.env[0].valueFrom.secretKeyRef.key", INV)},
    ),
    # envFrom
    ("envFrom without source", with_c(envFrom=[{}]), {(f"{C}.envFrom", INV)}),
    (
        "envFrom with both",
        with_c(envFrom=[{"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}}]),
        {(f"{C}.envFrom", INV)},
    ),
    (
        "envFrom name required",
        with_c(envFrom=[{"configMapRef": {"name": ""}}]),
        {(f"{C}.envFrom[0].configMapRef.name", REQ)},
    ),
    (
        "envFrom secret name syntax",
        with_c(envFrom=[{"secretRef": {"name": "Bad_Name"}}]),
        {(f"{C}.envFrom[0].secretRef.name", INV)},
    ),
    ("envFrom name may end in a dash", with_c(envFrom=[{"configMapRef": {"name": "abc-"}}]), set()),
    (
        "envFrom prefix",
        with_c(envFrom=[{"prefix": "A=", "configMapRef": {"name": "a"}}]),
        {(f"{C}.envFrom[0].prefix", INV)},
    ),
    # volume mounts
    ("mount", mounts({"name": "vol", "mountPath": "/data"}), set()),
    (
        "mount of an unknown volume",
        mounts({"name": "nope", "mountPath": "/d"}),
        {(f"{C}.volumeMounts[0].name", NOTF)},
    ),
    (
        "mount name required",
        mounts({"name": "", "mountPath": "/d"}),
        {(f"{C}.volumeMounts[0].name", REQ), (f"{C}.volumeMounts[0].name", NOTF)},
    ),
    (
        "mount path required",
        mounts({"name": "vol", "mountPath": ""}),
        {(f"{C}.volumeMounts[0].mountPath", REQ)},
    ),
    (
        "mount paths unique",
        mounts({"name": "vol", "mountPath": "/d"}, {"name": "claim", "mountPath": "/d"}),
        {(f"{C}.volumeMounts[1].mountPath", INV)},
    ),
    (
        "subPath absolute",
        mounts({"name": "vol", "mountPath": "/d", "subPath": "/abs"}),
        {(f"{C}.volumeMounts.subPath", INV)},
    ),
    (
        "subPath backsteps",
        mounts({"name": "vol", "mountPath": "/d", "subPath": "a/../../b"}),
        {(f"{C}.volumeMounts.subPath", INV)},
    ),
    (
        "subPath dots inside a name",
        mounts({"name": "vol", "mountPath": "/d", "subPath": "a..b"}),
        set(),
    ),
    (
        "subPath and subPathExpr",
        mounts({"name": "vol", "mountPath": "/d", "subPath": "a", "subPathExpr": "$(X)"}),
        {(f"{C}.volumeMounts[0].subPathExpr", INV)},
    ),
    (
        "subPathExpr absolute",
        mounts({"name": "vol", "mountPath": "/d", "subPathExpr": "/$(X)"}),
        {(f"{C}.volumeMounts.subPathExpr", INV)},
    ),
    (
        "mountPropagation unknown",
        mounts({"name": "vol", "mountPath": "/d", "mountPropagation": "Sideways"}),
        {(f"{C}.volumeMounts.mountPropagation", UNSUP)},
    ),
    (
        "bidirectional needs privileged",
        mounts({"name": "vol", "mountPath": "/d", "mountPropagation": "Bidirectional"}),
        {(f"{C}.volumeMounts.mountPropagation", FORB)},
    ),
    (
        "bidirectional when privileged",
        mounts(
            {"name": "vol", "mountPath": "/d", "mountPropagation": "Bidirectional"},
            securityContext={"privileged": True},
        ),
        set(),
    ),
    (
        "recursive read-only needs readOnly",
        mounts({"name": "vol", "mountPath": "/d", "recursiveReadOnly": "Enabled"}),
        {(f"{C}.volumeMounts.recursiveReadOnly", FORB)},
    ),
    (
        "recursive read-only and propagation",
        mounts(
            {
                "name": "vol",
                "mountPath": "/d",
                "readOnly": True,
                "recursiveReadOnly": "IfPossible",
                "mountPropagation": "HostToContainer",
            }
        ),
        {(f"{C}.volumeMounts.recursiveReadOnly", FORB)},
    ),
    (
        "recursive read-only value",
        mounts({"name": "vol", "mountPath": "/d", "readOnly": True, "recursiveReadOnly": "Always"}),
        {(f"{C}.volumeMounts.recursiveReadOnly", UNSUP)},
    ),
    # volume devices
    ("device from a claim", devices({"name": "claim", "devicePath": "/dev/x"}), set()),
    (
        "device from an emptyDir",
        devices({"name": "vol", "devicePath": "/dev/x"}),
        {(f"{C}.volumeDevices[0].name", INV)},
    ),
    (
        "device of an unknown volume",
        devices({"name": "nope", "devicePath": "/dev/x"}),
        {(f"{C}.volumeDevices[0].name", NOTF)},
    ),
    (
        "device path required",
        devices({"name": "claim", "devicePath": ""}),
        {(f"{C}.volumeDevices[0].devicePath", REQ)},
    ),
    (
        "device path backsteps",
        devices({"name": "claim", "devicePath": "/dev/../x"}),
        {(f"{C}.volumeDevices[0].devicePath", INV)},
    ),
    (
        "device and mount of one volume at one path",
        devices(
            {"name": "claim", "devicePath": "/d"},
            volumeMounts=[{"name": "claim", "mountPath": "/d"}],
        ),
        {
            (f"{C}.volumeMounts[0].name", INV),
            (f"{C}.volumeMounts[0].mountPath", INV),
            (f"{C}.volumeDevices[0].name", INV),
            (f"{C}.volumeDevices[0].devicePath", INV),
        },
    ),
    # resources
    ("resources", resources({"cpu": "1", "memory": "1Gi"}, {"cpu": "500m"}), set()),
    (
        "request above limit",
        resources({"cpu": "1"}, {"cpu": "2"}),
        {(f"{C}.resources.requests", INV)},
    ),
    (
        "negative limit (copied into the request)",
        resources({"cpu": "-1"}),
        {(f"{C}.resources.limits[cpu]", INV), (f"{C}.resources.requests[cpu]", INV)},
    ),
    ("unknown resource", resources(requests={"foo": "1"}), {(f"{C}.resources.requests[foo]", INV)}),
    (
        "quota-only resource",
        resources(requests={"pods": "1"}),
        {(f"{C}.resources.requests[pods]", INV)},
    ),
    (
        "bad resource name (and not overcommitable)",
        resources(requests={"a/b/c": "1"}),
        {(f"{C}.resources.requests[a/b/c]", INV), (f"{C}.resources.limits", REQ)},
    ),
    ("extended resource", resources({"example.com/gpu": "2"}), set()),
    (
        "extended resource must be whole",
        resources({"example.com/gpu": "1.5"}),
        {
            (f"{C}.resources.limits[example.com/gpu]", INV),
            (f"{C}.resources.requests[example.com/gpu]", INV),
        },
    ),
    (
        "extended resource request without limit",
        resources(requests={"example.com/gpu": "1"}),
        {(f"{C}.resources.limits", REQ)},
    ),
    (
        "extended resource request below limit",
        resources({"example.com/gpu": "2"}, {"example.com/gpu": "1"}),
        {(f"{C}.resources.requests", INV)},
    ),
    ("huge pages", resources({"hugepages-2Mi": "4Mi", "memory": "1Gi"}), set()),
    ("huge pages alone", resources({"hugepages-2Mi": "2Mi"}), {(f"{C}.resources", FORB)}),
    (
        "huge pages indivisible",
        resources({"hugepages-2Mi": "3Mi", "memory": "1Gi"}),
        {
            (f"{C}.resources.limits[hugepages-2Mi]", INV),
            (f"{C}.resources.requests[hugepages-2Mi]", INV),
        },
    ),
    # resize policy
    (
        "resize policy",
        with_c(resizePolicy=[{"resourceName": "cpu", "restartPolicy": "NotRequired"}]),
        set(),
    ),
    (
        "resize policy resource",
        with_c(resizePolicy=[{"resourceName": "gpu", "restartPolicy": "NotRequired"}]),
        {(f"{C}.resizePolicy", UNSUP)},
    ),
    (
        "resize policy repeated",
        with_c(
            resizePolicy=[
                {"resourceName": "cpu", "restartPolicy": "NotRequired"},
                {"resourceName": "cpu", "restartPolicy": "RestartContainer"},
            ]
        ),
        {(f"{C}.resizePolicy[1]", DUP)},
    ),
    (
        "resize policy restart required",
        with_c(resizePolicy=[{"resourceName": "memory"}]),
        {(f"{C}.resizePolicy", REQ)},
    ),
    (
        "resize restart with pod restartPolicy Never",
        pod(
            ctr(resizePolicy=[{"resourceName": "memory", "restartPolicy": "RestartContainer"}]),
            restartPolicy="Never",
        ),
        {(f"{C}.resizePolicy", INV)},
    ),
    # probes
    ("liveness", probe(), set()),
    ("liveness without handler", with_c(livenessProbe={}), {(f"{C}.livenessProbe", REQ)}),
    (
        "two handlers",
        probe(httpGet={"port": 80}),
        {(f"{C}.livenessProbe.httpGet", FORB)},
    ),
    (
        "liveness success threshold",
        probe(successThreshold=2),
        {(f"{C}.livenessProbe.successThreshold", INV)},
    ),
    (
        "startup success threshold",
        probe("startupProbe", successThreshold=3),
        {(f"{C}.startupProbe.successThreshold", INV)},
    ),
    ("readiness success threshold", probe("readinessProbe", successThreshold=3), set()),
    (
        "readiness grace period",
        probe("readinessProbe", terminationGracePeriodSeconds=10),
        {(f"{C}.readinessProbe.terminationGracePeriodSeconds", INV)},
    ),
    ("liveness grace period", probe(terminationGracePeriodSeconds=10), set()),
    (
        "liveness grace period zero",
        probe(terminationGracePeriodSeconds=0),
        {(f"{C}.livenessProbe.terminationGracePeriodSeconds", INV)},
    ),
    (
        "negative delay",
        probe(initialDelaySeconds=-1),
        {(f"{C}.livenessProbe.initialDelaySeconds", INV)},
    ),
    (
        "negative failure threshold",
        probe(failureThreshold=-1),
        {(f"{C}.livenessProbe.failureThreshold", INV)},
    ),
    (
        "exec without command",
        with_c(livenessProbe={"exec": {}}),
        {(f"{C}.livenessProbe.exec.command", REQ)},
    ),
    (
        "httpGet",
        with_c(
            readinessProbe={
                "httpGet": {"port": "http", "httpHeaders": [{"name": "X-A", "value": "b"}]}
            }
        ),
        set(),
    ),
    (
        "httpGet port zero",
        with_c(readinessProbe={"httpGet": {}}),
        {(f"{C}.readinessProbe.httpGet.port", INV)},
    ),
    (
        "httpGet port name",
        with_c(readinessProbe={"httpGet": {"port": "-x"}}),
        {(f"{C}.readinessProbe.httpGet.port", INV)},
    ),
    (
        "httpGet scheme",
        with_c(readinessProbe={"httpGet": {"port": 80, "scheme": "FTP"}}),
        {(f"{C}.readinessProbe.httpGet.scheme", UNSUP)},
    ),
    (
        "httpGet header name",
        with_c(
            readinessProbe={
                "httpGet": {"port": 80, "httpHeaders": [{"name": "bad header", "value": ""}]}
            }
        ),
        {(f"{C}.readinessProbe.httpGet.httpHeaders", INV)},
    ),
    (
        "tcpSocket port",
        with_c(livenessProbe={"tcpSocket": {"port": 70000}}),
        {(f"{C}.livenessProbe.tcpSocket.port", INV)},
    ),
    (
        "grpc port",
        with_c(livenessProbe={"grpc": {"port": 0}}),
        {(f"{C}.livenessProbe.grpc.port", INV)},
    ),
    ("grpc", with_c(livenessProbe={"grpc": {"port": 9000}}), set()),
    # lifecycle
    ("preStop exec", with_c(lifecycle={"preStop": EXEC}), set()),
    (
        "preStop without handler",
        with_c(lifecycle={"preStop": {}}),
        {(f"{C}.lifecycle.preStop", REQ)},
    ),
    (
        "postStart two handlers",
        with_c(lifecycle={"postStart": {**EXEC, "tcpSocket": {"port": 80}}}),
        {(f"{C}.lifecycle.postStart.tcpSocket", FORB)},
    ),
    ("sleep zero", with_c(lifecycle={"preStop": {"sleep": {"seconds": 0}}}), set()),
    (
        "sleep negative",
        with_c(lifecycle={"preStop": {"sleep": {"seconds": -1}}}),
        {(f"{C}.lifecycle.preStop.sleep", INV)},
    ),
    (
        "sleep past grace",
        with_c(lifecycle={"preStop": {"sleep": {"seconds": 31}}}),
        {(f"{C}.lifecycle.preStop.sleep", INV)},
    ),
    (
        "sleep within a longer grace",
        pod(
            ctr(lifecycle={"preStop": {"sleep": {"seconds": 60}}}), terminationGracePeriodSeconds=60
        ),
        set(),
    ),
    # init containers and sidecars
    ("init liveness", init(livenessProbe=EXEC), {("spec.initContainers[0].livenessProbe", FORB)}),
    (
        "init readiness",
        init(readinessProbe=EXEC),
        {("spec.initContainers[0].readinessProbe", FORB)},
    ),
    ("init startup", init(startupProbe=EXEC), {("spec.initContainers[0].startupProbe", FORB)}),
    (
        "init lifecycle",
        init(lifecycle={"preStop": EXEC}),
        {("spec.initContainers[0].lifecycle", FORB)},
    ),
    (
        "sidecar probes and hooks",
        sidecar(
            livenessProbe=EXEC, readinessProbe=EXEC, startupProbe=EXEC, lifecycle={"preStop": EXEC}
        ),
        set(),
    ),
    (
        "sidecar probe rules",
        sidecar(livenessProbe={**EXEC, "successThreshold": 2}),
        {("spec.initContainers[0].livenessProbe.successThreshold", INV)},
    ),
    (
        "sidecar hook rules",
        sidecar(lifecycle={"postStart": {}}),
        {("spec.initContainers[0].lifecycle.postStart", REQ)},
    ),
    # security context
    ("privileged", sc(privileged=True), set()),
    ("runAsUser negative", sc(runAsUser=-1), {(f"{C}.securityContext.runAsUser", INV)}),
    ("runAsGroup too big", sc(runAsGroup=2147483648), {(f"{C}.securityContext.runAsGroup", INV)}),
    (
        "no escalation but privileged",
        sc(allowPrivilegeEscalation=False, privileged=True),
        {(f"{C}.securityContext", INV)},
    ),
    (
        "no escalation but CAP_SYS_ADMIN",
        sc(allowPrivilegeEscalation=False, capabilities={"add": ["CAP_SYS_ADMIN"]}),
        {(f"{C}.securityContext", INV)},
    ),
    (
        "seccomp type required",
        sc(seccompProfile={}),
        {(f"{C}.securityContext.seccompProfile.type", REQ)},
    ),
    (
        "seccomp type",
        sc(seccompProfile={"type": "Strict"}),
        {(f"{C}.securityContext.seccompProfile.type", UNSUP)},
    ),
    (
        "seccomp localhost needs a profile",
        sc(seccompProfile={"type": "Localhost"}),
        {(f"{C}.securityContext.seccompProfile.localhostProfile", REQ)},
    ),
    (
        "seccomp profile only for localhost",
        sc(seccompProfile={"type": "RuntimeDefault", "localhostProfile": "p.json"}),
        {(f"{C}.securityContext.seccompProfile.localhostProfile", INV)},
    ),
    (
        "seccomp profile path",
        sc(seccompProfile={"type": "Localhost", "localhostProfile": "../p.json"}),
        {(f"{C}.securityContext.seccompProfile.localhostProfile", INV)},
    ),
    (
        "seccomp localhost",
        sc(seccompProfile={"type": "Localhost", "localhostProfile": "profiles/p.json"}),
        set(),
    ),
    (
        "apparmor localhost needs a profile",
        sc(appArmorProfile={"type": "Localhost"}),
        {(f"{C}.securityContext.appArmorProfile.localhostProfile", REQ)},
    ),
    (
        "apparmor padded profile",
        sc(appArmorProfile={"type": "Localhost", "localhostProfile": " p "}),
        {(f"{C}.securityContext.appArmorProfile.localhostProfile", INV)},
    ),
    (
        "apparmor type",
        sc(appArmorProfile={"type": "Strict"}),
        {(f"{C}.securityContext.appArmorProfile.type", UNSUP)},
    ),
    (
        "apparmor profile only for localhost",
        sc(appArmorProfile={"type": "Unconfined", "localhostProfile": "p"}),
        {(f"{C}.securityContext.appArmorProfile.localhostProfile", INV)},
    ),
    (
        "windows user name backslashes",
        sc(windowsOptions={"runAsUserName": "a\\b\\c"}),
        {(f"{C}.securityContext.windowsOptions.runAsUserName", INV)},
    ),
    (
        "windows empty credential spec",
        sc(windowsOptions={"gmsaCredentialSpec": ""}),
        {(f"{C}.securityContext.windowsOptions.gmsaCredentialSpec", INV)},
    ),
    (
        "windows credential spec name",
        sc(windowsOptions={"gmsaCredentialSpecName": "Bad_Name"}),
        {(f"{C}.securityContext.windowsOptions.gmsaCredentialSpecName", INV)},
    ),
]


@pytest.mark.parametrize(("pod_", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_container_errors(pod_: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    assert errors(pod_) == expected


def detail(p: dict[str, Any], field: str) -> str:
    found = [e for e in podcore.validate_pod(p) if e.field == field]
    assert len(found) == 1, found
    return found[0].detail


@pytest.mark.parametrize(
    ("pod_", "field", "text"),
    [
        (
            with_c(ports=[port(65536)]),
            f"{C}.ports[0].containerPort",
            "must be between 1 and 65535, inclusive",
        ),
        (
            with_c(ports=[port(protocol="ICMP")]),
            f"{C}.ports[0].protocol",
            'supported values: "SCTP", "TCP", "UDP"',
        ),
        (
            with_c(imagePullPolicy="Sometimes"),
            f"{C}.imagePullPolicy",
            'supported values: "Always", "IfNotPresent", "Never"',
        ),
        (
            resources({"cpu": "1"}, {"cpu": "2"}),
            f"{C}.resources.requests",
            "must be less than or equal to cpu limit of 1",
        ),
        (
            resources({"example.com/gpu": "2"}, {"example.com/gpu": "1"}),
            f"{C}.resources.requests",
            "must be equal to example.com/gpu limit of 2",
        ),
        (
            resources(requests={"example.com/gpu": "1"}),
            f"{C}.resources.limits",
            "Limit must be set for non overcommitable resources",
        ),
        (resources({"hugepages-2Mi": "2Mi"}), f"{C}.resources", "HugePages require cpu or memory"),
        (
            resources({"hugepages-2Mi": "3Mi", "memory": "1Gi"}),
            f"{C}.resources.limits[hugepages-2Mi]",
            "3Mi is not positive integer multiple of hugepages-2Mi",
        ),
        (
            resources(requests={"pods": "1"}),
            f"{C}.resources.requests[pods]",
            "must be a standard resource for containers",
        ),
        (
            init(livenessProbe=EXEC),
            "spec.initContainers[0].livenessProbe",
            "may not be set for init containers without restartPolicy=Always",
        ),
        (
            with_c(restartPolicy="Always"),
            f"{C}.restartPolicy",
            "may not be set for non-init containers",
        ),
        (probe(successThreshold=2), f"{C}.livenessProbe.successThreshold", "must be 1"),
        (
            probe(initialDelaySeconds=-1),
            f"{C}.livenessProbe.initialDelaySeconds",
            "must be greater than or equal to 0",
        ),
        (with_c(livenessProbe={}), f"{C}.livenessProbe", "must specify a handler type"),
        (
            probe(httpGet={"port": 80}),
            f"{C}.livenessProbe.httpGet",
            "may not specify more than 1 handler type",
        ),
        (
            with_c(lifecycle={"preStop": {"sleep": {"seconds": 31}}}),
            f"{C}.lifecycle.preStop.sleep",
            "must be non-negative and less than terminationGracePeriodSeconds (30)",
        ),
        (
            env(field_ref("metadata.whatever")),
            f"{C}.env[0].valueFrom.fieldRef.fieldPath",
            "error converting fieldPath: field label not supported: metadata.whatever",
        ),
        (
            env(field_ref("metadata.name", "v2")),
            f"{C}.env[0].valueFrom.fieldRef.fieldPath",
            "error converting fieldPath: unsupported pod version: v2",
        ),
        (
            env(field_ref("status.phase")),
            f"{C}.env[0].valueFrom.fieldRef.fieldPath",
            'supported values: "metadata.name", "metadata.namespace", "metadata.uid", '
            '"spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", '
            '"status.podIP", "status.podIPs"',
        ),
        (
            env({"name": "A=B"}),
            f"{C}.env[0].name",
            "a valid environment variable name must consist only of printable ASCII "
            "characters other than '='",
        ),
        (
            env({"name": "E", "valueFrom": {}}),
            f"{C}.env[0].valueFrom",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` "
            "or `secretKeyRef`",
        ),
        (
            env(res_ref("requests.cpu", "1Ki")),
            f"{C}.env[0].valueFrom.resourceFieldRef.divisor",
            "only divisor's values 1m and 1 are supported with the cpu resource",
        ),
        (
            with_c(envFrom=[{}]),
            f"{C}.envFrom",
            "must specify one of: `configMapRef` or `secretRef`",
        ),
        (
            mounts({"name": "vol", "mountPath": "/d", "mountPropagation": "Bidirectional"}),
            f"{C}.volumeMounts.mountPropagation",
            "Bidirectional mount propagation is available only to privileged containers",
        ),
        (
            mounts({"name": "vol", "mountPath": "/d", "subPath": "a/../../b"}),
            f"{C}.volumeMounts.subPath",
            "must not contain '..'",
        ),
        (
            devices({"name": "vol", "devicePath": "/dev/x"}),
            f"{C}.volumeDevices[0].name",
            "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
        ),
        (
            pod(ctr(ports=[port(80, hostPort=81)]), hostNetwork=True),
            f"{C}.ports[0].hostPort",
            "must match `containerPort` when `hostNetwork` is true",
        ),
        (
            pod(
                ctr(resizePolicy=[{"resourceName": "memory", "restartPolicy": "RestartContainer"}]),
                restartPolicy="Never",
            ),
            f"{C}.resizePolicy",
            "must be 'NotRequired' when `restartPolicy` is 'Never'",
        ),
        (
            sc(allowPrivilegeEscalation=False, privileged=True),
            f"{C}.securityContext",
            "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
        ),
        (
            sc(runAsUser=-1),
            f"{C}.securityContext.runAsUser",
            "must be between 0 and 2147483647, inclusive",
        ),
        (
            sc(windowsOptions={"runAsUserName": "a\\b\\c"}),
            f"{C}.securityContext.windowsOptions.runAsUserName",
            "runAsUserName cannot contain more than one backslash",
        ),
        (with_c(image=" img"), f"{C}.image", "must not have leading or trailing whitespace"),
    ],
)
def test_error_details(pod_: dict[str, Any], field: str, text: str) -> None:
    assert detail(pod_, field) == text


def test_host_port_clash_names_protocol_ip_and_port() -> None:
    p = pod(ctr("a", ports=[port(hostPort=8080)]), ctr("b", ports=[port(81, hostPort=8080)]))
    (err,) = [e for e in podcore.validate_pod(p) if e.type == DUP]
    assert str(err) == 'spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'


# Ephemeral containers are only ever added through the ephemeralcontainers
# subresource, so a pod created with them is also refused as a whole; these
# cases look only at the errors about the ephemeral containers themselves.
E = "spec.ephemeralContainers[0]"


def ephemeral(**fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "debug")
    fields.setdefault("image", "busybox")
    return pod(ctr("app"), ephemeralContainers=[fields], volumes=copy.deepcopy(VOLS))


EPHEMERAL_CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    (
        "valid",
        ephemeral(targetContainerName="app", volumeMounts=[{"name": "vol", "mountPath": "/d"}]),
        set(),
    ),
    ("ports", ephemeral(ports=[port()]), {(f"{E}.ports", FORB)}),
    ("resources", ephemeral(resources={"limits": {"cpu": "1"}}), {(f"{E}.resources", FORB)}),
    (
        "probes and hooks",
        ephemeral(
            livenessProbe=EXEC, readinessProbe=EXEC, startupProbe=EXEC, lifecycle={"preStop": EXEC}
        ),
        {
            (f"{E}.livenessProbe", FORB),
            (f"{E}.readinessProbe", FORB),
            (f"{E}.startupProbe", FORB),
            (f"{E}.lifecycle", FORB),
        },
    ),
    ("restartPolicy", ephemeral(restartPolicy="Always"), {(f"{E}.restartPolicy", FORB)}),
    (
        "resizePolicy",
        ephemeral(resizePolicy=[{"resourceName": "cpu", "restartPolicy": "NotRequired"}]),
        {(f"{E}.resizePolicy", FORB)},
    ),
    ("unknown target", ephemeral(targetContainerName="nope"), {(f"{E}.targetContainerName", NOTF)}),
    ("name of a container", ephemeral(name="app"), {(f"{E}.name", DUP)}),
    ("name required", ephemeral(name=""), {(f"{E}.name", REQ)}),
    ("image required", ephemeral(image=""), {(f"{E}.image", REQ)}),
    ("image padded", ephemeral(image="busybox "), {(f"{E}.image", INV)}),
    (
        "subPath",
        ephemeral(volumeMounts=[{"name": "vol", "mountPath": "/d", "subPath": "x"}]),
        {(f"{E}.volumeMounts[0].subPath", FORB)},
    ),
    (
        "subPathExpr",
        ephemeral(volumeMounts=[{"name": "vol", "mountPath": "/d", "subPathExpr": "$(X)"}]),
        {(f"{E}.volumeMounts[0].subPathExpr", FORB)},
    ),
    ("env rules apply", ephemeral(env=[{"name": ""}]), {(f"{E}.env[0].name", REQ)}),
]


@pytest.mark.parametrize(
    ("pod_", "expected"), [c[1:] for c in EPHEMERAL_CASES], ids=[c[0] for c in EPHEMERAL_CASES]
)
def test_ephemeral_container_errors(pod_: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    got = {e for e in errors(pod_) if e[0].startswith("spec.ephemeralContainers[")}
    assert got == expected


def test_two_ephemeral_containers_may_not_share_a_name() -> None:
    p = pod(ctr("app"), ephemeralContainers=[ctr("dbg"), ctr("dbg")])
    got = {e for e in errors(p) if e[0].startswith("spec.ephemeralContainers[")}
    assert got == {("spec.ephemeralContainers[1].name", DUP)}
