"""A kubectl-style session on one simulated cluster kept in a state file,
run through the console script as users run it.

Tables are compared with golden files in tests/golden/. The cluster's seed
fixes every generated name, uid and address, so they are stable; after a
deliberate change of output, regenerate them with

    PODCORE_UPDATE_GOLDEN=1 python -m pytest tests/test_cli_session.py

and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PODCORE_UPDATE_GOLDEN") == "1"

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  labels: {app: debug}
spec:
  containers:
  - name: shell
    image: busybox:1.36
    command: [sleep, infinity]
"""


def _podcore(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("podcore")
    cmd = [exe] if exe else [sys.executable, "-m", "podcore"]
    return subprocess.run(
        [*cmd, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file"


def _ok(*args: str, cwd: Path) -> str:
    r = _podcore(*args, cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr
    return r.stdout


def test_a_session_keeps_the_cluster_between_commands(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(WEB)
    st = ("--state", "cluster.json")

    # kubectl apply's verbs: created, then unchanged for the same manifest.
    assert _ok("apply", "-f", "web.yaml", *st, cwd=tmp_path) == (
        "deployment.apps/web created\npod/debug created\n"
    )
    state = json.loads((tmp_path / "cluster.json").read_text())
    assert state["cluster"] == {"nodes": 3, "ipFamilies": ["IPv4"], "seed": 0}
    assert [e["verb"] for e in state["history"]] == ["apply"]
    assert _ok("apply", "-f", "web.yaml", *st, cwd=tmp_path) == (
        "deployment.apps/web unchanged\npod/debug unchanged\n"
    )

    # The settled state, as kubectl get prints it; names are the same on
    # every invocation because the history replays on the same seed.
    _golden("get_pods.txt", _ok("get", "pods", *st, cwd=tmp_path))
    _golden("get_pods_wide.txt", _ok("get", "po", "-o", "wide", *st, cwd=tmp_path))
    _golden("get_deploy_rs.txt", _ok("get", "deploy,rs", *st, cwd=tmp_path))
    _golden("describe_pod.txt", _ok("describe", "pod", "debug", *st, cwd=tmp_path))

    assert _ok("scale", "deployment/web", "--replicas=5", *st, cwd=tmp_path) == (
        "deployment.apps/web scaled\n"
    )
    assert _ok("set", "image", "deploy/web", "nginx=nginx:1.28", *st, cwd=tmp_path) == (
        "deployment.apps/web image updated\n"
    )
    _golden("get_all.txt", _ok("get", "all", *st, cwd=tmp_path))
    _golden("describe_deployment.txt", _ok("describe", "deploy/web", *st, cwd=tmp_path))
    assert _ok("rollout", "status", "deployment/web", *st, cwd=tmp_path) == (
        'deployment "web" successfully rolled out\n'
    )
    _golden("rollout_history.txt", _ok("rollout", "history", "deployment/web", *st, cwd=tmp_path))

    assert _ok("rollout", "undo", "deployment/web", *st, cwd=tmp_path) == (
        "deployment.apps/web rolled back\n"
    )
    # The undo brought revision 1's template back as revision 3.
    out = _ok("get", "deploy", "web", "-o", "json", *st, cwd=tmp_path)
    web = json.loads(out)
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert web["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert web["spec"]["replicas"] == 5 and web["status"]["readyReplicas"] == 5
    assert _ok("rollout", "history", "deploy/web", *st, cwd=tmp_path) == (
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n"
    )
    assert _ok("rollout", "undo", "deploy/web", "--to-revision=3", *st, cwd=tmp_path) == (
        "deployment.apps/web skipped rollback (current template already matches revision 3)\n"
    )

    assert _ok("delete", "deployment", "web", *st, cwd=tmp_path) == (
        'deployment.apps "web" deleted\n'
    )
    # Background deletion: the garbage collector takes the ReplicaSets and pods.
    assert _ok("get", "pods", "-o", "name", *st, cwd=tmp_path) == "pod/debug\n"
    # What is left of the file is deleted; what is gone already is an error.
    r = _podcore("delete", "-f", "web.yaml", *st, cwd=tmp_path)
    assert (r.returncode, r.stdout) == (1, 'pod "debug" deleted\n')
    assert r.stderr == (
        'Error from server (NotFound): error when deleting "web.yaml": '
        'deployments.apps "web" not found\n'
    )
    r = _podcore("get", "pods", *st, cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (
        0,
        "",
        "No resources found in default namespace.\n",
    )
    state = json.loads((tmp_path / "cluster.json").read_text())
    assert [e["verb"] for e in state["history"]] == [
        "apply",
        "apply",
        "scale",
        "set-image",
        "undo",
        "delete",
        "delete",
    ]
