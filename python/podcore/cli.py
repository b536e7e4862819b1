"""The ``podcore`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

import podcore
import podcore.cluster
from podcore import _yaml, cli_simulate, clistate, printers
from podcore.errors import ApiError

# Kinds whose objects carry a pod template, and where it sits.
_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}

_GROUPS = {
    "Deployment": "apps",
    "ReplicaSet": "apps",
    "StatefulSet": "apps",
    "DaemonSet": "apps",
    "Job": "batch",
    "CronJob": "batch",
}


def _resource(kind: str) -> str:
    group = _GROUPS.get(kind)
    return f"{kind.lower()}.{group}" if group else kind.lower()


@dataclass
class Document:
    """One object read from a manifest, and where it came from."""

    obj: Any
    source: str


def _load(data: bytes, source: str) -> list[Any]:
    """The documents of a manifest; YAML errors as kubectl reports them."""
    try:
        return [d for d in yaml.load_all(data, Loader=_yaml._Loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ApiError(
            f"error parsing {source}: error converting YAML to JSON: yaml: {line}{problem}"
        ) from None


def _read_source(name: str, *, recursive: bool = True) -> list[Document]:
    if name == "-":
        return [Document(o, "STDIN") for o in _load(sys.stdin.buffer.read(), "STDIN")]
    path = Path(name)
    if not path.exists():
        raise ApiError(f'the path "{name}" does not exist')
    if path.is_dir():
        docs: list[Document] = []
        for p in sorted(path.rglob("*") if recursive else path.glob("*")):
            if p.suffix in (".yaml", ".yml", ".json") and p.is_file():
                docs.extend(_read_source(str(p)))
        return docs
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ApiError(f"cannot read {name}: {exc.strerror}") from None
    return [Document(o, name) for o in _load(data, name)]


def _examples() -> list[Document]:
    docs: list[Document] = []
    folder = resources.files("podcore") / "examples"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            label = f"examples/{entry.name}"
            docs.extend(Document(o, label) for o in _yaml.load_all(entry.read_bytes()))
    return docs


def _expand(obj: Any) -> Iterator[Any]:
    """A List's items, or the object itself."""
    if isinstance(obj, dict) and obj.get("kind") == "List" and isinstance(obj.get("items"), list):
        yield from obj["items"]
    else:
        yield obj


def _template_pod(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = obj
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    if not isinstance(node, dict):
        return None
    meta = dict(node.get("metadata") or {})
    outer = obj.get("metadata") or {}
    meta["name"] = outer.get("name") or "template"
    meta["namespace"] = outer.get("namespace") or "default"
    spec = node.get("spec")
    claims = (obj.get("spec") or {}).get("volumeClaimTemplates")
    if obj.get("kind") == "StatefulSet" and isinstance(spec, dict) and isinstance(claims, list):
        # The StatefulSet controller gives each pod a volume per claim template,
        # which is what the template's mounts refer to.
        # A claim replaces a template volume of the same name, as the controller does.
        names = [
            c["metadata"]["name"]
            for c in claims
            if isinstance(c, dict)
            and isinstance(c.get("metadata"), dict)
            and c["metadata"].get("name")
        ]
        kept = [
            v
            for v in spec.get("volumes") or []
            if not (isinstance(v, dict) and v.get("name") in names)
        ]
        claimed = [{"name": n, "persistentVolumeClaim": {"claimName": n}} for n in names]
        spec = {**spec, "volumes": kept + claimed}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


@dataclass
class Verdict:
    kind: str
    name: str
    source: str
    errors: list[podcore.FieldError]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "source": self.source,
            "valid": not self.errors,
            "note": self.note,
            "errors": [
                {"field": e.field, "type": e.type, "detail": e.detail, "message": str(e)}
                for e in self.errors
            ],
        }


def _prefix_errors(errors: list[podcore.FieldError], prefix: str) -> list[podcore.FieldError]:
    return [
        podcore.FieldError(f"{prefix}.{e.field}", e.type, e.detail, e.bad_value) for e in errors
    ]


def _judge(doc: Document) -> Iterator[Verdict]:
    for obj in _expand(doc.obj):
        if not isinstance(obj, dict):
            raise ApiError(f"{doc.source}: a manifest must hold objects, found {obj!r}")
        kind = str(obj.get("kind") or "")
        name = str((obj.get("metadata") or {}).get("name") or "")
        if kind == "Pod":
            yield Verdict(kind, name, doc.source, podcore.validate_pod(obj))
        elif kind in _TEMPLATE_PATHS:
            path = _TEMPLATE_PATHS[kind]
            pod = _template_pod(obj, path)
            if pod is None:
                missing = ".".join(path)
                err = podcore.FieldError(missing, "FieldValueRequired")
                yield Verdict(kind, name, doc.source, [err])
                continue
            errors = _prefix_errors(podcore.validate_pod(pod), ".".join(path))
            yield Verdict(kind, name, doc.source, errors, "pod template")
        else:
            yield Verdict(kind, name, doc.source, [], "skipped: not a pod or a pod template")


def _print_verdict(v: Verdict) -> None:
    resource = f"{_resource(v.kind)}/{v.name}" if v.kind else f"<no kind>/{v.name}"
    if v.note.startswith("skipped"):
        print(f"{resource} {v.note}")
    elif not v.errors:
        suffix = f" ({v.note})" if v.note else ""
        print(f"{resource} valid{suffix}")
    else:
        for e in v.errors:
            print(f'The {v.kind} "{v.name}" is invalid: {e}')


def _cmd_validate(args: argparse.Namespace) -> int:
    if args.update:
        old_docs, new_docs = _read_source(args.update[0]), _read_source(args.update[1])
        if len(old_docs) != 1 or len(new_docs) != 1:
            raise ApiError("--update takes two files of one Pod each")
        old, new = old_docs[0].obj, new_docs[0].obj
        name = str((new.get("metadata") or {}).get("name") or "") if isinstance(new, dict) else ""
        verdicts = [Verdict("Pod", name, args.update[1], podcore.validate_pod_update(old, new))]
    else:
        docs: list[Document] = []
        for source in args.files or []:
            docs.extend(_read_source(source))
        if not args.files:
            docs = _examples()
        verdicts = [v for d in docs for v in _judge(d)]
    if args.output == "json":
        print(json.dumps([v.to_json() for v in verdicts], indent=2))
    else:
        for v in verdicts:
            _print_verdict(v)
    return 1 if any(v.errors for v in verdicts) else 0


# ------------------------------------------------------------------ kinds

#: The names kubectl resolves to each kind (resource, singular, short, with group).
_ALIASES: dict[str, tuple[str, ...]] = {
    "Pod": ("pods", "pod", "po"),
    "Deployment": ("deployments", "deployment", "deploy"),
    "ReplicaSet": ("replicasets", "replicaset", "rs"),
    "StatefulSet": ("statefulsets", "statefulset", "sts"),
    "DaemonSet": ("daemonsets", "daemonset", "ds"),
    "Job": ("jobs", "job"),
    "CronJob": ("cronjobs", "cronjob", "cj"),
    "PersistentVolumeClaim": ("persistentvolumeclaims", "persistentvolumeclaim", "pvc"),
    "Node": ("nodes", "node", "no"),
    "Namespace": ("namespaces", "namespace", "ns"),
}

_KIND_OF = {
    alias: kind
    for kind, aliases in _ALIASES.items()
    for first in aliases[:2]
    for alias in (
        *aliases,
        kind.lower(),
        *([f"{first}.{_GROUPS[kind]}"] if kind in _GROUPS else []),
    )
}

#: The apiVersion each kind is served at.
_API_VERSIONS = {
    "Pod": "v1",
    "Node": "v1",
    "Namespace": "v1",
    "PersistentVolumeClaim": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}

_CLUSTER_SCOPED = frozenset({"Node", "Namespace"})


def _kind(name: str) -> str:
    kind = _KIND_OF.get(name.lower())
    if kind is None:
        raise ApiError(f'the server doesn\'t have a resource type "{name}"')
    return kind


def _plural(kind: str) -> str:
    """``deployments.apps``: the resource as NotFound messages name it."""
    plural = _ALIASES[kind][0]
    return f"{plural}.{_GROUPS[kind]}" if kind in _GROUPS else plural


def _not_found(kind: str, name: str) -> str:
    return f'Error from server (NotFound): {_plural(kind)} "{name}" not found'


def _targets(words: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """``KIND[,KIND] [NAME...]`` or ``KIND/NAME...`` as (kinds, names) groups,
    kinds resolved (``all`` is kubectl's set)."""
    if not words:
        raise ApiError("you must specify the type of resource to get")
    if any("/" in w for w in words):
        groups: list[tuple[list[str], list[str]]] = []
        for w in words:
            kind, sep, name = w.partition("/")
            if not sep or not kind or not name:
                raise ApiError(
                    "there is no need to specify a resource type as a separate argument "
                    "when passing arguments in resource/name form "
                    "(e.g. 'podcore get resource/<resource_name>' instead of "
                    "'podcore get resource resource/<resource_name>'"
                )
            groups.append(([_kind(kind)], [name]))
        return groups
    kinds: list[str] = []
    for k in words[0].split(","):
        kinds.extend(printers.ALL if k.lower() == "all" else [_kind(k)])
    return [(kinds, list(words[1:]))]


def _resource_ref(words: Sequence[str]) -> tuple[str, str]:
    """The one ``KIND/NAME`` (or ``KIND NAME``) a command acts on."""
    if len(words) == 1 and "/" in words[0]:
        kind, _, name = words[0].partition("/")
        if kind and name:
            return _kind(kind), name
    if len(words) == 2 and "/" not in words[0]:
        return _kind(words[0]), words[1]
    raise ApiError("expected one resource as KIND/NAME or KIND NAME")


# ------------------------------------------------------------------ cluster


class _Session:
    """The cluster a command works on: the stored one with ``--state``, else a fresh one."""

    def __init__(self, args: argparse.Namespace) -> None:
        families = ("IPv4", "IPv6") if getattr(args, "dual_stack", False) else ("IPv4",)
        nodes = getattr(args, "nodes", None)
        seed = getattr(args, "seed", None)
        wanted = clistate.Options(
            3 if nodes is None else nodes, families, 0 if seed is None else seed
        )
        path = Path(args.state) if getattr(args, "state", None) else None
        self.state = clistate.load(path, wanted)
        if path is not None and path.exists():
            have = self.state.options
            clash = [
                flag
                for flag, given, stored in (
                    ("--nodes", nodes, have.nodes),
                    ("--seed", seed, have.seed),
                    ("--dual-stack", families if args.dual_stack else None, have.ip_families),
                )
                if given is not None and given != stored
            ]
            if clash:
                raise ApiError(
                    f"{', '.join(clash)} cannot change the cluster kept in {path} "
                    f"(nodes={have.nodes}, seed={have.seed}, "
                    f"ipFamilies={','.join(have.ip_families)})"
                )
        self.cluster = self.state.build()
        self.settle = not getattr(args, "no_settle", False)

    @property
    def now(self) -> int:
        """Unix seconds on the simulated clock, as AGE counts them."""
        return int(podcore.cluster.EPOCH + int(self.cluster.now))

    def run(self, entry: dict[str, Any]) -> Any:
        """Runs a mutating command and records it."""
        if not self.settle:
            entry["settle"] = False
        out = clistate.run(self.cluster, entry)
        self.state.record(entry)
        return out


def _namespace(args: argparse.Namespace) -> str:
    return str(getattr(args, "namespace", None) or "default")


# ------------------------------------------------------------------ apply

#: The kinds ``podcore apply`` shows after settling, in ``kubectl get all``'s order.
_SHOWN = (*printers.ALL, "PersistentVolumeClaim")


def _manifests(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The objects of ``-f``, checked as kubectl checks them before sending,
    in the namespace of ``-n``."""
    docs: list[Document] = []
    for source in args.filename or []:
        docs.extend(_read_source(source, recursive=args.recursive))
    if not args.filename:
        docs = _examples()
    namespace = getattr(args, "namespace", None)
    objects: list[dict[str, Any]] = []
    for d in docs:
        for obj in _expand(d.obj):
            if not isinstance(obj, dict):
                raise ApiError(f"{d.source}: an object must be a mapping")
            missing = [f"{k} not set" for k in ("apiVersion", "kind") if not obj.get(k)]
            if missing:
                raise ApiError(
                    f'error validating "{d.source}": error validating data: '
                    f"[{', '.join(missing)}]; if you choose to ignore these errors, "
                    "turn validation off with --validate=false"
                )
            given = obj.get("metadata")
            meta: dict[str, Any] = given if isinstance(given, dict) else {}
            kind, version = str(obj["kind"]), str(obj["apiVersion"])
            if _API_VERSIONS.get(kind) != version:
                raise ApiError(
                    f'resource mapping not found for name: "{meta.get("name", "")}" '
                    f'namespace: "{meta.get("namespace", "")}" from "{d.source}": '
                    f'no matches for kind "{kind}" in version "{version}"\n'
                    "ensure CRDs are installed first"
                )
            if namespace and kind not in _CLUSTER_SCOPED:
                own = meta.get("namespace")
                if own and own != namespace:
                    raise ApiError(
                        f'the namespace from the provided object "{own}" does not match '
                        f'the namespace "{namespace}". You must pass '
                        f"'--namespace={own}' to perform this operation."
                    )
                obj = {**obj, "metadata": {**meta, "namespace": namespace}}
            objects.append(obj)
    return objects


def _refused(exc: ApiError) -> int:
    _print_error(exc)
    print("nothing was applied", file=sys.stderr)
    return 1


def _cmd_apply(args: argparse.Namespace) -> int:
    objects = _manifests(args)
    if args.state:
        return _apply_stateful(args, objects)
    families = ("IPv4", "IPv6") if args.dual_stack else ("IPv4",)
    nodes = 3 if args.nodes is None else args.nodes
    cluster = podcore.Cluster(
        nodes=nodes, seed=0 if args.seed is None else args.seed, ip_families=families
    )
    try:
        applied = cluster.apply(objects)
    except ApiError as exc:
        return _refused(exc)
    if args.output == "name":
        for o in applied:
            print(printers.resource_name(o))
    elif args.output in ("", "wide"):
        for o in applied:
            print(f"{printers.resource_name(o)} created")
    timed_out = False
    try:
        cluster.settle(timeout=args.timeout)
    except TimeoutError:
        timed_out = True
    now = int(podcore.cluster.EPOCH + cluster.now)
    if args.output in ("json", "yaml"):
        _dump(_as_list([_fresh(cluster, o) for o in applied]), args.output)
    elif args.output in ("", "wide"):
        namespaces = {
            o["metadata"].get("namespace") for o in applied if o["metadata"].get("namespace")
        }
        many = len(namespaces) > 1
        for kind in _SHOWN:
            objs = [
                o
                for o in cluster.list(kind)
                if o["metadata"].get("namespace") in namespaces or not namespaces
            ]
            if objs:
                print()
                print(
                    printers.table(
                        kind,
                        objs,
                        now,
                        wide=args.output == "wide",
                        prefix=True,
                        namespace_column=many,
                    )
                )
        print()
        print(
            f"settled after {cluster.now:g} simulated seconds"
            if not timed_out
            else f"not settled after {args.timeout:g} simulated seconds"
        )
    return 0


def _fresh(cluster: podcore.Cluster, obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    try:
        return cluster.get(obj["kind"], meta["name"], meta.get("namespace", ""))
    except podcore.NotFound:
        return obj


def _apply_stateful(args: argparse.Namespace, objects: list[dict[str, Any]]) -> int:
    session = _Session(args)
    try:
        results = session.run({"verb": "apply", "objects": objects})
    except ApiError as exc:
        return _refused(exc)
    if args.output in ("json", "yaml"):
        _dump(_as_list([_fresh(session.cluster, o) for o, _ in results]), args.output)
    else:
        for obj, action in results:
            name = printers.resource_name(obj)
            print(name if args.output == "name" else f"{name} {action}")
    return 0


# ------------------------------------------------------------------ get


def _as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def _dump(doc: Any, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(doc, indent=4, sort_keys=True, ensure_ascii=False))
    else:
        print(yaml.safe_dump(doc, sort_keys=True, allow_unicode=True), end="")


def _cmd_get(args: argparse.Namespace) -> int:
    session = _Session(args)
    c = session.cluster
    groups = _targets(args.resources)
    if args.all_namespaces and any(names for _, names in groups):
        raise ApiError("a resource cannot be retrieved by name across all namespaces")
    ns = None if args.all_namespaces else _namespace(args)
    found: list[tuple[str, list[dict[str, Any]]]] = []
    errors: list[str] = []
    for kinds, names in groups:
        for kind in kinds:
            where = "" if kind in _CLUSTER_SCOPED else ns
            if names:
                objs = []
                for name in names:
                    try:
                        objs.append(c.get(kind, name, where or ""))
                    except podcore.NotFound:
                        errors.append(_not_found(kind, name))
            else:
                objs = c.list(kind, where, args.selector)
            if found and found[-1][0] == kind:
                found[-1][1].extend(objs)
            else:
                found.append((kind, objs))
    everything = [o for _, objs in found for o in objs]
    single = len(groups) == 1 and len(groups[0][0]) == 1 and len(groups[0][1]) == 1
    if args.output in ("json", "yaml"):
        if single and everything:
            _dump(everything[0], args.output)
        elif everything or not errors:
            _dump(_as_list(everything), args.output)
    elif args.output == "name":
        for o in everything:
            print(printers.resource_name(o))
    else:
        kinds_shown = {k for k, _ in found}
        prefix = len(kinds_shown) > 1 or any(k.lower() == "all" for k in args.resources[:1])
        tables = [
            printers.table(
                kind,
                objs,
                session.now,
                wide=args.output == "wide",
                prefix=prefix,
                namespace_column=ns is None and kind not in _CLUSTER_SCOPED,
            )
            for kind, objs in found
            if objs
        ]
        if tables:
            print("\n\n".join(tables))
    if not everything and not errors:
        scoped = all(k in _CLUSTER_SCOPED for k, _ in found)
        where = "" if ns is None or scoped else f" in {ns} namespace"
        print(f"No resources found{where}.", file=sys.stderr)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


# ------------------------------------------------------------------ scale, set image


def _cmd_scale(args: argparse.Namespace) -> int:
    if args.replicas is None or args.replicas < 0:
        raise ApiError(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    kind, name = _resource_ref(args.resource)
    session = _Session(args)
    ns = _namespace(args)
    try:
        session.cluster.get(kind, name, ns)
    except podcore.NotFound:
        print(_not_found(kind, name), file=sys.stderr)
        return 1
    if kind not in ("Deployment", "ReplicaSet", "StatefulSet"):
        print(
            "Error from server (NotFound): the server could not find the requested resource",
            file=sys.stderr,
        )
        return 1
    entry = {"verb": "scale", "kind": kind, "namespace": ns, "name": name}
    session.run({**entry, "replicas": args.replicas})
    print(f"{_resource(kind)}/{name} scaled")
    return 0


def _cmd_set_image(args: argparse.Namespace) -> int:
    words = [w for w in args.args if "=" not in w]
    pairs = [w for w in args.args if "=" in w]
    if not pairs:
        raise ApiError("at least one image update is required")
    images: dict[str, str] = {}
    for p in pairs:
        container, _, image = p.partition("=")
        if not container or not image:
            raise ApiError(f"invalid image update {p!r}: expected CONTAINER=IMAGE")
        images[container] = image
    kind, name = _resource_ref(words)
    if kind not in ("Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        raise ApiError(f"{_resource(kind)}/{name} has no pod template")
    session = _Session(args)
    ns = _namespace(args)
    try:
        session.cluster.get(kind, name, ns)
    except podcore.NotFound:
        print(_not_found(kind, name), file=sys.stderr)
        return 1
    entry = {"verb": "set-image", "kind": kind, "namespace": ns, "name": name, "images": images}
    # An image that is already set changes nothing and is not kept.
    if clistate.with_images(session.cluster.get(kind, name, ns), images) is None:
        return 0
    session.run(entry)
    print(f"{_resource(kind)}/{name} image updated")
    return 0


# ------------------------------------------------------------------ rollout


def _deployment(session: _Session, args: argparse.Namespace) -> dict[str, Any] | None:
    kind, name = _resource_ref(args.resource)
    if kind != "Deployment":
        raise ApiError(f"podcore rollout {args.action} supports deployments, not {_resource(kind)}")
    try:
        return session.cluster.get(kind, name, _namespace(args))
    except podcore.NotFound:
        print(_not_found(kind, name), file=sys.stderr)
        return None


def _rollout_status(d: dict[str, Any]) -> tuple[str, bool]:
    """kubectl's message for a Deployment's rollout, and whether it is done."""
    name = d["metadata"]["name"]
    status = d.get("status") or {}
    if d["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed...", False
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            raise ApiError(f'deployment "{name}" exceeded its progress deadline')
    replicas = d["spec"].get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    total = status.get("replicas", 0)
    available = status.get("availableReplicas", 0)
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < replicas:
        return f"{waiting}{updated} out of {replicas} new replicas have been updated...", False
    if total > updated:
        return f"{waiting}{total - updated} old replicas are pending termination...", False
    if available < updated:
        return f"{waiting}{available} of {updated} updated replicas are available...", False
    return f'deployment "{name}" successfully rolled out', True


def _cmd_rollout(args: argparse.Namespace) -> int:
    session = _Session(args)
    d = _deployment(session, args)
    if d is None:
        return 1
    c = session.cluster
    resource = f"deployment.apps/{d['metadata']['name']}"
    if args.action == "status":
        message, _ = _rollout_status(d)
        print(message)
        return 0
    if args.action == "history":
        rss = clistate.owned_replica_sets(c, d)
        if args.revision:
            rs = next((r for r in rss if clistate.revision(r) == args.revision), None)
            if rs is None:
                raise ApiError(f"unable to find the specified revision {args.revision}")
            template = printers.tabwrite(printers.pod_template(rs["spec"]["template"]))
            print(f"{resource} with revision #{args.revision}\n{template}")
            return 0
        if not rss:
            print(f"{resource} \nNo rollout history found.")
            return 0
        rows = ["REVISION\tCHANGE-CAUSE"]
        for rs in rss:
            cause = (rs["metadata"].get("annotations") or {}).get("kubernetes.io/change-cause")
            rows.append(f"{clistate.revision(rs)}\t{cause or '<none>'}")
        print(f"{resource} \n{printers.tabwrite(chr(10).join(rows) + chr(10))}")
        return 0
    # undo: find out first whether anything would change, so a skipped undo
    # is not kept in the history.
    entry = {
        "verb": "undo",
        "namespace": d["metadata"]["namespace"],
        "name": d["metadata"]["name"],
        "toRevision": args.to_revision,
    }
    probe = clistate.State(session.state.options, list(session.state.history)).build()
    outcome = clistate.undo(probe, entry["namespace"], entry["name"], args.to_revision)
    if outcome == "rolled back":
        session.run(entry)
    print(f"{resource} {outcome}")
    return 0


# ------------------------------------------------------------------ delete


def _cmd_delete(args: argparse.Namespace) -> int:
    session = _Session(args)
    c = session.cluster
    ns = _namespace(args)
    targets: list[tuple[str, str, str]] = []
    errors: list[str] = []
    if args.filename:
        if args.resources:
            raise ApiError("resources cannot be given together with -f")
        docs = [
            d for source in args.filename for d in _read_source(source, recursive=args.recursive)
        ]
        for doc in docs:
            for obj in _expand(doc.obj):
                if not isinstance(obj, dict):
                    raise ApiError(f"{doc.source}: an object must be a mapping")
                kind = _kind(str(obj.get("kind") or ""))
                meta = obj.get("metadata") or {}
                name = str(meta.get("name") or "")
                where = "" if kind in _CLUSTER_SCOPED else str(meta.get("namespace") or ns)
                try:
                    c.get(kind, name, where)
                    targets.append((kind, where, name))
                except podcore.NotFound:
                    errors.append(
                        f'Error from server (NotFound): error when deleting "{doc.source}": '
                        f'{_plural(kind)} "{name}" not found'
                    )
    else:
        for kinds, names in _targets(args.resources):
            for kind in kinds:
                where = "" if kind in _CLUSTER_SCOPED else ns
                if args.all or args.selector:
                    if names:
                        raise ApiError("name cannot be provided when a selector is specified")
                    targets.extend(
                        (kind, where, o["metadata"]["name"])
                        for o in c.list(kind, where, args.selector)
                    )
                    continue
                if not names:
                    raise ApiError("resource(s) were provided, but no name was specified")
                for name in names:
                    try:
                        c.get(kind, name, where)
                        targets.append((kind, where, name))
                    except podcore.NotFound:
                        errors.append(_not_found(kind, name))
    if targets:
        session.run({"verb": "delete", "targets": [list(t) for t in targets]})
        for kind, _, name in targets:
            print(f'{_resource(kind)} "{name}" deleted')
    elif not errors:
        print("No resources found", file=sys.stderr)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


# ------------------------------------------------------------------ describe


def _describe(c: podcore.Cluster, obj: dict[str, Any]) -> str:
    if obj["kind"] == "Pod":
        return printers.describe_pod(obj)
    rss = clistate.owned_replica_sets(c, obj)
    template = clistate.without_hash(obj["spec"]["template"])
    new = next((r for r in rss if clistate.without_hash(r["spec"]["template"]) == template), None)
    old = [r for r in rss if r is not new and r["spec"].get("replicas", 1) != 0]
    return printers.describe_deployment(obj, old, new)


def _cmd_describe(args: argparse.Namespace) -> int:
    session = _Session(args)
    c = session.cluster
    ns = _namespace(args)
    out: list[str] = []
    errors: list[str] = []
    for kinds, names in _targets(args.resources):
        for kind in kinds:
            if kind not in ("Pod", "Deployment"):
                raise ApiError(f"podcore describe shows pods and deployments, not {_plural(kind)}")
            if not names:
                out.extend(_describe(c, o) for o in c.list(kind, ns, args.selector))
            for name in names:
                try:
                    out.append(_describe(c, c.get(kind, name, ns)))
                except podcore.NotFound:
                    errors.append(_not_found(kind, name))
    if out:
        print("\n\n".join(o.rstrip("\n") for o in out))
    elif not errors:
        print(f"No resources found in {ns} namespace.", file=sys.stderr)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


# ------------------------------------------------------------------ diff

_COLORS = {"---": "\x1b[1m", "+++": "\x1b[1m", "@@": "\x1b[36m", "-": "\x1b[31m", "+": "\x1b[32m"}


def _one_object(source: str) -> Any:
    docs = _read_source(source)
    if len(docs) != 1:
        raise ApiError(f"{source}: expected one object, found {len(docs)}")
    return docs[0].obj


def _cmd_diff(args: argparse.Namespace) -> int:
    import difflib

    old, new = _one_object(args.old), _one_object(args.new)
    if args.format == "json":
        ops = podcore.diff(old, new)
        print(json.dumps(ops, indent=2, ensure_ascii=False))
        return 1 if ops else 0
    lines = list(
        difflib.unified_diff(
            yaml.safe_dump(old, sort_keys=False, allow_unicode=True).splitlines(keepends=True),
            yaml.safe_dump(new, sort_keys=False, allow_unicode=True).splitlines(keepends=True),
            fromfile=args.old,
            tofile=args.new,
        )
    )
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    for line in lines:
        text = line if line.endswith("\n") else line + "\n"
        if color:
            code = next((v for k, v in _COLORS.items() if text.startswith(k)), "")
            if code:
                text = f"{code}{text.rstrip(chr(10))}\x1b[0m\n"
        sys.stdout.write(text)
    return 1 if lines else 0


# ------------------------------------------------------------------ errors


def _print_error(exc: ApiError) -> None:
    """An error as kubectl prints it."""
    if isinstance(exc, podcore.Invalid):
        head = exc.message.split(" is invalid", 1)[0]
        errors = [str(e) for e in exc.errors]
        if len(errors) > 1:
            causes = "".join(f"* {e}\n" for e in errors)
            print(f"The {head} is invalid: \n{causes}", end="", file=sys.stderr)
        else:
            print(f"The {exc.message}", file=sys.stderr)
    elif type(exc) in (ApiError, podcore.BadRequest):
        print(f"error: {exc.message}", file=sys.stderr)
    else:
        print(f"Error from server ({exc.reason}): {exc.message}", file=sys.stderr)


# ------------------------------------------------------------------ parser

_STATE_HELP = (
    "keep the simulated cluster in FILE across invocations (created when missing); "
    "without it every command starts from a fresh cluster"
)


def _global_flags(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The flags every cluster command takes, before or after its name. On the
    subcommands they default to SUPPRESS so they only override what was given
    before the subcommand."""

    def d(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--state", metavar="FILE", default=d(None), help=_STATE_HELP)
    parser.add_argument("-n", "--namespace", default=d(None), help="the namespace to work in")
    parser.add_argument(
        "-A",
        "--all-namespaces",
        action="store_true",
        default=d(False),
        help="list across all namespaces",
    )
    parser.add_argument(
        "--nodes", type=int, default=d(None), help="how many nodes a new cluster has (default 3)"
    )
    parser.add_argument(
        "--dual-stack",
        action="store_true",
        default=d(False),
        help="a new cluster gets IPv4 and IPv6 addresses",
    )
    parser.add_argument(
        "--seed", type=int, default=d(None), help="fixes a new cluster's names and addresses"
    )


def _cluster_command(
    sub: Any, name: str, help: str, description: str, **kw: Any
) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    _global_flags(parent, defaults=False)
    return sub.add_parser(  # type: ignore[no-any-return]
        name, help=help, description=description, parents=[parent], **kw
    )


def _no_settle(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-settle",
        action="store_true",
        help="do not run the cluster until it is quiet afterwards (kubectl's --wait=false)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podcore",
        description=(
            "Kubernetes' pod machinery, offline: validate pods as kube-apiserver does, "
            "and drive a simulated cluster as kubectl drives a real one."
        ),
    )
    parser.add_argument("--version", action="version", version=f"podcore {podcore.__version__}")
    _global_flags(parser, defaults=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    val = sub.add_parser(
        "validate",
        help="validate Pods and the pod templates of workloads as kube-apiserver does",
        description=(
            "Validate every Pod, and the pod template of every workload, in the given "
            "files (YAML or JSON, multi-document; a folder is read recursively; - reads "
            "stdin) as kube-apiserver does on create. With no files, validate the bundled "
            "examples. Exit status 1 when anything is invalid."
        ),
    )
    val.add_argument("files", nargs="*", metavar="FILE")
    val.add_argument(
        "--update",
        nargs=2,
        metavar=("OLD", "NEW"),
        help="validate the update of one Pod from OLD to NEW",
    )
    val.add_argument("-o", "--output", choices=("text", "json"), default="text")
    val.set_defaults(func=_cmd_validate)

    app = _cluster_command(
        sub,
        "apply",
        help="apply manifests to a simulated cluster, settle it and show the result",
        description=(
            "Apply the objects of the given files (YAML or JSON, multi-document; - reads "
            "stdin) as kubectl apply does, then run the cluster until nothing is pending. "
            "All or nothing: when one object is refused (invalid, unknown kind, "
            "conflicting), none of them is applied and the cluster is unchanged; kubectl "
            "instead applies objects one by one and keeps those before the failure. "
            "Without --state the cluster is a fresh one and the command prints what "
            "kubectl get would show after settling; with --state it prints each object as "
            "created, configured or unchanged. With no files, apply the bundled examples."
        ),
    )
    app.add_argument("-f", "--filename", action="append", metavar="FILE")
    app.add_argument(
        "-R", "--recursive", action="store_true", help="read folders given with -f recursively"
    )
    app.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="simulated seconds to wait for a fresh cluster to settle",
    )
    app.add_argument("-o", "--output", choices=("wide", "yaml", "json", "name"), default="")
    _no_settle(app)
    app.set_defaults(func=_cmd_apply)

    get = _cluster_command(
        sub,
        "get",
        help="list objects as kubectl get does",
        description=(
            "Print objects as kubectl get does: KIND [NAME...], KIND,KIND, KIND/NAME or "
            "all. AGE counts on the simulated clock."
        ),
    )
    get.add_argument("resources", nargs="+", metavar="KIND")
    get.add_argument("-o", "--output", choices=("wide", "yaml", "json", "name"), default="")
    get.add_argument("-l", "--selector", help="label selector, e.g. app=web,tier!=db")
    get.set_defaults(func=_cmd_get)

    scale = _cluster_command(
        sub,
        "scale",
        help="set the replicas of a Deployment, ReplicaSet or StatefulSet",
        description="Set spec.replicas of KIND/NAME, then settle the cluster.",
    )
    scale.add_argument("resource", nargs="+", metavar="KIND/NAME")
    scale.add_argument("--replicas", type=int, help="the new number of replicas")
    _no_settle(scale)
    scale.set_defaults(func=_cmd_scale)

    set_ = sub.add_parser(
        "set", help="change a field of objects", description="Change a field of objects."
    )
    set_sub = set_.add_subparsers(dest="field", metavar="FIELD", required=True)
    image = _cluster_command(
        set_sub,
        "image",
        help="set container images",
        description=(
            "Set the image of containers of KIND/NAME (a Pod or a workload's pod "
            "template): CONTAINER=IMAGE, or *=IMAGE for all, then settle the cluster."
        ),
    )
    image.add_argument("args", nargs="+", metavar="KIND/NAME CONTAINER=IMAGE")
    _no_settle(image)
    image.set_defaults(func=_cmd_set_image)

    rollout = _cluster_command(
        sub,
        "rollout",
        help="the rollout of a Deployment: status, history, undo",
        description=(
            "status: kubectl rollout status --watch=false (the cluster is settled after "
            "every change); history: the revisions and their change causes; undo: go "
            "back to the previous revision, or to --to-revision."
        ),
    )
    rollout.add_argument("action", choices=("status", "history", "undo"))
    rollout.add_argument("resource", nargs="+", metavar="deployment/NAME")
    rollout.add_argument("--to-revision", type=int, default=0, help="undo to this revision")
    rollout.add_argument("--revision", type=int, default=0, help="history: show this revision")
    _no_settle(rollout)
    rollout.set_defaults(func=_cmd_rollout)

    delete = _cluster_command(
        sub,
        "delete",
        help="delete objects by kind and name, selector or file",
        description="Delete objects (KIND NAME..., KIND/NAME, -l, --all or -f), then settle.",
    )
    delete.add_argument("resources", nargs="*", metavar="KIND")
    delete.add_argument("-f", "--filename", action="append", metavar="FILE")
    delete.add_argument("-R", "--recursive", action="store_true")
    delete.add_argument("-l", "--selector", help="label selector")
    delete.add_argument("--all", action="store_true", help="every object of the kinds")
    _no_settle(delete)
    delete.set_defaults(func=_cmd_delete)

    describe = _cluster_command(
        sub,
        "describe",
        help="show a Pod or Deployment in detail as kubectl describe does",
        description="Describe pods or deployments (podcore keeps no events).",
    )
    describe.add_argument("resources", nargs="+", metavar="KIND")
    describe.add_argument("-l", "--selector", help="label selector")
    describe.set_defaults(func=_cmd_describe)

    diff = sub.add_parser(
        "diff",
        help="the difference between two objects",
        description=(
            "Print the JSON Patch (RFC 6902) that turns OLD into NEW, or with --format yaml "
            "a unified diff of the two as YAML. Exit status as kubectl diff: 0 when equal, "
            "1 when they differ, 2 on error."
        ),
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--format", choices=("json", "yaml"), default="json")
    diff.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the YAML diff (auto: when stdout is a terminal)",
    )
    diff.set_defaults(func=_cmd_diff)
    cli_simulate.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``podcore`` command; returns its exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    failed = 2 if args.command == "diff" else 1
    try:
        code: int = args.func(args)
    except ApiError as exc:
        _print_error(exc)
        return failed
    except clistate.StateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return failed
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
