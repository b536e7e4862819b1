"""Simulated nodes: Node objects as a kubelet registers them."""

from __future__ import annotations

import ipaddress
from typing import Any

#: What a node offers unless told otherwise.
DEFAULT_CAPACITY = {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"}

# Node addresses and pod ranges, one /24 (IPv4) or /64 (IPv6) of pod
# addresses per node, as kube-controller-manager's node IPAM hands them out.
_NODE_V4 = ipaddress.IPv4Address("172.18.0.2")
_NODE_V6 = ipaddress.IPv6Address("fc00:f853:ccd:e793::2")
_POD_V4 = ipaddress.IPv4Network("10.64.0.0/10")
_POD_V6 = ipaddress.IPv6Network("fd00:10:244::/48")


def node_addresses(index: int, families: tuple[str, ...]) -> list[str]:
    """The node's InternalIPs, one per address family."""
    out = []
    for fam in families:
        base = _NODE_V4 if fam == "IPv4" else _NODE_V6
        out.append(str(base + index))
    return out


def pod_cidrs(index: int, families: tuple[str, ...]) -> list[str]:
    """The node's pod ranges, one per address family."""
    out = []
    for fam in families:
        if fam == "IPv4":
            v4 = ipaddress.IPv4Network((int(_POD_V4.network_address) + index * 256, 24))
            out.append(str(v4))
        else:
            v6 = ipaddress.IPv6Network((int(_POD_V6.network_address) + (index << 64), 64))
            out.append(str(v6))
    return out


def ready_conditions(timestamp: str) -> list[dict[str, Any]]:
    """The conditions of a healthy node, as its kubelet reports them."""
    healthy = [
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    return [
        {
            "type": t,
            "status": s,
            "lastHeartbeatTime": timestamp,
            "lastTransitionTime": timestamp,
            "reason": r,
            "message": m,
        }
        for t, s, r, m in healthy
    ]


def make_node(
    name: str, index: int, families: tuple[str, ...], timestamp: str, given: dict[str, Any] | None
) -> dict[str, Any]:
    """A Node as registered by its kubelet: the given object (if any) with the
    spec and status a registered node has filled in where it left them out."""
    node: dict[str, Any] = dict(given or {})
    node.setdefault("apiVersion", "v1")
    node.setdefault("kind", "Node")
    meta = dict(node.get("metadata") or {})
    meta.setdefault("name", name)
    name = meta["name"]
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
    }
    labels.update(meta.get("labels") or {})
    meta["labels"] = labels
    node["metadata"] = meta
    spec = dict(node.get("spec") or {})
    cidrs = pod_cidrs(index, families)
    spec.setdefault("podCIDR", cidrs[0])
    spec.setdefault("podCIDRs", cidrs)
    node["spec"] = spec
    status = dict(node.get("status") or {})
    capacity = dict(DEFAULT_CAPACITY)
    capacity.update(status.get("capacity") or {})
    status["capacity"] = capacity
    status.setdefault("allocatable", dict(capacity))
    status.setdefault("conditions", ready_conditions(timestamp))
    status.setdefault(
        "addresses",
        [{"type": "InternalIP", "address": a} for a in node_addresses(index, families)]
        + [{"type": "Hostname", "address": name}],
    )
    status.setdefault(
        "nodeInfo",
        {
            "architecture": "amd64",
            "operatingSystem": "linux",
            "osImage": "podcore simulated node",
            "kernelVersion": "6.1.0",
            "containerRuntimeVersion": "containerd://2.0.0",
            "kubeletVersion": "v1.33.0",
            "kubeProxyVersion": "v1.33.0",
            "machineID": f"{index:032x}",
            "systemUUID": f"{index:032x}",
            "bootID": f"{index:032x}",
        },
    )
    node["status"] = status
    return node
