"""Benchmark sizes. PODCORE_BENCH_SCALE=smoke runs every benchmark on a small
input (CI checks that they run and agree); a number (e.g. 0.2) scales the full
sizes down; unset, the full sizes that benches/README.md reports are used."""

from __future__ import annotations

import os

_SCALE = os.environ.get("PODCORE_BENCH_SCALE", "full")


def scaled(full: int, smoke: int) -> int:
    if _SCALE == "smoke":
        return smoke
    if _SCALE == "full":
        return full
    return max(smoke, int(full * float(_SCALE)))
