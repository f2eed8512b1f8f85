"""Run a track job: check the request, stream frames through a tracker, write EXR masks.

Everything that can be wrong with the request (missing frames, prompts off
the frame or off the range, an empty keyframe mask, an output that would
overwrite an input) is reported before the first mask is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .. import __version__
from ..backends.base import StopToken
from ..errors import InputError, OutputConflictError
from ..sequences.image_io import ImageWindows, conform_mask, read_mask, read_plate, read_windows, write_alpha
from ..sequences.pattern import FrameRange, SequencePattern
from . import registry
from .jumps import JumpDetector, JumpWarning
from .prompts import Prompts, check_prompts


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


@dataclass
class TrackResult:
    tracker: str
    output: str
    written: list[int] = field(default_factory=list)
    warnings: list[JumpWarning] = field(default_factory=list)  # for the CLI now, the daemon later


def run_track(
    request: TrackRequest,
    on_frame: Callable[[int], None] | None = None,
    stop: StopToken | None = None,
) -> TrackResult:
    plate = SequencePattern.parse(request.plate)
    output = SequencePattern.parse(request.output)
    plate.require(request.frames)
    if os.path.realpath(output.path(request.frames.first)) in {
        os.path.realpath(plate.path(request.frames.first)),
        *(os.path.realpath(p) for p in request.prompts.masks.values()),
    }:
        raise OutputConflictError(f"output {output.display} would overwrite an input")
    windows = read_windows(plate.path(request.frames.first))
    _check_constant_windows(plate, request.frames, windows)
    check_prompts(request.prompts, request.frames, windows)
    name = registry.resolve(request.tracker, request.prompts)
    tracker = registry.tracker_class(name)()

    def read(frame: int):
        return read_plate(plate.path(frame), layer=request.plate_layer, colorspace=request.colorspace)

    def keyframe_loader(frame: int, path: str):
        return lambda: conform_mask(read_mask(path), read(frame))

    for frame, path in request.prompts.masks.items():
        if not (keyframe_loader(frame, path)() > 0.5).any():
            raise InputError(f"mask keyframe {frame} ({path}) is empty: nothing to track")

    result = TrackResult(tracker=name, output=output.display)
    jumps = JumpDetector()
    description = tracker.describe()
    masks = tracker.track(
        list(request.frames),
        lambda f: read(f).pixels,
        {f: keyframe_loader(f, p) for f, p in request.prompts.masks.items()},
        stop,
        prompts=_to_data_window(request.prompts, windows),
    )
    for frame, mask in masks:
        # The plate is read again for the jump check; cheap next to flow,
        # and it keeps the tracker interface free of side channels.
        jumps.check(frame, read(frame).pixels, mask)
        values = mask if request.soft else (mask > 0.5).astype(np.float32)
        write_alpha(
            output.path(frame),
            values,
            windows,
            metadata={
                "videomama:tracker": description["tracker"],
                "videomama:model": description.get("model", ""),
                "videomama:version": __version__,
                "videomama:frame": str(frame),
                "videomama:plate": plate.path(frame),
            },
            compression=request.compression,
        )
        result.written.append(frame)
        if on_frame:
            on_frame(frame)
    result.warnings = list(jumps.warnings)
    return result


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
