"""What a matte job asks for, and the checks that run before any pixel is read.

``MatteRequest`` is what the CLI, the daemon and the farm build.  ``plan()``
validates it completely (patterns, ranges, every frame present, sizes that fit,
an output that cannot clobber an input) and returns a ``MattePlan``, so a bad
request fails with one clear message before anything is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..backends import registry
from ..backends.base import resolve_options
from ..errors import InputError, MissingInputError, OutputConflictError
from ..sequences.conform import check_mask_fits
from ..sequences.image_read import read_windows
from ..sequences.images import Box, ImageWindows
from ..sequences.pattern import FrameRange, SequencePattern, contiguous_run, format_frame_list
from .windows import Window, WindowGrid

COMPRESSIONS = ("zip", "dwaa", "piz", "none")


@dataclass(frozen=True)
class MatteRequest:
    plate: str
    mask: str
    output: str
    frames: FrameRange | None = None  # default: the whole shot
    shot: FrameRange | None = None  # default: plate and mask frames on disk around ``frames``
    backend: str = "auto"
    window: int = 16
    overlap: int = 4
    colorspace: str | None = None  # plate's colour space; default by file type
    plate_layer: str | None = None
    mask_channel: str | None = None
    compression: str = "zip"
    write_rgba: bool = False
    force: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MattePlan:
    """A validated request: resolved patterns, ranges, windows and geometry."""

    request: MatteRequest
    plate: SequencePattern
    mask: SequencePattern
    output: SequencePattern
    frames: FrameRange
    grid: WindowGrid
    windows: list[Window]  # the grid windows that touch ``frames``
    plate_windows: dict[int, ImageWindows]  # per frame, for every frame the windows read
    # Union of the plates' data windows.  EXR frames may carry different data
    # windows (auto-crop, changing overscan) but backends need equal-sized
    # stacks, so every frame is placed on this canvas and cut back out.
    canvas: Box


def plan(request: MatteRequest, masks_pending: bool = False) -> MattePlan:
    """Check ``request`` completely; raise a domain error naming the first problem.

    ``masks_pending``: the mask sequence does not exist yet because a tracker
    will write it, over the whole shot and with the plate's own windows,
    before the matte runs (track then matte).  Everything but the mask files
    is checked; the shot must then be given, since it cannot be found on disk.
    """
    # 1. Patterns and simple values.
    plate = SequencePattern.parse(request.plate)
    mask = SequencePattern.parse(request.mask)
    output = SequencePattern.parse(request.output)
    check_compression(request.compression)
    if masks_pending and request.shot is None:
        raise InputError("the shot must be given when its masks are still to be tracked")
    # 2. The shot and the frames to produce.
    frames, shot = _resolve_ranges(plate, mask, request.frames, request.shot)
    grid = WindowGrid(shot, request.window, request.overlap)
    windows = grid.windows_touching(frames)
    needed = range(windows[0].first, windows[-1].last + 1)
    plate.require(needed)
    if not masks_pending:
        mask.require(needed)
    # 3. Nothing we write may land on something we read.
    check_no_overwrite(output, frames, (p.path(f) for p in (plate, mask) for f in shot))
    # 4. Geometry: every frame's header, read once, before any pixel.
    plate_windows = {f: read_windows(plate.path(f)) for f in needed}
    if not masks_pending:
        for f in needed:
            check_mask_fits(read_windows(mask.path(f)), mask.path(f), plate_windows[f], plate.path(f))
    canvas = Box.union(w.data for w in plate_windows.values())
    return MattePlan(request, plate, mask, output, frames, grid, windows, plate_windows, canvas)


def check_backend(backend: str, options: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Resolve ``auto``, check the backend can run here, validate its options; loads nothing."""
    name = registry.resolve(backend, options)
    return name, resolve_options(registry.backend_class(name).options, dict(options), name)


def check_compression(compression: str) -> None:
    if compression.split(":")[0] not in COMPRESSIONS:
        raise InputError(f"unknown compression '{compression}'; choose one of {', '.join(COMPRESSIONS)}")


def check_no_overwrite(output: SequencePattern, frames: Iterable[int], inputs: Iterable[str]) -> None:
    """Raise OutputConflictError if a frame of ``output`` is one of the ``inputs`` files.

    Paths are compared resolved (symlinks, ``..``), as the filesystem would.
    """
    resolved = {os.path.realpath(path) for path in inputs}
    clashes = [f for f in frames if os.path.realpath(output.path(f)) in resolved]
    if clashes:
        raise OutputConflictError(
            f"output {output.display} would overwrite input frames {format_frame_list(clashes)}; "
            "choose another output path"
        )


def _resolve_ranges(
    plate: SequencePattern,
    mask: SequencePattern,
    frames: FrameRange | None,
    shot: FrameRange | None,
) -> tuple[FrameRange, FrameRange]:
    if shot is not None:
        if frames is None:
            frames = shot
        if not shot.contains(frames):
            raise InputError(f"frames {frames} lie outside the shot {shot}")
        return frames, shot
    on_disk = set(plate.existing_frames()) & set(mask.existing_frames())
    if frames is None:
        if not on_disk:
            raise MissingInputError(
                f"no frame has both a plate ({plate.display}) and a mask ({mask.display})"
            )
        first = min(on_disk)
        frames = contiguous_run(on_disk, FrameRange(first, first))
        return frames, frames
    found = contiguous_run(on_disk, frames)
    if found is None:
        # Name exactly what is missing (require raises with the frame list).
        plate.require(frames)
        mask.require(frames)
        raise MissingInputError(f"frames {frames} are not all present")
    return frames, found

