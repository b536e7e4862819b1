"""podcore.diff over realistic (old, new) pod pairs, against Python's
jsonpatch.make_patch and deepdiff.DeepDiff on the same pairs in the same run."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import jsonpatch
import pytest
from deepdiff import DeepDiff

import podcore
from podcore import _core

from _pods import running_pod
from conftest import scaled

N = scaled(10_000, 200)

Pod = dict[str, Any]
Pairs = list[tuple[Pod, Pod]]


def _bump_image(p: Pod, rng: random.Random) -> None:
    p["spec"]["containers"][0]["image"] = f"registry.example.com/team/app:2.{rng.randrange(99)}.0"


def _change_label(p: Pod, rng: random.Random) -> None:
    p["metadata"]["labels"]["tier"] = f"web-{rng.randrange(9)}"


def _restart_container(p: Pod, rng: random.Random) -> None:
    """What the kubelet reports after the web container was restarted."""
    status = p["status"]["containerStatuses"][0]
    status["lastState"] = {
        "terminated": {
            "exitCode": 137,
            "reason": "OOMKilled",
            "startedAt": "2026-01-01T00:00:03Z",
            "finishedAt": "2026-01-01T00:10:00Z",
        }
    }
    status["state"]["running"]["startedAt"] = "2026-01-01T00:10:01Z"
    status["restartCount"] = 1 + rng.randrange(4)


def _add_container(p: Pod, rng: random.Random) -> None:
    p["spec"]["containers"].append(
        {
            "name": "debugger",
            "image": f"registry.example.com/infra/debug:{rng.randrange(9)}",
            "args": ["--attach", "web"],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent",
        }
    )


CHANGES: list[Callable[[Pod, random.Random], None]] = [
    _bump_image,
    _change_label,
    _restart_container,
    _add_container,
]

#: The operations podcore.diff gives for each change: (op, path) pairs.
EXPECTED_OPS = {
    "_bump_image": [("replace", "/spec/containers/0/image")],
    "_change_label": [("replace", "/metadata/labels/tier")],
    "_restart_container": [
        ("replace", "/status/containerStatuses/0/state/running/startedAt"),
        ("replace", "/status/containerStatuses/0/restartCount"),
        ("add", "/status/containerStatuses/0/lastState"),
    ],
    "_add_container": [("add", "/spec/containers/2")],
}


@pytest.fixture(scope="module")
def pairs() -> Pairs:
    """A pod and its edited deep copy, as a controller makes it: the four
    changes in turn, N // 4 pairs each."""
    rng = random.Random(0)
    out = []
    for i in range(N):
        old = running_pod(i)
        new = copy.deepcopy(old)
        CHANGES[i % len(CHANGES)](new, rng)
        out.append((old, new))
    return out


def _run(fn: Callable[[Any, Any], Any], pairs: Pairs) -> list[Any]:
    return [fn(old, new) for old, new in pairs]


def _check_ops(pairs: Pairs, results: list[Any]) -> None:
    assert len(results) == N
    for i, ((old, new), ops) in enumerate(zip(pairs, results, strict=True)):
        change = CHANGES[i % len(CHANGES)].__name__
        assert [(op["op"], op["path"]) for op in ops] == EXPECTED_OPS[change], change
        assert jsonpatch.apply_patch(old, ops) == new, change


@pytest.mark.benchmark(group="diff")
def test_podcore_diff(benchmark: Any, pairs: Pairs) -> None:
    results = benchmark.pedantic(_run, args=(podcore.diff, pairs), rounds=5)
    _check_ops(pairs, results)
    # The same operations as the diff through serde_json values.
    assert results == _run(_core._diff_values, pairs)


@pytest.mark.benchmark(group="diff")
def test_podcore_diff_through_json_values(benchmark: Any, pairs: Pairs) -> None:
    """Converting both pods to serde_json values and the operations back."""
    results = benchmark.pedantic(_run, args=(_core._diff_values, pairs), rounds=3)
    _check_ops(pairs, results)


@pytest.mark.benchmark(group="diff")
def test_jsonpatch_make_patch(benchmark: Any, pairs: Pairs) -> None:
    results = benchmark.pedantic(_run, args=(jsonpatch.make_patch, pairs), rounds=3)
    assert len(results) == N
    for (old, new), patch in zip(pairs, results, strict=True):
        assert patch.apply(old) == new


@pytest.mark.benchmark(group="diff")
def test_deepdiff(benchmark: Any, pairs: Pairs) -> None:
    results = benchmark.pedantic(_run, args=(DeepDiff, pairs), rounds=3)
    assert len(results) == N
    assert all(results), "every pair differs"
