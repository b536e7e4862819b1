"""The ``podcore`` command, run as users run it: through the console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _podcore(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("podcore")
    cmd = [exe] if exe else [sys.executable, "-m", "podcore"]
    return subprocess.run(
        [*cmd, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


def test_help_lists_subcommands() -> None:
    out = _podcore("--help")
    assert out.returncode == 0
    assert "validate" in out.stdout


def test_validate_without_files_judges_the_bundled_examples() -> None:
    out = _podcore("validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "deployment.apps/web valid (pod template)" in out.stdout
    assert "pod/debug valid" in out.stdout
    assert "statefulset.apps/db valid (pod template)" in out.stdout


def test_invalid_pod_is_reported_like_the_apiserver(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: app\n"
    )
    out = _podcore("validate", str(f))
    assert out.returncode == 1
    assert out.stdout.strip() == (
        'The Pod "bad" is invalid: spec.containers[0].image: Required value'
    )


def test_template_errors_carry_the_template_path(tmp_path: Path) -> None:
    f = tmp_path / "deploy.yaml"
    f.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
        "      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n"
    )
    out = _podcore("validate", "-o", "json", str(f))
    assert out.returncode == 1
    [verdict] = json.loads(out.stdout)
    assert [(e["field"], e["type"]) for e in verdict["errors"]] == [
        ("spec.template.spec.containers[0].image", "FieldValueRequired")
    ]


def test_update_rejects_a_forbidden_change(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    base = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n"
    old.write_text(base + "  containers:\n  - name: a\n    image: x:1\n")
    new.write_text(base + "  containers:\n  - name: a\n    image: x:1\n    workingDir: /tmp\n")
    out = _podcore("validate", "--update", str(old), str(new))
    assert out.returncode == 1
    assert out.stdout.startswith('The Pod "p" is invalid: spec: Forbidden: pod updates may not')


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("a: [unclosed\n", "line"),
        ("kind: Pod\n\tbad: tab\n", "line"),
    ],
)
def test_yaml_errors_name_the_line_and_never_trace(
    tmp_path: Path, content: str, needle: str
) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text(content)
    out = _podcore("validate", str(f))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert needle in out.stderr


def test_missing_file_is_one_clear_message() -> None:
    out = _podcore("validate", "/nonexistent/pod.yaml")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr == 'error: the path "/nonexistent/pod.yaml" does not exist\n'


def test_stdin_is_read_with_dash() -> None:
    pod = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"s","namespace":"default"},'
    pod += '"spec":{"containers":[{"name":"a","image":"b"}]}}'
    out = _podcore("validate", "-", stdin=pod)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pod/s valid"


def test_apply_without_files_runs_the_bundled_examples_on_a_simulated_cluster() -> None:
    r = _podcore("apply")
    assert r.returncode == 0, r.stderr
    assert "deployment.apps/web created" in r.stdout
    header = next(line for line in r.stdout.splitlines() if "READY" in line and "RESTARTS" in line)
    assert header.split()[:6] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    web = [
        line
        for line in r.stdout.splitlines()
        if line.split()[1:2] and line.split()[1].startswith("pod/web-")
    ]
    assert len(web) == 3 and all(line.split()[2:4] == ["1/1", "Running"] for line in web)
    rows = {
        line.split()[1]: line.split()[2:] for line in r.stdout.splitlines() if len(line.split()) > 2
    }
    # The StatefulSet's members, each with its bound claim, in order.
    for i in range(3):
        assert rows[f"pod/db-{i}"][:2] == ["1/1", "Running"]
        assert rows[f"persistentvolumeclaim/data-db-{i}"][0] == "Bound"
    assert rows["statefulset.apps/db"][0] == "3/3"
    assert rows["job.batch/report"][:2] == ["Complete", "5/5"]
    assert rows["daemonset.apps/node-agent"][:3] == ["3", "3", "3"]
    assert "settled after" in r.stdout


def test_apply_prints_kubectl_tables(tmp_path: Path) -> None:
    f = tmp_path / "rs.yaml"
    f.write_text(
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: front}\n"
        "spec:\n  replicas: 2\n  selector: {matchLabels: {app: front}}\n"
        "  template:\n    metadata: {labels: {app: front}}\n"
        "    spec: {containers: [{name: c, image: nginx}]}\n"
    )
    r = _podcore("apply", "-f", str(f), "-o", "wide", "--nodes", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "replicaset.apps/front created"
    pods = [line.split() for line in lines if line.startswith("pod/")]
    assert len(pods) == 2
    for row in pods:
        assert row[1:5] == ["1/1", "Running", "0", "1s"]
        assert row[5].startswith("10.64.0.") and row[6] == "node-0"
    rs = next(line.split() for line in lines[1:] if line.startswith("replicaset.apps/front"))
    assert rs[1:5] == ["2", "2", "2", "1s"]


def test_a_refused_object_applies_nothing(tmp_path: Path) -> None:
    f = tmp_path / "two.yaml"
    f.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: i}]}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{name: c}]}\n"
    )
    r = _podcore("apply", "-f", str(f))
    assert r.returncode == 1
    assert r.stdout == ""
    assert 'The Pod "bad" is invalid: spec.containers[0].image: Required value' in r.stderr
    assert "nothing was applied" in r.stderr
    assert "Traceback" not in r.stderr
