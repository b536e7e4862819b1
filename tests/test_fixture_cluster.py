"""Real-world manifests on a simulated cluster: every object of a kind podcore
holds that kube-apiserver accepts applies, and the cluster settles; the ones
it rejects are rejected with its errors.

Objects of kinds podcore does not hold (Services, ConfigMaps, RBAC, CRDs…)
are left out; namespaces the manifests use are created first, as a cluster
that had them would have."""

from __future__ import annotations

from typing import Any

import pytest

from podcore import ApiError, Cluster, Invalid, _yaml

from conftest import FIXTURES, fixture_index

HELD = {
    ("v1", "Pod"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Namespace"),
}

# The files the apiserver rejects (see tests/validation/test_fixtures.py), and
# the field of the first error it reports.
REJECTED = {
    "kubernetes/hack/testdata/invalid-pod.yaml": "spec.containers[0].name",
    "kubernetes/hack/testdata/invalid-rc-with-empty-args.yaml": None,
    "metrics-server/manifests/components/high-availability/patch.yaml": (
        "spec.template.spec.containers"
    ),
    "website/pods/pod-with-node-affinity.yaml": None,
    # A kustomize base, completed by overlays: no selector of its own.
    "metrics-server/manifests/base/deployment.yaml": "spec.selector",
    "website/pods/pod-with-numeric-toleration.yaml": "spec.tolerations[0].operator",
}


def _held(path: str) -> list[dict[str, Any]]:
    docs = _yaml.load_all((FIXTURES / path).read_bytes())
    out = []
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "List":
            docs.extend(d.get("items") or [])
        elif isinstance(d, dict) and (d.get("apiVersion"), d.get("kind")) in HELD:
            out.append(d)
    return out


FILES = [e["path"] for e in fixture_index() if _held(e["path"])]


def cluster_for(objects: list[dict[str, Any]]) -> Cluster:
    """A 3-node cluster with the namespaces the manifests use but do not make
    (as a user would have created them before applying)."""
    c = Cluster(nodes=3)
    namespaces = {
        o["metadata"].get("namespace")
        for o in objects
        if o.get("kind") != "Namespace" and (o.get("metadata") or {}).get("namespace")
    }
    own = {o["metadata"]["name"] for o in objects if o.get("kind") == "Namespace"}
    for ns in sorted(namespaces - own - {"default", "kube-system", "kube-public"}):
        c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    return c


@pytest.mark.parametrize("path", FILES)
def test_fixture_applies_and_settles(path: str) -> None:
    objects = _held(path)
    c = cluster_for(objects)
    if path in REJECTED:
        # Invalid, or BadRequest where a field holds JSON of the wrong type.
        with pytest.raises(ApiError) as e:
            c.apply(objects)
        field = REJECTED[path]
        if field is not None:
            assert isinstance(e.value, Invalid)
            assert field in {f.field for f in e.value.errors}
        assert c.list("pods") == []
        return
    applied = c.apply(objects)
    assert len(applied) == len(objects)
    c.settle(timeout=3600)
