"""Run a track job: check the request, stream frames through a tracker, write EXR masks.

Everything that can be wrong with the request (missing frames, prompts off
the frame or off the range, an empty keyframe mask, an output that would
overwrite an input) is reported by ``prepare_track`` before the first mask is
written; the daemon calls it when a job is submitted, ``run_track`` again
when it runs.

Resume: every mask carries one settings hash for the whole track (a tracked
frame depends on every prompt and every plate of the range, so a track is
kept or redone as a whole, never frame by frame).  When every frame of the
range already carries this run's hash the track is skipped and its jump
warnings are read back from the masks' metadata; ``force`` re-tracks.
Keeping the files untouched matters downstream: a matte's settings hash
includes its mask files' size and modification time, so rewriting identical
masks would make the next matte recompute every frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from .. import __version__
from ..backends.base import StopToken
from ..errors import InputError
from ..matting.engine import HASH_KEY, file_record, settings_digest
from ..matting.request import check_compression, check_no_overwrite
from ..sequences.image_io import ImageWindows, conform_mask, read_mask, read_metadata, read_plate, read_windows, write_alpha
from ..sequences.pattern import FrameRange, SequencePattern
from . import registry
from .jumps import JumpDetector, JumpWarning
from .prompts import Prompts, check_prompts

# Builds a tracker from its resolved name (see ``registry.create``).
TrackerFactory = Callable[[str], Any]

# Metadata of a mask frame where the track jumps: the warning's reason, so a
# kept track reports the same warnings as the run that wrote it.
JUMP_KEY = "videomama:jump"


@dataclass(frozen=True)
class TrackRequest:
    plate: str
    output: str
    frames: FrameRange
    prompts: Prompts
    tracker: str = "auto"
    soft: bool = False
    colorspace: str | None = None
    plate_layer: str | None = None
    compression: str = "zip"
    force: bool = False  # re-track even when the masks are up to date


@dataclass(frozen=True)
class TrackProgress:
    frames_done: int
    frames_total: int
    elapsed_s: float
    eta_s: float | None
    frame: int | None = None  # the mask just written


@dataclass
class TrackResult:
    tracker: str
    output: str
    written: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # every frame, when an up-to-date track was kept
    warnings: list[JumpWarning] = field(default_factory=list)


@dataclass(frozen=True)
class TrackPlan:
    """A checked request: its patterns, the plate's windows and the tracker ``auto`` resolved to."""

    request: TrackRequest
    plate: SequencePattern
    output: SequencePattern
    windows: ImageWindows
    tracker: str


def prepare_track(request: TrackRequest) -> TrackPlan:
    """Check everything about ``request`` that can be checked before tracking; raise domain errors."""
    plate = SequencePattern.parse(request.plate)
    output = SequencePattern.parse(request.output)
    check_compression(request.compression)
    plate.require(request.frames)
    check_no_overwrite(output, request.frames, [plate.path(f) for f in request.frames] + list(request.prompts.masks.values()))
    windows = read_windows(plate.path(request.frames.first))
    _check_constant_windows(plate, request.frames, windows)
    check_prompts(request.prompts, request.frames, windows)
    name = registry.resolve(request.tracker, request.prompts)
    job = TrackPlan(request, plate, output, windows, name)
    for frame, path in request.prompts.masks.items():
        if not (_keyframe_loader(job, frame, path)() > 0.5).any():
            raise InputError(f"mask keyframe {frame} ({path}) is empty: nothing to track")
    return job


def run_track(
    request: TrackRequest,
    on_progress: Callable[[TrackProgress], None] | None = None,
    stop: StopToken | None = None,
    trackers: TrackerFactory = registry.create,
) -> TrackResult:
    """Track ``request.frames`` into masks.

    ``trackers`` builds the tracker by name, only when there is something to
    track (building SAM2 loads its network); tests and the daemon pass their own.
    """
    stop = stop or StopToken()
    job = prepare_track(request)
    digest = _settings_hash(job)
    result = TrackResult(tracker=job.tracker, output=job.output.display)
    kept = None if request.force else _kept_warnings(job, digest)
    if kept is not None:
        result.skipped, result.warnings = list(request.frames), kept
        return result

    tracker = trackers(job.tracker)
    description = tracker.describe()
    jumps = JumpDetector()
    masks = tracker.track(
        list(request.frames),
        lambda f: _read(job, f).pixels,
        {f: _keyframe_loader(job, f, p) for f, p in request.prompts.masks.items()},
        stop,
        prompts=_to_data_window(request.prompts, job.windows),
    )
    started = time.monotonic()
    for frame, mask in masks:
        # The plate is read again for the jump check; cheap next to flow,
        # and it keeps the tracker interface free of side channels.
        warning = jumps.check(frame, _read(job, frame).pixels, mask)
        values = mask if request.soft else (mask > 0.5).astype(np.float32)
        metadata = {
            HASH_KEY: digest,
            "videomama:tracker": description["tracker"],
            "videomama:model": description.get("model", ""),
            "videomama:version": __version__,
            "videomama:frame": str(frame),
            "videomama:plate": job.plate.path(frame),
        }
        if warning:
            metadata[JUMP_KEY] = warning.reason
        write_alpha(job.output.path(frame), values, job.windows, metadata=metadata, compression=request.compression)
        result.written.append(frame)
        if on_progress:
            on_progress(_progress(len(result.written), len(request.frames), started, frame))
    result.warnings = list(jumps.warnings)
    return result


def _progress(done: int, total: int, started: float, frame: int) -> TrackProgress:
    elapsed = time.monotonic() - started
    return TrackProgress(done, total, elapsed, elapsed / done * (total - done), frame)


def _read(job: TrackPlan, frame: int):
    return read_plate(job.plate.path(frame), layer=job.request.plate_layer, colorspace=job.request.colorspace)


def _keyframe_loader(job: TrackPlan, frame: int, path: str) -> Callable[[], np.ndarray]:
    return lambda: conform_mask(read_mask(path), _read(job, frame))


def _settings_hash(job: TrackPlan) -> str:
    """Everything that decides the masks: tracker, prompts, options and the input files."""
    request = job.request
    settings = {
        "tracker": registry.tracker_class(job.tracker).fingerprint(),
        "frames": str(request.frames),
        "keyframes": {str(f): file_record(p) for f, p in sorted(request.prompts.masks.items())},
        "points": [(p.frame, p.x, p.y, p.positive) for p in request.prompts.points],
        "boxes": [(b.frame, b.x0, b.y0, b.x1, b.y1) for b in request.prompts.boxes],
        "soft": request.soft,
        "colorspace": request.colorspace,
        "plate_layer": request.plate_layer,
        "compression": request.compression,
        "plates": [file_record(job.plate.path(f)) for f in request.frames],
    }
    return settings_digest(settings)


def _kept_warnings(job: TrackPlan, digest: str) -> list[JumpWarning] | None:
    """The jump warnings of a complete track with this hash on disk, or None to track."""
    warnings = []
    for frame in job.request.frames:
        metadata = read_metadata(job.output.path(frame))
        if metadata.get(HASH_KEY) != digest:
            return None
        if JUMP_KEY in metadata:
            warnings.append(JumpWarning(frame, metadata[JUMP_KEY]))
    return warnings


def _to_data_window(prompts: Prompts, windows: ImageWindows) -> Prompts:
    """Prompts are typed in display-window pixels; trackers see data-window arrays."""
    dx, dy = windows.data.x, windows.data.y
    return Prompts(
        masks=prompts.masks,
        points=[replace(p, x=p.x - dx, y=p.y - dy) for p in prompts.points],
        boxes=[replace(b, x0=b.x0 - dx, y0=b.y0 - dy, x1=b.x1 - dx, y1=b.y1 - dy) for b in prompts.boxes],
    )


def _check_constant_windows(plate: SequencePattern, frames: FrameRange, first: ImageWindows) -> None:
    """Tracking carries pixels frame to frame, so every plate must share one data window."""
    for frame in frames:
        if read_windows(plate.path(frame)) != first:
            raise InputError(
                f"{plate.path(frame)} has other data/display windows than frame {frames.first}; "
                "tracking plates whose windows change is not available yet"
            )
