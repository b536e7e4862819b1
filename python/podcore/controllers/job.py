"""The Job controller (pkg/controller/job) and the TTL-after-finished
controller (pkg/controller/ttlafterfinished), as kube-controller-manager
v1.33 runs them with its default feature gates (JobPodReplacementPolicy,
JobSuccessPolicy, JobBackoffLimitPerIndex, JobManagedBy and PodIndexLabel
all on).

A Job runs pods from its template until ``completions`` of them succeed
(NonIndexed) or every index in ``0..completions-1`` has a succeeded pod
(Indexed), at most ``parallelism`` at a time. Every pod carries the
``batch.kubernetes.io/job-tracking`` finalizer until the controller has
counted it: a finished pod's uid goes to ``status.uncountedTerminatedPods``,
its finalizer comes off, then it moves to ``succeeded`` / ``failed``. The
terminal condition comes in two steps: ``SuccessCriteriaMet`` or
``FailureTarget`` first, then ``Complete`` or ``Failed`` once no pod is left
terminating.

Where the simulation differs from a real control plane: pod events are not
batched for a second before a sync (syncJobBatchPeriod), and the status is
written once per sync with the uncounted pods already counted, because
removing a finalizer cannot fail here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from podcore.controllers.base import (
    Change,
    Controller,
    Key,
    ObjectCache,
    owner_reference,
    timestamp,
)
from podcore.errors import ApiError, NotFound
from podcore.sim.clock import Clock

Obj = dict[str, Any]

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count"
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
#: The managedBy value that means this controller.
CONTROLLER_NAME = "kubernetes.io/job-controller"

#: Pod-failure back-off: 10 s doubling per consecutive failure, at most
#: 10 minutes (DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff; the
#: Job documentation still says six minutes, the v1.33 code caps at ten).
BACKOFF_INITIAL = 10
BACKOFF_MAX = 600
#: Pods counted per sync (MaxUncountedPods) and created or deleted per sync.
MAX_UNCOUNTED_PODS = 500
MAX_POD_CREATE_DELETE_PER_SYNC = 500

COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
BACKOFF_LIMIT_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")
MAX_FAILED_INDEXES_EXCEEDED = (
    "MaxFailedIndexesExceeded",
    "Job has exceeded the specified maximal number of failed indexes",
)
FAILED_INDEXES = ("FailedIndexes", "Job has failed indexes")

_TERMINAL = ("Succeeded", "Failed")
_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


class JobPod:
    """What the controller reads of one of its pods (``Store.job_pods``)."""

    __slots__ = (
        "created",
        "deleting",
        "failures",
        "finished_at",
        "ignored",
        "index",
        "name",
        "phase",
        "ready",
        "restarts",
        "scheduled",
        "tracked",
        "uid",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        self.name, self.uid, self.phase, flags, numbers = row
        self.deleting, self.tracked, self.ready, self.scheduled = flags
        (
            self.index,
            self.failures,
            self.ignored,
            self.restarts,
            self.finished_at,
            self.created,
        ) = numbers

    @property
    def active(self) -> bool:
        """FilterActivePods: not finished and not being deleted."""
        return not self.deleting and self.phase not in _TERMINAL

    @property
    def terminating(self) -> bool:
        """CountTerminatingPods: being deleted and not finished."""
        return self.deleting and self.phase not in _TERMINAL


# ---------------------------------------------------------------- indexes


def parse_indexes(text: str, completions: int) -> set[int]:
    """The indexes of an interval list such as ``1,3-5,7`` below
    ``completions``; corrupted intervals are skipped, as the controller does."""
    out: set[int] = set()
    if not text:
        return out
    for part in text.split(","):
        bounds = part.split("-")
        try:
            first = int(bounds[0])
        except ValueError:
            continue
        if first >= completions:
            break
        last = first
        if len(bounds) > 1:
            try:
                last = int(bounds[1])
            except ValueError:
                continue
            last = min(last, completions - 1)
        out.update(range(first, last + 1))
    return out


def intervals(indexes: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted indexes as maximal runs ``(first, last)``."""
    runs: list[tuple[int, int]] = []
    for ix in sorted(indexes):
        if runs and ix == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], ix)
        elif not runs or ix > runs[-1][1]:
            runs.append((ix, ix))
    return runs


def format_indexes(indexes: Iterable[int]) -> str:
    """Indexes in the API's compressed form: runs of three or more as
    ``a-b``, a run of two as ``a,b``."""
    parts = []
    for first, last in intervals(indexes):
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
    return ",".join(parts)


def match_success_policy(policy: Obj | None, completions: int, succeeded: set[int]) -> str | None:
    """The SuccessCriteriaMet message of the first rule the succeeded indexes
    satisfy, or None."""
    if not policy or not succeeded:
        return None
    for i, rule in enumerate(policy.get("rules") or []):
        count = rule.get("succeededCount")
        if rule.get("succeededIndexes") is not None:
            required = parse_indexes(rule["succeededIndexes"], completions)
            if not required:
                continue
            contains = len(required & succeeded)
            if contains == len(required) or (count is not None and contains >= count):
                return f"Matched rules at index {i}"
        elif count is not None and len(succeeded) >= count:
            return f"Matched rules at index {i}"
    return None


# ---------------------------------------------------------------- pod failure policy


def match_pod_failure_policy(policy: Obj | None, pod: Obj) -> tuple[str | None, bool, str | None]:
    """matchPodFailurePolicy: the FailJob message (if a FailJob rule
    matched), whether the failure counts toward the backoff limit, and the
    action of the first matching rule."""
    if policy is None:
        return None, True, None
    status = pod.get("status") or {}
    meta = pod["metadata"]
    for i, rule in enumerate(policy.get("rules") or []):
        action = rule.get("action")
        on_exit = rule.get("onExitCodes")
        on_conditions = rule.get("onPodConditions")
        if on_exit is not None:
            hit = _matching_container(status, on_exit)
            if hit is None:
                continue
            if action == "FailJob":
                name, code = hit
                return (
                    f"Container {name} for pod {meta['namespace']}/{meta['name']} failed with "
                    f"exit code {code} matching FailJob rule at index {i}",
                    True,
                    action,
                )
        elif on_conditions is not None:
            cond = _matching_condition(status, on_conditions)
            if cond is None:
                continue
            if action == "FailJob":
                return (
                    f"Pod {meta['namespace']}/{meta['name']} has condition {cond} "
                    f"matching FailJob rule at index {i}",
                    True,
                    action,
                )
        else:
            continue
        if action == "Ignore":
            return None, False, action
        if action in ("Count", "FailIndex"):
            return None, True, action
    return None, True, None


def _matching_container(status: Obj, req: Obj) -> tuple[str, int] | None:
    """The first terminated, non-zero container (app containers first) whose
    exit code satisfies the onExitCodes requirement."""
    want = req.get("containerName")
    values = req.get("values") or []
    op = req.get("operator")
    for key in ("containerStatuses", "initContainerStatuses"):
        for cs in status.get(key) or []:
            term = (cs.get("state") or {}).get("terminated")
            if term is None or (want is not None and cs.get("name") != want):
                continue
            code = term.get("exitCode", 0)
            if code == 0:
                continue
            if (op == "In" and code in values) or (op == "NotIn" and code not in values):
                return str(cs.get("name", "")), int(code)
    return None


def _matching_condition(status: Obj, patterns: list[Obj]) -> str | None:
    for cond in status.get("conditions") or []:
        for p in patterns:
            if cond.get("type") == p.get("type") and cond.get("status") == p.get("status", "True"):
                return str(cond["type"])
    return None


# ---------------------------------------------------------------- back-off


def backoff_remaining(failures: int, last_failure: int | None, now: int) -> int:
    """Seconds left before a replacement pod may be created after
    ``failures`` consecutive failures, the last at ``last_failure``."""
    if failures == 0 or last_failure is None:
        return 0
    delay = BACKOFF_INITIAL
    for _ in range(1, failures):
        delay *= 2
        if delay >= BACKOFF_MAX:
            delay = BACKOFF_MAX
            break
    elapsed = now - last_failure
    return 0 if delay < elapsed else delay - elapsed


def new_backoff_record(
    old: tuple[int, int | None], succeeded: list[JobPod], failed: list[JobPod]
) -> tuple[int, int | None]:
    """The consecutive failures since the last success, and when the last of
    them happened, after the newly finished pods."""
    count, last = old
    fails = sorted(p.finished_at for p in failed)
    if not succeeded:
        if not fails:
            return old
        return count + len(fails), fails[-1]
    if not fails:
        return 0, None
    last_success = max(p.finished_at for p in succeeded)
    count, last = 0, None
    for t in reversed(fails):
        if t <= last_success:
            break
        if last is None:
            last = t
        count += 1
    return count, last


# ---------------------------------------------------------------- conditions


def find_condition(conditions: list[Obj], ctype: str) -> Obj | None:
    return next((c for c in conditions if c.get("type") == ctype), None)


def is_finished(status: Obj) -> bool:
    """IsJobFinished: a Complete or Failed condition that is True."""
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in status.get("conditions") or []
    )


def _condition(ctype: str, status: str, reason: str, message: str, stamp: str) -> Obj:
    cond: Obj = {
        "type": ctype,
        "status": status,
        "lastProbeTime": stamp,
        "lastTransitionTime": stamp,
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def ensure_condition(
    conditions: list[Obj], ctype: str, status: str, reason: str, message: str, stamp: str
) -> bool:
    """ensureJobConditionStatus: updates the condition of that type when its
    status, reason or message differ; appends it unless it would be False."""
    old = find_condition(conditions, ctype)
    if old is not None:
        if (
            old.get("status") != status
            or old.get("reason", "") != reason
            or old.get("message", "") != message
        ):
            conditions[conditions.index(old)] = _condition(ctype, status, reason, message, stamp)
            return True
        return False
    if status != "False":
        conditions.append(_condition(ctype, status, reason, message, stamp))
        return True
    return False


def _removal_order(p: JobPod) -> tuple[bool, int, bool, int, int]:
    """controller.ActivePods: unscheduled, then pending, not ready, most
    restarted and newest pods go first."""
    return (p.scheduled, _PHASE_RANK.get(p.phase, 1), p.ready, -p.restarts, -p.created)


class _Sync:
    """One sync of one Job: the syncJobCtx."""

    def __init__(self, job: Obj, pods: list[JobPod]) -> None:
        spec = job["spec"]
        self.job = job
        self.spec = spec
        self.pods = pods
        self.indexed = spec.get("completionMode") == "Indexed"
        self.completions: int | None = spec.get("completions")
        self.per_index: int | None = spec.get("backoffLimitPerIndex") if self.indexed else None
        self.pfp: Obj | None = spec.get("podFailurePolicy")
        self.only_failed = spec.get("podReplacementPolicy") == "Failed" or self.pfp is not None
        self.active_pods = [p for p in pods if p.active]
        self.ready = sum(1 for p in self.active_pods if p.ready)
        self.terminating = sum(1 for p in pods if p.terminating)
        self.succeeded = 0
        self.failed = 0
        self.succeeded_indexes: set[int] = set()
        self.prev_succeeded_indexes: set[int] = set()
        self.failed_indexes: set[int] | None = None
        self.delayed: dict[int, JobPod] = {}
        #: (type, reason, message) of the condition the Job is headed for.
        self.finished: tuple[str, str, str] | None = None
        self.backoff: tuple[int, int | None] = (0, None)
        #: What manage did: the pods it meant to create (before the
        #: per-sync cap) and the names of those made, pods deleted, and
        #: whether it waited for the pod-failure back-off.
        self.to_create = 0
        self.created: list[str] = []
        self.deleted = 0
        self.waited = False

    def is_failed(self, p: JobPod) -> bool:
        """isPodFailed: Failed, or (unless only failed pods are replaced)
        being deleted without having succeeded."""
        if p.phase == "Failed":
            return True
        if self.only_failed:
            return False
        return bool(p.deleting) and p.phase != "Succeeded"

    def valid_index(self, p: JobPod) -> bool:
        return not self.indexed or 0 <= p.index < (self.completions or 0)


class JobCache(ObjectCache):
    """The Jobs as the two job controllers last read or wrote them, shared
    like an informer's cache (and with the CronJob controller). A Job is
    synced after every change of it and of its pods, and converting the
    whole object (template included) each time cost more than the sync's
    own work."""

    def __init__(self, store: Any) -> None:
        super().__init__(store, "Job")


class JobController(Controller):
    """kube-controller-manager's job-controller."""

    kind: ClassVar[str] = "Job"
    watches: ClassVar[tuple[str, ...]] = ("Job", "Pod")

    def __init__(self, store: Any, clock: Clock, jobs: JobCache | None = None) -> None:
        super().__init__(store, clock)
        self.jobs = jobs if jobs is not None else JobCache(store)
        #: The last timestamp text, by Unix second.
        self._stamp: tuple[int, str] = (0, timestamp(0))
        #: Per Job key: consecutive pod failures since the last success and
        #: when the last one happened (the controller's backoffStore).
        self._backoff: dict[Key, tuple[int, int | None]] = {}
        #: Per Job key, after a sync whose result a further sync provably
        #: leaves alone (see ``_settle``): (the Job's resourceVersion, the
        #: instant, the pods it created, the pods' rows as it left them).
        self._settled: dict[Key, tuple[str, int, frozenset[str], tuple[Any, ...]]] = {}
        #: Pod-failure-policy verdicts of finished pods, by uid: a failed
        #: pod's status no longer changes.
        self._verdicts: dict[str, tuple[str | None, bool, str | None]] = {}
        #: uids of Jobs that are gone, whose pods may still hold the finalizer.
        self._gone: set[str] = set()
        #: Pods to look at for a tracking finalizer nobody will remove.
        self._orphans: dict[Key, None] = {}

    # ------------------------------------------------------------ events

    def observe(self, change: Change) -> None:
        etype, kind, ns, name, uid, controller = change
        if kind == "Pod":
            if controller is None or controller in self._gone:
                # The orphan queue: an orphaned pod's finalizer comes off.
                if etype != "DELETED":
                    self._orphans[(ns, name)] = None
                return
            # A pod's change queues its Job (the most frequent change there is).
            key = self.by_uid.get(controller)
            if key is not None:
                self.queue[key] = None
            return
        if kind == "Job" and etype == "DELETED":
            self._gone.add(uid)
        super().observe(change)

    def has_work(self) -> bool:
        return bool(self.queue) or bool(self._orphans)

    def process(self) -> int:
        done = 0
        if self._orphans:
            keys = list(self._orphans)
            self._orphans.clear()
            for key in keys:
                done += self._sync_orphan(key)
        return done + super().process()

    def _sync_orphan(self, key: Key) -> int:
        """syncOrphanPod: removes the tracking finalizer from a pod no live,
        unfinished Job controls."""
        ns, name = key
        try:
            pod = self.store.get("Pod", name, ns)
        except NotFound:
            return 0
        meta = pod["metadata"]
        if TRACKING_FINALIZER not in (meta.get("finalizers") or []):
            return 0
        ref = next((r for r in meta.get("ownerReferences") or [] if r.get("controller")), None)
        if ref is not None:
            if ref.get("kind") != "Job" or ref.get("apiVersion") != "batch/v1":
                return 0
            try:
                job = self.store.get("Job", ref["name"], ns)
            except NotFound:
                job = None
            if job is not None and job["metadata"]["uid"] == ref.get("uid"):
                if job["spec"].get("managedBy", CONTROLLER_NAME) != CONTROLLER_NAME:
                    return 0
                if not is_finished(job.get("status") or {}):
                    return 0
        return self.store.set_pod_finalizer(ns, [name], TRACKING_FINALIZER)

    # ------------------------------------------------------------ sync

    def sync(self, key: Key) -> None:
        # A plain Job (NonIndexed, no pod failure policy, suspension,
        # deadline or deletion, nothing to adopt) is synced by the store in
        # one call; the rest take the general path below.
        ns, name = key
        outcome, backoff, wait, retry, written = self.store.sync_job(
            ns, name, self._backoff.get(key), self.jobs.version(key)
        )
        if outcome == "synced":
            self._settled.pop(key, None)
            if backoff is not None:
                self._backoff[key] = backoff
            if wait > 0:
                self.enqueue_after(key, max(wait, 1))
            if retry:
                self.enqueue(key)
            if written is not None:
                self.jobs.status_written(key, *written)
            return
        if outcome in ("gone", "finished"):
            self._backoff.pop(key, None)
            self._settled.pop(key, None)
            # Neither controller needs it again unless it changes: do not
            # keep thousands of finished Jobs alive.
            self.jobs.forget(key)
            return
        if outcome == "not-ours":
            return
        self._sync_general(key)

    def _sync_general(self, key: Key) -> None:
        job = self.jobs.get(key)
        if job is None:
            self._backoff.pop(key, None)
            self._settled.pop(key, None)
            return
        spec, meta = job["spec"], job["metadata"]
        if spec.get("managedBy", CONTROLLER_NAME) != CONTROLLER_NAME:
            return
        status: Obj = job.get("status") or {}
        if is_finished(status):
            self._backoff.pop(key, None)
            self._settled.pop(key, None)
            return
        if spec.get("completionMode", "NonIndexed") not in ("NonIndexed", "Indexed"):
            return
        ns, uid = key[0], meta["uid"]
        selector = spec.get("selector") or {}
        view = self.store.job_pods(ns, selector, uid)
        settled = self._settled.pop(key, None)
        if (
            settled is not None
            and not view["orphans"]
            and not view["strays"]
            and settled[:2] == (meta["resourceVersion"], self.now())
            and _rows_as_left(view["pods"], settled[2]) == settled[3]
        ):
            # Exactly as the last sync left it: this sync would do nothing.
            self._settled[key] = settled
            return
        if self._claim(job, view):
            view = self.store.job_pods(ns, selector, uid)
        ctx = _Sync(job, [JobPod(row) for row in view["pods"]])
        self._sync(key, ctx, status)

    def _claim(self, job: Obj, view: Obj) -> bool:
        """ClaimPods: adopts matching orphans (adding the tracking
        finalizer) unless the Job is being deleted, and releases pods that
        stopped matching. Returns whether anything changed."""
        ns = job["metadata"]["namespace"]
        changed = False
        if view["strays"]:
            self.store.set_controller(ns, view["strays"], None, release_uid=job["metadata"]["uid"])
            self.store.set_pod_finalizer(ns, view["strays"], TRACKING_FINALIZER)
            changed = True
        adopt = view["orphans"] and "deletionTimestamp" not in job["metadata"]
        if adopt and self.store.set_controller(ns, view["orphans"], owner_reference(job)):
            self.store.set_pod_finalizer(ns, view["orphans"], TRACKING_FINALIZER, add=True)
            changed = True
        return changed

    def _verdict(self, ctx: _Sync, p: JobPod) -> tuple[str | None, bool, str | None]:
        """The pod failure policy's verdict on a failed pod."""
        if ctx.pfp is None:
            return None, True, None
        got = self._verdicts.get(p.uid)
        if got is None:
            try:
                pod = self.store.get("Pod", p.name, ctx.job["metadata"]["namespace"])
            except NotFound:
                return None, True, None
            got = match_pod_failure_policy(ctx.pfp, pod)
            if pod.get("status", {}).get("phase") in _TERMINAL:
                self._verdicts[p.uid] = got
        return got

    def _sync(self, key: Key, ctx: _Sync, status: Obj) -> None:
        job, spec = ctx.job, ctx.spec
        now = self.now()
        if self._stamp[0] != now:
            self._stamp = (now, timestamp(now))
        stamp = self._stamp[1]
        suspended = bool(spec.get("suspend"))
        uncounted = status.get("uncountedTerminatedPods") or {}
        unc_succeeded: list[str] = list(uncounted.get("succeeded") or [])
        unc_failed: list[str] = list(uncounted.get("failed") or [])
        unc_s, unc_f = set(unc_succeeded), set(unc_failed)
        new_status = {k: v for k, v in status.items() if k != "uncountedTerminatedPods"}
        conditions: list[Obj] = [dict(c) for c in status.get("conditions") or []]

        def counted_failure(p: JobPod) -> bool:
            return self._verdict(ctx, p)[1]

        new_succeeded = [
            p
            for p in ctx.pods
            if p.tracked and p.uid not in unc_s and ctx.valid_index(p) and p.phase == "Succeeded"
        ]
        new_failed = [
            p
            for p in ctx.pods
            if p.tracked and p.uid not in unc_f and ctx.valid_index(p) and ctx.is_failed(p)
        ]
        ctx.succeeded = status.get("succeeded", 0) + len(new_succeeded) + len(unc_s)
        ctx.failed = (
            status.get("failed", 0) + sum(1 for p in new_failed if counted_failure(p)) + len(unc_f)
        )
        start = new_status.get("startTime")
        if start is None and not suspended:
            start = new_status["startTime"] = stamp
        ctx.backoff = new_backoff_record(
            self._backoff.get(key, (0, None)), new_succeeded, new_failed
        )

        # The condition the Job is headed for, in the controller's order.
        scm = find_condition(conditions, "SuccessCriteriaMet")
        if scm is not None and scm.get("status") == "True":
            ctx.finished = ("SuccessCriteriaMet", scm.get("reason", ""), scm.get("message", ""))
        else:
            target = find_condition(conditions, "FailureTarget")
            if target is not None and target.get("status") == "True":
                ctx.finished = ("Failed", target.get("reason", ""), target.get("message", ""))
            elif ctx.pfp is not None:
                for p in ctx.pods:
                    if ctx.is_failed(p) and (msg := self._verdict(ctx, p)[0]) is not None:
                        ctx.finished = ("FailureTarget", "PodFailurePolicy", msg)
                        break
        deadline = spec.get("activeDeadlineSeconds")
        if ctx.finished is None:
            if ctx.failed > spec.get("backoffLimit", 6) or self._past_backoff_on_failure(ctx):
                ctx.finished = ("FailureTarget", *BACKOFF_LIMIT_EXCEEDED)
            elif deadline is not None and start is not None and not suspended:
                elapsed = now - _unix(start)
                if elapsed >= deadline:
                    ctx.finished = ("FailureTarget", *DEADLINE_EXCEEDED)
                else:
                    self.enqueue_after(key, deadline - elapsed)

        completions = ctx.completions
        if ctx.indexed and completions is not None:
            ctx.prev_succeeded_indexes = parse_indexes(
                status.get("completedIndexes", ""), completions
            )
            ctx.succeeded_indexes = ctx.prev_succeeded_indexes | {
                p.index
                for p in ctx.pods
                if p.phase == "Succeeded" and p.tracked and 0 <= p.index < completions
            }
            ctx.succeeded = len(ctx.succeeded_indexes)
            if ctx.per_index is not None:
                ctx.failed_indexes = self._failed_indexes(ctx, status.get("failedIndexes") or "")
                if ctx.finished is None:
                    max_failed = spec.get("maxFailedIndexes")
                    n_failed = len(ctx.failed_indexes)
                    if max_failed is not None and n_failed > max_failed:
                        ctx.finished = ("FailureTarget", *MAX_FAILED_INDEXES_EXCEEDED)
                    elif n_failed > 0 and n_failed + ctx.succeeded >= completions:
                        ctx.finished = ("FailureTarget", *FAILED_INDEXES)
                ctx.delayed = self._delayed_deletions(ctx)
            if ctx.finished is None:
                msg = match_success_policy(
                    spec.get("successPolicy"), completions, ctx.succeeded_indexes
                )
                if msg is not None:
                    ctx.finished = ("SuccessCriteriaMet", "SuccessPolicy", msg)

        active = len(ctx.active_pods)
        if ctx.finished is not None:
            deleted = self._delete(ctx, ctx.active_pods, keep_finalizers=True)
            active -= deleted
            ctx.terminating += deleted
        else:
            managed = False
            if "deletionTimestamp" not in job["metadata"]:
                active = self._manage(key, ctx)
                managed = True
            if completions is None:
                complete = ctx.succeeded > 0 and active == 0
            else:
                complete = ctx.succeeded >= completions and active == 0
            if complete:
                ctx.finished = ("SuccessCriteriaMet", *COMPLETIONS_REACHED)
            elif managed:
                if suspended:
                    ensure_condition(
                        conditions, "Suspended", "True", "JobSuspended", "Job suspended", stamp
                    )
                elif ensure_condition(
                    conditions, "Suspended", "False", "JobResumed", "Job resumed", stamp
                ):
                    # A resumed Job's active deadline counts from now.
                    new_status["startTime"] = stamp

        # trackJobStatusAndRemoveFinalizers.
        pods = sorted(ctx.pods, key=lambda p: p.index) if ctx.indexed else ctx.pods
        to_remove: list[str] = []
        new_indexes: list[int] = []
        reached_max = False
        job_deleting = "deletionTimestamp" in job["metadata"]
        for p in pods:
            if not p.tracked:
                continue
            failed = ctx.is_failed(p)
            if not (job_deleting or self._can_remove_finalizer(ctx, p, failed)):
                continue
            to_remove.append(p.name)
            if p.phase == "Succeeded" and p.uid not in unc_f:
                if ctx.indexed:
                    if (
                        0 <= p.index < (completions or 0)
                        and p.index not in ctx.prev_succeeded_indexes
                    ):
                        new_indexes.append(p.index)
                elif p.uid not in unc_s:
                    unc_succeeded.append(p.uid)
                    unc_s.add(p.uid)
            elif (
                # Once the Job is failing, every pod still running counts as failed.
                failed or (ctx.finished is not None and ctx.finished[0] != "SuccessCriteriaMet")
            ) and (p.uid not in unc_f and ctx.valid_index(p) and counted_failure(p)):
                unc_failed.append(p.uid)
                unc_f.add(p.uid)
            if len(new_indexes) + len(unc_succeeded) + len(unc_failed) >= MAX_UNCOUNTED_PODS:
                reached_max = True
                break
        if ctx.indexed and completions is not None:
            ctx.succeeded_indexes.update(new_indexes)
            new_status["completedIndexes"] = format_indexes(ctx.succeeded_indexes)
            if ctx.failed_indexes is not None:
                new_status["failedIndexes"] = format_indexes(ctx.failed_indexes)
            else:
                new_status.pop("failedIndexes", None)
        if ctx.finished is not None and ctx.finished[0] == "FailureTarget":
            conditions.append(_condition("FailureTarget", "True", *ctx.finished[1:], stamp))
            ctx.finished = ("Failed", *ctx.finished[1:])
        if ctx.finished is not None and ctx.finished[0] == "SuccessCriteriaMet":
            old = find_condition(conditions, "SuccessCriteriaMet")
            if old is None or old.get("status") != "True":
                conditions.append(
                    _condition("SuccessCriteriaMet", "True", *ctx.finished[1:], stamp)
                )
            ctx.finished = ("Complete", *ctx.finished[1:])
        if new_succeeded or new_failed:
            self._backoff[key] = ctx.backoff
        ns = job["metadata"]["namespace"]
        if to_remove:
            self.store.set_pod_finalizer(ns, to_remove, TRACKING_FINALIZER)
        # Every finalizer came off: the uncounted pods are counted now.
        removed = set(to_remove)
        still = {p.uid for p in ctx.pods if p.tracked and p.name not in removed}
        succeeded = new_status.get("succeeded", 0)
        failed = new_status.get("failed", 0)
        succeeded += sum(1 for u in unc_succeeded if u not in still)
        failed += sum(1 for u in unc_failed if u not in still)
        unc_succeeded = [u for u in unc_succeeded if u in still]
        unc_failed = [u for u in unc_failed if u in still]
        if ctx.indexed and completions is not None:
            succeeded = len(ctx.succeeded_indexes)
        if (
            ctx.finished is not None
            and not reached_max
            and not unc_succeeded
            and not unc_failed
            and ctx.terminating == 0
        ):
            ctype, reason, message = ctx.finished
            ensure_condition(conditions, ctype, "True", reason, message, stamp)
            if ctype == "Complete":
                new_status["completionTime"] = stamp
        new_status["active"] = active
        new_status["succeeded"] = succeeded
        new_status["failed"] = failed
        new_status["terminating"] = ctx.terminating
        new_status["ready"] = ctx.ready
        new_status["conditions"] = conditions
        unc: Obj = {}
        if unc_succeeded:
            unc["succeeded"] = unc_succeeded
        if unc_failed:
            unc["failed"] = unc_failed
        new_status["uncountedTerminatedPods"] = unc
        out = _go_status(new_status)
        version: str | None = job["metadata"]["resourceVersion"]
        if out != status:
            version = None
            # The status subresource reads only the identity, the
            # preconditions and the status: the rest of the Job (its
            # template) need not be converted again.
            meta = job["metadata"]
            try:
                version = self.store.replace_status(
                    {
                        "apiVersion": job["apiVersion"],
                        "kind": job["kind"],
                        "metadata": {
                            "name": meta["name"],
                            "namespace": meta["namespace"],
                            "uid": meta["uid"],
                            "resourceVersion": meta["resourceVersion"],
                        },
                        "status": out,
                    },
                    version_only=True,
                )
                # A status write changes only the resourceVersion and the
                # status, which the store keeps as sent: the kept Job is the
                # one read with those two replaced, its spec shared, and
                # nothing is converted back from the store.
                kept = {k: v for k, v in job.items() if k != "status"}
                kept["metadata"] = {**meta, "resourceVersion": version}
                kept["status"] = out
                self.jobs.remember(kept)
            except ApiError:
                self.enqueue(key)
        if ctx.finished is not None and ctx.finished[0] in ("Complete", "Failed"):
            for p in ctx.pods:
                self._verdicts.pop(p.uid, None)
        if version is not None and not reached_max and not unc_succeeded and not unc_failed:
            self._settle(key, ctx, status, version, to_remove)

    def _settle(
        self, key: Key, ctx: _Sync, status: Obj, version: str, to_remove: list[str]
    ) -> None:
        """Remembers the state this sync left when a sync of exactly that
        state provably changes nothing, so the syncs its own writes trigger
        (and the scheduler's bindings, which the Job does not read unless it
        removes pods) cost one pod query. That holds for a NonIndexed Job
        without pod failure policy, suspension, deadline or deletion that is
        not finishing, when this sync did all it meant to (every pod it
        wanted created, nothing deleted, no back-off wait), no pod is
        terminating and nothing is left uncounted: the next sync then
        counts the same pods, wants the pods that exist, and computes the
        status just written."""
        spec = ctx.spec
        if (
            ctx.finished is not None
            or ctx.indexed
            or ctx.pfp is not None
            or ctx.only_failed
            or spec.get("suspend")
            or spec.get("activeDeadlineSeconds") is not None
            or "deletionTimestamp" in ctx.job["metadata"]
            or ctx.deleted
            or ctx.waited
            or len(ctx.created) != ctx.to_create
            or (status.get("uncountedTerminatedPods") or {}).get("succeeded")
            or (status.get("uncountedTerminatedPods") or {}).get("failed")
            or any(p.deleting for p in ctx.pods)
        ):
            return
        removed = set(to_remove)
        now = self.now()
        rows = [
            (
                p.name,
                p.uid,
                p.phase,
                p.deleting,
                p.tracked and p.name not in removed,
                p.ready,
                (p.index, p.failures, p.ignored, p.restarts, p.finished_at, p.created),
            )
            for p in ctx.pods
        ]
        rows.extend(
            (name, None, "Pending", False, True, False, (-1, 0, 0, 0, now, now))
            for name in ctx.created
        )
        rows.sort(key=lambda r: r[0])
        created = frozenset(ctx.created)
        self._settled[key] = (version, now, created, tuple(rows))

    def _past_backoff_on_failure(self, ctx: _Sync) -> bool:
        """pastBackoffLimitOnFailure: with restartPolicy OnFailure, container
        restarts of the running and pending pods count toward the limit."""
        template_spec = (ctx.spec.get("template") or {}).get("spec") or {}
        if template_spec.get("restartPolicy") != "OnFailure":
            return False
        restarts = sum(p.restarts for p in ctx.pods if p.phase in ("Running", "Pending"))
        limit = ctx.spec.get("backoffLimit", 6)
        return bool(restarts > 0 if limit == 0 else restarts >= limit)

    def _index_failed(self, ctx: _Sync, p: JobPod) -> bool:
        """isIndexFailed: a FailIndex verdict, or a counted failure with the
        index's failure count at backoffLimitPerIndex."""
        counted = False
        if ctx.is_failed(p):
            _, counted, action = self._verdict(ctx, p)
            if action == "FailIndex":
                return True
        return counted and p.failures >= (ctx.per_index or 0)

    def _failed_indexes(self, ctx: _Sync, previous: str) -> set[int]:
        completions = ctx.completions or 0
        out = parse_indexes(previous, completions)
        for p in ctx.pods:
            if p.tracked and 0 <= p.index < completions and self._index_failed(ctx, p):
                out.add(p.index)
        return out

    def _delayed_deletions(self, ctx: _Sync) -> dict[int, JobPod]:
        """getPodsWithDelayedDeletionPerIndex: per index with no active pod,
        the last failed pod, kept until its replacement carries its failure
        count."""
        active = {p.index for p in ctx.active_pods if p.index >= 0}
        failed = ctx.failed_indexes or set()
        out: dict[int, JobPod] = {}
        for p in ctx.pods:
            if not (p.tracked and ctx.valid_index(p) and ctx.is_failed(p)):
                continue
            ix = p.index
            if ix in ctx.succeeded_indexes or ix in failed or ix in active:
                continue
            last = out.get(ix)
            if last is None or (
                last.failures + last.ignored <= p.failures + p.ignored
                and p.finished_at >= last.finished_at
            ):
                out[ix] = p
        return out

    def _can_remove_finalizer(self, ctx: _Sync, p: JobPod, failed: bool) -> bool:
        if ctx.finished is not None or p.phase == "Succeeded":
            return True
        if not failed:
            return False
        if ctx.per_index is not None and p.index >= 0:
            delayed = ctx.delayed.get(p.index)
            if delayed is not None and delayed.uid == p.uid:
                return False
        return True

    def _delete(self, ctx: _Sync, pods: list[JobPod], *, keep_finalizers: bool) -> int:
        """Deletes pods (deleteActivePods keeps their finalizers for the
        counting; deleteJobPods removes them first, so they are not counted);
        returns how many went, and takes the ready ones off ``ctx.ready``."""
        if not pods:
            return 0
        ns = ctx.job["metadata"]["namespace"]
        names = [p.name for p in pods]
        if not keep_finalizers:
            self.store.set_pod_finalizer(ns, names, TRACKING_FINALIZER)
            for p in pods:
                p.tracked = False
        self.store.delete_many("Pod", [(ns, n) for n in names])
        ctx.ready -= sum(1 for p in pods if p.ready)
        ctx.deleted += len(pods)
        return len(pods)

    def _manage(self, key: Key, ctx: _Sync) -> int:
        """manageJob: deletes surplus pods or creates missing ones, honouring
        the pod-failure back-off; returns the active count for the status."""
        spec = ctx.spec
        active = len(ctx.active_pods)
        if spec.get("suspend"):
            removed = self._delete(
                ctx, self._for_removal(ctx, ctx.active_pods, active), keep_finalizers=False
            )
            ctx.terminating += removed
            return active - removed
        parallelism = spec.get("parallelism", 1)
        if ctx.completions is None:
            want = active if ctx.succeeded > 0 else parallelism
        else:
            want = max(min(ctx.completions - ctx.succeeded, parallelism), 0)
        surplus = self._for_removal(ctx, ctx.active_pods, max(active - want, 0))
        surplus = surplus[:MAX_POD_CREATE_DELETE_PER_SYNC]
        if surplus:
            removed = self._delete(ctx, surplus, keep_finalizers=False)
            ctx.terminating += removed
            return active - removed
        terminating = ctx.terminating if ctx.only_failed else 0
        diff = want - terminating - active
        if diff <= 0:
            return active
        ctx.to_create = diff
        if ctx.per_index is None:
            failures, last = ctx.backoff
            wait = backoff_remaining(failures, last, self.now())
            if wait > 0:
                ctx.waited = True
                self.enqueue_after(key, max(wait, 1))
                # manageJob reports no active pods while it waits.
                return 0
        diff = min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
        indexes: list[int] = []
        if ctx.indexed:
            indexes = self._pending_indexes(ctx, diff)
            if ctx.per_index is not None:
                indexes, wait = self._creatable_indexes(ctx, indexes)
                if wait > 0:
                    ctx.waited = True
                    self.enqueue_after(key, max(wait, 1))
                    return 0
            diff = len(indexes)
        if diff <= 0:
            return active
        return active + self._create(ctx, diff, indexes)

    def _for_removal(self, ctx: _Sync, pods: list[JobPod], at_least: int) -> list[JobPod]:
        """activePodsForRemoval: for Indexed Jobs, pods without a valid index
        and all but one pod of a repeated index; then the least advanced."""
        rm: list[JobPod] = []
        left: list[JobPod] = pods
        if ctx.indexed:
            completions = ctx.completions or 0
            left = []
            by_index: dict[int, list[JobPod]] = {}
            for p in pods:
                if p.index < 0 or p.index >= completions:
                    rm.append(p)
                else:
                    by_index.setdefault(p.index, []).append(p)
            for ix in sorted(by_index):
                group = sorted(by_index[ix], key=_removal_order)
                rm.extend(group[:-1])
                left.append(group[-1])
        if len(rm) < at_least:
            rm.extend(sorted(left, key=_removal_order)[: at_least - len(rm)])
        return rm

    def _pending_indexes(self, ctx: _Sync, count: int) -> list[int]:
        """firstPendingIndexes: the lowest indexes neither succeeded, failed,
        running nor (when only failed pods are replaced) terminating."""
        taken = set(ctx.succeeded_indexes)
        taken.update(p.index for p in ctx.active_pods if p.index >= 0)
        if ctx.only_failed:
            taken.update(p.index for p in ctx.pods if p.terminating and p.index >= 0)
        if ctx.failed_indexes:
            taken |= ctx.failed_indexes
        out: list[int] = []
        ix = 0
        completions = ctx.completions or 0
        while ix < completions and len(out) < count:
            if ix not in taken:
                out.append(ix)
            ix += 1
        return out

    def _creatable_indexes(self, ctx: _Sync, indexes: list[int]) -> tuple[list[int], int]:
        """getPodCreationInfoForIndependentIndexes: the indexes whose own
        back-off has passed, or else the shortest wait."""
        now = self.now()
        ready: list[int] = []
        shortest: int | None = None
        for ix in indexes:
            last = ctx.delayed.get(ix)
            wait = 0
            if last is not None:
                wait = backoff_remaining(last.failures + last.ignored + 1, last.finished_at, now)
            if wait == 0:
                ready.append(ix)
            elif shortest is None or wait < shortest:
                shortest = wait
        if ready:
            return ready, 0
        return [], shortest or 0

    def _create(self, ctx: _Sync, count: int, indexes: list[int]) -> int:
        """Creates the pods; returns how many were made."""
        job = ctx.job
        meta = job["metadata"]
        ns, name = meta["namespace"], meta["name"]
        template = self._template(ctx)
        owner = owner_reference(job)
        if not ctx.indexed:
            try:
                ctx.created = self.store.create_pods(
                    ns, template, count=count, generate_name=f"{name}-", owner=owner
                )
            except ApiError:
                return 0
            return len(ctx.created)
        made = 0
        for ix in indexes:
            annotations = {COMPLETION_INDEX: str(ix)}
            if ctx.per_index is not None:
                failures, ignored = self._new_index_failure_counts(ctx, ctx.delayed.get(ix))
                annotations[INDEX_FAILURE_COUNT] = str(failures)
                if ignored > 0:
                    annotations[INDEX_IGNORED_FAILURE_COUNT] = str(ignored)
            overlay = {
                "metadata": {"annotations": annotations, "labels": {COMPLETION_INDEX: str(ix)}},
                "spec": {"hostname": f"{name}-{ix}"},
            }
            try:
                self.store.create_pods(
                    ns,
                    template,
                    count=1,
                    generate_name=_indexed_generate_name(name, ix),
                    owner=owner,
                    overlays=[overlay],
                )
            except ApiError:
                continue
            made += 1
        return made

    @staticmethod
    def _template(ctx: _Sync) -> Obj:
        """The Job's pod template with the tracking finalizer (and, for an
        Indexed Job, the completion index variable). Made of new dicts only
        where it differs from the Job's template, whose own dicts it shares
        and leaves unchanged: a deep copy per creation cost more than the
        creation."""
        template = dict(ctx.spec.get("template") or {})
        tmeta = dict(template.get("metadata") or {})
        finalizers = list(tmeta.get("finalizers") or [])
        if TRACKING_FINALIZER not in finalizers:
            finalizers.append(TRACKING_FINALIZER)
        tmeta["finalizers"] = finalizers
        template["metadata"] = tmeta
        if ctx.indexed:
            template["spec"] = _with_index_env(template.get("spec") or {})
        return template

    def _new_index_failure_counts(self, ctx: _Sync, replaced: JobPod | None) -> tuple[int, int]:
        """The failure-count annotations of the pod that replaces ``replaced``."""
        if replaced is None:
            return 0, 0
        failures, ignored = replaced.failures, replaced.ignored
        if self._verdict(ctx, replaced)[1]:
            failures += 1
        else:
            ignored += 1
        return failures, ignored


def _rows_as_left(rows: Sequence[Any], created: frozenset[str]) -> tuple[Any, ...]:
    """``Store.job_pods`` rows in the form ``JobController._settle`` keeps:
    without the scheduled flag, and without the uid of the pods that sync
    created (it knew only their names)."""
    return tuple(
        (
            name,
            None if name in created else uid,
            phase,
            flags[0],
            flags[1],
            flags[2],
            numbers,
        )
        for name, uid, phase, flags, numbers in rows
    )


def _with_index_env(spec: Obj) -> Obj:
    """The pod spec in which every container (init containers too) gets
    JOB_COMPLETION_INDEX from the pod's completion-index label, unless it
    sets the variable itself; ``spec`` is left unchanged."""
    out = dict(spec)
    for key in ("initContainers", "containers"):
        if not spec.get(key):
            continue
        containers = []
        for c in spec[key]:
            env = list(c.get("env") or [])
            if not any(e.get("name") == COMPLETION_INDEX_ENV for e in env):
                env.append(
                    {
                        "name": COMPLETION_INDEX_ENV,
                        "valueFrom": {
                            "fieldRef": {"fieldPath": f"metadata.labels['{COMPLETION_INDEX}']"}
                        },
                    }
                )
            containers.append({**c, "env": env})
        out[key] = containers
    return out


#: names.MaxGeneratedNameLength: 63 less the 5-character random suffix.
_MAX_GENERATED_NAME = 58


def _indexed_generate_name(job: str, index: int) -> str:
    """``<job>-<index>-``, the job name cut so the name fits."""
    suffix = f"-{index}-"
    prefix = job + suffix
    if len(prefix) > _MAX_GENERATED_NAME:
        prefix = prefix[: _MAX_GENERATED_NAME - len(suffix)] + suffix
    return prefix


def _unix(stamp: str) -> int:
    import calendar
    import time

    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def _go_status(status: Obj) -> Obj:
    """The status as Go serializes JobStatus: fields in declaration order,
    zero counts and empty strings omitted (omitempty), while ``ready``,
    ``terminating``, ``failedIndexes`` and ``uncountedTerminatedPods`` are
    pointers and stay once set."""
    out: Obj = {}
    if status.get("conditions"):
        out["conditions"] = status["conditions"]
    for key in ("startTime", "completionTime"):
        if status.get(key):
            out[key] = status[key]
    for key in ("active", "succeeded", "failed"):
        if status.get(key):
            out[key] = status[key]
    if status.get("terminating") is not None:
        out["terminating"] = status["terminating"]
    if status.get("completedIndexes"):
        out["completedIndexes"] = status["completedIndexes"]
    if status.get("failedIndexes") is not None:
        out["failedIndexes"] = status["failedIndexes"]
    if status.get("uncountedTerminatedPods") is not None:
        out["uncountedTerminatedPods"] = status["uncountedTerminatedPods"]
    if status.get("ready") is not None:
        out["ready"] = status["ready"]
    return out


class TTLAfterFinishedController(Controller):
    """The ttl-after-finished controller: deletes a finished Job (Complete
    or Failed) ``ttlSecondsAfterFinished`` after it finished, with
    Foreground propagation so its pods go first."""

    kind: ClassVar[str] = "Job"
    watches: ClassVar[tuple[str, ...]] = ("Job",)

    def __init__(self, store: Any, clock: Clock, jobs: JobCache | None = None) -> None:
        super().__init__(store, clock)
        self.jobs = jobs if jobs is not None else JobCache(store)

    def observe(self, change: Change) -> None:
        # As its informer handlers do, only a Job that is finished, has a
        # TTL and is not being deleted is queued: the others cost nothing.
        etype, kind, ns, name = change[:4]
        if kind == "Job" and etype != "DELETED" and self.store.job_needs_cleanup(ns, name):
            self.enqueue((ns, name))

    def sync(self, key: Key) -> None:
        # A Job queued without a change (after a gap in the change feed,
        # every Job is) is read only if it needs cleaning up.
        if not self.store.job_needs_cleanup(*key):
            return
        job = self.jobs.get(key)
        if job is None:
            return
        meta, spec = job["metadata"], job["spec"]
        ttl = spec.get("ttlSecondsAfterFinished")
        if ttl is None or "deletionTimestamp" in meta:
            return
        finished_at = _finish_time(job.get("status") or {})
        if finished_at is None:
            return
        left = finished_at + ttl - self.now()
        if left > 0:
            self.enqueue_after(key, left)
            return
        try:
            self.store.delete(
                "Job",
                meta["name"],
                meta["namespace"],
                "Foreground",
                resource_version=meta["resourceVersion"],
            )
        except NotFound:
            return
        except ApiError:
            # The Job changed since it was read: look again.
            self.enqueue(key)


def _finish_time(status: Obj) -> int | None:
    """When the Job finished: the transition of its Complete or Failed condition."""
    for c in status.get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            stamp = c.get("lastTransitionTime")
            return _unix(stamp) if stamp else None
    return None


def job_controllers(store: Any, clock: Clock, jobs: JobCache | None = None) -> list[Controller]:
    """The Job controller and the TTL-after-finished controller, as a
    cluster runs them, sharing ``jobs``."""
    jobs = jobs if jobs is not None else JobCache(store)
    return [JobController(store, clock, jobs), TTLAfterFinishedController(store, clock, jobs)]
