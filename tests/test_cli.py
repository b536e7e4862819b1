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
    assert "cannot read /nonexistent/pod.yaml" in out.stderr


def test_stdin_is_read_with_dash() -> None:
    pod = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"s","namespace":"default"},'
    pod += '"spec":{"containers":[{"name":"a","image":"b"}]}}'
    out = _podcore("validate", "-", stdin=pod)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pod/s valid"
