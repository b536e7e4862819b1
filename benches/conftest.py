"""Benchmark sizes: PODCORE_BENCH_SCALE=smoke runs every benchmark on a small
input (CI checks that they run and agree); the default is the full size that
benches/README.md reports."""

from __future__ import annotations

import os

SMOKE = os.environ.get("PODCORE_BENCH_SCALE", "full") == "smoke"


def scaled(full: int, smoke: int) -> int:
    return smoke if SMOKE else full
