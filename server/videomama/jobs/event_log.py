"""A job's append-only event history that any number of watchers follow.

The job's worker appends; every open stream (the submitter, a farm watcher
re-attached with WatchJob, a second UI) reads at its own pace from its own
position, so a slow client never holds up the job or the other watchers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from .events import JobEvent, Payload

# Followers wake at least this often to notice they were abandoned even if
# nobody calls wake() (a dropped client whose callback raced the wait).
_POLL_S = 0.5


class EventLog:
    def __init__(self, job_id: str, clock: Callable[[], float] = time.time) -> None:
        self._job_id = job_id
        self._clock = clock
        self._events: list[JobEvent] = []
        self._changed = threading.Condition()

    def append(self, payload: Payload) -> JobEvent:
        with self._changed:
            if self.closed:
                raise RuntimeError(f"job {self._job_id} has already ended; cannot log {payload!r}")
            event = JobEvent(self._job_id, len(self._events) + 1, self._clock(), payload)
            self._events.append(event)
            self._changed.notify_all()
        return event

    @property
    def closed(self) -> bool:
        """Whether the terminal event has been logged."""
        return bool(self._events) and self._events[-1].terminal

    @property
    def last(self) -> JobEvent | None:
        return self._events[-1] if self._events else None

    def wake(self) -> None:
        """Make every follower re-check whether it should stop."""
        with self._changed:
            self._changed.notify_all()

    def follow(self, after: int = 0, abandon: threading.Event | None = None) -> Iterator[JobEvent]:
        """Events with sequence > ``after``, live, until the terminal one or ``abandon`` is set."""
        position = after
        while abandon is None or not abandon.is_set():
            with self._changed:
                if position >= len(self._events):
                    if self.closed:
                        return
                    self._changed.wait(_POLL_S)
                batch = self._events[position:]
            # Yield outside the lock: the consumer may block on the network.
            for event in batch:
                position = event.sequence
                yield event
                if event.terminal:
                    return
