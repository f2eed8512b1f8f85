"""What submission hands the manager: a request checked in full, and how to queue its job.

Every job kind is prepared the same way (``matte_work.prepare_matte``,
``track_work.prepare_track_job``, ``track_work.prepare_track_then_matte_job``)
in the submitting call, so a bad request is refused before a job exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Request = TypeVar("Request")


@dataclass(frozen=True)
class Prepared(Generic[Request]):
    request: Request  # with "auto" resolved (backend, tracker)
    backend: str  # what the job shows as its backend: the matting backend, or a track job's tracker
    device: str  # the lane: "cpu" or "gpu"
    frames_total: int
    description: str
    options: dict[str, Any] = field(default_factory=dict)  # the matting backend's, validated and typed
