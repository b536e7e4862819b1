"""The store's one-call sync of a plain Job (``Store.sync_job``) against the
Job controller's general sync: the same Jobs and the same steps give the
same objects, resourceVersions included, whichever of the two syncs them."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcore import Cluster
from podcore.controllers.job import JobController
from podcore.errors import NotFound

EXIT_AFTER = "sim.podcore.dev/exit-after-seconds"
EXIT_CODE = "sim.podcore.dev/exit-code"


class _GeneralOnly:
    """A store whose one-call Job sync always leaves the Job to the
    controller's general sync."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def sync_job(self, *args: Any, **kwargs: Any) -> tuple[str, None, int, bool, None]:
        return ("general", None, 0, False, None)


def _general_only(c: Cluster) -> Cluster:
    for ctl in c._controllers:
        if isinstance(ctl, JobController):
            ctl.store = _GeneralOnly(ctl.store)  # type: ignore[assignment]
    return c


def _job(i: int, spec: dict[str, Any], exit_after: int, exit_code: int, restart: str) -> Any:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": f"job-{i}"},
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {EXIT_AFTER: str(exit_after), EXIT_CODE: str(exit_code)}
                },
                "spec": {
                    "restartPolicy": restart,
                    "containers": [{"name": "main", "image": "busybox"}],
                },
            },
            **spec,
        },
    }


def _state(c: Cluster) -> tuple[Any, ...]:
    return (c.store.resource_version, c.list("jobs"), c.list("pods"))


jobs = st.lists(
    st.tuples(
        st.fixed_dictionaries(
            {},
            optional={
                "completions": st.integers(0, 5),
                "parallelism": st.integers(0, 4),
                "backoffLimit": st.integers(0, 3),
                "ttlSecondsAfterFinished": st.integers(0, 5),
            },
        ),
        st.integers(1, 4),
        st.sampled_from([0, 0, 1]),
        st.sampled_from(["Never", "OnFailure"]),
    ),
    min_size=1,
    max_size=3,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(0, 15)),
        st.tuples(st.just("fail"), st.integers(0, 20), st.integers(0, 3)),
        st.tuples(st.just("delete-pod"), st.integers(0, 20)),
        st.tuples(st.just("parallelism"), st.integers(0, 4), st.integers(0, 4)),
        st.tuples(st.just("suspend"), st.integers(0, 4), st.booleans()),
    ),
    max_size=8,
)


def _step(c: Cluster, step: tuple[Any, ...], n_jobs: int) -> None:
    kind = step[0]
    if kind == "advance":
        c.advance(step[1])
        return
    if kind in ("fail", "delete-pod"):
        running = [
            p
            for p in c.list("pods")
            if p["status"].get("phase") == "Running" and "deletionTimestamp" not in p["metadata"]
        ]
        if not running:
            return
        name = running[step[1] % len(running)]["metadata"]["name"]
        if kind == "fail":
            # A Running pod whose container waits to restart cannot fail.
            with contextlib.suppress(ValueError):
                c.fail_pod(name, exit_code=step[2])
        else:
            c.delete("Pod", name)
        return
    name = f"job-{step[1] % n_jobs}"
    patch = {"parallelism": step[2]} if kind == "parallelism" else {"suspend": step[2]}
    with contextlib.suppress(NotFound):
        c.patch("Job", name, {"spec": patch})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs=jobs, steps=steps)
def test_one_call_sync_matches_the_general_sync(
    jobs: list[tuple[dict[str, Any], int, int, str]], steps: list[tuple[Any, ...]]
) -> None:
    fast, general = Cluster(seed=7), _general_only(Cluster(seed=7))
    manifests = [_job(i, *j) for i, j in enumerate(jobs)]
    for c in (fast, general):
        c.apply(manifests)
    assert _state(fast) == _state(general)
    for step in steps:
        for c in (fast, general):
            _step(c, step, len(jobs))
        assert _state(fast) == _state(general)
    for c in (fast, general):
        c.settle(timeout=3600)
    assert _state(fast) == _state(general)


def test_one_call_sync_matches_the_general_sync_through_back_off() -> None:
    # Failures back off 10 s, 20 s, ...; the limit of 3 is passed on the fourth.
    fast, general = Cluster(seed=3), _general_only(Cluster(seed=3))
    manifest = _job(0, {"completions": 4, "parallelism": 2, "backoffLimit": 3}, 2, 1, "Never")
    for c in (fast, general):
        c.apply(manifest)
    while fast.now < 300:
        for c in (fast, general):
            c.advance(1)
        assert _state(fast) == _state(general)
    status = fast.get("Job", "job-0")["status"]
    assert status["failed"] == 4
    assert [x["type"] for x in status["conditions"]] == ["FailureTarget", "Failed"]


def test_ttl_controller_queues_only_finished_jobs_with_a_ttl() -> None:
    c = Cluster()
    for name, ttl in (("keep", None), ("drop", 5)):
        spec: dict[str, Any] = {"completions": 1}
        if ttl is not None:
            spec["ttlSecondsAfterFinished"] = ttl
        c.apply(_job(0, spec, 1, 0, "Never") | {"metadata": {"name": name}})
    assert not c.store.job_needs_cleanup("default", "keep")
    assert not c.store.job_needs_cleanup("default", "drop")
    assert not c.store.job_needs_cleanup("default", "missing")
    c.advance(3)
    assert not c.store.job_needs_cleanup("default", "keep")
    assert c.store.job_needs_cleanup("default", "drop")
    c.settle()
    assert [j["metadata"]["name"] for j in c.list("jobs")] == ["keep"]
