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

import podcore
import podcore.cluster
from podcore import _yaml, printers
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


def _read_source(name: str, *, recursive: bool = True) -> list[Document]:
    if name == "-":
        text = sys.stdin.buffer.read()
        return [Document(o, "<stdin>") for o in _yaml.load_all(text)]
    path = Path(name)
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
    try:
        return [Document(o, name) for o in _yaml.load_all(data)]
    except ApiError as exc:
        raise ApiError(f"{name}: {exc.message}") from None


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


#: The kinds ``podcore apply`` shows after settling, in ``kubectl get all``'s order.
_SHOWN = (
    "Pod",
    "DaemonSet",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "Job",
    "PersistentVolumeClaim",
)


def _cmd_apply(args: argparse.Namespace) -> int:
    docs: list[Document] = []
    for source in args.filename or []:
        docs.extend(_read_source(source, recursive=args.recursive))
    if not args.filename:
        docs = _examples()
    objects = [d.obj for d in docs]
    for d in docs:
        if not isinstance(d.obj, dict):
            raise ApiError(f"{d.source}: an object must be a mapping")
    families = ("IPv4", "IPv6") if args.dual_stack else ("IPv4",)
    cluster = podcore.Cluster(nodes=args.nodes, seed=args.seed, ip_families=families)
    # All or nothing: when one object is refused, none is applied.
    try:
        applied = cluster.apply(objects)
    except ApiError as exc:
        if isinstance(exc, podcore.Invalid):
            print(f"The {exc.message}", file=sys.stderr)
        else:
            print(f"Error from server ({exc.reason}): {exc.message}", file=sys.stderr)
        print("nothing was applied", file=sys.stderr)
        return 1
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
        items = [
            cluster.get(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace", ""))
            for o in applied
        ]
        doc = {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {}}
        if args.output == "json":
            print(json.dumps(doc, indent=4))
        else:
            import yaml

            print(yaml.safe_dump(doc, sort_keys=False), end="")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podcore",
        description="Kubernetes' pod machinery, offline: validate pods as kube-apiserver does.",
    )
    parser.add_argument("--version", action="version", version=f"podcore {podcore.__version__}")
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

    app = sub.add_parser(
        "apply",
        help="apply manifests to a fresh simulated cluster, settle it and show the result",
        description=(
            "Apply the objects of the given files (YAML or JSON, multi-document; - reads "
            "stdin) to a fresh simulated cluster as kubectl apply does, all or nothing, "
            "run it until nothing is pending and print what kubectl get would show. "
            "With no files, apply the bundled examples."
        ),
    )
    app.add_argument("-f", "--filename", action="append", metavar="FILE")
    app.add_argument(
        "-R", "--recursive", action="store_true", help="read folders given with -f recursively"
    )
    app.add_argument("--nodes", type=int, default=3, help="how many nodes (default 3)")
    app.add_argument("--dual-stack", action="store_true", help="IPv4 and IPv6 addresses")
    app.add_argument("--seed", type=int, default=0, help="fixes names and addresses")
    app.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="simulated seconds to wait for the cluster to settle",
    )
    app.add_argument("-o", "--output", choices=("wide", "yaml", "json", "name"), default="")
    app.set_defaults(func=_cmd_apply)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``podcore`` command; returns its exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
