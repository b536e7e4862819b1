"""The garbage collector and the namespace controller.

Their per-object work (finding dependents by owner uid, orphaning, deleting
in the foreground, emptying a terminating namespace) runs in the store in one
call; this controller decides when to run it.
"""

from __future__ import annotations

from podcore._core import Store


class GarbageCollectorController:
    """Deletes dependents whose owners are gone, and finishes deletions that
    wait on dependents (``foregroundDeletion``, ``orphan``) or on a
    namespace's content."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sync(self) -> int:
        """One pass; returns how many objects it changed."""
        return self.store.collect_garbage()
