"""Shared test setup: Hypothesis profiles (pick with HYPOTHESIS_PROFILE) and
the real-world manifests in tests/fixtures."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Real-world manifests (see fixtures/manifests/SOURCES.md for where each came from).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "manifests"


def fixture_index() -> list[dict[str, Any]]:
    """The fixtures' index: every file with its kinds, in file order."""
    index: list[dict[str, Any]] = json.loads((FIXTURES / "index.json").read_text())
    return index
