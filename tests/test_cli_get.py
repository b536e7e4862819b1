"""``podcore get`` and ``podcore diff`` as kubectl prints them (golden files
in tests/golden/; see tests/test_cli_session.py for how to regenerate them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PODCORE_UPDATE_GOLDEN") == "1"

APPS = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres:17}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: agent:1}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: shop}
spec:
  template:
    metadata: {labels: {app: once}}
    spec:
      restartPolicy: Never
      containers: [{name: j, image: busybox}]
"""


def _podcore(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("podcore")
    cmd = [exe] if exe else [sys.executable, "-m", "podcore"]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file"


def test_get_prints_kubectls_tables_for_every_kind(tmp_path: Path) -> None:
    (tmp_path / "apps.yaml").write_text(APPS)
    st = ("--state", "s.json", "--nodes", "2", "--dual-stack")
    r = _podcore("apply", "-f", "apps.yaml", *st, cwd=tmp_path)
    assert r.stdout == (
        "namespace/shop created\nstatefulset.apps/db created\n"
        "daemonset.apps/agent created\njob.batch/once created\n"
    ), r.stderr
    # Several kinds at once are prefixed and separated as kubectl get a,b does.
    r = _podcore("get", "sts,ds,job,pvc,pods", "-n", "shop", *st, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    _golden("get_shop.txt", r.stdout)
    r = _podcore("get", "pods", "-A", "-o", "wide", *st, cwd=tmp_path)
    _golden("get_pods_all_namespaces_wide.txt", r.stdout)
    r = _podcore("get", "nodes", *st, cwd=tmp_path)
    _golden("get_nodes.txt", r.stdout)
    # The default namespace is empty; cluster-scoped kinds say no namespace.
    r = _podcore("get", "all", *st, cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (
        0,
        "",
        "No resources found in default namespace.\n",
    )
    # A label selector, names, and the machine-readable forms.
    r = _podcore("get", "po", "-A", "-l", "app=db", "-o", "name", *st, cwd=tmp_path)
    assert r.stdout == "pod/db-0\npod/db-1\n"
    r = _podcore("get", "pvc", "data-db-0", "-n", "shop", "-o", "yaml", *st, cwd=tmp_path)
    claim = yaml.safe_load(r.stdout)
    assert claim["kind"] == "PersistentVolumeClaim" and claim["status"]["phase"] == "Bound"
    assert list(claim) == sorted(claim)
    r = _podcore("get", "pod/db-0", "pod/db-1", "-n", "shop", "-o", "json", *st, cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert doc["kind"] == "List"
    assert [len(p["status"]["podIPs"]) for p in doc["items"]] == [2, 2]


def test_diff_prints_a_json_patch_or_a_yaml_diff(tmp_path: Path) -> None:
    old = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "1"}}}
    new = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "2"}}}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    r = _podcore("diff", "old.json", "new.json", cwd=tmp_path)
    assert r.returncode == 1  # as kubectl diff: differences found
    assert json.loads(r.stdout) == [{"op": "replace", "path": "/metadata/labels/a", "value": "2"}]
    r = _podcore("diff", "old.json", "old.json", cwd=tmp_path)
    assert (r.returncode, json.loads(r.stdout)) == (0, [])
    r = _podcore("diff", "old.json", "new.json", "--format", "yaml", cwd=tmp_path)
    assert r.stdout == (
        "--- old.json\n+++ new.json\n@@ -3,4 +3,4 @@\n metadata:\n   name: p\n"
        "   labels:\n-    a: '1'\n+    a: '2'\n"
    )
    assert "\x1b[" not in r.stdout  # not a terminal
    r = _podcore("diff", "old.json", "new.json", "--format=yaml", "--color=always", cwd=tmp_path)
    assert "\x1b[31m-    a: '1'\x1b[0m\n" in r.stdout
    assert "\x1b[32m+    a: '2'\x1b[0m\n" in r.stdout
