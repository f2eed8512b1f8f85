"""Image sequences as Blender names them, without bpy.

Blender points an image sequence at one of its files (``plate.1001.exr``) and
finds the others by the last group of digits in the file name.  The daemon
wants a pattern (``plate.####.exr``); the Image node wants a start frame and
an offset.  These helpers convert between the three, so that scene frame F
always reads file F: sequences rendered for a shot are numbered in the
shot's frames, and any other mapping would silently shift the matte.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from videomama_hosts.frames import describe_frames  # noqa: F401  (re-exported: the add-on's name for it)

# The last run of digits in the file name (not the folder), as Blender's
# BLI_path_sequence_decode does.
_LAST_DIGITS = re.compile(r"^(.*?)(\d+)(\D*)$")


@dataclass(frozen=True)
class NumberedFile:
    folder: str
    head: str  # file name before the frame number
    digits: str  # the frame number as written (its length is the padding)
    tail: str  # after the number, extension included

    @property
    def frame(self) -> int:
        return int(self.digits)

    @property
    def pattern(self) -> str:
        """The sequence as the daemon spells it: ``/dir/plate.####.exr``."""
        return os.path.join(self.folder, f"{self.head}{'#' * len(self.digits)}{self.tail}")


def split_numbered(path: str) -> NumberedFile | None:
    """The frame number in a file path, or None if its name has no digits."""
    folder, name = os.path.split(path)
    match = _LAST_DIGITS.match(name)
    if not match:
        return None
    head, digits, tail = match.groups()
    return NumberedFile(folder, head, digits, tail)


def frame_path(pattern: str, frame: int) -> str:
    """The file of ``frame`` in a ``####`` pattern (padding = number of #)."""
    def number(match: re.Match) -> str:
        width = len(match.group(0))
        return f"-{abs(frame):0{width}d}" if frame < 0 else f"{frame:0{width}d}"

    folder, name = os.path.split(pattern)
    return os.path.join(folder, re.sub(r"#+", number, name, count=1))


def scan_frames(path: str) -> list[int]:
    """Frame numbers of the files in the sequence that ``path`` belongs to, sorted.

    Files match when they share the head and the tail; a number longer than
    the padding still counts (frame 10000 of a ``####`` sequence), as in
    Blender.
    """
    numbered = split_numbered(path)
    if numbered is None:
        return []
    regex = re.compile(re.escape(numbered.head) + r"(\d+)" + re.escape(numbered.tail) + r"\Z")
    try:
        names = os.listdir(numbered.folder or ".")
    except OSError:
        return []
    frames = set()
    for name in names:
        match = regex.match(name)
        if match and len(match.group(1)) >= len(numbered.digits):
            frames.add(int(match.group(1)))
    return sorted(frames)


def missing_frames(available: list[int], first: int, last: int) -> list[int]:
    have = set(available)
    return [frame for frame in range(first, last + 1) if frame not in have]


@dataclass(frozen=True)
class ImageUserFrames:
    """Values for an Image node's (ImageUser's) frame settings."""

    frame_start: int
    frame_offset: int
    frame_duration: int


def image_user_frames(first_file_frame: int, last_file_frame: int) -> ImageUserFrames:
    """Image node settings under which scene frame F shows the file numbered F.

    Blender reads the file numbered ``F - frame_start + 1 + frame_offset`` at
    scene frame F (F clamped to the duration); starting at the first file's
    number with an offset of one less makes that F itself.
    """
    if last_file_frame < first_file_frame:
        raise ValueError(f"empty sequence {first_file_frame}-{last_file_frame}")
    return ImageUserFrames(
        frame_start=first_file_frame,
        frame_offset=first_file_frame - 1,
        frame_duration=last_file_frame - first_file_frame + 1,
    )
