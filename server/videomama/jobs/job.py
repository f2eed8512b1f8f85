"""One job: its identity, state machine, stop token, event log and clean-up.

Ownership keeps a job's end honest.  At any time exactly one party owns a
job and only the owner ends it: the upload thread while an inline job is
RECEIVING, the lane while it is QUEUED (or the manager once it withdrew it),
the worker while it is RUNNING.  Everyone else can only ask it to stop
(``cancel``), and the owner ends it at its next check.  Ending runs the
clean-ups first and logs the terminal event last, so a client that sees
``finished`` or ``failed`` knows nothing of the job is still being written.

    RECEIVING --> QUEUED --> RUNNING --> SUCCEEDED | FAILED | CANCELLED
        |           |
        +-----------+--> FAILED | CANCELLED   (never started)
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import uuid
from collections.abc import Callable

from ..backends.base import StopToken
from ..errors import CancelledError, MissingInputError, VideoMamaError
from .event_log import EventLog
from .events import Failed, Finished, Payload, Progress, Queued, Started

log = logging.getLogger(__name__)


class JobKind(enum.Enum):
    MATTE = "matte"
    TRACK = "track"
    TRACK_THEN_MATTE = "track_then_matte"


class JobState(enum.Enum):
    RECEIVING = "receiving"  # inline frames still arriving
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def ended(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class UnknownJobError(MissingInputError):
    """No job with that id (never submitted, or forgotten after the history limit)."""


# What a job runs on its worker: it reports through ``job.publish`` and polls
# ``job.stop``; it returns the terminal payload, or raises.
Work = Callable[["Job"], Finished]


def failure_message(error: BaseException) -> str:
    """One line for a compositor; unexpected errors point at the daemon log."""
    if isinstance(error, VideoMamaError):
        return str(error)
    return f"internal error in the daemon ({type(error).__name__}: {error}); see the daemon log"


class Job:
    def __init__(
        self,
        kind: JobKind,
        work: Work | None,
        device: str,
        backend: str,
        description: str,
        detached: bool = False,
        frames_total: int = 0,
        state: JobState = JobState.QUEUED,
    ) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.kind = kind
        self.work = work  # None until an inline job has received its frames
        self.device = device
        self.backend = backend
        self.description = description
        self.detached = detached
        self.submitted_time = time.time()
        self.stop = StopToken()
        self.log = EventLog(self.id)
        self.frames_done = 0
        self.frames_total = frames_total
        self._state = state
        self._queue_position = 0
        self._lock = threading.Lock()
        self._cleanups: list[Callable[[], None]] = []
        self._released = False

    @property
    def state(self) -> JobState:
        return self._state

    @property
    def queue_position(self) -> int:
        return self._queue_position if self._state is JobState.QUEUED else 0

    # -- events that do not change the state -----------------------------------

    def publish(self, payload: Payload) -> None:
        """Log a progress-type event (never a terminal one)."""
        with self._lock:
            if self._state.ended:
                return  # a late progress report from a job being cancelled
            if isinstance(payload, Progress):
                self.frames_done, self.frames_total = payload.frames_done, payload.frames_total
            self.log.append(payload)

    # -- transitions ------------------------------------------------------------

    def enter_queue(self, position: int) -> bool:
        """RECEIVING/QUEUED -> QUEUED at ``position``; False if it ended or was asked to stop."""
        with self._lock:
            if self._state.ended or self.stop.stopped:
                return False
            self._state = JobState.QUEUED
            if position != self._queue_position:
                self._queue_position = position
                self.log.append(Queued(position))
            return True

    def start(self) -> bool:
        """QUEUED -> RUNNING; False if it was asked to stop while it waited (the caller ends it)."""
        with self._lock:
            if self._state is not JobState.QUEUED or self.stop.stopped:
                return False
            self._state = JobState.RUNNING
            self.log.append(Started(self.backend, self.device))
            return True

    def cancel(self) -> bool:
        """Ask the job to stop; False if it had already ended.  Its owner ends it."""
        self.stop.stop()
        return not self._state.ended

    def end(self, outcome: Finished | BaseException) -> None:
        """The owner ends the job: clean-ups first, then the terminal event.

        ``outcome`` is the work's ``Finished`` or the exception that stopped
        it (CancelledError means cancelled).  A no-op once ended.
        """
        self.release()
        with self._lock:
            if self._state.ended:
                return
            if isinstance(outcome, Finished):
                self._state = JobState.SUCCEEDED
                payload = outcome
            else:
                self._state = JobState.CANCELLED if isinstance(outcome, CancelledError) else JobState.FAILED
                if not isinstance(outcome, VideoMamaError):
                    log.error("job %s failed unexpectedly", self.id, exc_info=outcome)
                payload = Failed(outcome, failure_message(outcome))
            self.log.append(payload)
        log.info("job %s %s", self.id, self._state.value)

    # -- resources ----------------------------------------------------------------

    def add_cleanup(self, cleanup: Callable[[], None]) -> None:
        """Run ``cleanup`` once the job has ended and nothing uses its files."""
        self._cleanups.append(cleanup)

    def release(self) -> None:
        """Run the clean-ups once (``end`` does; idempotent)."""
        with self._lock:
            if self._released:
                return
            self._released = True
        for cleanup in reversed(self._cleanups):
            try:
                cleanup()
            except Exception:  # a failed clean-up must not hide the job's own result
                log.exception("clean-up of job %s failed", self.id)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind.value} {self._state.value}: {self.description}>"
