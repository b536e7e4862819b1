"""The CronJob kind and controller against kube-apiserver's validation
(pkg/apis/batch/validation) and kube-controller-manager's v2 CronJob
controller (pkg/controller/cronjob), v1.33, with schedules on the simulated
clock. The cluster starts at 2025-01-01T00:00:00Z (a Wednesday)."""

from __future__ import annotations

import calendar
import datetime
import time
import zoneinfo
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcore import Cluster, Invalid
from podcore.cluster import EPOCH
from podcore.controllers.cronjob import SCHEDULED_TIMESTAMP_ANNOTATION, Schedule

EXIT_AFTER = "sim.podcore.dev/exit-after-seconds"
EXIT_CODE = "sim.podcore.dev/exit-code"


def cronjob(
    name: str = "hello",
    schedule: str = "*/5 * * * *",
    *,
    run_seconds: int = 1,
    exit_code: int = 0,
    **spec: Any,
) -> dict[str, Any]:
    annotations = {EXIT_AFTER: str(run_seconds), EXIT_CODE: str(exit_code)}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "backoffLimit": 0,
                    "template": {
                        "metadata": {"annotations": annotations},
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "main", "image": "busybox"}],
                        },
                    },
                },
            },
            **spec,
        },
    }


def jobs(c: Cluster) -> list[str]:
    return sorted(j["metadata"]["name"] for j in c.list("Job"))


def minutes(iso: str) -> int:
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")) // 60


def unfinished(c: Cluster) -> list[str]:
    return [
        j["metadata"]["name"]
        for j in c.list("Job")
        if not any(
            x["type"] in ("Complete", "Failed") and x["status"] == "True"
            for x in j["status"].get("conditions", [])
        )
    ]


# ------------------------------------------------------------ the kind


def test_a_cronjob_is_stored_with_kubernetes_defaults() -> None:
    c = Cluster(nodes=1)
    out = c.apply(cronjob())[0]
    spec = out["spec"]
    assert spec["concurrencyPolicy"] == "Allow"
    assert spec["suspend"] is False
    assert spec["successfulJobsHistoryLimit"] == 3
    assert spec["failedJobsHistoryLimit"] == 1
    assert "completions" not in spec["jobTemplate"]["spec"]
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    assert out["metadata"]["generation"] == 1
    assert c.get("cj", "hello")["metadata"]["uid"] == out["metadata"]["uid"]
    assert c.get("cronjobs", "hello")["kind"] == "CronJob"


@pytest.mark.parametrize(
    ("change", "field", "detail"),
    [
        ({"schedule": ""}, "spec.schedule", ""),
        (
            {"schedule": "61 * * * *"},
            "spec.schedule",
            "end of range (61) above maximum (59): 61",
        ),
        (
            {"schedule": "* * * *"},
            "spec.schedule",
            "expected exactly 5 fields, found 4: [* * * *]",
        ),
        (
            {"schedule": "@fortnightly"},
            "spec.schedule",
            "unrecognized descriptor: @fortnightly",
        ),
        (
            {"schedule": "CRON_TZ=UTC 0 3 * * *"},
            "spec.schedule",
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ),
        (
            {"timeZone": "Europe/Pariss"},
            "spec.timeZone",
            "unknown time zone Europe/Pariss",
        ),
        ({"timeZone": ""}, "spec.timeZone", "timeZone must be nil or non-empty string"),
        (
            {"startingDeadlineSeconds": -1},
            "spec.startingDeadlineSeconds",
            "must be greater than or equal to 0",
        ),
        (
            {"successfulJobsHistoryLimit": -1},
            "spec.successfulJobsHistoryLimit",
            "must be greater than or equal to 0",
        ),
        (
            {"failedJobsHistoryLimit": -1},
            "spec.failedJobsHistoryLimit",
            "must be greater than or equal to 0",
        ),
        (
            {"concurrencyPolicy": "Sometimes"},
            "spec.concurrencyPolicy",
            'supported values: "Allow", "Forbid", "Replace"',
        ),
    ],
)
def test_the_apiserver_refuses_invalid_cronjobs(
    change: dict[str, Any], field: str, detail: str
) -> None:
    c = Cluster(nodes=0)
    obj = cronjob()
    obj["spec"].update(change)
    with pytest.raises(Invalid) as e:
        c.apply(obj)
    assert [(x.field, x.detail) for x in e.value.errors] == [(field, detail)]


def test_the_job_template_is_validated_like_a_jobs_spec_without_a_selector() -> None:
    c = Cluster(nodes=0)
    obj = cronjob()
    template = obj["spec"]["jobTemplate"]["spec"]
    template["selector"] = {"matchLabels": {"a": "b"}}
    template["manualSelector"] = True
    template["parallelism"] = -1
    with pytest.raises(Invalid) as e:
        c.apply(obj)
    assert sorted(x.field for x in e.value.errors) == [
        "spec.jobTemplate.spec.manualSelector",
        "spec.jobTemplate.spec.parallelism",
        "spec.jobTemplate.spec.selector",
    ]


def test_a_cronjob_name_may_not_exceed_52_characters() -> None:
    c = Cluster(nodes=0)
    with pytest.raises(Invalid) as e:
        c.apply(cronjob(name="x" * 53))
    assert [(x.field, x.detail) for x in e.value.errors] == [
        ("metadata.name", "must be no more than 52 characters")
    ]
    c.apply(cronjob(name="x" * 52))


def test_a_cronjob_is_patched_with_strategic_merge_into_its_job_template() -> None:
    c = Cluster(nodes=0)
    c.apply(cronjob())
    out = c.patch(
        "CronJob",
        "hello",
        {
            "spec": {
                "jobTemplate": {
                    "spec": {
                        "template": {"spec": {"containers": [{"name": "main", "image": "alpine"}]}}
                    }
                }
            }
        },
    )
    containers = out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert [(x["name"], x["image"]) for x in containers] == [("main", "alpine")]
    assert out["metadata"]["generation"] == 2


# ------------------------------------------------------------ the schedule


def _at(text: str, zone: str = "UTC") -> int:
    t = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M")
    return int(t.replace(tzinfo=zoneinfo.ZoneInfo(zone)).timestamp())


@pytest.mark.parametrize(
    ("start", "spec", "expected"),
    [
        # robfig/cron's spec_test cases, in the standard (5-field) form.
        ("2012-07-09 14:45", "0/15 * * * *", "2012-07-09 15:00"),
        ("2012-07-09 14:59", "0/15 * * * *", "2012-07-09 15:00"),
        ("2012-07-09 23:46", "0/15 * * * *", "2012-07-10 00:00"),
        ("2012-07-09 23:45", "20-35/15 * * * *", "2012-07-10 00:20"),
        ("2012-07-09 23:35", "0 0 9 Apr-Oct ?", "2012-08-09 00:00"),
        ("2012-07-09 23:35", "0 0 29 Feb ?", "2016-02-29 00:00"),
        ("2012-12-31 23:59", "0 0 1 jan *", "2013-01-01 00:00"),
        # Day of month and day of week both restricted: either matches.
        ("2012-07-10 00:00", "0 0 1 * Mon", "2012-07-16 00:00"),
        ("2012-07-26 00:00", "0 0 1 * Mon", "2012-07-30 00:00"),
        ("2012-07-31 00:00", "0 0 1 * Mon", "2012-08-01 00:00"),
        # One of them `*`: both must match.
        ("2012-07-10 00:00", "0 0 * * Mon", "2012-07-16 00:00"),
        ("2012-07-10 00:00", "0 0 ? * SUN,sat", "2012-07-14 00:00"),
        ("2012-07-10 00:00", "5,10-12 */6 * * *", "2012-07-10 00:05"),
        ("2012-07-10 00:12", "5,10-12 */6 * * *", "2012-07-10 06:05"),
        # Descriptors.
        ("2012-07-09 14:45", "@hourly", "2012-07-09 15:00"),
        ("2012-07-09 14:45", "@daily", "2012-07-10 00:00"),
        ("2012-07-09 14:45", "@midnight", "2012-07-10 00:00"),
        ("2012-07-09 14:45", "@weekly", "2012-07-15 00:00"),
        ("2012-07-09 14:45", "@monthly", "2012-08-01 00:00"),
        ("2012-07-09 14:45", "@yearly", "2013-01-01 00:00"),
        ("2012-07-09 14:45", "@annually", "2013-01-01 00:00"),
    ],
)
def test_schedules_step_as_robfig_cron_does(start: str, spec: str, expected: str) -> None:
    assert Schedule(spec).next(_at(start)) == _at(expected)


def test_an_impossible_schedule_has_no_next_time() -> None:
    assert Schedule("0 0 30 Feb *").next(_at("2012-07-09 00:00")) is None


def test_every_descriptor_adds_its_duration() -> None:
    assert Schedule("@every 1h30m").next(_at("2012-07-09 14:45")) == _at("2012-07-09 16:15")


def test_schedules_in_a_time_zone_skip_wall_times_that_do_not_exist() -> None:
    ny = zoneinfo.ZoneInfo("America/New_York")
    sched = Schedule("30 2 11 Mar ?", ny)
    start = _at("2012-03-11 00:00", "America/New_York")
    assert sched.next(start) == _at("2013-03-11 02:30", "America/New_York")
    hourly = Schedule("0 * * * *", ny)
    one_am = _at("2012-03-11 01:00", "America/New_York")
    assert hourly.next(one_am) == one_am + 3600  # 03:00 EDT: 02:00 never happens


# ------------------------------------------------------------ the controller


def test_jobs_are_created_at_each_schedule_time_named_by_minutes_since_the_epoch() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob())
    c.advance(300)
    # Controllers wake 100 ms after the schedule time (nextScheduleDelta).
    assert jobs(c) == []
    c.advance(1)
    first = EPOCH // 60 + 5
    assert jobs(c) == [f"hello-{first}"]
    c.advance(600)
    assert jobs(c) == [f"hello-{first}", f"hello-{first + 5}", f"hello-{first + 10}"]


def test_a_job_carries_the_scheduled_timestamp_owner_reference_and_template_metadata() -> None:
    c = Cluster(nodes=1)
    cj = c.apply(cronjob())[0]
    c.advance(301)
    job = c.list("Job")[0]
    meta = job["metadata"]
    assert meta["annotations"] == {SCHEDULED_TIMESTAMP_ANNOTATION: "2025-01-01T00:05:00Z"}
    assert meta["labels"] == {"app": "hello"}
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": "hello",
            "uid": cj["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    # The Job gets a Job's defaults when it is created.
    assert job["spec"]["completions"] == 1


def test_status_lists_active_jobs_and_the_last_schedule_and_success_times() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(run_seconds=30))
    c.advance(301)
    job = c.list("Job")[0]
    status = c.get("CronJob", "hello")["status"]
    assert status == {
        "active": [
            {
                "kind": "Job",
                "namespace": "default",
                "name": job["metadata"]["name"],
                "uid": job["metadata"]["uid"],
                "apiVersion": "batch/v1",
                "resourceVersion": status["active"][0]["resourceVersion"],
            }
        ],
        "lastScheduleTime": "2025-01-01T00:05:00Z",
    }
    c.settle()
    status = c.get("CronJob", "hello")["status"]
    assert "active" not in status
    done = c.get("Job", job["metadata"]["name"])["status"]["completionTime"]
    assert status["lastSuccessfulTime"] == done


def test_settle_runs_the_started_jobs_but_not_the_next_schedule() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="0 * * * *"))
    assert c.settle() == 0
    c.advance(3601)
    assert c.settle() < 60
    assert len(jobs(c)) == 1 and not unfinished(c)


def test_forbid_skips_a_run_while_the_previous_job_is_active() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="* * * * *", concurrencyPolicy="Forbid", run_seconds=150))
    c.advance(61)
    (first,) = jobs(c)
    c.advance(120)  # minutes 2 and 3 are skipped: the first job still runs
    assert jobs(c) == [first]
    c.advance(60)
    # When it finishes (~3:31), the latest missed time, 00:03, starts late:
    # no startingDeadlineSeconds says it is too late.
    assert jobs(c) == [first, f"hello-{EPOCH // 60 + 3}"]
    assert minutes(c.get("CronJob", "hello")["status"]["lastScheduleTime"]) == EPOCH // 60 + 3


def test_replace_deletes_the_running_job_and_starts_a_new_one() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="* * * * *", concurrencyPolicy="Replace", run_seconds=1000))
    c.advance(61)
    (first,) = jobs(c)
    c.advance(60)
    (second,) = jobs(c)
    assert second != first
    active = c.get("CronJob", "hello")["status"]["active"]
    assert [a["name"] for a in active] == [second]
    running = [p for p in c.list("Pod") if "deletionTimestamp" not in p["metadata"]]
    assert [p["metadata"]["ownerReferences"][0]["name"] for p in running] == [second]


def test_allow_runs_jobs_concurrently() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="* * * * *", run_seconds=1000))
    c.advance(181)
    assert len(unfinished(c)) == 3
    assert len(c.get("CronJob", "hello")["status"]["active"]) == 3


def test_a_suspended_cronjob_starts_nothing_and_on_resume_runs_the_latest_missed_time() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="*/10 * * * *", suspend=True))
    c.advance(1800)
    assert jobs(c) == []
    c.patch("CronJob", "hello", {"spec": {"suspend": False}})
    # Only the most recent missed time (00:30) runs, at once.
    assert jobs(c) == [f"hello-{EPOCH // 60 + 30}"]


def test_starting_deadline_seconds_skips_a_start_that_is_too_late() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="*/10 * * * *", suspend=True, startingDeadlineSeconds=60))
    c.advance(1900)  # 00:31:40: the 00:30 start is 100 s late
    c.patch("CronJob", "hello", {"spec": {"suspend": False}})
    assert jobs(c) == []
    c.advance(501)  # 00:40 is on time
    assert jobs(c) == [f"hello-{EPOCH // 60 + 40}"]


def test_more_than_100_missed_start_times_still_start_the_most_recent() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="* * * * *", suspend=True))
    c.advance(200 * 60 + 30)
    c.patch("CronJob", "hello", {"spec": {"suspend": False}})
    assert jobs(c) == [f"hello-{EPOCH // 60 + 200}"]


def test_history_limits_keep_only_the_newest_finished_jobs() -> None:
    c = Cluster(nodes=1)
    c.apply(
        cronjob(
            schedule="* * * * *",
            successfulJobsHistoryLimit=2,
            failedJobsHistoryLimit=0,
        )
    )
    c.advance(5 * 60 + 30)
    base = EPOCH // 60
    assert jobs(c) == [f"hello-{base + 4}", f"hello-{base + 5}"]
    c.apply(cronjob(schedule="* * * * *", exit_code=1, failedJobsHistoryLimit=0))
    c.advance(60)
    # The failed run is deleted as soon as it fails; the successes stay.
    assert jobs(c) == [f"hello-{base + 4}", f"hello-{base + 5}"]
    assert c.get("CronJob", "hello")["status"]["lastScheduleTime"] == "2025-01-01T00:06:00Z"


def test_an_active_job_that_disappears_leaves_the_active_list() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="0 * * * *", run_seconds=1000))
    c.advance(3601)
    (name,) = jobs(c)
    c.delete("Job", name)
    assert "active" not in c.get("CronJob", "hello")["status"]


def test_deleting_a_cronjob_garbage_collects_its_jobs_and_pods() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="* * * * *", run_seconds=1000))
    c.advance(121)
    assert len(jobs(c)) == 2
    c.delete("CronJob", "hello")
    c.advance(60)
    assert jobs(c) == [] and c.list("Pod") == []
    c.advance(600)
    assert jobs(c) == []


def test_a_time_zone_schedules_in_its_wall_clock_and_annotates_in_it() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="30 9 * * *", timeZone="Asia/Tokyo"))
    c.advance(1801)  # 00:30 UTC is 09:30 in Tokyo
    (job,) = c.list("Job")
    assert job["metadata"]["name"] == f"hello-{EPOCH // 60 + 30}"
    assert (
        job["metadata"]["annotations"][SCHEDULED_TIMESTAMP_ANNOTATION]
        == "2025-01-01T09:30:00+09:00"
    )


def test_changing_the_schedule_takes_effect_at_the_new_time() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="0 0 * * *"))
    c.patch("CronJob", "hello", {"spec": {"schedule": "*/2 * * * *"}})
    c.advance(121)
    assert jobs(c) == [f"hello-{EPOCH // 60 + 2}"]


# ------------------------------------------------------------ properties


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    schedule=st.sampled_from(["* * * * *", "*/2 * * * *", "*/3 * * * *", "1-59/7 * * * *"]),
    run_seconds=st.integers(min_value=1, max_value=400),
    steps=st.lists(st.integers(min_value=1, max_value=240), min_size=1, max_size=6),
)
def test_forbid_never_runs_two_jobs_and_names_jobs_by_schedule_times(
    schedule: str, run_seconds: int, steps: list[int]
) -> None:
    c = Cluster(nodes=1)
    c.apply(
        cronjob(
            schedule=schedule,
            concurrencyPolicy="Forbid",
            run_seconds=run_seconds,
            successfulJobsHistoryLimit=100,
        )
    )
    sched = Schedule(schedule)
    seen: set[str] = set()
    for step in steps:
        c.advance(step)
        assert len(unfinished(c)) <= 1
        assert len(c.get("CronJob", "hello")["status"].get("active", [])) <= 1
        for job in c.list("Job"):
            name = job["metadata"]["name"]
            minute = int(name.rsplit("-", 1)[1])
            # At a schedule time: the time after the minute before it.
            assert sched.next(minute * 60 - 60) == minute * 60
            seen.add(name)
    names = jobs(c)
    assert len(names) == len(set(names)) == len(seen)


def test_get_cronjobs_prints_kubectls_columns() -> None:
    from podcore import printers

    c = Cluster(nodes=1)
    c.apply(cronjob(run_seconds=1000))
    c.apply(cronjob(name="nightly", schedule="0 3 * * *", timeZone="Europe/Paris"))
    c.advance(301)
    now = c.store.now
    out = printers.table("CronJob", c.list("cj"), now)
    assert out.splitlines() == [
        "NAME      SCHEDULE      TIMEZONE       SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
        "hello     */5 * * * *   <none>         False     1        1s              5m1s",
        "nightly   0 3 * * *     Europe/Paris   False     0        <none>          5m1s",
    ]
    wide = printers.table("CronJob", c.list("cj"), now, wide=True).splitlines()
    assert wide[0].endswith("CONTAINERS   IMAGES    SELECTOR")
    assert wide[1].endswith("main         busybox   <none>")


def test_a_job_of_the_same_name_it_does_not_control_is_left_alone() -> None:
    c = Cluster(nodes=1)
    c.apply(cronjob(schedule="0 * * * *"))
    name = f"hello-{EPOCH // 60 + 60}"
    spec = cronjob()["spec"]["jobTemplate"]["spec"]
    c.apply({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": spec})
    c.advance(3601)
    assert jobs(c) == [name]
    assert "ownerReferences" not in c.get("Job", name)["metadata"]
    assert c.get("CronJob", "hello")["status"] == {}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["*", "?", "/", "-", ",", "0", "5", "59", "60", "mon", "JAN", "@", "x"]),
        max_size=12,
    ).map("".join)
    | st.text(max_size=30)
    | st.lists(st.sampled_from(["*/2", "1-5", "mon,fri", "7", "*", "0"]), max_size=7).map(" ".join)
)
def test_any_schedule_text_parses_or_is_refused_with_a_message(text: str) -> None:
    from podcore._core import cron_schedule

    try:
        parsed = cron_schedule(text)
    except ValueError as e:
        assert str(e)
        return
    nxt = Schedule(text).next(EPOCH)
    assert nxt is None or nxt > EPOCH
    assert set(parsed) >= {"location"}
