"""``podcore simulate``: run a scenario and print its timeline of events."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import textwrap
import time
from importlib import resources
from typing import Any, TextIO

from podcore import scenario
from podcore.events import Event
from podcore.plot import PlotUnavailable, plot
from podcore.scenario import ScenarioError

_DESCRIPTION = """\
Run a scenario on a fresh simulated cluster and print what happened, as
kubectl get events would, with simulated time (T+12s) in the TIME column.
SCENARIO is a YAML file, or the name of a bundled example: {examples}.
Rows of TYPE Action are the scenario's own steps.

"""


def _help() -> str:
    doc = scenario.__doc__ or ""
    body = doc.split("\n\n", 1)[-1].replace("``", "").replace("::", ":")
    intro = _DESCRIPTION.format(examples=", ".join(_bundled()))
    intro = "\n\n".join(
        textwrap.fill(p, 78, break_on_hyphens=False) for p in intro.strip().split("\n\n")
    )
    return intro + "\n\nThe scenario format.\n\n" + body


def _bundled() -> list[str]:
    folder = resources.files("podcore") / "examples" / "scenarios"
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(e.name.removesuffix(".yaml") for e in entries if e.name.endswith(".yaml"))


def _resolve(name: str) -> pathlib.Path:
    path = pathlib.Path(name)
    if path.exists() or "/" in name or name.endswith((".yaml", ".yml")):
        return path
    if name in _bundled():
        with resources.as_file(
            resources.files("podcore") / "examples" / "scenarios" / f"{name}.yaml"
        ) as p:
            return pathlib.Path(p)
    return path


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``simulate`` subcommand to the ``podcore`` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="run a scenario (manifests and a timeline of actions) and print its events",
        description=_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a bundled example")
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the pods of each ReplicaSet and StatefulSet, ready and unavailable pods "
        "over simulated time (needs matplotlib)",
    )
    p.add_argument("--seed", type=int, help="fixes names and addresses (overrides the scenario's)")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    p.set_defaults(func=run)
    return p


class _ProgressBar:
    """A one-line progress bar on a terminal's stderr, shown once a run has
    taken a moment; nothing when stderr is not a terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, now: float, step: int, steps: int) -> None:
        if not self.enabled:
            return
        wall = time.monotonic()
        if wall - self.start < 0.5 or wall - self.last < 0.1:
            return
        self.last = wall
        done = min(step, steps + 1) / (steps + 1)
        filled = int(done * self.WIDTH)
        stage = f"step {min(step, steps)}/{steps}" if step <= steps else "settling"
        line = f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {stage}  {scenario.seconds(now)}"
        self.stream.write(line.ljust(60))
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def _table(events: list[Event]) -> str:
    namespaces = {e.namespace for e in events if e.namespace}
    many = len(namespaces) > 1
    header = ["TIME", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    if many:
        header.insert(0, "NAMESPACE")
    rows = [header]
    for e in events:
        row = [scenario.seconds(e.time), e.type, e.reason, e.object or "-", e.message]
        if many:
            # kubectl lists events about nodes, which have no namespace, in default.
            row.insert(0, e.namespace or "default")
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    return "\n".join(
        "   ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "   " + r[-1]
        for r in rows
    )


def _title(description: str) -> str:
    """The description's first phrase (up to a colon or a full stop)."""
    first = description.split(". ")[0].split(": ")[0].strip().rstrip(".")
    return first if len(first) <= 70 else first[:67] + "..."


def run(args: argparse.Namespace) -> int:
    """Runs ``podcore simulate``; returns the exit status."""
    path = _resolve(args.scenario)
    progress = _ProgressBar(sys.stderr)
    try:
        sc = scenario.load(path)
        result = scenario.Runner(sc, seed=args.seed, progress=progress).run()
    except ScenarioError as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    progress.close()
    if args.plot:
        title = _title(sc.description) or path.stem
        try:
            plot(result.samples, args.plot, title)
        except PlotUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"error: cannot write {args.plot}: {exc.strerror}", file=sys.stderr)
            return 1
    if args.output == "json":
        doc = {
            "scenario": str(path),
            "description": sc.description,
            "events": [e.to_json() for e in result.events],
            "settled": result.settled,
            "end": result.end,
        }
        print(json.dumps(doc, indent=2))
        return 0
    if sc.description:
        print(sc.description)
        print()
    print(_table(result.events))
    print()
    if sc.until is not None:
        print(f"ran until {scenario.seconds(result.end)}")
    elif result.settled:
        print(f"settled after {result.end:g} simulated seconds")
    else:
        print(
            f"not settled within {sc.timeout:g} simulated seconds ({scenario.seconds(result.end)})"
        )
    return 0
