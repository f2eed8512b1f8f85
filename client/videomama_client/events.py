"""Job events as plain dataclasses, so callers never handle protobuf messages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from videomama_proto.v1 import videomama_pb2 as pb

from .errors import DaemonError, error_for_number


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    sequence: int  # 1, 2, 3 ... within the job; resume a watch after one
    time: float  # seconds since the epoch, daemon clock


@dataclass(frozen=True)
class Queued(JobEvent):
    position: int  # 1 = next to start


@dataclass(frozen=True)
class Started(JobEvent):
    backend: str
    device: str  # "cpu" or "gpu"


@dataclass(frozen=True)
class Progress(JobEvent):
    frames_done: int
    frames_total: int
    window: int  # index of the window just finished
    windows_total: int
    elapsed_s: float
    eta_s: float | None
    frame: int | None  # set when the update is for a frame just written
    phase: str = "matte"  # or "track" (then window and windows_total are 0)


@dataclass(frozen=True)
class FrameResult(JobEvent):
    frame: int
    path: str  # by reference: the file written; inline: ""
    # Inline jobs: the frame's alpha, float16 (height, width).
    alpha: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class FramesReceived(JobEvent):
    frames_received: int
    frames_total: int
    bytes_received: int


@dataclass(frozen=True)
class JobWarning(JobEvent):
    message: str  # e.g. "frame 1012: the mask jumps (...)"
    frame: int | None = None  # the frame it is about, if any


@dataclass(frozen=True)
class Finished(JobEvent):
    output: str
    backend: str
    frames_written: int
    frames_skipped: int
    tracker: str = ""  # track and track-then-matte jobs: the tracker used
    masks: str = ""  # track-then-matte jobs: where the tracked masks were written


@dataclass(frozen=True)
class Failed(JobEvent):
    error: DaemonError  # typed by its status code: NotFound, Cancelled, ...

    @property
    def message(self) -> str:
        return str(self.error)


TERMINAL = (Finished, Failed)


def from_proto(event: pb.JobEvent, address: str, alpha: np.ndarray | None = None) -> JobEvent:
    """The wrapper for a protobuf JobEvent; ``alpha`` is attached to an inline frame result."""
    base = (event.job_id, event.sequence, event.time)
    kind = event.WhichOneof("kind")
    if kind == "queued":
        return Queued(*base, event.queued.position)
    if kind == "started":
        return Started(*base, event.started.backend, event.started.device)
    if kind == "progress":
        p = event.progress
        eta = p.eta_s if p.HasField("eta_s") else None
        frame = p.frame if p.HasField("frame") else None
        return Progress(
            *base, p.frames_done, p.frames_total, p.window, p.windows_total, p.elapsed_s, eta, frame, p.phase or "matte"
        )
    if kind == "frame_result":
        return FrameResult(*base, event.frame_result.frame, event.frame_result.path, alpha)
    if kind == "frames_received":
        r = event.frames_received
        return FramesReceived(*base, r.frames_received, r.frames_total, r.bytes_received)
    if kind == "warning":
        frame = event.warning.frame if event.warning.HasField("frame") else None
        return JobWarning(*base, event.warning.message, frame)
    if kind == "finished":
        f = event.finished
        return Finished(*base, f.output, f.backend, f.frames_written, f.frames_skipped, f.tracker, f.masks)
    if kind == "failed":
        return Failed(*base, error_for_number(event.failed.code, event.failed.message, address))
    # A newer daemon may send kinds this client does not know; say so instead of crashing.
    return JobWarning(*base, f"(event of a kind this client does not know: {kind})")
