"""Expired records go on time: :func:`purge` now, :class:`PurgeSchedule` every minute.

On SQLite the deleted answers are overwritten and the log truncated; on PostgreSQL only
one instance purges at a time (see :meth:`decision.records.handoffs.HandoffStore.purge_expired`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from decision.records.db_errors import StoreError
from decision.records.handoffs import HandoffStore


def purge(store: HandoffStore, *, now: datetime | None = None) -> int:
    """Delete every expired record now and return how many (``python -m decision purge``, the app's schedule).

    On SQLite the deleted answers are overwritten and the log truncated; on
    PostgreSQL only one instance purges at a time (the others get 0).
    """
    return store.purge_expired(now=now)


class PurgeSchedule:
    """Deletes expired records on time, without waiting for the next share.

    A daemon thread purges every store added with :meth:`add` every ``every``
    seconds; :meth:`soon` purges at once unless the last purge was less than
    ``min_gap`` seconds ago (the app calls it on each clinician action). Failures
    go to ``on_error`` (one plain line, no answers) and are tried again next time.
    Stores are held weakly: a closed, forgotten store is not kept alive.
    """

    def __init__(
        self,
        every: float = 60.0,
        min_gap: float = 30.0,
        *,
        on_error: Callable[[str], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        import threading
        import weakref

        self.every = every
        self.min_gap = min_gap
        self.on_error = on_error
        self.monotonic = monotonic
        self._stores: weakref.WeakSet[HandoffStore] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._last: float | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, store: HandoffStore) -> None:
        with self._lock:
            self._stores.add(store)

    def tick(self) -> int:
        """Purge every store now; return how many records were removed."""
        with self._lock:
            stores = list(self._stores)
            self._last = self.monotonic()
        removed = 0
        for store in stores:
            try:
                removed += purge(store)
            except StoreError as exc:
                if self.on_error is not None:
                    self.on_error(str(exc))
        return removed

    def soon(self) -> int:
        """Purge now unless a purge ran less than ``min_gap`` seconds ago."""
        with self._lock:
            due = self._last is None or self.monotonic() - self._last >= self.min_gap
        return self.tick() if due else 0

    def start(self) -> None:
        """Start the thread (once)."""
        import threading

        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="decision-purge", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait (up to ``timeout`` seconds) for a purge under way to
        finish, its checkpoint included: after this, nothing of a deleted record is left
        in the log by this schedule."""
        import threading

        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.tick()
