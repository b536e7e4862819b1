"""The CronJob controller (pkg/controller/cronjob, the v2 controller): at each
time of ``spec.schedule`` (in ``spec.timeZone``, else UTC, the controller
manager's usual local zone) it creates a Job ``<cronjob>-<scheduled time in
minutes since the epoch>`` from ``spec.jobTemplate``, honouring
concurrencyPolicy, startingDeadlineSeconds and suspend, keeps the newest
finished Jobs per history limit, and reports the running Jobs, the last
schedule time and the last successful completion in its status. It wakes at
the next schedule time through the simulated clock.

Schedules are parsed by robfig/cron's standard parser (``_core.cron_schedule``,
the parser the apiserver validates with) and stepped through as its
``SpecSchedule.Next`` does, zones by Python's zoneinfo. Events (MissSchedule,
TooManyMissedTimes, UnknownTimeZone, …) are not modelled; in the v2
controller more than 100 missed start times is only such a warning event,
and the most recent one still starts (unless startingDeadlineSeconds says
it is too late).
"""

from __future__ import annotations

import datetime
import functools
import math
import zoneinfo
from typing import Any, ClassVar

from podcore._core import cron_schedule
from podcore.controllers.base import Controller, Key, owner_reference, timestamp
from podcore.controllers.job import JobCache
from podcore.errors import AlreadyExists, ApiError, NotFound
from podcore.sim.clock import Clock

Obj = dict[str, Any]

#: The annotation with the scheduled time a Job was created for (RFC 3339,
#: in the CronJob's time zone).
SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"

#: Requeues land this long after the schedule time (nextScheduleDelta).
NEXT_SCHEDULE_DELTA = 0.1

#: A failed sync is retried after 5 ms, doubling per failure up to 1000 s
#: (the work queue's default per-item rate limiter).
RETRY_BASE, RETRY_MAX = 0.005, 1000.0


class _SyncError(Exception):
    """A write failed: the status is still saved, and the key retried."""


_STAR_BIT = 1 << 63
_UTC = datetime.UTC


@functools.lru_cache(maxsize=4096)
def _parse_time(ts: str | None) -> int | None:
    if not ts:
        return None
    return int(datetime.datetime.fromisoformat(ts).timestamp())


def load_location(name: str) -> datetime.tzinfo:
    """Go's ``time.LoadLocation`` for the names the apiserver lets through;
    ``""`` and ``UTC`` are UTC. ``ValueError`` for an unknown zone."""
    if name in ("", "UTC"):
        return _UTC
    if name == "Local":
        # The controller manager runs in UTC here.
        return _UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise ValueError(f"unknown time zone {name}") from e


class Schedule:
    """A parsed cron schedule with robfig/cron's ``Next``, on Unix seconds."""

    def __init__(self, spec: str, default_zone: datetime.tzinfo = _UTC) -> None:
        parsed = cron_schedule(spec)
        location = parsed.get("location")
        self.zone = load_location(location) if location is not None else default_zone
        self.every: int | None = parsed.get("every")
        self.minute = int(parsed.get("minute", 0))
        self.hour = int(parsed.get("hour", 0))
        self.dom = int(parsed.get("dom", 0))
        self.month = int(parsed.get("month", 0))
        self.dow = int(parsed.get("dow", 0))

    def _wall(self, t: int) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(t, self.zone)

    def _offset(self, t: int) -> int:
        off = self._wall(t).utcoffset()
        return int(off.total_seconds()) if off is not None else 0

    def _date(self, y: int, mo: int, d: int, h: int, mi: int, s: int) -> int:
        """Go's ``time.Date`` in the schedule's zone: month and day overflow
        carry over; a wall time that does not exist or exists twice gets the
        offset Go picks."""
        y += (mo - 1) // 12
        mo = (mo - 1) % 12 + 1
        days = datetime.date(y, mo, 1).toordinal() + d - 1 - datetime.date(1970, 1, 1).toordinal()
        local = days * 86400 + h * 3600 + mi * 60 + s
        return local - self._offset(local - self._offset(local))

    def _day_matches(self, w: datetime.datetime) -> bool:
        dom_match = bool(1 << w.day & self.dom)
        dow_match = bool(1 << (w.isoweekday() % 7) & self.dow)
        if self.dom & _STAR_BIT or self.dow & _STAR_BIT:
            return dom_match and dow_match
        return dom_match or dow_match

    def next(self, after: int) -> int | None:
        """The first schedule time after ``after`` (Unix seconds), or None
        when there is none within five years."""
        if self.every is not None:
            return after + self.every
        t = after + 1
        added = False
        year_limit = self._wall(t).year + 5
        while True:
            w = self._wall(t)
            if w.year > year_limit:
                return None
            wrapped = False
            while not 1 << w.month & self.month:
                if not added:
                    added = True
                    t = self._date(w.year, w.month, 1, 0, 0, 0)
                    w = self._wall(t)
                t = self._date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second)
                w = self._wall(t)
                if w.month == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_matches(w):
                if not added:
                    added = True
                    t = self._date(w.year, w.month, w.day, 0, 0, 0)
                    w = self._wall(t)
                t = self._date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second)
                w = self._wall(t)
                # Midnight may not exist on a DST change: back to it or on
                # to the next one.
                if w.hour != 0:
                    t += (24 - w.hour) * 3600 if w.hour > 12 else -w.hour * 3600
                    w = self._wall(t)
                if w.day == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not 1 << w.hour & self.hour:
                if not added:
                    added = True
                    t = self._date(w.year, w.month, w.day, w.hour, 0, 0)
                t += 3600
                w = self._wall(t)
                if w.hour == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not 1 << w.minute & self.minute:
                if not added:
                    added = True
                    t -= t % 60
                t += 60
                w = self._wall(t)
                if w.minute == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            if w.second != 0:
                # Only second 0 matches: on to the next minute, then re-check.
                added = True
                t += 60 - w.second
                continue
            return t


@functools.lru_cache(maxsize=1024)
def _schedule(spec: str, zone: datetime.tzinfo) -> Schedule:
    """Schedules are immutable once parsed: one per (spec, zone)."""
    return Schedule(spec, zone)


def most_recent_schedule_time(
    cj: Obj, now: int, schedule: Schedule, include_deadline: bool
) -> tuple[int, int | None, int, str | None]:
    """mostRecentScheduleTime: (earliest time considered, the latest schedule
    time not after ``now`` or None, how many were missed, an error)."""
    meta, spec, status = cj["metadata"], cj["spec"], cj.get("status") or {}
    earliest = _parse_time(status.get("lastScheduleTime")) or _parse_time(
        meta.get("creationTimestamp")
    )
    earliest = earliest or 0
    deadline = spec.get("startingDeadlineSeconds")
    if include_deadline and deadline is not None:
        earliest = max(earliest, now - deadline)
    t1 = schedule.next(earliest)
    if t1 is None or now < t1:
        return earliest, None, 0, None
    t2 = schedule.next(t1)
    if t2 is None or now < t2:
        return earliest, t1, 0, None
    between = t2 - t1
    if between < 1:
        return earliest, None, 0, "time difference between two schedules is less than 1 second"
    missed = (now - t1) // between + 1
    # Step from a little before the estimate, so uneven schedules land right.
    t = schedule.next(t1 + (missed - 2) * between)
    recent: int | None = None
    while t is not None and t <= now:
        recent = t
        t = schedule.next(t)
    return earliest, recent, missed, None


def next_schedule_delay(cj: Obj, now: float, schedule: Schedule) -> float | None:
    """nextScheduleTimeDuration: seconds from ``now`` to just past the next
    schedule time."""
    whole = math.floor(now)
    earliest, recent, missed, err = most_recent_schedule_time(cj, whole, schedule, False)
    if err is not None:
        base = whole
    elif recent is None:
        base = earliest if missed == 0 else whole
    else:
        base = recent
    nxt = schedule.next(base)
    if nxt is None:
        return None
    return nxt + NEXT_SCHEDULE_DELTA - now


def _finished(job: Obj) -> str | None:
    """getFinishedStatus: Complete or Failed, when True."""
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return str(c["type"])
    return None


def _start_key(job: Obj) -> tuple[int, int, str]:
    """byJobStartTime: by start time, Jobs not started last, then by name."""
    start = _parse_time((job.get("status") or {}).get("startTime"))
    return (start is None, start or 0, job["metadata"]["name"])


def _rfc3339(unix: int, zone: datetime.tzinfo) -> str:
    """Go's RFC 3339 format: ``Z`` for UTC, else the offset."""
    t = datetime.datetime.fromtimestamp(unix, zone)
    off = t.utcoffset()
    if off is None or off == datetime.timedelta(0):
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    return t.isoformat(timespec="seconds")


class CronJobController(Controller):
    kind: ClassVar[str] = "CronJob"
    watches: ClassVar[tuple[str, ...]] = ("CronJob", "Job")

    def __init__(self, store: Any, clock: Clock, jobs: JobCache | None = None) -> None:
        super().__init__(store, clock)
        # The Jobs as last read, shared with the job controllers (the
        # informer cache's role).
        self.jobs = jobs if jobs is not None else JobCache(store)
        # One wake-up per CronJob, the earliest asked for (the work queue's
        # AddAfter keeps the earliest too).
        self._wakeups: dict[Key, Any] = {}
        self._failures: dict[Key, int] = {}

    def _wake_after(self, key: Key, seconds: float) -> None:
        at = self.clock.now + max(seconds, 0.0)
        old = self._wakeups.get(key)
        if old is not None and not old.cancelled and old.at <= at:
            return
        if old is not None:
            old.cancelled = True

        def fire() -> None:
            self._wakeups.pop(key, None)
            self.enqueue(key)

        self._wakeups[key] = self.clock.call_at(at, fire, background=True)

    def _precise_now(self) -> float:
        """The store's clock with the simulated clock's fraction of a second."""
        return self.now() + (self.clock.now - math.floor(self.clock.now))

    def sync(self, key: Key) -> None:
        cj = self.get(key)
        if cj is None:
            old = self._wakeups.pop(key, None)
            if old is not None:
                old.cancelled = True
            self._failures.pop(key, None)
            return
        jobs = self._jobs(cj)
        status: Obj = dict(cj.get("status") or {})
        status["active"] = list(status.get("active") or [])
        changed = self._cleanup_finished_jobs(cj, status, jobs)
        failed = False
        try:
            delay, synced = self._sync_cron_job(cj, status, jobs)
        except _SyncError as e:
            delay, synced, failed = None, bool(e.args[0]), True
        if changed or synced:
            try:
                self._update_status(cj, status)
            except ApiError:
                delay, failed = None, True
        if delay is not None:
            self._failures.pop(key, None)
            self._wake_after(key, delay)
        elif failed:
            n = self._failures.get(key, 0)
            self._failures[key] = n + 1
            self._wake_after(key, min(RETRY_BASE * 2**n, RETRY_MAX))
        else:
            self._failures.pop(key, None)

    def _jobs(self, cj: Obj) -> list[Obj]:
        """The Jobs whose controller is this CronJob. Kubernetes matches the
        controller reference by name; here it is found by uid, through the
        store's dependents index, and checked by name."""
        ns, name = cj["metadata"]["namespace"], cj["metadata"]["name"]
        out = []
        for kind, jns, jname in self.store.dependents(cj["metadata"]["uid"]):
            if kind != "Job" or jns != ns:
                continue
            job = self.jobs.get((jns, jname))
            if job is None:
                continue
            refs = job["metadata"].get("ownerReferences") or []
            if any(r.get("controller") and r.get("name") == name for r in refs):
                out.append(job)
        return out

    # ------------------------------------------------------------ history

    def _cleanup_finished_jobs(self, cj: Obj, status: Obj, jobs: list[Obj]) -> bool:
        spec = cj["spec"]
        succeeded_limit = spec.get("successfulJobsHistoryLimit")
        failed_limit = spec.get("failedJobsHistoryLimit")
        if succeeded_limit is None and failed_limit is None:
            return False
        succeeded = [j for j in jobs if _finished(j) == "Complete"]
        failed = [j for j in jobs if _finished(j) == "Failed"]
        changed = False
        for group, limit in ((succeeded, succeeded_limit), (failed, failed_limit)):
            if limit is None or len(group) <= limit:
                continue
            for job in sorted(group, key=_start_key)[: len(group) - limit]:
                changed |= self._delete_job(status, job)
        return changed

    def _delete_job(self, status: Obj, job: Obj) -> bool:
        """deleteJob: the Job goes (its pods after it) and leaves the active list."""
        meta = job["metadata"]
        try:
            self.store.delete("Job", meta["name"], meta["namespace"], "Background")
        except NotFound:
            return False
        _drop_active(status, meta["uid"])
        return True

    # ------------------------------------------------------------ schedule

    def _sync_cron_job(self, cj: Obj, status: Obj, jobs: list[Obj]) -> tuple[float | None, bool]:
        """syncCronJob: the seconds until the next wake-up (None: none), and
        whether the status changed."""
        meta, spec = cj["metadata"], cj["spec"]
        ns = meta["namespace"]
        changed = False
        children = set()
        active_uids = {r.get("uid") for r in status["active"]}
        for job in jobs:
            uid = job["metadata"]["uid"]
            children.add(uid)
            finished = _finished(job)
            if uid in active_uids and finished is not None:
                _drop_active(status, uid)
                changed = True
            elif finished == "Complete":
                # A succeeded Job counts whether or not it was listed active.
                done = (job.get("status") or {}).get("completionTime")
                if status.get("lastSuccessfulTime") is None:
                    status["lastSuccessfulTime"] = done
                    changed = True
                last = _parse_time(status.get("lastSuccessfulTime"))
                if done is not None and (last is None or (_parse_time(done) or 0) > last):
                    status["lastSuccessfulTime"] = done
                    changed = True
        # Jobs that vanished leave the active list.
        for ref in list(status["active"]):
            if ref.get("uid") in children:
                continue
            try:
                self.store.get("Job", ref.get("name", ""), ref.get("namespace") or ns)
            except NotFound:
                _drop_active(status, ref.get("uid"))
                changed = True
        if "deletionTimestamp" in meta:
            return None, changed

        tz = spec.get("timeZone")
        try:
            zone = load_location(tz) if tz is not None else _UTC
        except ValueError:
            return None, changed
        if spec.get("suspend"):
            return None, changed
        try:
            schedule = _schedule(spec.get("schedule", ""), zone)
        except ValueError:
            return None, changed

        now_precise = self._precise_now()
        now = math.floor(now_precise)
        _, scheduled, _, err = most_recent_schedule_time(cj, now, schedule, True)
        if err is not None:
            return None, changed
        if scheduled is None:
            return next_schedule_delay(cj, now_precise, schedule), changed

        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and scheduled + deadline < now:
            return next_schedule_delay(cj, now_precise, schedule), changed
        name = f"{meta['name']}-{scheduled // 60}"
        if (
            any(r.get("name") == name and r.get("namespace") == ns for r in status["active"])
            or _parse_time(status.get("lastScheduleTime")) == scheduled
        ):
            return next_schedule_delay(cj, now_precise, schedule), changed
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status["active"]:
            return next_schedule_delay(cj, now_precise, schedule), changed
        if policy == "Replace":
            for ref in list(status["active"]):
                try:
                    job = self.store.get("Job", ref.get("name", ""), ref.get("namespace") or ns)
                except NotFound as e:
                    raise _SyncError(changed) from e
                if not self._delete_job(status, job):
                    raise _SyncError(changed)
                changed = True

        try:
            job = self.store.create(self._job_from_template(cj, scheduled, zone))
        except AlreadyExists:
            job = self.store.get("Job", name, ns)
            controller = next(
                (r for r in job["metadata"].get("ownerReferences") or [] if r.get("controller")),
                None,
            )
            # Created by someone else: theirs to report.
            if controller is None or controller.get("uid") != meta["uid"]:
                return None, changed
            if any(r.get("uid") == job["metadata"]["uid"] for r in status["active"]):
                return None, changed
        except ApiError as e:
            raise _SyncError(changed) from e
        status["active"].append(_reference(job))
        status["lastScheduleTime"] = timestamp(scheduled)
        return next_schedule_delay(cj, now_precise, schedule), True

    def _job_from_template(self, cj: Obj, scheduled: int, zone: datetime.tzinfo) -> Obj:
        """getJobFromTemplate2."""
        template = cj["spec"].get("jobTemplate") or {}
        tmeta = template.get("metadata") or {}
        annotations = dict(tmeta.get("annotations") or {})
        annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = _rfc3339(scheduled, zone)
        meta: Obj = {
            "name": f"{cj['metadata']['name']}-{scheduled // 60}",
            "namespace": cj["metadata"]["namespace"],
            "annotations": annotations,
            "ownerReferences": [owner_reference(cj)],
        }
        labels = dict(tmeta.get("labels") or {})
        if labels:
            meta["labels"] = labels
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": meta,
            "spec": template.get("spec") or {},
        }

    def _update_status(self, cj: Obj, status: Obj) -> None:
        # Go's field order, empty fields omitted.
        order = ("active", "lastScheduleTime", "lastSuccessfulTime")
        out = {k: status[k] for k in order if status.get(k) not in (None, [])}
        if out != (cj.get("status") or {}):
            self.store.replace_status({**cj, "status": out})


def _drop_active(status: Obj, uid: Any) -> None:
    status["active"] = [r for r in status["active"] if r.get("uid") != uid]


def _reference(job: Obj) -> Obj:
    """An ObjectReference to the Job, as ``ref.GetReference`` makes it."""
    meta = job["metadata"]
    return {
        "kind": "Job",
        "namespace": meta["namespace"],
        "name": meta["name"],
        "uid": meta["uid"],
        "apiVersion": "batch/v1",
        "resourceVersion": meta["resourceVersion"],
    }
