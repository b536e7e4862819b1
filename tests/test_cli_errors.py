"""Bad input to the ``podcore`` command: one clear message as kubectl
prints it, a non-zero exit status, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _podcore(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("podcore")
    cmd = [exe] if exe else [sys.executable, "-m", "podcore"]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


FILES = {
    "broken.yaml": "kind: Pod\nmetadata:\n  name: [x\n",
    "beta.yaml": "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: old}\n",
    "unknown.yaml": "apiVersion: v1\nkind: Foo\nmetadata: {name: f}\n",
    "nokind.yaml": "metadata: {name: x}\n",
    "invalid.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"
        "spec: {containers: [{name: c}], restartPolicy: Sometimes}\n"
    ),
    "one.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: one}\n"
        "spec: {containers: [{name: c, image: busybox}]}\n"
    ),
    "state.json": "{not json",
    "other.json": '{"podcore": "something-else"}',
}


@pytest.mark.parametrize(
    ("args", "status", "stderr"),
    [
        (
            ["apply", "-f", "broken.yaml"],
            1,
            "error: error parsing broken.yaml: error converting YAML to JSON: "
            "yaml: line 4: did not find expected ',' or ']'\n",
        ),
        (["apply", "-f", "missing.yaml"], 1, 'error: the path "missing.yaml" does not exist\n'),
        (
            ["apply", "-f", "beta.yaml"],
            1,
            'error: resource mapping not found for name: "old" namespace: "" from '
            '"beta.yaml": no matches for kind "Deployment" in version "apps/v1beta1"\n'
            "ensure CRDs are installed first\n",
        ),
        (
            ["apply", "-f", "unknown.yaml"],
            1,
            'error: resource mapping not found for name: "f" namespace: "" from '
            '"unknown.yaml": no matches for kind "Foo" in version "v1"\n'
            "ensure CRDs are installed first\n",
        ),
        (
            ["apply", "-f", "nokind.yaml"],
            1,
            'error: error validating "nokind.yaml": error validating data: '
            "[apiVersion not set, kind not set]; if you choose to ignore these errors, "
            "turn validation off with --validate=false\n",
        ),
        (
            ["apply", "-f", "invalid.yaml"],
            1,
            'The Pod "x" is invalid: \n* spec.containers[0].image: Required value\n'
            '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
            '"Always", "OnFailure", "Never"\nnothing was applied\n',
        ),
        (
            ["apply", "-n", "other", "-f", "one.yaml"],
            1,
            'Error from server (NotFound): namespaces "other" not found\nnothing was applied\n',
        ),
        (["get", "foo"], 1, 'error: the server doesn\'t have a resource type "foo"\n'),
        (["get", "pods", "nope"], 1, 'Error from server (NotFound): pods "nope" not found\n'),
        (
            ["get", "pods", "nope", "-A"],
            1,
            "error: a resource cannot be retrieved by name across all namespaces\n",
        ),
        (
            ["describe", "deployment", "nope"],
            1,
            'Error from server (NotFound): deployments.apps "nope" not found\n',
        ),
        (
            ["delete", "statefulset", "nope"],
            1,
            'Error from server (NotFound): statefulsets.apps "nope" not found\n',
        ),
        (
            ["scale", "deploy/web"],
            1,
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than "
            "or equal to 0\n",
        ),
        (
            ["scale", "rs", "nope", "--replicas=1"],
            1,
            'Error from server (NotFound): replicasets.apps "nope" not found\n',
        ),
        (
            ["rollout", "undo", "deploy/nope"],
            1,
            'Error from server (NotFound): deployments.apps "nope" not found\n',
        ),
        (
            ["get", "pods", "--state", "state.json"],
            1,
            "error: state file state.json is corrupt: Expecting property name enclosed in "
            "double quotes: line 1 column 2 (char 1)\n",
        ),
        (
            ["get", "pods", "--state", "other.json"],
            1,
            'error: state file other.json is corrupt: it is not a podcore "cluster-state/v1" '
            "document\n",
        ),
        (
            ["diff", "one.yaml", "missing.yaml"],
            2,
            'error: the path "missing.yaml" does not exist\n',
        ),
    ],
)
def test_bad_input_is_one_message_and_a_failure(
    tmp_path: Path, args: list[str], status: int, stderr: str
) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    r = _podcore(*args, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (status, stderr)
    assert r.stdout == ""


def test_a_refused_command_leaves_the_state_file_alone(tmp_path: Path) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    st = ("--state", "s.json")
    assert _podcore("apply", "-f", "one.yaml", *st, cwd=tmp_path).returncode == 0
    before = (tmp_path / "s.json").read_text()
    r = _podcore("apply", "-f", "one.yaml", "-f", "invalid.yaml", *st, cwd=tmp_path)
    assert r.returncode == 1 and "nothing was applied" in r.stderr
    r = _podcore("set", "image", "pod/one", "nope=busybox:2", *st, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (1, 'error: unable to find container named "nope"\n')
    r = _podcore("scale", "pod/one", "--replicas=2", "--nodes", "2", *st, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("error: --nodes cannot change the cluster kept in s.json")
    assert (tmp_path / "s.json").read_text() == before
    # No temporary files are left behind by the atomic writes.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
