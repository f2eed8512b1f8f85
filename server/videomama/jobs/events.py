"""What a job reports while it runs, as plain values (no protobuf here).

Every job kind (matte, track, track then matte) speaks through these payloads, wrapped
in a ``JobEvent`` that numbers them, so a watcher that reconnects can resume
after the last event it saw.  A job ends with exactly one terminal payload,
``Finished`` or ``Failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..errors import CancelledError


@dataclass(frozen=True)
class Queued:
    position: int  # 1 = next to start on its worker lane


@dataclass(frozen=True)
class Started:
    backend: str
    device: str  # the lane: "cpu" or "gpu"


@dataclass(frozen=True)
class Progress:
    frames_done: int
    frames_total: int
    window: int
    windows_total: int
    elapsed_s: float
    eta_s: float | None
    frame: int | None = None  # set when the update is for a frame just written
    phase: str = "matte"  # or "track" (no windows: window and windows_total are 0)


@dataclass(frozen=True)
class FrameDone:
    frame: int
    path: str  # the written file; "" for inline jobs, whose files are private


@dataclass(frozen=True)
class FramesReceived:
    frames_received: int
    frames_total: int
    bytes_received: int


@dataclass(frozen=True)
class Warned:
    message: str
    frame: int | None = None  # the frame it is about, if any


@dataclass(frozen=True)
class Finished:
    output: str
    backend: str
    frames_written: int
    frames_skipped: int
    tracker: str = ""  # track jobs: the tracker used
    masks: str = ""  # track-then-matte jobs: where the tracked masks were written


@dataclass(frozen=True)
class Failed:
    # The exception itself, not a status code: the service maps error classes
    # to gRPC codes in one table, and the domain stays free of gRPC.
    error: BaseException
    message: str

    @property
    def cancelled(self) -> bool:
        return isinstance(self.error, CancelledError)


Payload = Union[Queued, Started, Progress, FrameDone, FramesReceived, Warned, Finished, Failed]
TERMINAL = (Finished, Failed)


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    sequence: int  # 1, 2, 3 ... within the job
    time: float  # seconds since the epoch
    payload: Payload

    @property
    def terminal(self) -> bool:
        return isinstance(self.payload, TERMINAL)
