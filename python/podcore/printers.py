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
    "CronJob": "cronjob.batch",
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


def _bool_ptr(value: bool | None) -> str:
    """printBoolPtr."""
    return "<unset>" if value is None else str(bool(value))


def _since(ts: str | None, now: int) -> str:
    """translateTimestampSince: ``<none>`` for no time."""
    t = _unix(ts)
    return "<none>" if t is None else human_duration(now - t)


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
    "CronJob": (
        ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        lambda cj, now, wide: (
            [
                cj["metadata"]["name"],
                cj["spec"].get("schedule", ""),
                cj["spec"].get("timeZone", "<none>"),
                _bool_ptr(cj["spec"].get("suspend")),
                str(len((cj.get("status") or {}).get("active") or [])),
                _since((cj.get("status") or {}).get("lastScheduleTime"), now),
                _age(cj, now),
            ]
            + (_template_columns(cj["spec"].get("jobTemplate") or {}) if wide else [])
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
    spec = obj.get("spec") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
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


#: The kinds ``kubectl get all`` shows, in its order (podcore has no
#: Services or HorizontalPodAutoscalers).
ALL = ("Pod", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "CronJob", "Job")


def tabwrite(text: str, *, minwidth: int = 0, padding: int = 2) -> str:
    """``text`` aligned as Go's text/tabwriter aligns it (padding with spaces,
    no flags), which is how kubectl lays out ``describe``.

    Tab-terminated cells form columns; a column block is a run of consecutive
    lines that all have a cell in that column, so a line with fewer cells
    ends the blocks to its right. The text after a line's last tab is not
    part of any column.
    """
    rows = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    widths: list[int] = []

    def write(line0: int, line1: int) -> None:
        for i in range(line0, line1):
            cells = rows[i]
            out.append(
                "".join(c.ljust(widths[j]) if j < len(widths) else c for j, c in enumerate(cells))
            )

    def layout(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(rows[this]) - 1:
                this += 1
                continue
            write(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(rows[this]) - 1:
                width = max(width, len(rows[this][column]) + padding)
                this += 1
            widths.append(width)
            layout(line0, this)
            widths.pop()
            line0 = this
        write(line0, line1)

    layout(0, len(rows))
    return "\n".join(out)


def rfc1123z(ts: str | None) -> str:
    """A timestamp as kubectl describe prints it (Go's RFC1123Z layout, UTC)."""
    secs = _unix(ts)
    if secs is None:
        return "<unknown>"
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(secs))


#: Annotations kubectl describe leaves out.
_SKIPPED_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
#: kubectl describe cuts annotation values longer than this.
_MAX_ANNOTATION_LEN = 140


def _multiline(title: str, pairs: list[str]) -> str:
    if not pairs:
        return f"{title}:\t<none>\n"
    return f"{title}:\t" + "".join(p if i == 0 else f"\t{p}" for i, p in enumerate(pairs))


def _labels(title: str, labels: dict[str, str] | None) -> str:
    return _multiline(title, [f"{k}={v}\n" for k, v in sorted((labels or {}).items())])


def _annotations(title: str, annotations: dict[str, str] | None) -> str:
    pairs = []
    for k, v in sorted((annotations or {}).items()):
        if k in _SKIPPED_ANNOTATIONS:
            continue
        value = v.strip()
        if len(value) > _MAX_ANNOTATION_LEN:
            value = value[:_MAX_ANNOTATION_LEN] + "..."
        pairs.append(f"{k}: {value}\n")
    return _multiline(title, pairs)


def _tolerations(title: str, tolerations: list[dict[str, Any]] | None) -> str:
    lines = []
    for t in sorted(tolerations or [], key=lambda t: str(t.get("key", ""))):
        s = str(t.get("key", ""))
        if t.get("value"):
            s += f"={t['value']}"
        if t.get("effect"):
            s += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            s += " op=Exists" if t.get("key") else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            s += f" for {t['tolerationSeconds']}s"
        lines.append(s + "\n")
    return _multiline(title, lines)


def _probe(p: dict[str, Any]) -> str:
    attrs = (
        f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
        f"period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} "
        f"#failure={p.get('failureThreshold', 3)}"
    )
    if "exec" in p:
        return f"exec [{' '.join(p['exec'].get('command') or [])}] {attrs}"
    if "httpGet" in p:
        h = p["httpGet"]
        scheme = str(h.get("scheme", "HTTP")).lower()
        host = h.get("host", "")
        port = h.get("port", "")
        hostport = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
        return f"http-get {scheme}://{hostport}{h.get('path', '')} {attrs}"
    if "tcpSocket" in p:
        t = p["tcpSocket"]
        return f"tcp-socket {t.get('host', '')}:{t.get('port', '')} {attrs}"
    if "grpc" in p:
        g = p["grpc"]
        return f"grpc <pod>:{g.get('port', '')} {g.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _state(name: str, state: dict[str, Any]) -> str:
    if "running" in state:
        started = rfc1123z(state["running"].get("startedAt"))
        return f"    {name}:\tRunning\n      Started:\t{started}\n"
    if "terminated" in state:
        t = state["terminated"]
        out = f"    {name}:\tTerminated\n"
        if t.get("reason"):
            out += f"      Reason:\t{t['reason']}\n"
        if t.get("message"):
            out += f"      Message:\t{t['message']}\n"
        out += f"      Exit Code:\t{t.get('exitCode', 0)}\n"
        if t.get("signal"):
            out += f"      Signal:\t{t['signal']}\n"
        out += f"      Started:\t{rfc1123z(t.get('startedAt'))}\n"
        out += f"      Finished:\t{rfc1123z(t.get('finishedAt'))}\n"
        return out
    out = f"    {name}:\tWaiting\n"
    reason = (state.get("waiting") or {}).get("reason")
    if reason:
        out += f"      Reason:\t{reason}\n"
    return out


def _containers(
    label: str,
    containers: list[dict[str, Any]],
    statuses: list[dict[str, Any]] | None,
    space: str = "",
) -> str:
    by_name = {s.get("name"): s for s in statuses or []}
    out = f"{space}{label}:{'' if containers else ' <none>'}\n"
    indent = " " if space else ""
    for c in containers:
        st = by_name.get(c.get("name"))
        out += f"  {indent}{c.get('name')}:\n"
        if st is not None:
            out += f"    Container ID:\t{st.get('containerID', '')}\n"
        out += f"    Image:\t{c.get('image', '')}\n"
        if st is not None:
            out += f"    Image ID:\t{st.get('imageID', '')}\n"
        ports = c.get("ports") or []
        cports = ", ".join(f"{p.get('containerPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
        hports = ", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
        out += f"    Ports:\t{cports}\n" if "," in cports else f"    Port:\t{cports or '<none>'}\n"
        out += (
            f"    Host Ports:\t{hports}\n"
            if "," in hports
            else f"    Host Port:\t{hports or '<none>'}\n"
        )
        for key, title in (("command", "Command"), ("args", "Args")):
            if c.get(key):
                out += f"    {title}:\n"
                out += "".join(f"      {s}\n" for a in c[key] for s in str(a).split("\n"))
        if st is not None:
            out += _state("State", st.get("state") or {})
            if (st.get("lastState") or {}).get("terminated"):
                out += _state("Last State", st["lastState"])
            out += f"    Ready:\t{'True' if st.get('ready') else 'False'}\n"
            out += f"    Restart Count:\t{st.get('restartCount', 0)}\n"
        res = c.get("resources") or {}
        for key, title in (("limits", "Limits"), ("requests", "Requests")):
            if res.get(key):
                out += f"    {title}:\n"
                out += "".join(f"      {k}:\t{v}\n" for k, v in sorted(res[key].items()))
        for key, title in (
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ):
            if c.get(key):
                out += f"    {title}:\t{_probe(c[key])}\n"
        env = c.get("env") or []
        out += "    Environment:\n" if env else "    Environment:\t<none>\n"
        for e in env:
            if "valueFrom" not in e:
                for i, s in enumerate(str(e.get("value", "")).split("\n")):
                    out += f"      {e['name']}:\t{s}\n" if i == 0 else f"      \t{s}\n"
            else:
                ref = e["valueFrom"]
                if "fieldRef" in ref:
                    f = ref["fieldRef"]
                    field = f"{f.get('apiVersion', 'v1')}:{f.get('fieldPath')}"
                    out += f"      {e['name']}:\t ({field})\n"
                elif "resourceFieldRef" in ref:
                    out += f"      {e['name']}:\t ({ref['resourceFieldRef'].get('resource')})\n"
                elif "secretKeyRef" in ref:
                    s = ref["secretKeyRef"]
                    out += (
                        f"      {e['name']}:\t<set to the key '{s.get('key')}' in secret "
                        f"'{s.get('name')}'>\tOptional: {str(bool(s.get('optional'))).lower()}\n"
                    )
                elif "configMapKeyRef" in ref:
                    s = ref["configMapKeyRef"]
                    out += (
                        f"      {e['name']}:\t<set to the key '{s.get('key')}' of config map "
                        f"'{s.get('name')}'>\tOptional: {str(bool(s.get('optional'))).lower()}\n"
                    )
        mounts = sorted(c.get("volumeMounts") or [], key=lambda m: str(m.get("mountPath", "")))
        out += "    Mounts:\n" if mounts else "    Mounts:\t<none>\n"
        for m in mounts:
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            out += f"      {m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n"
    return out


def _volumes(volumes: list[dict[str, Any]], space: str = "") -> str:
    if not volumes:
        return f"{space}Volumes:\t<none>\n"
    out = f"{space}Volumes:\n"
    indent = " " if space else ""
    for v in volumes:
        out += f"  {indent}{v.get('name')}:\n"
        if "emptyDir" in v:
            e = v["emptyDir"] or {}
            out += (
                "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{e.get('medium', '')}\n"
                f"    SizeLimit:\t{e.get('sizeLimit') or '<unset>'}\n"
            )
        elif "hostPath" in v:
            h = v["hostPath"]
            out += (
                "    Type:\tHostPath (bare host directory volume)\n"
                f"    Path:\t{h.get('path', '')}\n"
                f"    HostPathType:\t{h.get('type') or '<none>'}\n"
            )
        elif "persistentVolumeClaim" in v:
            p = v["persistentVolumeClaim"]
            out += (
                "    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim "
                "in the same namespace)\n"
                f"    ClaimName:\t{p.get('claimName', '')}\n"
                f"    ReadOnly:\t{str(bool(p.get('readOnly'))).lower()}\n"
            )
        elif "configMap" in v:
            m = v["configMap"]
            out += (
                "    Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                f"    Name:\t{m.get('name', '')}\n"
                f"    Optional:\t{str(bool(m.get('optional'))).lower()}\n"
            )
        elif "secret" in v:
            s = v["secret"]
            out += (
                "    Type:\tSecret (a volume populated by a Secret)\n"
                f"    SecretName:\t{s.get('secretName', '')}\n"
                f"    Optional:\t{str(bool(s.get('optional'))).lower()}\n"
            )
        else:
            out += "  <unknown>\n"
    return out


def _qos(pod: dict[str, Any]) -> str:
    given = (pod.get("status") or {}).get("qosClass")
    if given:
        return str(given)
    spec = pod.get("spec") or {}
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits = r.get("limits") or {}
        requests = {**limits, **(r.get("requests") or {})}
        if not all(k in limits for k in ("cpu", "memory")) or requests != limits:
            return "Burstable"
    return "Guaranteed"


def _controlled_by(obj: dict[str, Any]) -> str:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return f"Controlled By:\t{ref.get('kind')}/{ref.get('name')}\n"
    return ""


def describe_pod(pod: dict[str, Any]) -> str:
    """``kubectl describe pod``; podcore keeps no events."""
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    out = f"Name:\t{meta['name']}\nNamespace:\t{meta.get('namespace', '')}\n"
    if spec.get("priority") is not None:
        out += f"Priority:\t{spec['priority']}\n"
    if spec.get("priorityClassName"):
        out += f"Priority Class Name:\t{spec['priorityClassName']}\n"
    if spec.get("runtimeClassName"):
        out += f"Runtime Class Name:\t{spec['runtimeClassName']}\n"
    if spec.get("serviceAccountName"):
        out += f"Service Account:\t{spec['serviceAccountName']}\n"
    node = spec.get("nodeName")
    out += f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n"
    if status.get("startTime"):
        out += f"Start Time:\t{rfc1123z(status['startTime'])}\n"
    out += _labels("Labels", meta.get("labels"))
    out += _annotations("Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        out += f"Status:\tTerminating (lasts {meta['deletionTimestamp']})\n"
        out += f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n"
    else:
        out += f"Status:\t{phase}\n"
    if status.get("reason"):
        out += f"Reason:\t{status['reason']}\n"
    if status.get("message"):
        out += f"Message:\t{status['message']}\n"
    out += f"IP:\t{status.get('podIP', '')}\n"
    ips = status.get("podIPs") or []
    listed = "".join(f"  IP:\t{i.get('ip', '')}\n" for i in ips)
    out += f"IPs:\n{listed}" if ips else "IPs:\t<none>\n"
    out += _controlled_by(pod)
    if status.get("nominatedNodeName"):
        out += f"NominatedNodeName:\t{status['nominatedNodeName']}\n"
    if spec.get("initContainers"):
        out += _containers(
            "Init Containers", spec["initContainers"], status.get("initContainerStatuses")
        )
    out += _containers("Containers", spec.get("containers") or [], status.get("containerStatuses"))
    if spec.get("readinessGates"):
        out += "Readiness Gates:\n  Type\tStatus\n"
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        for g in spec["readinessGates"]:
            out += f"  {g.get('conditionType')} \t{conds.get(g.get('conditionType'), '<none>')} \n"
    if status.get("conditions"):
        out += "Conditions:\n  Type\tStatus\n"
        out += "".join(f"  {c['type']} \t{c['status']} \n" for c in status["conditions"])
    out += _volumes(spec.get("volumes") or [])
    out += f"QoS Class:\t{_qos(pod)}\n"
    out += _labels("Node-Selectors", spec.get("nodeSelector"))
    out += _tolerations("Tolerations", spec.get("tolerations"))
    out += "Events:\t<none>\n"
    return tabwrite(out)


def pod_template(template: dict[str, Any]) -> str:
    """The ``Pod Template:`` section of ``kubectl describe`` (tab-separated)."""
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    out = "Pod Template:\n" + _labels("  Labels", meta.get("labels"))
    if meta.get("annotations"):
        out += _annotations("  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        out += f"  Service Account:\t{spec['serviceAccountName']}\n"
    if spec.get("initContainers"):
        out += _containers("Init Containers", spec["initContainers"], None, "  ")
    out += _containers("Containers", spec.get("containers") or [], None, "  ")
    out += _volumes(spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        out += f"  Priority Class Name:\t{spec['priorityClassName']}\n"
    out += _labels("  Node-Selectors", spec.get("nodeSelector"))
    out += _tolerations("  Tolerations", spec.get("tolerations"))
    return out


def format_selector(selector: dict[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: ``app=web,tier in (a,b)``."""
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), e.get("values") or []
        if op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
        else:
            parts.append(f"{key} {str(op).lower()} ({','.join(sorted(values))})")
    return ",".join(parts) or "<none>"


def _replica_sets(rss: Sequence[dict[str, Any]]) -> str:
    if not rss:
        return "<none>"
    return ", ".join(
        f"{r['metadata']['name']} ({_num(r, 'status', 'replicas')}/"
        f"{_num(r, 'spec', 'replicas')} replicas created)"
        for r in rss
    )


def describe_deployment(
    d: dict[str, Any], old: Sequence[dict[str, Any]], new: dict[str, Any] | None
) -> str:
    """``kubectl describe deployment``, given its old ReplicaSets and its new one."""
    meta, spec, status = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    out = (
        f"Name:\t{meta['name']}\nNamespace:\t{meta.get('namespace', '')}\n"
        f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n"
    )
    out += _labels("Labels", meta.get("labels"))
    out += _annotations("Annotations", meta.get("annotations"))
    out += f"Selector:\t{format_selector(spec.get('selector'))}\n"
    out += (
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} "
        f"updated | {status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} "
        f"available | {status.get('unavailableReplicas', 0)} unavailable\n"
    )
    strategy = spec.get("strategy") or {}
    out += f"StrategyType:\t{strategy.get('type', '')}\n"
    out += f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n"
    if strategy.get("rollingUpdate") is not None:
        ru = strategy["rollingUpdate"]
        out += (
            f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '<nil>')} max unavailable, "
            f"{ru.get('maxSurge', '<nil>')} max surge\n"
        )
    out += pod_template(spec.get("template") or {})
    if status.get("conditions"):
        out += "Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n"
        out += "".join(
            f"  {c['type']} \t{c['status']}\t{c.get('reason', '')}\n" for c in status["conditions"]
        )
    out += f"OldReplicaSets:\t{_replica_sets(old)}\n"
    out += f"NewReplicaSet:\t{_replica_sets([new] if new else [])}\n"
    out += "Events:\t<none>\n"
    return tabwrite(out)
