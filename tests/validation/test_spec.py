"""Pod-level spec validation (ValidatePodSpec of Kubernetes v1.33): each case
is a minimal pod and the exact set of (field, type) pairs the apiserver
reports for it, with the detail string where it is part of the contract."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import podcore

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
FORBIDDEN = "FieldValueForbidden"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"


def container(name: str = "c", **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": "img", **fields}


def pod(**spec: Any) -> dict[str, Any]:
    """A valid pod with one container; keyword arguments replace spec fields."""
    body: dict[str, Any] = {"containers": [container()]}
    body.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": body,
    }


def sc(**fields: Any) -> dict[str, Any]:
    return pod(securityContext=fields)


def csc(**fields: Any) -> dict[str, Any]:
    """A pod whose container has the given security context."""
    return {"containers": [container(securityContext=fields)]}


def node_affinity(term: dict[str, Any]) -> dict[str, Any]:
    return pod(
        affinity={
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
            }
        }
    )


def pod_affinity(term: dict[str, Any], kind: str = "podAffinity") -> dict[str, Any]:
    return pod(affinity={kind: {"requiredDuringSchedulingIgnoredDuringExecution": [term]}})


def tsc(**fields: Any) -> dict[str, Any]:
    base = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
    base.update(fields)
    return base


def tol(**fields: Any) -> dict[str, Any]:
    return pod(tolerations=[fields])


def dns(**cfg: Any) -> dict[str, Any]:
    return pod(dnsConfig=cfg)


def subdomain(n: int) -> str:
    """A valid DNS subdomain of exactly n characters (n >= 1)."""
    labels = []
    while n > 0:
        take = min(63, n)
        labels.append("a" * take)
        n -= take + 1
    return ".".join(labels)


NA = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
PA = "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
SEL = {"matchLabels": {"app": "web"}}

CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    # --- valid specs
    ("minimal", pod(), set()),
    ("restart OnFailure", pod(restartPolicy="OnFailure"), set()),
    ("restart Never", pod(restartPolicy="Never"), set()),
    (
        "dns policy None with nameserver",
        pod(dnsPolicy="None", dnsConfig={"nameservers": ["1.2.3.4"]}),
        set(),
    ),
    ("dns ClusterFirstWithHostNet", pod(dnsPolicy="ClusterFirstWithHostNet"), set()),
    ("dns search underscore relaxed", dns(searches=["_sip._tcp.example.com"]), set()),
    ("dns search lone dot", dns(searches=["."]), set()),
    ("dns search trailing dot", dns(searches=["example.com."]), set()),
    ("dns option with value", dns(options=[{"name": "ndots", "value": "2"}]), set()),
    ("node selector", pod(nodeSelector={"kubernetes.io/os": "linux"}), set()),
    ("active deadline 1", pod(activeDeadlineSeconds=1), set()),
    ("active deadline max int32", pod(activeDeadlineSeconds=2147483647), set()),
    ("hostname and subdomain", pod(hostname="web-0", subdomain="svc"), set()),
    ("hostUsers false alone", pod(hostUsers=False), set()),
    (
        "hostIPC with net sysctl",
        pod(
            hostIPC=True,
            securityContext={"sysctls": [{"name": "net.ipv4.ip_forward", "value": "1"}]},
        ),
        set(),
    ),
    (
        "sysctl with slashes",
        sc(sysctls=[{"name": "net/ipv4/conf/eno2.100/rp_filter", "value": "1"}]),
        set(),
    ),
    ("seLinuxChangePolicy MountOption", sc(seLinuxChangePolicy="MountOption"), set()),
    ("supplementalGroupsPolicy Strict", sc(supplementalGroupsPolicy="Strict"), set()),
    (
        "seccomp localhost",
        sc(seccompProfile={"type": "Localhost", "localhostProfile": "p.json"}),
        set(),
    ),
    ("toleration match all", tol(operator="Exists"), set()),
    (
        "toleration NoExecute seconds",
        tol(key="k", operator="Equal", value="v", effect="NoExecute", tolerationSeconds=30),
        set(),
    ),
    (
        "preferred term tolerates bad value",
        pod(
            affinity={
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 1,
                            "preference": {
                                "matchExpressions": [
                                    {"key": "k", "operator": "In", "values": ["bad value"]}
                                ]
                            },
                        }
                    ]
                }
            }
        ),
        set(),
    ),
    (
        "match fields metadata.name",
        node_affinity(
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}
        ),
        set(),
    ),
    (
        "node Gt one value",
        node_affinity({"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}),
        set(),
    ),
    (
        "pod affinity with match label keys",
        pod_affinity(
            {
                "labelSelector": SEL,
                "topologyKey": "zone",
                "matchLabelKeys": ["rev"],
                "mismatchLabelKeys": ["team"],
            }
        ),
        set(),
    ),
    (
        "topology spread full",
        pod(
            topologySpreadConstraints=[
                tsc(
                    labelSelector=SEL,
                    minDomains=2,
                    nodeAffinityPolicy="Honor",
                    nodeTaintsPolicy="Ignore",
                    matchLabelKeys=["rev"],
                )
            ]
        ),
        set(),
    ),
    (
        "two constraints differ in action",
        pod(topologySpreadConstraints=[tsc(), tsc(whenUnsatisfiable="ScheduleAnyway")]),
        set(),
    ),
    (
        "scheduling gates",
        pod(schedulingGates=[{"name": "example.com/gate"}, {"name": "other"}]),
        set(),
    ),
    ("readiness gate", pod(readinessGates=[{"conditionType": "example.com/ready"}]), set()),
    (
        "resource claim template",
        pod(resourceClaims=[{"name": "gpu", "resourceClaimTemplateName": "gpu-tmpl"}]),
        set(),
    ),
    ("host alias", pod(hostAliases=[{"ip": "10.0.0.1", "hostnames": ["db.local"]}]), set()),
    ("overhead", pod(overhead={"cpu": "250m", "memory": "120Mi"}), set()),
    ("preemption Never", pod(preemptionPolicy="Never"), set()),
    ("runtime class", pod(runtimeClassName="kata"), set()),
    ("linux os", pod(os={"name": "linux"}), set()),
    (
        "windows os with windows options",
        pod(
            os={"name": "windows"},
            securityContext={"windowsOptions": {"runAsUserName": "ContainerUser"}},
        ),
        set(),
    ),
    (
        "windows host process pod",
        pod(hostNetwork=True, securityContext={"windowsOptions": {"hostProcess": True}}),
        set(),
    ),
    # --- restartPolicy, dnsPolicy
    ("restart unknown", pod(restartPolicy="Sometimes"), {("spec.restartPolicy", NOT_SUPPORTED)}),
    ("dns policy unknown", pod(dnsPolicy="Bogus"), {("spec.dnsPolicy", NOT_SUPPORTED)}),
    # --- dnsConfig
    ("dns None without config", pod(dnsPolicy="None"), {("spec.dnsConfig", REQUIRED)}),
    (
        "dns None without nameservers",
        pod(dnsPolicy="None", dnsConfig={"searches": ["a.com"]}),
        {("spec.dnsConfig.nameservers", REQUIRED)},
    ),
    (
        "dns too many nameservers",
        dns(nameservers=["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]),
        {("spec.dnsConfig.nameservers", INVALID)},
    ),
    (
        "dns bad nameserver",
        dns(nameservers=["1.2.3.256"]),
        {("spec.dnsConfig.nameservers[0]", INVALID)},
    ),
    (
        "dns too many searches",
        dns(searches=[f"s{i}.com" for i in range(33)]),
        {("spec.dnsConfig.searches", INVALID)},
    ),
    (
        "dns search list too long",
        dns(searches=[subdomain(253)] * 9),
        {("spec.dnsConfig.searches", INVALID)},
    ),
    (
        "dns search upper case",
        dns(searches=["Example.com"]),
        {("spec.dnsConfig.searches[0]", INVALID)},
    ),
    (
        "dns search double dot",
        dns(searches=["a..com", "ok.com"]),
        {("spec.dnsConfig.searches[0]", INVALID)},
    ),
    (
        "dns option without name",
        dns(options=[{"value": "2"}]),
        {("spec.dnsConfig.options[0]", REQUIRED)},
    ),
    # --- nodeSelector
    ("node selector bad key", pod(nodeSelector={"a/b/c": "v"}), {("spec.nodeSelector", INVALID)}),
    (
        "node selector bad value",
        pod(nodeSelector={"k": "bad value"}),
        {("spec.nodeSelector", INVALID)},
    ),
    # --- pod security context
    ("fsGroup negative", sc(fsGroup=-1), {("spec.securityContext.fsGroup", INVALID)}),
    ("runAsUser too big", sc(runAsUser=2147483648), {("spec.securityContext.runAsUser", INVALID)}),
    ("runAsGroup negative", sc(runAsGroup=-5), {("spec.securityContext.runAsGroup", INVALID)}),
    (
        "supplemental group negative",
        sc(supplementalGroups=[1, -1]),
        {("spec.securityContext.supplementalGroups[1]", INVALID)},
    ),
    (
        "share process ns with hostPID",
        pod(hostPID=True, shareProcessNamespace=True),
        {("spec.securityContext.shareProcessNamespace", INVALID)},
    ),
    (
        "sysctl empty name",
        sc(sysctls=[{"name": "", "value": "1"}]),
        {("spec.securityContext.sysctls[0].name", REQUIRED)},
    ),
    (
        "sysctl bad name",
        sc(sysctls=[{"name": "kernel.shm_", "value": "1"}]),
        {("spec.securityContext.sysctls[0].name", INVALID)},
    ),
    (
        "sysctl duplicate",
        sc(
            sysctls=[
                {"name": "kernel.msgmax", "value": "1"},
                {"name": "kernel.msgmax", "value": "2"},
            ]
        ),
        {("spec.securityContext.sysctls[1].name", DUPLICATE)},
    ),
    (
        "net sysctl with host network",
        pod(
            hostNetwork=True,
            securityContext={"sysctls": [{"name": "net.core.somaxconn", "value": "1"}]},
        ),
        {("spec.securityContext.sysctls[0].name", INVALID)},
    ),
    (
        "ipc sysctl with host IPC",
        pod(hostIPC=True, securityContext={"sysctls": [{"name": "kernel.shmmax", "value": "1"}]}),
        {("spec.securityContext.sysctls[0].name", INVALID)},
    ),
    (
        "mqueue sysctl with host IPC",
        pod(
            hostIPC=True, securityContext={"sysctls": [{"name": "fs.mqueue.msg_max", "value": "1"}]}
        ),
        {("spec.securityContext.sysctls[0].name", INVALID)},
    ),
    (
        "fsGroupChangePolicy unknown",
        sc(fsGroupChangePolicy="Sometimes"),
        {("spec.securityContext.fsGroupChangePolicy", NOT_SUPPORTED)},
    ),
    (
        "seccomp without type",
        sc(seccompProfile={}),
        {("spec.securityContext.seccompProfile.type", REQUIRED)},
    ),
    (
        "seccomp localhost without profile",
        sc(seccompProfile={"type": "Localhost"}),
        {("spec.securityContext.seccompProfile.localhostProfile", REQUIRED)},
    ),
    (
        "seccomp profile for runtime default",
        sc(seccompProfile={"type": "RuntimeDefault", "localhostProfile": "p"}),
        {("spec.securityContext.seccompProfile.localhostProfile", INVALID)},
    ),
    (
        "apparmor unknown type",
        sc(appArmorProfile={"type": "Custom"}),
        {("spec.securityContext.appArmorProfile.type", NOT_SUPPORTED)},
    ),
    (
        "supplementalGroupsPolicy unknown",
        sc(supplementalGroupsPolicy="Loose"),
        {("spec.securityContext.supplementalGroupsPolicy", NOT_SUPPORTED)},
    ),
    (
        "seLinuxChangePolicy unknown",
        sc(seLinuxChangePolicy="Sometimes"),
        {("spec.securityContext.seLinuxChangePolicy", NOT_SUPPORTED)},
    ),
    (
        "windows user name empty",
        sc(windowsOptions={"runAsUserName": ""}),
        {("spec.securityContext.windowsOptions.runAsUserName", INVALID)},
    ),
    # --- hostUsers
    (
        "hostUsers false with host namespaces",
        pod(hostUsers=False, hostNetwork=True, hostPID=True, hostIPC=True),
        {("spec.hostNetwork", FORBIDDEN), ("spec.HostPID", FORBIDDEN), ("spec.HostIPC", FORBIDDEN)},
    ),
    # --- node affinity
    (
        "node affinity no terms",
        pod(
            affinity={
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}
                }
            }
        ),
        {(NA, REQUIRED)},
    ),
    (
        "node affinity bad operator",
        node_affinity({"matchExpressions": [{"key": "k", "operator": "Near"}]}),
        {(f"{NA}[0].matchExpressions[0].operator", INVALID)},
    ),
    (
        "node affinity In without values",
        node_affinity({"matchExpressions": [{"key": "k", "operator": "In"}]}),
        {(f"{NA}[0].matchExpressions[0].values", REQUIRED)},
    ),
    (
        "node affinity Exists with values",
        node_affinity({"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["v"]}]}),
        {(f"{NA}[0].matchExpressions[0].values", FORBIDDEN)},
    ),
    (
        "node affinity Lt two values",
        node_affinity({"matchExpressions": [{"key": "k", "operator": "Lt", "values": ["1", "2"]}]}),
        {(f"{NA}[0].matchExpressions[0].values", REQUIRED)},
    ),
    (
        "node affinity bad key",
        node_affinity({"matchExpressions": [{"key": "a/b/c", "operator": "Exists"}]}),
        {(f"{NA}[0].matchExpressions[0].key", INVALID)},
    ),
    (
        "node affinity bad value",
        node_affinity(
            {"matchExpressions": [{"key": "k", "operator": "In", "values": ["ok", "bad value"]}]}
        ),
        {(f"{NA}[0].matchExpressions[0].values[1]", INVALID)},
    ),
    (
        "node affinity field key",
        node_affinity(
            {"matchFields": [{"key": "spec.nodeName", "operator": "In", "values": ["n"]}]}
        ),
        {(f"{NA}[0].matchFields[0].key", INVALID)},
    ),
    (
        "node affinity field two values",
        node_affinity(
            {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["a", "b"]}]}
        ),
        {(f"{NA}[0].matchFields[0].values", REQUIRED)},
    ),
    (
        "node affinity field Exists",
        node_affinity({"matchFields": [{"key": "metadata.name", "operator": "Exists"}]}),
        {(f"{NA}[0].matchFields[0].operator", INVALID)},
    ),
    (
        "node affinity field bad node name",
        node_affinity(
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["Node_1"]}]}
        ),
        {(f"{NA}[0].matchFields[0].values[0]", INVALID)},
    ),
    (
        "preferred node weight zero",
        pod(
            affinity={
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 0, "preference": {}}
                    ]
                }
            }
        ),
        {
            (
                "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
                INVALID,
            )
        },
    ),
    # --- pod affinity and anti-affinity
    (
        "pod affinity without topology key",
        pod_affinity({"labelSelector": SEL}),
        {(f"{PA}.topologyKey", REQUIRED), (f"{PA}.topologyKey", INVALID)},
    ),
    (
        "pod affinity bad topology key",
        pod_affinity({"labelSelector": SEL, "topologyKey": "a/b/c"}),
        {(f"{PA}.topologyKey", INVALID)},
    ),
    (
        "pod affinity bad namespace",
        pod_affinity({"labelSelector": SEL, "topologyKey": "zone", "namespaces": ["ok", "Bad_NS"]}),
        {(f"{PA}.namespace", INVALID)},
    ),
    (
        "pod affinity bad selector operator",
        pod_affinity(
            {
                "labelSelector": {
                    "matchExpressions": [{"key": "k", "operator": "Gt", "values": ["1"]}]
                },
                "topologyKey": "zone",
            }
        ),
        {(f"{PA}.labelSelector.matchExpressions[0].operator", INVALID)},
    ),
    (
        "pod affinity selector bad value",
        pod_affinity(
            {
                "labelSelector": {
                    "matchExpressions": [{"key": "k", "operator": "In", "values": ["bad value"]}]
                },
                "topologyKey": "zone",
            }
        ),
        {(f"{PA}.labelSelector.matchExpressions[0].values[0]", INVALID)},
    ),
    (
        "pod affinity selector In without values",
        pod_affinity(
            {
                "labelSelector": {"matchExpressions": [{"key": "k", "operator": "NotIn"}]},
                "topologyKey": "zone",
            }
        ),
        {(f"{PA}.labelSelector.matchExpressions[0].values", REQUIRED)},
    ),
    (
        "pod affinity selector DoesNotExist with values",
        pod_affinity(
            {
                "labelSelector": {
                    "matchExpressions": [{"key": "k", "operator": "DoesNotExist", "values": ["v"]}]
                },
                "topologyKey": "zone",
            }
        ),
        {(f"{PA}.labelSelector.matchExpressions[0].values", FORBIDDEN)},
    ),
    (
        "pod affinity namespace selector bad label",
        pod_affinity({"namespaceSelector": {"matchLabels": {"a/b/c": "v"}}, "topologyKey": "zone"}),
        {(f"{PA}.namespaceSelector.matchLabels", INVALID)},
    ),
    (
        "anti affinity weight too big",
        pod(
            affinity={
                "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 101,
                            "podAffinityTerm": {"labelSelector": SEL, "topologyKey": "zone"},
                        }
                    ]
                }
            }
        ),
        {
            (
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
                INVALID,
            )
        },
    ),
    (
        "match label keys without selector",
        pod_affinity({"topologyKey": "zone", "matchLabelKeys": ["rev"]}),
        {(f"{PA}.matchLabelKeys", FORBIDDEN)},
    ),
    (
        "mismatch label keys without selector",
        pod_affinity({"topologyKey": "zone", "mismatchLabelKeys": ["rev"]}),
        {(f"{PA}.mismatchLabelKeys", FORBIDDEN)},
    ),
    (
        "match and mismatch share a key",
        pod_affinity(
            {
                "labelSelector": SEL,
                "topologyKey": "zone",
                "matchLabelKeys": ["rev"],
                "mismatchLabelKeys": ["rev"],
            }
        ),
        {(f"{PA}.matchLabelKeys[0]", INVALID)},
    ),
    (
        "mismatch label key invalid",
        pod_affinity({"labelSelector": SEL, "topologyKey": "zone", "mismatchLabelKeys": ["a/b/c"]}),
        {(f"{PA}.mismatchLabelKeys[0]", INVALID)},
    ),
    (
        "anti affinity required bad key",
        pod_affinity({"labelSelector": SEL, "topologyKey": "-zone"}, kind="podAntiAffinity"),
        {
            (
                "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
                INVALID,
            )
        },
    ),
    # --- readiness and scheduling gates
    (
        "readiness gate bad type",
        pod(readinessGates=[{"conditionType": "bad type"}]),
        {("spec.readinessGates[0].conditionType", INVALID)},
    ),
    (
        "scheduling gate bad name",
        pod(schedulingGates=[{"name": "bad name"}]),
        {("spec.schedulingGates[0]", INVALID)},
    ),
    (
        "scheduling gate duplicate",
        pod(schedulingGates=[{"name": "g"}, {"name": "g"}]),
        {("spec.schedulingGates[1]", DUPLICATE)},
    ),
    # --- topology spread constraints
    (
        "spread max skew zero",
        pod(topologySpreadConstraints=[tsc(maxSkew=0)]),
        {("spec.topologySpreadConstraints[0].maxSkew", INVALID)},
    ),
    (
        "spread without topology key",
        pod(topologySpreadConstraints=[tsc(topologyKey="")]),
        {("spec.topologySpreadConstraints[0].topologyKey", REQUIRED)},
    ),
    (
        "spread unknown action",
        pod(topologySpreadConstraints=[tsc(whenUnsatisfiable="Whatever")]),
        {("spec.topologySpreadConstraints[0].whenUnsatisfiable", NOT_SUPPORTED)},
    ),
    (
        "spread duplicate pair",
        pod(topologySpreadConstraints=[tsc(), tsc(maxSkew=2)]),
        {("spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}", DUPLICATE)},
    ),
    (
        "spread min domains zero",
        pod(topologySpreadConstraints=[tsc(minDomains=0)]),
        {("spec.topologySpreadConstraints[0].minDomains", INVALID)},
    ),
    (
        "spread min domains with schedule anyway",
        pod(topologySpreadConstraints=[tsc(whenUnsatisfiable="ScheduleAnyway", minDomains=2)]),
        {("spec.topologySpreadConstraints[0].minDomains", INVALID)},
    ),
    (
        "spread node policies unknown",
        pod(topologySpreadConstraints=[tsc(nodeAffinityPolicy="Maybe", nodeTaintsPolicy="Never")]),
        {
            ("spec.topologySpreadConstraints[0].nodeAffinityPolicy", NOT_SUPPORTED),
            ("spec.topologySpreadConstraints[0].nodeTaintsPolicy", NOT_SUPPORTED),
        },
    ),
    (
        "spread match label keys without selector",
        pod(topologySpreadConstraints=[tsc(matchLabelKeys=["rev"])]),
        {("spec.topologySpreadConstraints[0].matchLabelKeys", FORBIDDEN)},
    ),
    (
        "spread match label key in selector",
        pod(topologySpreadConstraints=[tsc(labelSelector=SEL, matchLabelKeys=["app"])]),
        {("spec.topologySpreadConstraints[0].matchLabelKeys[0]", INVALID)},
    ),
    (
        "spread match label key invalid",
        pod(topologySpreadConstraints=[tsc(labelSelector=SEL, matchLabelKeys=["a/b/c"])]),
        {("spec.topologySpreadConstraints[0].matchLabelKeys[0]", INVALID)},
    ),
    (
        "spread selector bad value",
        pod(
            topologySpreadConstraints=[
                tsc(
                    labelSelector={
                        "matchExpressions": [
                            {"key": "k", "operator": "In", "values": ["bad value"]}
                        ]
                    }
                )
            ]
        ),
        {
            (
                "spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].values[0]",
                INVALID,
            )
        },
    ),
    # --- Windows host process
    (
        "host process without host network",
        pod(securityContext={"windowsOptions": {"hostProcess": True}}),
        {("spec.hostNetwork", INVALID)},
    ),
    (
        "host process mixed containers",
        pod(
            hostNetwork=True,
            containers=[
                container("a", securityContext={"windowsOptions": {"hostProcess": True}}),
                container("b"),
            ],
        ),
        {("spec", INVALID)},
    ),
    (
        "host process pod and container disagree",
        pod(
            hostNetwork=True,
            securityContext={"windowsOptions": {"hostProcess": True}},
            containers=[container(securityContext={"windowsOptions": {"hostProcess": False}})],
        ),
        {("spec.containers[0].securityContext.windowsOptions.hostProcess", INVALID)},
    ),
    # --- names and numbers
    (
        "service account name",
        pod(serviceAccountName="Bad_SA"),
        {("spec.serviceAccountName", INVALID)},
    ),
    ("node name", pod(nodeName="Node_1"), {("spec.nodeName", INVALID)}),
    (
        "active deadline zero",
        pod(activeDeadlineSeconds=0),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    (
        "active deadline too big",
        pod(activeDeadlineSeconds=2147483648),
        {("spec.activeDeadlineSeconds", INVALID)},
    ),
    ("hostname not a label", pod(hostname="Web_0"), {("spec.hostname", INVALID)}),
    ("subdomain with dot", pod(subdomain="a.b"), {("spec.subdomain", INVALID)}),
    ("priority class name", pod(priorityClassName="Bad_PC"), {("spec.priorityClassName", INVALID)}),
    ("runtime class name", pod(runtimeClassName="Bad_RC"), {("spec.runtimeClassName", INVALID)}),
    (
        "preemption unknown",
        pod(preemptionPolicy="Sometimes"),
        {("spec.preemptionPolicy", NOT_SUPPORTED)},
    ),
    ("preemption empty", pod(preemptionPolicy=""), {("spec.preemptionPolicy", REQUIRED)}),
    # --- tolerations
    (
        "toleration bad key",
        tol(key="a/b/c", operator="Exists"),
        {("spec.tolerations[0].key", INVALID)},
    ),
    (
        "toleration empty key Equal",
        tol(operator="Equal", value="v"),
        {("spec.tolerations[0].operator", INVALID)},
    ),
    (
        "toleration seconds without NoExecute",
        tol(key="k", operator="Exists", effect="NoSchedule", tolerationSeconds=5),
        {("spec.tolerations[0].effect", INVALID)},
    ),
    (
        "toleration Exists with value",
        tol(key="k", operator="Exists", value="v"),
        {("spec.tolerations[0].operator", INVALID)},
    ),
    (
        "toleration bad value",
        tol(key="k", operator="Equal", value="bad value"),
        {("spec.tolerations[0].operator", INVALID)},
    ),
    (
        "toleration unknown operator",
        tol(key="k", operator="Lt", value="1"),
        {("spec.tolerations[0].operator", NOT_SUPPORTED)},
    ),
    (
        "toleration unknown effect",
        tol(key="k", operator="Exists", effect="NoAdmit"),
        {("spec.tolerations[0].effect", NOT_SUPPORTED)},
    ),
    # --- host aliases
    (
        "host alias bad ip",
        pod(hostAliases=[{"ip": "999.1.1.1", "hostnames": ["a"]}]),
        {("spec.hostAliases[0].ip", INVALID)},
    ),
    (
        "host alias bad hostname",
        pod(hostAliases=[{"ip": "::1", "hostnames": ["ok", "Bad_Host"]}]),
        {("spec.hostAliases[0].hostnames[1]", INVALID)},
    ),
    # --- overhead
    ("overhead negative", pod(overhead={"cpu": "-1"}), {("spec.overhead.limits[cpu]", INVALID)}),
    (
        "overhead unknown resource",
        pod(overhead={"pods": "1"}),
        {("spec.overhead.limits[pods]", INVALID)},
    ),
    (
        "overhead hugepages alone",
        pod(overhead={"hugepages-2Mi": "2Mi"}),
        {("spec.overhead", FORBIDDEN)},
    ),
    (
        "overhead hugepages indivisible",
        pod(overhead={"memory": "1Gi", "hugepages-2Mi": "3Mi"}),
        {("spec.overhead.limits[hugepages-2Mi]", INVALID)},
    ),
    # --- os
    ("os empty name", pod(os={"name": ""}), {("spec.os.name", REQUIRED)}),
    ("os unknown", pod(os={"name": "plan9"}), {("spec.os", NOT_SUPPORTED)}),
    (
        "linux pod with windows options",
        pod(os={"name": "linux"}, securityContext={"windowsOptions": {"runAsUserName": "u"}}),
        {("spec.securityContext.windowsOptions", FORBIDDEN)},
    ),
    (
        "linux container with windows options",
        pod(os={"name": "linux"}, **csc(windowsOptions={"runAsUserName": "u"})),
        {("spec.containers[0].securityContext.windowsOptions", FORBIDDEN)},
    ),
    (
        "windows pod with linux fields",
        pod(
            os={"name": "windows"},
            hostPID=True,
            hostUsers=True,
            shareProcessNamespace=False,
            securityContext={
                "fsGroup": 1,
                "runAsUser": 1,
                "sysctls": [{"name": "kernel.msgmax", "value": "1"}],
            },
        ),
        {
            ("spec.hostPID", FORBIDDEN),
            ("spec.hostUsers", FORBIDDEN),
            ("spec.shareProcessNamespace", FORBIDDEN),
            ("spec.securityContext.fsGroup", FORBIDDEN),
            ("spec.securityContext.runAsUser", FORBIDDEN),
            ("spec.securityContext.sysctls", FORBIDDEN),
        },
    ),
    (
        "windows pod with seccomp and selinux",
        pod(
            os={"name": "windows"},
            securityContext={
                "seccompProfile": {"type": "RuntimeDefault"},
                "seLinuxOptions": {"level": "s0"},
                "supplementalGroups": [1],
            },
        ),
        {
            ("spec.securityContext.seccompProfile", FORBIDDEN),
            ("spec.securityContext.seLinuxOptions", FORBIDDEN),
            ("spec.securityContext.supplementalGroups", FORBIDDEN),
        },
    ),
    (
        "windows container with linux fields",
        pod(
            os={"name": "windows"},
            **csc(capabilities={"add": ["NET_ADMIN"]}, privileged=False, runAsGroup=1),
        ),
        {
            ("spec.containers[0].securityContext.capabilities", FORBIDDEN),
            ("spec.containers[0].securityContext.privileged", FORBIDDEN),
            ("spec.containers[0].securityContext.runAsGroup", FORBIDDEN),
        },
    ),
    (
        "unknown os skips os rules",
        pod(os={"name": "plan9"}, securityContext={"windowsOptions": {"runAsUserName": "u"}}),
        {("spec.os", NOT_SUPPORTED)},
    ),
    # --- resource claims are dropped on create (DynamicResourceAllocation is off)
    ("claims dropped on create", pod(resourceClaims=[{"name": "Bad_Claim"}]), set()),
    # --- host network
    (
        "host network port mismatch",
        pod(
            hostNetwork=True,
            containers=[container(ports=[{"containerPort": 80, "hostPort": 8080}])],
        ),
        {("spec.containers[0].ports[0].hostPort", INVALID)},
    ),
]


@pytest.mark.parametrize(("name", "obj", "expected"), CASES, ids=[c[0] for c in CASES])
def test_spec_errors(name: str, obj: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    errs = podcore.validate_pod(obj)
    assert {(e.field, e.type) for e in errs} == expected, [str(e) for e in errs]


# A pod already stored with resource claims keeps them, so an update still
# validates them (old and new are the same pod here).
CLAIM_CASES: list[tuple[str, list[dict[str, Any]], set[tuple[str, str]]]] = [
    ("valid claim", [{"name": "gpu", "resourceClaimName": "gpu-0"}], set()),
    (
        "claim without name",
        [{"resourceClaimName": "c"}],
        {("spec.resourceClaims[0].name", REQUIRED)},
    ),
    (
        "claim bad name",
        [{"name": "Bad_Claim", "resourceClaimName": "c"}],
        {("spec.resourceClaims[0].name", INVALID)},
    ),
    (
        "claim duplicate",
        [{"name": "a", "resourceClaimName": "c"}, {"name": "a", "resourceClaimName": "d"}],
        {("spec.resourceClaims[1].name", DUPLICATE)},
    ),
    (
        "claim both sources",
        [{"name": "a", "resourceClaimName": "c", "resourceClaimTemplateName": "t"}],
        {("spec.resourceClaims[0]", INVALID)},
    ),
    ("claim no source", [{"name": "a"}], {("spec.resourceClaims[0]", INVALID)}),
    (
        "claim bad claim name",
        [{"name": "a", "resourceClaimName": "Bad_Name"}],
        {("spec.resourceClaims[0].resourceClaimName", INVALID)},
    ),
    (
        "claim bad template name",
        [{"name": "a", "resourceClaimTemplateName": "-t"}],
        {("spec.resourceClaims[0].resourceClaimTemplateName", INVALID)},
    ),
]


def _stored(**spec: Any) -> dict[str, Any]:
    obj = pod(**spec)
    obj["metadata"]["resourceVersion"] = "1"
    return obj


@pytest.mark.parametrize(
    ("name", "claims", "expected"), CLAIM_CASES, ids=[c[0] for c in CLAIM_CASES]
)
def test_resource_claim_errors(
    name: str, claims: list[dict[str, Any]], expected: set[tuple[str, str]]
) -> None:
    obj = _stored(resourceClaims=claims)
    errs = podcore.validate_pod_update(obj, obj)
    assert {(e.field, e.type) for e in errs} == expected, [str(e) for e in errs]


@pytest.mark.parametrize(
    ("claim", "detail"),
    [
        (
            {"name": "a", "resourceClaimName": "c", "resourceClaimTemplateName": "t"},
            "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified",
        ),
        ({"name": "a"}, "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"),
    ],
)
def test_resource_claim_source_detail(claim: dict[str, Any], detail: str) -> None:
    obj = _stored(resourceClaims=[claim])
    (err,) = podcore.validate_pod_update(obj, obj)
    assert err.detail == detail


def _details(obj: dict[str, Any]) -> dict[str, str]:
    return {e.field: e.detail for e in podcore.validate_pod(obj)}


DETAILS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "restart",
        pod(restartPolicy="X"),
        "spec.restartPolicy",
        'supported values: "Always", "OnFailure", "Never"',
    ),
    (
        "dns policy",
        pod(dnsPolicy="X"),
        "spec.dnsPolicy",
        'supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ),
    (
        "deadline",
        pod(activeDeadlineSeconds=0),
        "spec.activeDeadlineSeconds",
        "must be between 1 and 2147483647, inclusive",
    ),
    (
        "fsGroup",
        sc(fsGroup=-1),
        "spec.securityContext.fsGroup",
        "must be between 0 and 2147483647, inclusive",
    ),
    (
        "dns None",
        pod(dnsPolicy="None"),
        "spec.dnsConfig",
        "must provide `dnsConfig` when `dnsPolicy` is None",
    ),
    (
        "dns None nameservers",
        pod(dnsPolicy="None", dnsConfig={}),
        "spec.dnsConfig.nameservers",
        "must provide at least one DNS nameserver when `dnsPolicy` is None",
    ),
    (
        "dns nameservers",
        dns(nameservers=["1.1.1.1"] * 4),
        "spec.dnsConfig.nameservers",
        "must not have more than 3 nameservers",
    ),
    (
        "dns searches",
        dns(searches=[f"s{i}.com" for i in range(33)]),
        "spec.dnsConfig.searches",
        "must not have more than 32 search paths",
    ),
    (
        "dns search chars",
        dns(searches=[subdomain(253)] * 9),
        "spec.dnsConfig.searches",
        "must not have more than 2048 characters (including spaces) in the search list",
    ),
    ("dns option", dns(options=[{}]), "spec.dnsConfig.options[0]", "must not be empty"),
    (
        "sysctl regex",
        sc(sysctls=[{"name": "a..b", "value": "1"}]),
        "spec.securityContext.sysctls[0].name",
        "must have at most 253 characters and match regex "
        r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$",
    ),
    (
        "sysctl host net",
        pod(
            hostNetwork=True,
            securityContext={"sysctls": [{"name": "net.core.somaxconn", "value": "1"}]},
        ),
        "spec.securityContext.sysctls[0].name",
        "may not be specified when 'hostNetwork' is true",
    ),
    (
        "sysctl host ipc",
        pod(hostIPC=True, securityContext={"sysctls": [{"name": "kernel.sem", "value": "1"}]}),
        "spec.securityContext.sysctls[0].name",
        "may not be specified when 'hostIPC' is true",
    ),
    (
        "share pid",
        pod(hostPID=True, shareProcessNamespace=True),
        "spec.securityContext.shareProcessNamespace",
        "ShareProcessNamespace and HostPID cannot both be enabled",
    ),
    (
        "fsGroupChangePolicy",
        sc(fsGroupChangePolicy="X"),
        "spec.securityContext.fsGroupChangePolicy",
        'supported values: "Always", "OnRootMismatch"',
    ),
    (
        "seLinuxChangePolicy",
        sc(seLinuxChangePolicy="X"),
        "spec.securityContext.seLinuxChangePolicy",
        'supported values: "MountOption", "Recursive"',
    ),
    (
        "supplementalGroupsPolicy",
        sc(supplementalGroupsPolicy="X"),
        "spec.securityContext.supplementalGroupsPolicy",
        'supported values: "Merge", "Strict"',
    ),
    (
        "hostUsers",
        pod(hostUsers=False, hostPID=True),
        "spec.HostPID",
        "when `pod.Spec.HostUsers` is false",
    ),
    (
        "node operator",
        node_affinity({"matchExpressions": [{"key": "k", "operator": "Near"}]}),
        f"{NA}[0].matchExpressions[0].operator",
        "not a valid selector operator",
    ),
    (
        "node Gt",
        node_affinity({"matchExpressions": [{"key": "k", "operator": "Gt"}]}),
        f"{NA}[0].matchExpressions[0].values",
        "must be specified single value when `operator` is 'Lt' or 'Gt'",
    ),
    (
        "node field key",
        node_affinity({"matchFields": [{"key": "x", "operator": "In", "values": ["n"]}]}),
        f"{NA}[0].matchFields[0].key",
        "not a valid field selector key",
    ),
    (
        "node no terms",
        pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}}),
        NA,
        "must have at least one node selector term",
    ),
    (
        "weight",
        pod(
            affinity={
                "podAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}
                    ]
                }
            }
        ),
        "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
        "must be in the range 1-100",
    ),
    (
        "match label keys",
        pod_affinity({"topologyKey": "zone", "matchLabelKeys": ["rev"]}),
        f"{PA}.matchLabelKeys",
        "must not be specified when labelSelector is not set",
    ),
    (
        "match mismatch",
        pod_affinity(
            {
                "labelSelector": SEL,
                "topologyKey": "zone",
                "matchLabelKeys": ["rev"],
                "mismatchLabelKeys": ["rev"],
            }
        ),
        f"{PA}.matchLabelKeys[0]",
        "exists in both matchLabelKeys and mismatchLabelKeys",
    ),
    (
        "spread skew",
        pod(topologySpreadConstraints=[tsc(maxSkew=-1)]),
        "spec.topologySpreadConstraints[0].maxSkew",
        "must be greater than zero",
    ),
    (
        "spread min domains",
        pod(topologySpreadConstraints=[tsc(whenUnsatisfiable="ScheduleAnyway", minDomains=1)]),
        "spec.topologySpreadConstraints[0].minDomains",
        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
    ),
    (
        "spread action",
        pod(topologySpreadConstraints=[tsc(whenUnsatisfiable="X")]),
        "spec.topologySpreadConstraints[0].whenUnsatisfiable",
        'supported values: "DoNotSchedule", "ScheduleAnyway"',
    ),
    (
        "spread key in selector",
        pod(topologySpreadConstraints=[tsc(labelSelector=SEL, matchLabelKeys=["app"])]),
        "spec.topologySpreadConstraints[0].matchLabelKeys[0]",
        "exists in both matchLabelKeys and labelSelector",
    ),
    (
        "toleration empty key",
        tol(operator="Equal"),
        "spec.tolerations[0].operator",
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ),
    (
        "toleration seconds",
        tol(key="k", operator="Exists", tolerationSeconds=1),
        "spec.tolerations[0].effect",
        "effect must be 'NoExecute' when `tolerationSeconds` is set",
    ),
    (
        "toleration exists value",
        tol(key="k", operator="Exists", value="v"),
        "spec.tolerations[0].operator",
        "value must be empty when `operator` is 'Exists'",
    ),
    (
        "toleration effect",
        tol(key="k", operator="Exists", effect="X"),
        "spec.tolerations[0].effect",
        'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ),
    (
        "toleration operator",
        tol(key="k", operator="X"),
        "spec.tolerations[0].operator",
        'supported values: "Equal", "Exists"',
    ),
    (
        "host process network",
        pod(securityContext={"windowsOptions": {"hostProcess": True}}),
        "spec.hostNetwork",
        "hostNetwork must be true if pod contains any hostProcess containers",
    ),
    (
        "host process all",
        pod(
            hostNetwork=True,
            containers=[
                container("a", securityContext={"windowsOptions": {"hostProcess": True}}),
                container("b"),
            ],
        ),
        "spec",
        "If pod contains any hostProcess containers "
        "then all containers must be HostProcess containers",
    ),
    (
        "windows field",
        pod(os={"name": "windows"}, hostIPC=True),
        "spec.hostIPC",
        "cannot be set for a windows pod",
    ),
    (
        "linux field",
        pod(os={"name": "linux"}, securityContext={"windowsOptions": {}}),
        "spec.securityContext.windowsOptions",
        "windows options cannot be set for a linux pod",
    ),
    ("os", pod(os={"name": "x"}), "spec.os", 'supported values: "linux", "windows"'),
    ("os name", pod(os={}), "spec.os.name", "cannot be empty"),
    (
        "overhead hugepages",
        pod(overhead={"hugepages-2Mi": "2Mi"}),
        "spec.overhead",
        "HugePages require cpu or memory",
    ),
    (
        "preemption",
        pod(preemptionPolicy="X"),
        "spec.preemptionPolicy",
        'supported values: "PreemptLowerPriority", "Never"',
    ),
    (
        "seccomp type",
        sc(seccompProfile={}),
        "spec.securityContext.seccompProfile.type",
        "type is required when seccompProfile is set",
    ),
]


@pytest.mark.parametrize(("name", "obj", "field", "detail"), DETAILS, ids=[d[0] for d in DETAILS])
def test_spec_error_detail(name: str, obj: dict[str, Any], field: str, detail: str) -> None:
    details = _details(obj)
    assert details.get(field) == detail, details


def test_printed_form_of_deadline_error() -> None:
    (err,) = podcore.validate_pod(pod(activeDeadlineSeconds=-5))
    assert (
        str(err) == "spec.activeDeadlineSeconds: Invalid value: -5: "
        "must be between 1 and 2147483647, inclusive"
    )


def test_duplicate_spread_pair_value() -> None:
    (err,) = podcore.validate_pod(pod(topologySpreadConstraints=[tsc(), tsc()]))
    assert err.bad_value == "{zone, DoNotSchedule}"


def test_search_error_shows_the_name_without_its_trailing_dot() -> None:
    (err,) = podcore.validate_pod(dns(searches=["Bad.com."]))
    assert err.bad_value == "Bad.com"


def test_match_label_key_repeated_in_merged_selector() -> None:
    # The apiserver merges matchLabelKeys into the selector before validating;
    # a key then found in both matchLabels and an expression is reported on
    # the term path indexed by the key's position.
    term = {
        "labelSelector": {
            "matchLabels": {"rev": "1"},
            "matchExpressions": [{"key": "rev", "operator": "In", "values": ["1"]}],
        },
        "topologyKey": "zone",
        "matchLabelKeys": ["rev"],
    }
    errs = podcore.validate_pod(pod_affinity(term))
    assert {(e.field, e.type) for e in errs} == {(f"{PA}[0]", INVALID)}


def test_valid_pod_is_unchanged_by_validation() -> None:
    obj = pod(tolerations=[{"operator": "Exists"}])
    before = copy.deepcopy(obj)
    assert podcore.validate_pod(obj) == []
    assert obj == before
