"""A simulated cluster that lives across ``podcore`` invocations (``--state FILE``).

The state file is JSON::

    {
      "podcore": "cluster-state/v1",
      "cluster": {"nodes": 3, "ipFamilies": ["IPv4"], "seed": 0},
      "history": [
        {"verb": "apply", "namespace": "default", "objects": [{...}, ...]},
        {"verb": "scale", "kind": "Deployment", "namespace": "default",
         "name": "web", "replicas": 5},
        {"verb": "set-image", "kind": "Deployment", "namespace": "default",
         "name": "web", "images": {"nginx": "nginx:1.28"}},
        {"verb": "undo", "namespace": "default", "name": "web", "toRevision": 0},
        {"verb": "delete", "targets": [["Pod", "default", "debug"]]}
      ]
    }

``cluster`` holds the options the cluster was made with; ``history`` the
mutating commands that succeeded, in order, with their arguments (applied
manifests inlined, so the files may change or vanish afterwards). Each entry
may carry ``"settle": false`` when it was run without settling.

No object is stored: every invocation builds a fresh ``Cluster`` with the same
options and seed and replays the history, settling after each entry as the
command did. The simulation is deterministic, so the replay gives the same
names, uids, addresses and clock as the first run. A mutating command then
appends its entry and the file is rewritten atomically (a temporary file in
the same folder, renamed over the old one).

A missing file is a fresh cluster; a file that cannot be read as such a
document is one error (``StateError``), never a half-loaded cluster.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import podcore
from podcore.errors import ApiError, BadRequest, NotFound

FORMAT = "cluster-state/v1"

#: Simulated seconds a command waits for the cluster to settle.
SETTLE_TIMEOUT = 600.0

_VERBS = ("apply", "scale", "set-image", "undo", "delete")

#: Deployment annotations ``kubectl rollout undo`` leaves as they are.
_UNDO_KEEPS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "deployment.kubernetes.io/revision",
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)

REVISION = "deployment.kubernetes.io/revision"


class StateError(Exception):
    """The state file cannot be used."""


@dataclass
class Options:
    nodes: int = 3
    ip_families: tuple[str, ...] = ("IPv4",)
    seed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "ipFamilies": list(self.ip_families), "seed": self.seed}


@dataclass
class State:
    """The cluster's options and the commands that shaped it."""

    options: Options
    history: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None

    def build(self) -> podcore.Cluster:
        """A cluster in the state the history leaves it in."""
        c = podcore.Cluster(
            nodes=self.options.nodes, seed=self.options.seed, ip_families=self.options.ip_families
        )
        for i, entry in enumerate(self.history):
            try:
                run(c, entry)
            except (ApiError, TypeError, ValueError, KeyError) as exc:
                where = f"{self.path}: " if self.path else ""
                raise StateError(
                    f"{where}history entry {i} ({entry.get('verb')}) no longer replays: {exc}"
                ) from None
        return c

    def record(self, entry: dict[str, Any]) -> None:
        """Appends ``entry`` and writes the file (when there is one)."""
        self.history.append(entry)
        if self.path is not None:
            save(self)


def load(path: Path | None, options: Options) -> State:
    """The state in ``path``; a fresh one with ``options`` when there is none."""
    if path is None or not path.exists():
        return State(options, [], path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StateError(f"cannot read state file {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"state file {path} is corrupt: {exc}") from None
    try:
        if not isinstance(doc, dict) or doc.get("podcore") != FORMAT:
            raise ValueError(f'it is not a podcore "{FORMAT}" document')
        cl = doc["cluster"]
        nodes, seed, families = cl["nodes"], cl["seed"], tuple(cl["ipFamilies"])
        if not isinstance(nodes, int) or not isinstance(seed, int):
            raise ValueError("cluster.nodes and cluster.seed must be integers")
        if not families or any(f not in ("IPv4", "IPv6") for f in families):
            raise ValueError("cluster.ipFamilies must be IPv4 and/or IPv6")
        history = doc["history"]
        if not isinstance(history, list) or not all(
            isinstance(e, dict) and e.get("verb") in _VERBS for e in history
        ):
            raise ValueError("history must be a list of commands")
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise StateError(f"state file {path} is corrupt: {detail}") from None
    return State(Options(nodes, families, seed), history, path)


def save(state: State) -> None:
    """Writes the state file: a temporary file beside it, renamed over it."""
    assert state.path is not None
    # Key order is kept: it is part of the last-applied-configuration annotation.
    doc = {"podcore": FORMAT, "cluster": state.options.to_json(), "history": state.history}
    folder = state.path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{state.path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, state.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- commands
#
# Each mutating command is a function of the cluster and its history entry,
# used both to run it and to replay it: that is what keeps the replay exact.


def run(c: podcore.Cluster, entry: dict[str, Any]) -> Any:
    """Runs one history entry on ``c`` and settles (unless it says not to);
    returns what the command reports."""
    verb = entry["verb"]
    if verb == "apply":
        out: Any = apply(c, entry["objects"])
    elif verb == "scale":
        scale(c, entry["kind"], entry["namespace"], entry["name"], entry["replicas"])
        out = None
    elif verb == "set-image":
        out = set_image(c, entry["kind"], entry["namespace"], entry["name"], entry["images"])
    elif verb == "undo":
        out = undo(c, entry["namespace"], entry["name"], entry.get("toRevision", 0))
    elif verb == "delete":
        delete(c, [tuple(t) for t in entry["targets"]])
        out = None
    else:
        raise ValueError(f"unknown command {verb!r}")
    if entry.get("settle", True):
        settle(c)
    return out


def settle(c: podcore.Cluster) -> bool:
    """Settles the cluster; False when it is still busy after the timeout
    (crash-looping pods never settle)."""
    try:
        c.settle(timeout=SETTLE_TIMEOUT)
    except TimeoutError:
        return False
    return True


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name") or "")


def apply(c: podcore.Cluster, objects: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """``kubectl apply``, all or nothing: each stored object with
    ``created``, ``configured`` or ``unchanged``."""
    before: dict[tuple[str, str, str], str | None] = {}
    for o in objects:
        kind, ns, name = _key(o)
        try:
            before[(kind, ns, name)] = c.get(kind, name, ns or "default")["metadata"].get(
                "resourceVersion"
            )
        except NotFound:
            before[(kind, ns, name)] = None
        except ApiError:
            # An unknown kind: the apply below reports it.
            before[(kind, ns, name)] = None
    stored = c.apply(copy.deepcopy(objects))
    out = []
    for given, obj in zip(objects, stored, strict=True):
        old = before.get(_key(given))
        rv = obj["metadata"].get("resourceVersion")
        out.append((obj, "created" if old is None else "unchanged" if old == rv else "configured"))
    return out


def scale(c: podcore.Cluster, kind: str, namespace: str, name: str, replicas: int) -> None:
    c.patch(kind, name, {"spec": {"replicas": replicas}}, namespace, "merge")


def _template_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "Pod":
        return obj["spec"]  # type: ignore[no-any-return]
    return obj["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def with_images(obj: dict[str, Any], images: dict[str, str]) -> dict[str, Any] | None:
    """``obj`` with its containers' images set (``*`` for every container), or
    None when nothing changes. BadRequest names a container it does not have."""
    obj = copy.deepcopy(obj)
    spec = _template_spec(obj)
    containers = [ct for k in ("initContainers", "containers") for ct in spec.get(k) or []]
    for name in images:
        if name != "*" and name not in {ct["name"] for ct in containers}:
            raise BadRequest(f'unable to find container named "{name}"')
    changed = False
    for ct in containers:
        image = images.get(ct["name"], images.get("*"))
        if image is not None and ct.get("image") != image:
            ct["image"] = image
            changed = True
    return obj if changed else None


def set_image(
    c: podcore.Cluster, kind: str, namespace: str, name: str, images: dict[str, str]
) -> bool:
    """``kubectl set image``; True when an image changed."""
    updated = with_images(c.get(kind, name, namespace), images)
    if updated is not None:
        c.replace(updated)
    return updated is not None


def owned_replica_sets(c: podcore.Cluster, d: dict[str, Any]) -> list[dict[str, Any]]:
    """The ReplicaSets the Deployment controls, oldest revision first."""
    uid = d["metadata"]["uid"]
    rss = [
        rs
        for rs in c.list("ReplicaSet", d["metadata"]["namespace"])
        if any(
            r.get("controller") and r.get("uid") == uid
            for r in rs["metadata"].get("ownerReferences") or []
        )
    ]
    return sorted(rss, key=revision)


def revision(obj: dict[str, Any]) -> int:
    try:
        return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    t = copy.deepcopy(template)
    labels = (t.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop("pod-template-hash", None)
    return t


def undo(c: podcore.Cluster, namespace: str, name: str, to_revision: int) -> str:
    """``kubectl rollout undo``: the Deployment gets the template (and the
    annotations) of the ReplicaSet of that revision, by default the previous
    one. Returns kubectl's verb for the result."""
    d = c.get("Deployment", name, namespace)
    if d["spec"].get("paused"):
        raise BadRequest(
            "you cannot rollback a paused deployment; resume it first with "
            f"'kubectl rollout resume deployment/{name}' and try again"
        )
    rss = owned_replica_sets(c, d)
    if not rss:
        raise BadRequest(f'no rollout history found for deployment "{name}"')
    if to_revision > 0:
        target = next((rs for rs in rss if revision(rs) == to_revision), None)
        if target is None:
            raise BadRequest(f"unable to find specified revision {to_revision} in history")
    else:
        if len(rss) < 2:
            raise BadRequest(f'no rollout history found for deployment "{name}"')
        target = rss[-2]
    template = without_hash(target["spec"]["template"])
    if template == without_hash(d["spec"]["template"]):
        return f"skipped rollback (current template already matches revision {revision(target)})"
    annotations = {
        k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k in _UNDO_KEEPS
    }
    annotations.update(
        {
            k: v
            for k, v in (target["metadata"].get("annotations") or {}).items()
            if k not in _UNDO_KEEPS
        }
    )
    ops = [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
    c.patch("Deployment", name, ops, namespace, "json")
    return "rolled back"


def delete(c: podcore.Cluster, targets: list[tuple[str, ...]]) -> None:
    for kind, namespace, name in targets:
        c.delete(kind, name, namespace)
