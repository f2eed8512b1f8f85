"""Cutting a frame range into task ranges.

Farm managers chunk a step's frames themselves (OpenJD's ``CHUNK[INT]``
task parameter, OpenCue's layer chunk size), and may rebalance them, so task
code accepts any ``A-B`` range and nothing here decides the result.  This
module is the one place the project computes chunks itself: to tell the user
what the job will look like and to run tasks by hand (tests, a re-run of one
failed chunk).  OpenJD's contiguous chunks are balanced: as many chunks as
``size`` requires, lengths differing by at most one frame (16 over 40 frames
gives 14/13/13); OpenCue's are fixed: a chunk every ``size`` frames, the last
one shorter (16/16/8).
"""

from __future__ import annotations

from ..errors import InputError
from ..sequences.pattern import FrameRange


def _check(size: int) -> None:
    if size < 1:
        raise InputError(f"chunk size must be at least 1 frame, got {size}")


def chunk_ranges(frames: FrameRange, size: int) -> list[FrameRange]:
    """``frames`` cut into contiguous, balanced chunks of at most ``size`` frames (OpenJD)."""
    _check(size)
    count = -(-len(frames) // size)  # ceil
    base, longer = divmod(len(frames), count)
    chunks = []
    first = frames.first
    for index in range(count):
        length = base + (1 if index < longer else 0)
        chunks.append(FrameRange(first, first + length - 1))
        first += length
    return chunks


def fixed_chunk_ranges(frames: FrameRange, size: int) -> list[FrameRange]:
    """``frames`` cut into chunks of ``size`` frames, the last one shorter (OpenCue)."""
    _check(size)
    return [FrameRange(first, min(first + size - 1, frames.last)) for first in range(frames.first, frames.last + 1, size)]
