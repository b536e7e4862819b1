"""Objects as kubectl prints them: ``get`` tables with kubectl's columns,
STATUS and AGE on the cluster's simulated clock."""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Sequence
from typing import Any

#: The resource names kubectl prints (``deployment.apps/web``).
RESOURCE = {
    "Pod": "pod",
    "ReplicaSet": "replicaset.apps",
    "Deployment": "deployment.apps",
    "StatefulSet": "statefulset.apps",
    "DaemonSet": "daemonset.apps",
    "ControllerRevision": "controllerrevision.apps",
    "Job": "job.batch",
    "Node": "node",
    "PersistentVolumeClaim": "persistentvolumeclaim",
    "Namespace": "namespace",
}


def resource_name(obj: dict[str, Any]) -> str:
    return f"{RESOURCE.get(obj['kind'], obj['kind'].lower())}/{obj['metadata']['name']}"


def _unix(ts: str | None) -> int | None:
    if not ts:
        return None
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def human_duration(seconds: int) -> str:
    """apimachinery's HumanDuration, as kubectl prints AGE."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m{s}s" if s else f"{minutes}m"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        m = minutes % 60
        return f"{hours}h{m}m" if m else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d{h}h" if h else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        d = (hours // 24) % 365
        return f"{hours // 24 // 365}y{d}d" if d else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def _age(obj: dict[str, Any], now: int) -> str:
    created = _unix(obj["metadata"].get("creationTimestamp"))
    return "<unknown>" if created is None else human_duration(now - created)


def pod_status(pod: dict[str, Any]) -> str:
    """The STATUS column of ``kubectl get pods`` (kubectl's printPod)."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    spec = pod.get("spec") or {}
    inits = status.get("initContainerStatuses") or []
    sidecars = {
        c["name"] for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"
    }
    initializing = False
    for i, cs in enumerate(inits):
        state = cs.get("state") or {}
        term = state.get("terminated")
        if term and term.get("exitCode") == 0:
            continue
        if cs["name"] in sidecars and cs.get("started"):
            continue
        if term:
            r = term.get("reason") or (
                f"Signal:{term['signal']}"
                if term.get("signal")
                else f"ExitCode:{term.get('exitCode')}"
            )
            reason = f"Init:{r}"
        elif (state.get("waiting") or {}).get("reason") not in (None, "", "PodInitializing"):
            reason = f"Init:{state['waiting']['reason']}"
        else:
            reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            state = cs.get("state") or {}
            waiting, term = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = (
                    f"Signal:{term['signal']}"
                    if term.get("signal")
                    else f"ExitCode:{term.get('exitCode')}"
                )
            elif cs.get("ready") and "running" in state:
                has_running = True
        if reason == "Completed" and has_running:
            ready = any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in status.get("conditions") or []
            )
            reason = "Running" if ready else "NotReady"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    return str(reason)


def _pod_row(pod: dict[str, Any], now: int, wide: bool) -> list[str]:
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    sidecars = [
        c
        for c in status.get("initContainerStatuses") or []
        if c["name"]
        in {
            s["name"]
            for s in pod["spec"].get("initContainers") or []
            if s.get("restartPolicy") == "Always"
        }
    ]
    total = len(pod["spec"].get("containers") or []) + len(sidecars)
    ready = sum(1 for c in statuses + sidecars if c.get("ready"))
    restarts = sum(int(c.get("restartCount", 0)) for c in statuses + sidecars)
    row = [
        pod["metadata"]["name"],
        f"{ready}/{total}",
        pod_status(pod),
        str(restarts),
        _age(pod, now),
    ]
    if wide:
        gates = pod["spec"].get("readinessGates") or []
        row += [
            status.get("podIP") or "<none>",
            pod["spec"].get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            "<none>" if not gates else f"0/{len(gates)}",
        ]
    return row


def _num(obj: dict[str, Any], *path: str) -> int:
    cur: Any = obj
    for p in path:
        cur = (cur or {}).get(p)
    return int(cur or 0)


def _job_status(job: dict[str, Any]) -> str:
    conds = {
        c["type"]
        for c in (job.get("status") or {}).get("conditions") or []
        if c.get("status") == "True"
    }
    for kind, shown in (
        ("Complete", "Complete"),
        ("Failed", "Failed"),
        ("FailureTarget", "FailureTarget"),
        ("SuccessCriteriaMet", "SuccessCriteriaMet"),
        ("Suspended", "Suspended"),
    ):
        if kind in conds:
            return shown
    if job["metadata"].get("deletionTimestamp"):
        return "Terminating"
    return "Running"


def _job_duration(job: dict[str, Any], now: int) -> str:
    st = job.get("status") or {}
    start = _unix(st.get("startTime"))
    if start is None:
        return ""
    end = _unix(st.get("completionTime")) or now
    return human_duration(end - start)


def _node_status(node: dict[str, Any]) -> str:
    ready = next(
        (c for c in (node.get("status") or {}).get("conditions") or [] if c["type"] == "Ready"),
        None,
    )
    out = "Ready" if ready and ready["status"] == "True" else "NotReady" if ready else "Unknown"
    if (node.get("spec") or {}).get("unschedulable"):
        out += ",SchedulingDisabled"
    return out


Row = Callable[[dict[str, Any], int, bool], list[str]]

_TABLES: dict[str, tuple[list[str], list[str], Row]] = {
    "Pod": (
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        _pod_row,
    ),
    "Deployment": (
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        lambda d, now, wide: (
            [
                d["metadata"]["name"],
                f"{_num(d, 'status', 'readyReplicas')}/{_num(d, 'spec', 'replicas')}",
                str(_num(d, "status", "updatedReplicas")),
                str(_num(d, "status", "availableReplicas")),
                _age(d, now),
            ]
            + (_template_columns(d) if wide else [])
        ),
    ),
    "ReplicaSet": (
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        lambda r, now, wide: (
            [
                r["metadata"]["name"],
                str(_num(r, "spec", "replicas")),
                str(_num(r, "status", "replicas")),
                str(_num(r, "status", "readyReplicas")),
                _age(r, now),
            ]
            + (_template_columns(r) if wide else [])
        ),
    ),
    "StatefulSet": (
        ["NAME", "READY", "AGE"],
        ["CONTAINERS", "IMAGES"],
        lambda s, now, wide: (
            [
                s["metadata"]["name"],
                f"{_num(s, 'status', 'readyReplicas')}/{_num(s, 'spec', 'replicas')}",
                _age(s, now),
            ]
            + (_template_columns(s)[:2] if wide else [])
        ),
    ),
    "DaemonSet": (
        ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        lambda d, now, wide: (
            [
                d["metadata"]["name"],
                str(_num(d, "status", "desiredNumberScheduled")),
                str(_num(d, "status", "currentNumberScheduled")),
                str(_num(d, "status", "numberReady")),
                str(_num(d, "status", "updatedNumberScheduled")),
                str(_num(d, "status", "numberAvailable")),
                ",".join(
                    f"{k}={v}"
                    for k, v in sorted(
                        (d["spec"]["template"]["spec"].get("nodeSelector") or {}).items()
                    )
                )
                or "<none>",
                _age(d, now),
            ]
            + (_template_columns(d) if wide else [])
        ),
    ),
    "Job": (
        ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        lambda j, now, wide: (
            [
                j["metadata"]["name"],
                _job_status(j),
                f"{_num(j, 'status', 'succeeded')}/{j['spec'].get('completions', 1)}",
                _job_duration(j, now),
                _age(j, now),
            ]
            + (_template_columns(j) if wide else [])
        ),
    ),
    "PersistentVolumeClaim": (
        ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"],
        ["VOLUMEMODE"],
        lambda p, now, wide: (
            [
                p["metadata"]["name"],
                (p.get("status") or {}).get("phase", ""),
                p["spec"].get("volumeName", ""),
                ((p.get("status") or {}).get("capacity") or {}).get("storage", ""),
                ",".join(_access(m) for m in (p.get("status") or {}).get("accessModes") or []),
                p["spec"].get("storageClassName") or "<unset>",
                _age(p, now),
            ]
            + ([p["spec"].get("volumeMode", "")] if wide else [])
        ),
    ),
    "Node": (
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
        lambda n, now, wide: (
            [
                n["metadata"]["name"],
                _node_status(n),
                "<none>",
                _age(n, now),
                ((n.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", ""),
            ]
            + (_node_wide(n) if wide else [])
        ),
    ),
    "Namespace": (
        ["NAME", "STATUS", "AGE"],
        [],
        lambda n, now, wide: [
            n["metadata"]["name"],
            (n.get("status") or {}).get("phase", ""),
            _age(n, now),
        ],
    ),
}


def _access(mode: str) -> str:
    return {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }.get(mode, mode)


def _template_columns(obj: dict[str, Any]) -> list[str]:
    containers = obj["spec"]["template"]["spec"].get("containers") or []
    sel = (obj["spec"].get("selector") or {}).get("matchLabels") or {}
    return [
        ",".join(c["name"] for c in containers),
        ",".join(c.get("image", "") for c in containers),
        ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>",
    ]


def _node_wide(node: dict[str, Any]) -> list[str]:
    st = node.get("status") or {}
    addrs = st.get("addresses") or []
    info = st.get("nodeInfo") or {}

    def addr(kind: str) -> str:
        return next((a["address"] for a in addrs if a["type"] == kind), "<none>")

    return [
        addr("InternalIP"),
        addr("ExternalIP"),
        info.get("osImage", ""),
        info.get("kernelVersion", ""),
        info.get("containerRuntimeVersion", ""),
    ]


def table(
    kind: str,
    objects: Sequence[dict[str, Any]],
    now: int,
    *,
    wide: bool = False,
    prefix: bool = False,
    namespace_column: bool = False,
) -> str:
    """A ``kubectl get`` table; ``prefix`` names rows ``kind/name`` as
    ``kubectl get all`` does."""
    head, extra, row = _TABLES[kind]
    header = head + (extra if wide else [])
    rows = []
    for o in objects:
        r = row(o, now, wide)
        if prefix:
            r[0] = f"{RESOURCE[kind]}/{r[0]}"
        if namespace_column:
            r = [o["metadata"].get("namespace", ""), *r]
        rows.append(r)
    if namespace_column:
        header = ["NAMESPACE", *header]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    lines = [
        "   ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *rows]
    ]
    return "\n".join(lines)
