"""API defaults, as the apiserver fills them in before validation."""

from __future__ import annotations

from typing import Any

import pytest

import podcore
from podcore import _yaml

from conftest import FIXTURES, fixture_index


def _pod(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx"}]}
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": base}


def test_pod_spec_defaults() -> None:
    spec = podcore.apply_defaults(_pod())["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["enableServiceLinks"] is True
    assert spec["securityContext"] == {}


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry.local:5000/team/app", "Always"),
        ("registry.local:5000/team/app:2", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_the_tag(image: str, policy: str) -> None:
    pod = _pod(containers=[{"name": "app", "image": image}])
    assert podcore.apply_defaults(pod)["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_container_defaults() -> None:
    pod = _pod(
        containers=[
            {
                "name": "app",
                "image": "nginx:1",
                "ports": [{"containerPort": 80}],
                "livenessProbe": {"httpGet": {"port": 80}},
                "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
            }
        ]
    )
    c = podcore.apply_defaults(pod)["spec"]["containers"][0]
    assert c["terminationMessagePath"] == "/dev/termination-log"
    assert c["terminationMessagePolicy"] == "File"
    assert c["ports"][0]["protocol"] == "TCP"
    probe = c["livenessProbe"]
    assert (probe["timeoutSeconds"], probe["periodSeconds"]) == (1, 10)
    assert (probe["successThreshold"], probe["failureThreshold"]) == (1, 3)
    assert probe["httpGet"]["path"] == "/"
    assert probe["httpGet"]["scheme"] == "HTTP"
    # requests default to the limits
    assert c["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"


def test_host_network_ports_default_host_port() -> None:
    pod = _pod(
        hostNetwork=True,
        containers=[{"name": "a", "image": "x", "ports": [{"containerPort": 8080}]}],
    )
    assert podcore.apply_defaults(pod)["spec"]["containers"][0]["ports"][0]["hostPort"] == 8080


def test_volume_defaults() -> None:
    pod = _pod(volumes=[{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "c"}}])
    vols = podcore.apply_defaults(pod)["spec"]["volumes"]
    assert vols[0]["emptyDir"] == {}
    assert vols[1]["configMap"]["defaultMode"] == 0o644


def test_defaults_are_idempotent() -> None:
    once = podcore.apply_defaults(_pod(volumes=[{"name": "v"}]))
    assert podcore.apply_defaults(once) == once


def _subset(small: Any, big: Any, path: str = "") -> list[str]:
    """Paths where ``small`` has something ``big`` lacks (quantities compared as text)."""
    if isinstance(small, dict) and isinstance(big, dict):
        out = []
        for k, v in small.items():
            if v in (None, {}, [], "", False, 0) and k not in big:
                continue  # zero values are omitted, as the apiserver omits them
            if k not in big:
                out.append(f"{path}.{k}")
            else:
                out.extend(_subset(v, big[k], f"{path}.{k}"))
        return out
    if isinstance(small, list) and isinstance(big, list):
        if len(small) != len(big):
            return [path]
        return [
            p
            for i, (a, b) in enumerate(zip(small, big, strict=True))
            for p in _subset(a, b, f"{path}[{i}]")
        ]
    if small != big and str(small) != str(big) and ".resources." not in path:
        # Quantities come back in canonical form ("0.5" -> "500m"); elsewhere
        # a value must survive as given.
        return [path]
    return []


def _fixture_pods() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for entry in fixture_index():
        for i, doc in enumerate(_yaml.load_all((FIXTURES / entry["path"]).read_bytes())):
            if isinstance(doc, dict) and doc.get("kind") == "Pod":
                out.append((f"{entry['path']}#{i}", doc))
    return out


# Fields v1.33 does not know (newer API): the apiserver drops them, and so does podcore.
NEWER_THAN_V133 = {
    "website/pods/restart-policy/restart-all-containers.yaml#0": [
        ".spec.initContainers[1].restartPolicyRules"
    ],
}
# Not a v1 Pod as written (a list where an object belongs): refused, nothing to default.
UNDECODABLE = {"website/pods/pod-with-node-affinity.yaml#0"}


@pytest.mark.parametrize(("where", "pod"), _fixture_pods(), ids=[w for w, _ in _fixture_pods()])
def test_every_field_of_real_pods_survives_defaulting(where: str, pod: dict[str, Any]) -> None:
    if where in UNDECODABLE:
        with pytest.raises(podcore.BadRequest):
            podcore.apply_defaults(pod)
        return
    defaulted = podcore.apply_defaults(pod)
    lost = _subset({k: v for k, v in pod.items() if k != "status"}, defaulted)
    assert lost == NEWER_THAN_V133.get(where, []), f"{where} lost {lost}"
