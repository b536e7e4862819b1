"""Scenarios: a cluster, its manifests and a timeline of actions, run on the
simulated clock; what ``podcore simulate`` runs.

A scenario is one YAML document::

    description: Roll web from nginx 1.27 to 1.28   # optional, printed first
    cluster:                    # optional
      nodes: 3                  # a count (node-0, node-1, ...) or a list of Node objects
      dualStack: false          # IPv4 and IPv6 addresses
      seed: 0                   # fixes names and addresses; --seed overrides it
    manifests:                  # applied at T+0s, as kubectl apply does
    - web.yaml                  # a file (YAML/JSON, multi-document), relative to the scenario
    - apiVersion: v1            # or an object written inline
      kind: Pod
      ...
    timeline:                   # steps, in time order
    - at: 10                    # simulated seconds since the start ...
      action: setImage
      target: deployment/web
      image: nginx:1.28
    - after: 5                  # ... or seconds after the previous step
      action: scale
      target: deployment/web
      replicas: 5
    until: 120                  # optional: run to T+120s; without it, run
                                # until nothing is pending (at most `timeout`)
    timeout: 600                # optional, simulated seconds (default 600)

Each step has ``at`` or ``after``, an ``action`` and that action's fields;
``namespace`` (default ``default``) applies to every target. The actions:

============  ===============================================================
apply         ``manifests``: files or inline objects, as at the top level
patch         ``target``, ``patch`` (an object, or a list for ``json``),
              ``type``: ``strategic`` (default), ``merge`` or ``json``
scale         ``target`` (deployment, replicaset, statefulset), ``replicas``
setImage      ``target`` (a workload or a pod), ``image``, ``container``
              (needed when the pod template has more than one container)
delete        ``target``, ``propagation``: Background (default), Foreground,
              Orphan
failPod       ``target: pod/NAME``, or ``selector`` (``app=web`` or a
              mapping) and ``count`` (default 1): that many running pods,
              by name; ``exitCode`` (default 1)
failNode      ``target: node/NAME``: its kubelet stops posting status
addNode       ``name`` (default ``node-N``), ``node``: a Node object
removeNode    ``target: node/NAME``: its kubelet stops, the Node is deleted,
              and its pods are deleted 40 s later, as the pod garbage
              collector does with pods of nodes that are gone
advance       nothing: a marker that moves the clock to ``at``
settle        run until nothing is pending; ``timeout`` (default 600)
============  ===============================================================

Targets are ``KIND/NAME`` with kubectl's kind names (``deployment/web``,
``deploy/web``, ``sts/db``, ``pod/debug``, ``node/node-1``).

A mistake stops the run before it starts, with one message that names the
step and its line; an action the cluster refuses (a NotFound, an Invalid
object) stops it at that step the same way. Both are ``ScenarioError``.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from podcore import _yaml
from podcore.cluster import Cluster
from podcore.controllers.base import timestamp
from podcore.errors import ApiError, Invalid, NotFound
from podcore.events import Event, EventRecorder, Sample, object_name
from podcore.sim.nodes import make_node

#: kube-controller-manager's pod garbage collector waits this long before
#: deleting the pods of a node that no longer exists.
PODGC_QUARANTINE = 40.0

_KINDS = {
    "pod": "Pod",
    "pods": "Pod",
    "po": "Pod",
    "deployment": "Deployment",
    "deployments": "Deployment",
    "deploy": "Deployment",
    "replicaset": "ReplicaSet",
    "replicasets": "ReplicaSet",
    "rs": "ReplicaSet",
    "statefulset": "StatefulSet",
    "statefulsets": "StatefulSet",
    "sts": "StatefulSet",
    "daemonset": "DaemonSet",
    "daemonsets": "DaemonSet",
    "ds": "DaemonSet",
    "job": "Job",
    "jobs": "Job",
    "node": "Node",
    "nodes": "Node",
    "no": "Node",
    "persistentvolumeclaim": "PersistentVolumeClaim",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "pvc": "PersistentVolumeClaim",
    "namespace": "Namespace",
    "namespaces": "Namespace",
    "ns": "Namespace",
}

_WORKLOADS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job")

#: Each action: (fields it requires, fields it may have, kinds its target may be).
_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "apply": (("manifests",), (), ()),
    "patch": (
        ("target", "patch"),
        ("type",),
        (*_WORKLOADS, "Pod", "Node", "PersistentVolumeClaim"),
    ),
    "scale": (("target", "replicas"), (), ("Deployment", "ReplicaSet", "StatefulSet")),
    "setImage": (("target", "image"), ("container",), (*_WORKLOADS, "Pod")),
    "delete": (("target",), ("propagation",), tuple(sorted(set(_KINDS.values())))),
    "failPod": ((), ("target", "selector", "count", "exitCode"), ("Pod",)),
    "failNode": (("target",), (), ("Node",)),
    "addNode": ((), ("name", "node"), ()),
    "removeNode": (("target",), (), ("Node",)),
    "advance": ((), (), ()),
    "settle": ((), ("timeout",), ()),
}

_COMMON = ("at", "after", "action", "namespace")
_TOP = ("description", "cluster", "manifests", "timeline", "until", "timeout")
_CLUSTER = ("nodes", "dualStack", "seed")
_TEMPLATE = {
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "Pod": ("spec",),
}


class ScenarioError(Exception):
    """A mistake in a scenario, or an action the cluster refused: one message
    that names the file, the step and its line."""


@dataclass
class Step:
    """One action of the timeline."""

    index: int
    line: int
    action: str
    at: float | None
    after: float | None
    fields: dict[str, Any]
    namespace: str = "default"
    kind: str = ""
    name: str = ""

    @property
    def where(self) -> str:
        return f"step {self.index} (line {self.line})"

    @property
    def target(self) -> str:
        return object_name(self.kind, self.name) if self.kind else ""


@dataclass
class Scenario:
    """A parsed, validated scenario."""

    path: pathlib.Path
    description: str = ""
    nodes: int | list[dict[str, Any]] = 3
    dual_stack: bool = False
    seed: int = 0
    manifests: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    until: float | None = None
    timeout: float = 600.0


@dataclass
class Result:
    """What a run produced."""

    events: list[Event]
    samples: list[Sample]
    settled: bool
    end: float


# ---------------------------------------------------------------- parsing


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _lines(node: yaml.Node | None) -> dict[str, int]:
    """The line of each key of a YAML mapping node (1-based)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
    }


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
                return v
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def load(path: str | pathlib.Path) -> Scenario:
    """Reads and validates a scenario file; :class:`ScenarioError` on any mistake."""
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    return parse(text, path)


def parse(text: str, path: pathlib.Path) -> Scenario:
    """Parses scenario text; ``path`` names it in errors and anchors the
    manifest files it names."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        docs = [d for d in yaml.load_all(text, Loader=_yaml._Loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}: error parsing YAML{where}: {problem}") from None
    if len(docs) != 1:
        raise ScenarioError(f"{path}: a scenario is one YAML document, found {len(docs)}")
    root_node = next((n for n in nodes if n is not None), None)
    data = docs[0]
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping with a timeline, not a {_type(data)}")
    lines = _lines(root_node)
    for key in data:
        if key not in _TOP:
            raise ScenarioError(
                f"{path}: line {lines.get(str(key), 1)}: unknown field {key!r} "
                f"(a scenario has {', '.join(_TOP)})"
            )
    sc = Scenario(path=path)
    desc = data.get("description", "")
    if not isinstance(desc, str):
        raise ScenarioError(f"{path}: line {lines['description']}: description must be text")
    sc.description = desc.strip()
    _parse_cluster(sc, data.get("cluster"), _child(root_node, "cluster"), lines)
    if "manifests" in data:
        sc.manifests = _manifests(
            data["manifests"], path, f"{path}: line {lines['manifests']}: manifests"
        )
    for key in ("until", "timeout"):
        if key in data and not _number(data[key]):
            raise ScenarioError(
                f"{path}: line {lines[key]}: {key} must be a number of seconds >= 0, "
                f"not {data[key]!r}"
            )
    if "until" in data:
        sc.until = float(data["until"])
    sc.timeout = float(data.get("timeout", 600.0))
    timeline = data.get("timeline", [])
    if not isinstance(timeline, list):
        raise ScenarioError(
            f"{path}: line {lines['timeline']}: timeline must be a list of steps, "
            f"not a {_type(timeline)}"
        )
    step_nodes = _items(_child(root_node, "timeline"))
    last_at = 0.0
    last_line = 0
    for i, raw in enumerate(timeline):
        node = step_nodes[i] if i < len(step_nodes) else None
        line = node.start_mark.line + 1 if node is not None else lines.get("timeline", 1)
        step = _parse_step(i + 1, line, raw, _lines(node), path)
        if step.at is not None:
            if step.at < last_at:
                raise ScenarioError(
                    f"{path}: {step.where}: at: {step.at:g} is earlier than the step before "
                    f"it (line {last_line}, T+{last_at:g}s); time only goes forward"
                )
            last_at = step.at
        elif step.after is not None:
            last_at += step.after
        last_line = line
        sc.steps.append(step)
    if sc.until is not None and sc.until < last_at:
        raise ScenarioError(
            f"{path}: line {lines['until']}: until: {sc.until:g} is earlier than the last "
            f"step (T+{last_at:g}s)"
        )
    return sc


_TYPE_NAMES: dict[type, str] = {dict: "mapping", list: "list", str: "string"}


def _type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _parse_cluster(sc: Scenario, data: Any, node: yaml.Node | None, top: dict[str, int]) -> None:
    if data is None:
        return
    where = f"{sc.path}: line {top.get('cluster', 1)}: cluster"
    if not isinstance(data, dict):
        raise ScenarioError(f"{where} must be a mapping, not a {_type(data)}")
    lines = _lines(node)
    for key in data:
        if key not in _CLUSTER:
            raise ScenarioError(
                f"{sc.path}: line {lines.get(str(key), 1)}: unknown cluster field {key!r} "
                f"(one of {', '.join(_CLUSTER)})"
            )
    nodes = data.get("nodes", 3)
    if (isinstance(nodes, int) and not isinstance(nodes, bool) and nodes >= 0) or (
        isinstance(nodes, list) and all(isinstance(n, dict) for n in nodes)
    ):
        sc.nodes = nodes
    else:
        raise ScenarioError(
            f"{sc.path}: line {lines['nodes']}: cluster.nodes must be a count or a list of "
            f"Node objects, not {nodes!r}"
        )
    dual = data.get("dualStack", False)
    if not isinstance(dual, bool):
        raise ScenarioError(
            f"{sc.path}: line {lines['dualStack']}: cluster.dualStack must be true or false"
        )
    sc.dual_stack = dual
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ScenarioError(f"{sc.path}: line {lines['seed']}: cluster.seed must be an integer")
    sc.seed = seed


def _manifests(value: Any, path: pathlib.Path, where: str) -> list[dict[str, Any]]:
    """The objects of a ``manifests`` field: files relative to the scenario,
    or objects written inline."""
    entries = value if isinstance(value, list) else [value]
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, dict):
            out.append(entry)
            continue
        if not isinstance(entry, str):
            raise ScenarioError(
                f"{where}[{i}] must be a file name or an object, not a {_type(entry)}"
            )
        file = path.parent / entry
        try:
            docs = _yaml.load_all(file.read_bytes())
        except OSError as exc:
            raise ScenarioError(f"{where}[{i}]: cannot read {file}: {exc.strerror}") from None
        except ApiError as exc:
            raise ScenarioError(f"{file}: {exc.message}") from None
        for d in docs:
            if not isinstance(d, dict):
                raise ScenarioError(f"{file}: an object must be a mapping, not a {_type(d)}")
            if d.get("kind") == "List" and isinstance(d.get("items"), list):
                out.extend(d["items"])
            else:
                out.append(d)
    return out


def _parse_step(index: int, line: int, raw: Any, lines: dict[str, int], path: pathlib.Path) -> Step:
    where = f"{path}: step {index} (line {line})"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a step is a mapping with at/after and action")
    action = raw.get("action")
    if action is None:
        raise ScenarioError(f"{where}: missing action (one of {', '.join(_ACTIONS)})")
    if action not in _ACTIONS:
        raise ScenarioError(f"{where}: unknown action {action!r} (one of {', '.join(_ACTIONS)})")
    required, optional, kinds = _ACTIONS[action]
    for key in raw:
        if key not in _COMMON and key not in required and key not in optional:
            allowed = [*required, *optional, *_COMMON]
            raise ScenarioError(
                f"{path}: step {index} (line {lines.get(str(key), line)}): unknown field "
                f"{key!r} for action {action} (it takes {', '.join(allowed)})"
            )
    if ("at" in raw) == ("after" in raw):
        raise ScenarioError(
            f"{where}: a step needs either at (seconds since the start) or after "
            f"(seconds after the step before it)"
        )
    when_key = "at" if "at" in raw else "after"
    if not _number(raw[when_key]):
        raise ScenarioError(
            f"{where}: {when_key} must be a number of seconds >= 0, not {raw[when_key]!r}"
        )
    for key in required:
        if key not in raw:
            example = {
                "target": "target: deployment/web",
                "replicas": "replicas: 3",
                "image": "image: nginx:1.28",
                "patch": "patch: {spec: {...}}",
                "manifests": "manifests: [web.yaml]",
            }[key]
            raise ScenarioError(f"{where}: action {action} needs {key}, like {example}")
    namespace = raw.get("namespace", "default")
    if not isinstance(namespace, str) or not namespace:
        raise ScenarioError(f"{where}: namespace must be a name")
    fields = {k: v for k, v in raw.items() if k not in _COMMON}
    step = Step(
        index=index,
        line=line,
        action=action,
        at=float(raw["at"]) if "at" in raw else None,
        after=float(raw["after"]) if "after" in raw else None,
        fields=fields,
        namespace=namespace,
    )
    if "target" in raw:
        step.kind, step.name = _target(raw["target"], kinds, action, where)
    _check_fields(step, where, path)
    return step


def _target(value: Any, kinds: tuple[str, ...], action: str, where: str) -> tuple[str, str]:
    if not isinstance(value, str) or value.count("/") != 1:
        raise ScenarioError(
            f"{where}: target must be KIND/NAME, like deployment/web, not {value!r}"
        )
    kind_text, name = value.split("/")
    kind = _KINDS.get(kind_text.split(".")[0].lower())
    if kind is None:
        raise ScenarioError(f"{where}: unknown kind {kind_text!r} in target {value!r}")
    if not name:
        raise ScenarioError(f"{where}: target {value!r} has no name")
    if kind not in kinds:
        raise ScenarioError(
            f"{where}: action {action} does not apply to a {kind} (it takes {', '.join(kinds)})"
        )
    return kind, name


def _check_fields(step: Step, where: str, path: pathlib.Path) -> None:
    f = step.fields
    if step.action == "apply":
        f["manifests"] = _manifests(f["manifests"], path, f"{where}: manifests")
    elif step.action == "patch":
        kind = f.get("type", "strategic")
        if kind not in ("strategic", "merge", "json"):
            raise ScenarioError(f"{where}: type must be strategic, merge or json, not {kind!r}")
        want = list if kind == "json" else dict
        if not isinstance(f["patch"], want):
            raise ScenarioError(
                f"{where}: a {kind} patch is a {_type(want())}, not a {_type(f['patch'])}"
            )
    elif step.action == "scale":
        r = f["replicas"]
        if not isinstance(r, int) or isinstance(r, bool) or r < 0:
            raise ScenarioError(f"{where}: replicas must be an integer >= 0, not {r!r}")
    elif step.action == "setImage":
        if not isinstance(f["image"], str) or not f["image"]:
            raise ScenarioError(f"{where}: image must be an image reference, like nginx:1.28")
        if "container" in f and not isinstance(f["container"], str):
            raise ScenarioError(f"{where}: container must be a container's name")
    elif step.action == "delete":
        p = f.get("propagation", "Background")
        if p not in ("Background", "Foreground", "Orphan"):
            raise ScenarioError(
                f"{where}: propagation must be Background, Foreground or Orphan, not {p!r}"
            )
    elif step.action == "failPod":
        if ("target" in f) == ("selector" in f):
            raise ScenarioError(
                f"{where}: action failPod needs a target (target: pod/NAME) or a selector "
                f"(selector: app=web), not both"
            )
        sel = f.get("selector")
        if sel is not None and not isinstance(sel, (str, dict)):
            raise ScenarioError(f"{where}: selector must be like app=web or a mapping of labels")
        for key, least in (("count", 1), ("exitCode", 0)):
            v = f.get(key, least)
            if not isinstance(v, int) or isinstance(v, bool) or v < least:
                raise ScenarioError(f"{where}: {key} must be an integer >= {least}, not {v!r}")
    elif step.action == "addNode":
        if "name" in f and not isinstance(f["name"], str):
            raise ScenarioError(f"{where}: name must be a node's name")
        if "node" in f and not isinstance(f["node"], dict):
            raise ScenarioError(f"{where}: node must be a Node object")
    elif step.action == "settle" and "timeout" in f and not _number(f["timeout"]):
        raise ScenarioError(f"{where}: timeout must be a number of seconds >= 0")


# ---------------------------------------------------------------- running

Progress = Callable[[float, int, int], None]


class Runner:
    """Runs a scenario on a fresh cluster, polling for events after every
    timer the clock fires so each event has its exact simulated time."""

    def __init__(
        self, scenario: Scenario, *, seed: int | None = None, progress: Progress | None = None
    ) -> None:
        self.scenario = scenario
        families = ("IPv4", "IPv6") if scenario.dual_stack else ("IPv4",)
        try:
            self.cluster = Cluster(
                nodes=scenario.nodes,
                seed=scenario.seed if seed is None else seed,
                ip_families=families,
                watch_window=100_000,
            )
        except ApiError as exc:
            raise ScenarioError(f"{scenario.path}: cluster.nodes: {_api_message(exc)}") from None
        self.recorder = EventRecorder(self.cluster)
        self._progress = progress
        self._next_node = scenario.nodes if isinstance(scenario.nodes, int) else len(scenario.nodes)
        self._step = 0

    @property
    def events(self) -> list[Event]:
        return self.recorder.events

    def run(self) -> Result:
        sc = self.scenario
        if sc.manifests:
            try:
                self.cluster.apply(sc.manifests)
            except ApiError as exc:
                raise ScenarioError(f"{sc.path}: manifests: {_api_message(exc)}") from None
            self._poll()
        last = self.cluster.now
        for step in sc.steps:
            self._step = step.index
            when = step.at if step.at is not None else last + (step.after or 0.0)
            if when < self.cluster.now:
                raise ScenarioError(
                    f"{sc.path}: {step.where}: at: {when:g} has passed: the clock is at "
                    f"T+{self.cluster.now:g}s after the settle before it; use after: instead"
                )
            self._advance_to(when)
            try:
                self._action(step, self._describe(step))
                self._execute(step)
            except ApiError as exc:
                what = f"{step.action} {step.target}".strip()
                raise ScenarioError(
                    f"{sc.path}: {step.where}, T+{_fmt(self.cluster.now)}: {what}: "
                    f"{_api_message(exc)}"
                ) from None
            except ValueError as exc:
                raise ScenarioError(
                    f"{sc.path}: {step.where}, T+{_fmt(self.cluster.now)}: {step.action}: {exc}"
                ) from None
            self._poll()
            last = self.cluster.now
        self._step = len(sc.steps) + 1
        if sc.until is not None:
            self._advance_to(sc.until)
            settled = self.cluster.clock.next_due(background=False) is None
        else:
            settled = self._settle(sc.timeout)
        return Result(self.recorder.events, self.recorder.samples, settled, self.cluster.now)

    # ------------------------------------------------------------ time

    def _poll(self) -> None:
        self.recorder.poll()
        if self._progress is not None:
            self._progress(self.cluster.now, self._step, len(self.scenario.steps))

    def _advance_to(self, until: float) -> None:
        c = self.cluster
        while (due := c.clock.next_due()) is not None and due <= until:
            c.advance(max(0.0, due - c.now))
            self._poll()
        c.advance(max(0.0, until - c.now))
        self._poll()

    def _settle(self, timeout: float) -> bool:
        c = self.cluster
        start = c.now
        c.reconcile()
        self._poll()
        while (due := c.clock.next_due(background=False)) is not None:
            if due - start > timeout:
                return False
            c.advance(max(0.0, due - c.now))
            self._poll()
        return True

    # ------------------------------------------------------------ actions

    def _action(self, step: Step, message: str) -> None:
        reason = step.action[:1].upper() + step.action[1:]
        targets = [step.target]
        if step.action == "addNode":
            targets = [object_name("Node", self._node_name(step))]
        elif step.action == "failPod":
            targets = [object_name("Pod", n) for n in self._pods_to_fail(step)]
        namespace = "" if targets[0].startswith("node/") or not targets[0] else step.namespace
        for target in targets:
            self.recorder.events.append(
                Event(self.cluster.now, "Action", reason, target, message, namespace)
            )

    def _describe(self, step: Step) -> str:
        f, action = step.fields, step.action
        if action == "apply":
            text = f"apply {len(f['manifests'])} object(s)"
        elif action == "patch":
            text = f"{f.get('type', 'strategic')} patch"
        elif action == "scale":
            text = f"scale to {f['replicas']} replica{'' if f['replicas'] == 1 else 's'}"
        elif action == "setImage":
            container = f"{f['container']}=" if "container" in f else "to "
            text = f"set image {container}{f['image']}"
        elif action == "delete":
            text = f"delete ({f.get('propagation', 'Background')} propagation)"
        elif action == "failPod":
            text = f"containers exit with code {f.get('exitCode', 1)}"
        elif action == "failNode":
            text = "kubelet stops posting node status"
        elif action == "addNode":
            text = f"node {self._node_name(step)} joins"
        elif action == "removeNode":
            text = "kubelet stops; the Node is deleted"
        else:
            text = action
        return f"{text} (step {step.index})"

    def _node_name(self, step: Step) -> str:
        given = step.fields.get("node") or {}
        meta = given.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
        return str(step.fields.get("name") or meta.get("name") or f"node-{self._next_node}")

    def _execute(self, step: Step) -> None:
        c, f, ns = self.cluster, step.fields, step.namespace
        if step.action == "apply":
            c.apply(f["manifests"])
        elif step.action == "patch":
            c.patch(step.kind, step.name, f["patch"], ns, f.get("type", "strategic"))
        elif step.action == "scale":
            c.patch(step.kind, step.name, {"spec": {"replicas": f["replicas"]}}, ns, "merge")
        elif step.action == "setImage":
            self._set_image(step)
        elif step.action == "delete":
            namespace = "" if step.kind in ("Node", "Namespace") else ns
            self.recorder.expect_deletion(step.kind, step.name, namespace)
            c.delete(step.kind, step.name, namespace, f.get("propagation", "Background"))
        elif step.action == "failPod":
            self._fail_pods(step)
        elif step.action == "failNode":
            c.fail_node(step.name)
        elif step.action == "addNode":
            self._add_node(step)
        elif step.action == "removeNode":
            self._remove_node(step.name)
        elif step.action == "settle" and not self._settle(float(f.get("timeout", 600.0))):
            self._action(step, f"not settled within {f.get('timeout', 600.0):g} seconds")

    def _set_image(self, step: Step) -> None:
        c, f = self.cluster, step.fields
        obj = c.get(step.kind, step.name, step.namespace)
        spec: Any = obj
        for key in _TEMPLATE[step.kind]:
            spec = spec.get(key) if isinstance(spec, dict) else None
        names = [
            str(x.get("name")) for x in (spec or {}).get("containers") or [] if isinstance(x, dict)
        ]
        container = f.get("container")
        if container is None:
            if len(names) != 1:
                raise ValueError(
                    f"{step.target} has containers {', '.join(names)}: name one with container:"
                )
            container = names[0]
        elif container not in names:
            raise ValueError(
                f'{step.target} has no container "{container}" (it has {", ".join(names)})'
            )
        patch: dict[str, Any] = {"containers": [{"name": container, "image": f["image"]}]}
        for key in reversed(_TEMPLATE[step.kind]):
            patch = {key: patch}
        c.patch(step.kind, step.name, patch, step.namespace, "strategic")

    def _fail_pods(self, step: Step) -> None:
        for name in self._pods_to_fail(step):
            self.cluster.fail_pod(name, step.namespace, step.fields.get("exitCode", 1))

    def _pods_to_fail(self, step: Step) -> list[str]:
        """The pod a failPod step names, or the first ``count`` running pods
        its selector matches, by name."""
        c, f = self.cluster, step.fields
        if step.kind:
            names = [step.name]
        else:
            pods = c.list("Pod", step.namespace, f["selector"])
            names = sorted(
                p["metadata"]["name"]
                for p in pods
                if not p["metadata"].get("deletionTimestamp")
                and any("running" in (cs.get("state") or {}) for cs in _statuses(p))
            )[: f.get("count", 1)]
            if len(names) < f.get("count", 1):
                raise ValueError(
                    f"{len(names)} running pod(s) match the selector {f['selector']!r}, "
                    f"{f.get('count', 1)} wanted"
                )
        return names

    def _add_node(self, step: Step) -> None:
        c = self.cluster
        name = self._node_name(step)
        stamp = timestamp(c.store.now)
        node = make_node(name, self._next_node, c.ip_families, stamp, step.fields.get("node"))
        self._next_node += 1
        c.store.create(node)
        c.reconcile()

    def _remove_node(self, name: str) -> None:
        c = self.cluster
        c.fail_node(name)
        self.recorder.expect_deletion("Node", name, "")
        c.delete("Node", name, "")
        c.clock.call_later(PODGC_QUARANTINE, lambda: self._collect_pods(name))

    def _collect_pods(self, node: str) -> None:
        """Deletes, at once, the pods bound to a node that no longer exists."""
        c = self.cluster
        try:
            c.store.get("Node", node, "")
            return
        except NotFound:
            pass
        for pod in c.store.list("Pod"):
            meta = pod["metadata"]
            if pod["spec"].get("nodeName") != node:
                continue
            self.recorder.expect_deletion("Pod", meta["name"], meta["namespace"])
            try:
                c.store.delete("Pod", meta["name"], meta["namespace"], grace_period_seconds=0)
            except NotFound:
                continue


def _statuses(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s for s in (pod.get("status") or {}).get("containerStatuses") or [] if isinstance(s, dict)
    ]


def _api_message(exc: ApiError) -> str:
    if isinstance(exc, Invalid):
        return f"The {exc.message}"
    return f"Error from server ({exc.reason}): {exc.message}"


def _fmt(seconds: float) -> str:
    return f"{seconds:.1f}".removesuffix(".0") + "s"


def run(
    path: str | pathlib.Path,
    *,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Loads and runs a scenario file."""
    return Runner(load(path), seed=seed, progress=progress).run()


def run_text(text: str, *, base: str | pathlib.Path = ".", seed: int | None = None) -> Result:
    """Runs a scenario given as text; manifest files are relative to ``base``."""
    scenario = parse(text, pathlib.Path(base) / "<scenario>")
    return Runner(scenario, seed=seed).run()


def seconds(t: float) -> str:
    """Simulated time as the timeline prints it: ``T+12s``, ``T+1.5s``."""
    return f"T+{_fmt(t)}"


__all__ = (
    "PODGC_QUARANTINE",
    "Result",
    "Runner",
    "Scenario",
    "ScenarioError",
    "Step",
    "load",
    "parse",
    "run",
    "run_text",
    "seconds",
)
