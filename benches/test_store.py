"""The store at scale: a million pods made from templates, their memory, list
by label selector, watch replay and replace throughput.

Pods are made as a Deployment's ReplicaSets make them: one call per
ReplicaSet, from its template (labels ``app`` and ``pod-template-hash``).
1,000 templates, 10 ReplicaSets each (a rollout history), 100 pods per
ReplicaSet: a selector on ``app`` and ``pod-template-hash`` answers 100 pods.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

import podcore

from _pods import running_pod
from conftest import scaled

TEMPLATES = scaled(1_000, 4)
SETS_PER_TEMPLATE = 10
PODS_PER_SET = 100
PODS = TEMPLATES * SETS_PER_TEMPLATE * PODS_PER_SET
REPLACES = scaled(20_000, 200)
REPLAY = scaled(100_000, 500)


def _rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _template(app: str, hash_: str) -> dict[str, Any]:
    spec = copy.deepcopy(running_pod(0)["spec"])
    spec.pop("nodeName", None)
    return {"metadata": {"labels": {"app": app, "pod-template-hash": hash_}}, "spec": spec}


def _fill(store: podcore._core.Store) -> None:
    for t in range(TEMPLATES):
        for r in range(SETS_PER_TEMPLATE):
            tpl = _template(f"app-{t}", f"h{r}")
            made = store.create_pods(
                "default", tpl, count=PODS_PER_SET, generate_name=f"app-{t}-h{r}-"
            )
            assert len(made) == PODS_PER_SET


@pytest.fixture(scope="module")
def big_store() -> podcore._core.Store:
    store = podcore._core.Store(seed=1)
    _fill(store)
    return store


@pytest.mark.benchmark(group="store-create")
def test_create_pods_from_templates(benchmark: Any) -> None:
    """Time and memory to make every pod (indexes and watch log included)."""

    def run() -> podcore._core.Store:
        store = podcore._core.Store(seed=1)
        _fill(store)
        return store

    before = _rss_bytes()
    started = time.perf_counter()
    store = benchmark.pedantic(run, rounds=1, iterations=1)
    elapsed = time.perf_counter() - started
    per_pod = (_rss_bytes() - before) / PODS
    assert store.count("pods") == PODS
    benchmark.extra_info.update(pods=PODS, rss_bytes_per_pod=round(per_pod), seconds=elapsed)
    print(
        f"\n{PODS} pods in {elapsed:.2f} s ({elapsed / PODS * 1e6:.2f} µs/pod), "
        f"RSS {per_pod:.0f} B/pod"
    )


@pytest.mark.benchmark(group="store-list")
def test_list_100_pods_by_selector(benchmark: Any, big_store: podcore._core.Store) -> None:
    sel = "app=app-3,pod-template-hash=h7"
    pods = benchmark(big_store.list, "pods", "default", sel)
    assert len(pods) == PODS_PER_SET
    assert all(p["metadata"]["labels"] == {"app": "app-3", "pod-template-hash": "h7"} for p in pods)


@pytest.mark.benchmark(group="store-list")
def test_keys_of_100_pods_by_selector(benchmark: Any, big_store: podcore._core.Store) -> None:
    """The same query without building dicts (what controllers use)."""
    keys = benchmark(big_store.keys, "pods", "default", "app=app-3,pod-template-hash=h7")
    assert len(keys) == PODS_PER_SET


@pytest.mark.benchmark(group="store-list")
def test_list_100_pods_by_set_based_selector(
    benchmark: Any, big_store: podcore._core.Store
) -> None:
    sel = {
        "matchLabels": {"app": "app-3"},
        "matchExpressions": [{"key": "pod-template-hash", "operator": "In", "values": ["h7"]}],
    }
    assert len(benchmark(big_store.list, "pods", None, sel)) == PODS_PER_SET


@pytest.fixture(scope="module")
def replay_store() -> tuple[podcore._core.Store, str]:
    store = podcore._core.Store(seed=2, window=REPLAY + 10)
    start = store.resource_version
    store.create_pods("default", _template("replay", "h0"), count=REPLAY, generate_name="replay-")
    return store, start


@pytest.mark.benchmark(group="store-watch")
def test_watch_replay(benchmark: Any, replay_store: tuple[podcore._core.Store, str]) -> None:
    store, start = replay_store
    events = benchmark(lambda: list(store.watch("pods", resource_version=start)))
    assert len(events) == REPLAY and events[0]["type"] == "ADDED"


@pytest.mark.benchmark(group="store-watch")
def test_list_same_objects_baseline(
    benchmark: Any, replay_store: tuple[podcore._core.Store, str]
) -> None:
    """Baseline: the same objects as dicts through list, no event log."""
    store, _ = replay_store
    assert len(benchmark(store.list, "pods")) == REPLAY


Inputs = tuple[podcore._core.Store, list[dict[str, Any]], list[dict[str, Any]]]


@pytest.fixture(scope="module")
def replace_inputs() -> Inputs:
    store = podcore._core.Store(seed=3)
    names = store.create_pods(
        "default", _template("rep", "h0"), count=REPLACES, generate_name="rep-"
    )
    olds = [store.get("pods", n) for n in names]
    news = copy.deepcopy(olds)
    for i, p in enumerate(news):
        p["metadata"]["labels"]["rev"] = str(i)
        p["spec"]["containers"][0]["image"] = "registry.example.com/shop/web:2.0.0"
        del p["metadata"]["resourceVersion"]
    return store, olds, news


@pytest.mark.benchmark(group="store-replace")
def test_replace_throughput(benchmark: Any, replace_inputs: Inputs) -> None:
    """Image bump + label change on realistic pods, through full update validation."""
    store, _, news = replace_inputs

    def run() -> None:
        for p in news:
            store.replace(p)

    benchmark.pedantic(run, rounds=1, iterations=1)
    assert store.get("pods", news[-1]["metadata"]["name"])["metadata"]["generation"] == 2


@pytest.mark.benchmark(group="store-replace")
def test_validate_update_baseline(benchmark: Any, replace_inputs: Inputs) -> None:
    """Baseline: validate_pod_update alone on the same (old, new) dicts."""
    _, olds, news = replace_inputs

    def run() -> list[list[podcore.FieldError]]:
        return [podcore.validate_pod_update(o, n) for o, n in zip(olds, news, strict=True)]

    assert not any(benchmark.pedantic(run, rounds=1, iterations=1))
