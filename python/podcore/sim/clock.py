"""The simulated clock: nothing sleeps; what falls due fires in time order."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class _Timer:
    at: float
    seq: int
    action: Callable[[], object] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Clock:
    """Simulated seconds since the cluster started, and the timers set on them.

    Timers due at the same instant fire in the order they were set, so a
    seeded run repeats exactly.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[_Timer] = []
        self._seq = itertools.count()

    def call_at(self, at: float, action: Callable[[], object]) -> _Timer:
        """Runs ``action`` when the clock reaches ``at`` (now, if that has passed)."""
        timer = _Timer(max(at, self.now), next(self._seq), action)
        heapq.heappush(self._timers, timer)
        return timer

    def call_later(self, delay: float, action: Callable[[], object]) -> _Timer:
        return self.call_at(self.now + delay, action)

    def next_due(self) -> float | None:
        """When the earliest live timer fires, or None when none is set."""
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0].at if self._timers else None

    def pop_due(self, until: float) -> _Timer | None:
        """The earliest timer due at or before ``until``, with the clock moved to it."""
        due = self.next_due()
        if due is None or due > until:
            return None
        timer = heapq.heappop(self._timers)
        self.now = max(self.now, timer.at)
        return timer
