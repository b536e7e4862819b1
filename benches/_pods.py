"""Realistic pods and pod updates for the benchmarks: what a Deployment's pod
looks like once the scheduler and kubelet have been at it (about 3 KB of JSON)."""

from __future__ import annotations

import copy
import random
from typing import Any


def running_pod(i: int) -> dict[str, Any]:
    app = f"app-{i % 97}"
    name = f"{app}-7d9c8b6f5-{i:05d}"
    env = [{"name": f"SETTING_{k}", "value": f"value-{k}-{i % 7}"} for k in range(4)]
    env.append({"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": f"{app}-7d9c8b6f5-",
            "namespace": "default",
            "uid": f"5c3b2a10-0000-4000-8000-{i:012d}",
            "resourceVersion": str(1000 + i),
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": app, "pod-template-hash": "7d9c8b6f5", "tier": "web"},
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": f"{app}-7d9c8b6f5",
                    "uid": f"9f8e7d6c-0000-4000-8000-{i % 97:012d}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "volumes": [
                {"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}},
                {"name": "cache", "emptyDir": {}},
                {
                    "name": "kube-api-access",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "name": "kube-root-ca.crt",
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                }
                            },
                        ],
                    },
                },
            ],
            "containers": [
                {
                    "name": "web",
                    "image": f"registry.example.com/team/{app}:1.{i % 10}.0",
                    "ports": [
                        {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                        {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
                    ],
                    "env": env,
                    "resources": {
                        "requests": {"cpu": "250m", "memory": "256Mi"},
                        "limits": {"cpu": "1", "memory": "512Mi"},
                    },
                    "volumeMounts": [
                        {"name": "config", "mountPath": "/etc/app", "readOnly": True},
                        {"name": "cache", "mountPath": "/var/cache/app"},
                        {
                            "name": "kube-api-access",
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                            "readOnly": True,
                        },
                    ],
                    "livenessProbe": {
                        "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                        "initialDelaySeconds": 10,
                        "periodSeconds": 10,
                        "timeoutSeconds": 1,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                    },
                    "readinessProbe": {
                        "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                        "periodSeconds": 5,
                        "timeoutSeconds": 1,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                    },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "allowPrivilegeEscalation": False,
                        "capabilities": {"drop": ["ALL"]},
                    },
                },
                {
                    "name": "sidecar",
                    "image": "registry.example.com/infra/proxy:2.4.1",
                    "args": ["--listen=:15001", "--upstream=127.0.0.1:8080"],
                    "ports": [{"containerPort": 15001, "protocol": "TCP"}],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent",
                },
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "nodeName": f"node-{i % 1000}",
            "securityContext": {"fsGroup": 2000},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": t, "status": "True", "lastTransitionTime": "2026-01-01T00:00:05Z"}
                for t in (
                    "PodReadyToStartContainers",
                    "Initialized",
                    "Ready",
                    "ContainersReady",
                    "PodScheduled",
                )
            ],
            "hostIP": f"10.0.{i % 250}.1",
            "podIP": f"10.244.{i % 250}.{i % 200 + 2}",
            "podIPs": [{"ip": f"10.244.{i % 250}.{i % 200 + 2}"}],
            "startTime": "2026-01-01T00:00:01Z",
            "containerStatuses": [
                {
                    "name": n,
                    "state": {"running": {"startedAt": "2026-01-01T00:00:03Z"}},
                    "ready": True,
                    "restartCount": 0,
                    "image": "registry.example.com/team/image:1.0.0",
                    "imageID": "registry.example.com/team/image@sha256:" + "ab" * 32,
                    "containerID": "containerd://" + f"{i:064d}",
                    "started": True,
                }
                for n in ("web", "sidecar")
            ],
            "qosClass": "Burstable",
        },
    }


def _bump_image(p: dict[str, Any], rng: random.Random) -> None:
    p["spec"]["containers"][0]["image"] = f"registry.example.com/team/app:2.{rng.randrange(99)}.0"


def _add_label(p: dict[str, Any], rng: random.Random) -> None:
    p["metadata"]["labels"]["canary"] = str(rng.randrange(2) == 1).lower()


def _lower_deadline(p: dict[str, Any], rng: random.Random) -> None:
    p["spec"]["activeDeadlineSeconds"] = 3600 - rng.randrange(600)


def _add_toleration(p: dict[str, Any], rng: random.Random) -> None:
    p["spec"]["tolerations"].append(
        {"key": f"dedicated-{rng.randrange(9)}", "operator": "Exists", "effect": "NoSchedule"}
    )


def _status_change(p: dict[str, Any], rng: random.Random) -> None:
    p["status"]["containerStatuses"][0]["restartCount"] = rng.randrange(1, 5)


def _forbidden_port_change(p: dict[str, Any], rng: random.Random) -> None:
    p["spec"]["containers"][0]["ports"][0]["containerPort"] = 8081 + rng.randrange(100)


def _forbidden_env_change(p: dict[str, Any], rng: random.Random) -> None:
    p["spec"]["containers"][0]["env"][0]["value"] = f"changed-{rng.randrange(100)}"


CHANGES = [
    _bump_image,
    _add_label,
    _lower_deadline,
    _add_toleration,
    _status_change,
    _forbidden_port_change,
    _forbidden_env_change,
]


def update_pairs(n: int, seed: int = 0) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``n`` (old, new) pairs, each new pod one plausible change away from its old one."""
    rng = random.Random(seed)
    pairs = []
    for i in range(n):
        old = running_pod(i)
        new = copy.deepcopy(old)
        CHANGES[i % len(CHANGES)](new, rng)
        pairs.append((old, new))
    return pairs
