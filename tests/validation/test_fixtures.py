"""Real-world manifests: every Pod and workload pod template the apiserver
accepts validates clean; the ones it rejects get its errors."""

from __future__ import annotations

from typing import Any

import pytest

import podcore
from podcore import _yaml
from podcore.cli import Document, _judge

from conftest import FIXTURES, fixture_index

# Files whose pods the apiserver rejects, and the (field, type) pairs it reports.
REJECTED: dict[str, set[tuple[str, str]]] = {
    # A container whose name is null decodes to the empty name.
    "kubernetes/hack/testdata/invalid-pod.yaml": {
        ("spec.containers[0].name", "FieldValueRequired"),
    },
    # `args` holds a null entry where a string belongs.
    "kubernetes/hack/testdata/invalid-rc-with-empty-args.yaml": {
        ("spec.template.spec.containers[0].args[0]", "FieldValueTypeInvalid"),
    },
    # A strategic-merge patch, not an object of its own: no containers.
    "metrics-server/manifests/components/high-availability/patch.yaml": {
        ("spec.template.spec.containers", "FieldValueRequired"),
    },
    # A list of preference terms where a NodeSelector object belongs.
    "website/pods/pod-with-node-affinity.yaml": {
        (
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]",
            "FieldValueTypeInvalid",
        ),
    },
    # Numeric toleration operators (Gt, Lt) came after v1.33.
    "website/pods/pod-with-numeric-toleration.yaml": {
        ("spec.tolerations[0].operator", "FieldValueNotSupported"),
    },
}


def _documents() -> list[tuple[str, Any]]:
    out = []
    for entry in fixture_index():
        for doc in _yaml.load_all((FIXTURES / entry["path"]).read_bytes()):
            out.append((entry["path"], doc))
    return out


DOCUMENTS = _documents()


def test_fixture_index_matches_the_files() -> None:
    assert len({path for path, _ in DOCUMENTS}) == len(fixture_index())


@pytest.mark.parametrize(("path", "doc"), DOCUMENTS, ids=[p for p, _ in DOCUMENTS])
def test_fixture_verdict(path: str, doc: Any) -> None:
    verdicts = list(_judge(Document(doc, path)))
    found = {(e.field, e.type) for v in verdicts for e in v.errors}
    assert found == REJECTED.get(path, set()), [str(e) for v in verdicts for e in v.errors]


def test_every_fixture_pod_round_trips_through_defaults() -> None:
    for path, doc in DOCUMENTS:
        if isinstance(doc, dict) and doc.get("kind") == "Pod" and path not in REJECTED:
            once = podcore.apply_defaults(doc)
            assert podcore.apply_defaults(once) == once, path
