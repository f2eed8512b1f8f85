"""Run a track job: check the request, stream frames through a tracker, write EXR masks.

Objects: trackers yield one mask per prompted object (``Prompts.objects``
order); ``mask_layout`` decides how they are written (one ``A``, a layer
``<object>.A`` each, or their union), and jump warnings are per object.

Everything that can be wrong with the request (missing frames, prompts off
the frame or off the range, an empty keyframe mask, an output that would
overwrite an input) is reported by ``prepare_track`` before the first mask is
written; the daemon calls it when a job is submitted, ``run_track`` again
when it runs.

Data windows: plates whose data window changes from frame to frame (renders
cropped to their bounding box, overscan that varies) are tracked on one
canvas, the union of the range's data windows, each plate placed on it with
zero outside its data; every mask is written back with its own plate's
windows, so it lines up with that frame pixel for pixel.  The display window
must not change (that would be another format).  With constant windows the
canvas is the data window and nothing is moved.

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
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing
from typing import Any, Callable

import numpy as np

from .. import __version__
from ..backends.base import StopToken
from ..errors import InputError
from ..matting.engine import HASH_KEY, file_record, settings_digest
from ..matting.request import check_compression, check_no_overwrite
from ..sequences.conform import conform_mask, place
from ..sequences.image_read import read_mask, read_metadata, read_plate, read_windows
from ..sequences.image_write import write_image
from ..sequences.images import Box, ImageData, ImageWindows
from ..sequences.pattern import FrameRange, SequencePattern
from . import registry
from .jumps import JumpDetector, JumpWarning
from .mask_layout import MaskLayout
from .prompts import DEFAULT_OBJECT, Prompts, check_prompts

# Lends a tracker by its resolved name, for the length of a ``with`` block:
# ``registry.built`` builds one for the run, the daemon lends a loaded one.
TrackerLender = Callable[[str], AbstractContextManager[Any]]

# Metadata of a mask frame where the track jumps: the warning's reason, so a
# kept track reports the same warnings as the run that wrote it.  With
# several objects, one key per object that jumps: "videomama:jump:hero".
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
    object_output: str = "auto"  # several objects: "layers" (auto) or "merged"; see ``mask_layout``


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
    channels: tuple[str, ...] = ("A",)  # of the mask files: "A", or "<object>.A" per object
    written: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # every frame, when an up-to-date track was kept
    warnings: list[JumpWarning] = field(default_factory=list)


@dataclass(frozen=True)
class TrackPlan:
    """A checked request: its patterns, the plates' windows and the tracker ``auto`` resolved to."""

    request: TrackRequest
    plate: SequencePattern
    output: SequencePattern
    windows: ImageWindows  # the tracking canvas: the union of the data windows, and the display window
    frame_windows: dict[int, ImageWindows]  # each plate's own, which its mask is written with
    tracker: str
    layout: MaskLayout


def prepare_track(request: TrackRequest) -> TrackPlan:
    """Check everything about ``request`` that can be checked before tracking; raise domain errors."""
    plate = SequencePattern.parse(request.plate)
    output = SequencePattern.parse(request.output)
    check_compression(request.compression)
    plate.require(request.frames)
    layout = MaskLayout.of(request.prompts.objects, request.object_output)
    keyframes = request.prompts.masks
    check_no_overwrite(output, request.frames, [plate.path(f) for f in request.frames] + [k.path for k in keyframes])
    frame_windows = _frame_windows(plate, request.frames)
    windows = ImageWindows(Box.union(w.data for w in frame_windows.values()), frame_windows[request.frames.first].display)
    check_prompts(request.prompts, request.frames, windows)
    name = registry.resolve(request.tracker, request.prompts)
    job = TrackPlan(request, plate, output, windows, frame_windows, name, layout)
    for key in keyframes:
        if not (_keyframe_loader(job, key.frame, key.path)() > 0.5).any():
            raise InputError(f"mask keyframe {key.label} ({key.path}) is empty: nothing to track")
    return job


def run_track(
    request: TrackRequest,
    on_progress: Callable[[TrackProgress], None] | None = None,
    stop: StopToken | None = None,
    trackers: TrackerLender = registry.built,
) -> TrackResult:
    """Track ``request.frames`` into masks.

    ``trackers`` lends the tracker by name, only when there is something to
    track (building SAM2 loads its network); tests and the daemon pass their own.
    """
    stop = stop or StopToken()
    job = prepare_track(request)
    digest = _settings_hash(job)
    result = TrackResult(tracker=job.tracker, output=job.output.display, channels=job.layout.channels)
    kept = None if request.force else _kept_warnings(job, digest)
    if kept is not None:
        result.skipped, result.warnings = list(request.frames), kept
        return result

    # Lent for the pass only: the daemon keeps a loaded SAM2 for the next track.
    # The pass is closed before the tracker goes back, also when cancelled.
    with trackers(job.tracker) as tracker:
        jumps = JumpDetector(job.layout.objects)
        masks_by_frame = tracker.track(
            list(request.frames),
            lambda f: _on_canvas(job, _read(job, f)),
            # Every object, in the layout's order, even one prompted by clicks only.
            {name: {f: _keyframe_loader(job, f, p) for f, p in request.prompts.keyframes(name).items()}
             for name in job.layout.objects},
            stop,
            prompts=_to_data_window(request.prompts, job.windows),
        )
        with closing(masks_by_frame):
            _write_masks(job, digest, tracker.describe(), masks_by_frame, jumps, result, on_progress)
    result.warnings = list(jumps.warnings)
    return result


def _write_masks(
    job: TrackPlan,
    digest: str,
    description: dict[str, str],
    masks_by_frame: Iterator[tuple[int, np.ndarray]],
    jumps: JumpDetector,
    result: TrackResult,
    on_progress: Callable[[TrackProgress], None] | None,
) -> None:
    """Each tracked frame's masks as an EXR, with its jump warnings in the metadata."""
    request = job.request
    started = time.monotonic()
    for frame, masks in masks_by_frame:
        # The plate is read again for the jump check; cheap next to flow,
        # and it keeps the tracker interface free of side channels.
        warnings = jumps.check(frame, _on_canvas(job, _read(job, frame)), masks)
        values = masks if request.soft else (masks > 0.5).astype(np.float32)
        metadata = {
            HASH_KEY: digest,
            "videomama:tracker": description["tracker"],
            "videomama:model": description.get("model", ""),
            "videomama:version": __version__,
            "videomama:frame": str(frame),
            "videomama:plate": job.plate.path(frame),
        }
        metadata.update({_jump_key(w.object): w.reason for w in warnings})
        own = job.frame_windows[frame]
        write_image(
            job.output.path(frame), place(job.layout.pixels(values), job.windows.data, own.data), job.layout.channels, own,
            metadata=metadata, compression=request.compression, pixel_type="half",
        )
        result.written.append(frame)
        if on_progress:
            on_progress(_progress(len(result.written), len(request.frames), started, frame))


def _progress(done: int, total: int, started: float, frame: int) -> TrackProgress:
    elapsed = time.monotonic() - started
    return TrackProgress(done, total, elapsed, elapsed / done * (total - done), frame)


def _read(job: TrackPlan, frame: int):
    return read_plate(job.plate.path(frame), layer=job.request.plate_layer, colorspace=job.request.colorspace)


def _on_canvas(job: TrackPlan, image: ImageData) -> np.ndarray:
    """A plate's pixels (or a mask conformed to it) placed on the tracking canvas."""
    return place(image.pixels, image.windows.data, job.windows.data)


def _keyframe_loader(job: TrackPlan, frame: int, path: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        plate = _read(job, frame)
        return place(conform_mask(read_mask(path), plate), plate.windows.data, job.windows.data)

    return load


def _settings_hash(job: TrackPlan) -> str:
    """Everything that decides the masks: tracker, prompts, objects and their layout, options and the input files.

    The default object's prompts hash as they did before objects existed, and
    the layout only when it is not that object's single ``A``, so tracks
    written then stay up to date (and so do the mattes made from them).
    """
    request = job.request
    settings = {
        "tracker": registry.tracker_class(job.tracker).fingerprint(),
        "frames": str(request.frames),
        "keyframes": {k.label: file_record(k.path) for k in sorted(request.prompts.masks, key=lambda k: (k.frame, k.object))},
        "points": [(p.frame, p.x, p.y, p.positive, *_named(p.object)) for p in request.prompts.points],
        "boxes": [(b.frame, b.x0, b.y0, b.x1, b.y1, *_named(b.object)) for b in request.prompts.boxes],
        "soft": request.soft,
        "colorspace": request.colorspace,
        "plate_layer": request.plate_layer,
        "compression": request.compression,
        "plates": [file_record(job.plate.path(f)) for f in request.frames],
    }
    if job.layout.channels != ("A",) or job.layout.objects != (DEFAULT_OBJECT,):
        settings["objects"] = {"names": list(job.layout.objects), "channels": list(job.layout.channels)}
    return settings_digest(settings)


def _named(name: str) -> tuple[str, ...]:
    return () if name == DEFAULT_OBJECT else (name,)


def _jump_key(name: str) -> str:
    return f"{JUMP_KEY}:{name}" if name else JUMP_KEY


def _kept_warnings(job: TrackPlan, digest: str) -> list[JumpWarning] | None:
    """The jump warnings of a complete track with this hash on disk, or None to track."""
    warnings = []
    for frame in job.request.frames:
        metadata = read_metadata(job.output.path(frame))
        if metadata.get(HASH_KEY) != digest:
            return None
        # Sorted keys list the objects in name order, the order they were checked in.
        for key in sorted(k for k in metadata if k == JUMP_KEY or k.startswith(f"{JUMP_KEY}:")):
            warnings.append(JumpWarning(frame, metadata[key], key.removeprefix(JUMP_KEY).removeprefix(":")))
    return warnings


def _to_data_window(prompts: Prompts, windows: ImageWindows) -> Prompts:
    """Prompts are typed in display-window pixels; trackers see data-window arrays."""
    dx, dy = windows.data.x, windows.data.y
    return Prompts(
        masks=prompts.masks,
        points=[replace(p, x=p.x - dx, y=p.y - dy) for p in prompts.points],
        boxes=[replace(b, x0=b.x0 - dx, y0=b.y0 - dy, x1=b.x1 - dx, y1=b.y1 - dy) for b in prompts.boxes],
    )


def _frame_windows(plate: SequencePattern, frames: FrameRange) -> dict[int, ImageWindows]:
    """Every plate's windows, from the headers; the display window must be the same throughout."""
    windows = {frame: read_windows(plate.path(frame)) for frame in frames}
    first = windows[frames.first].display
    for frame, own in windows.items():
        if own.display != first:
            raise InputError(
                f"{plate.path(frame)} is framed {own.display.size_text} at ({own.display.x}, {own.display.y}) "
                f"but frame {frames.first} is {first.size_text} at ({first.x}, {first.y}): "
                "a track needs one format (display window) for the whole range"
            )
    return windows
