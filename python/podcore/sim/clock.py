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
    #: A recurring wake-up (a CronJob's next schedule time): it fires when
    #: the clock passes it, but is not work that ``settle`` waits for.
    background: bool = field(default=False, compare=False)


class Clock:
    """Simulated seconds since the cluster started, and the timers set on them.

    Timers due at the same instant fire in the order they were set, so a
    seeded run repeats exactly.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[_Timer] = []
        self._background: list[_Timer] = []
        self._seq = itertools.count()

    def call_at(
        self, at: float, action: Callable[[], object], *, background: bool = False
    ) -> _Timer:
        """Runs ``action`` when the clock reaches ``at`` (now, if that has passed).
        A ``background`` timer does not keep ``next_due(background=False)`` set."""
        timer = _Timer(max(at, self.now), next(self._seq), action, background=background)
        heapq.heappush(self._background if background else self._timers, timer)
        return timer

    def call_later(
        self, delay: float, action: Callable[[], object], *, background: bool = False
    ) -> _Timer:
        return self.call_at(self.now + delay, action, background=background)

    @staticmethod
    def _head(heap: list[_Timer]) -> _Timer | None:
        while heap and heap[0].cancelled:
            heapq.heappop(heap)
        return heap[0] if heap else None

    def next_due(self, *, background: bool = True) -> float | None:
        """When the earliest live timer fires, or None when none is set
        (``background=False``: ignoring background timers)."""
        heads = [self._head(self._timers)]
        if background:
            heads.append(self._head(self._background))
        live = [t.at for t in heads if t is not None]
        return min(live) if live else None

    def pop_due(self, until: float) -> _Timer | None:
        """The earliest timer due at or before ``until``, with the clock moved to it."""
        heads = [(t, h) for h in (self._timers, self._background) if (t := self._head(h))]
        if not heads:
            return None
        timer, heap = min(heads, key=lambda th: th[0])
        if timer.at > until:
            return None
        heapq.heappop(heap)
        self.now = max(self.now, timer.at)
        return timer
