"""Frame ranges and numbered file sequences, as compositors type them.

A sequence is written the way Nuke, Blender or Houdini users already know:
``plate.####.exr``, ``plate.%04d.exr``, ``plate.$F4.exr``.  Everything here is
pure path and number handling; nothing reads pixels.

Frame numbers are formatted with at least ``padding`` digits and a leading
minus sign for negative frames (``-0005`` for ``####``), and a file only
counts as frame N when its name is exactly ``path(N)``: this keeps
``existing_frames`` and ``path`` in agreement, so a frame found on disk can
always be read back by number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from videomama.errors import InputError, MissingInputError

# ---------------------------------------------------------------------------
# Frame ranges
# ---------------------------------------------------------------------------

_RANGE_RE = re.compile(r"^\s*(-?\d+)\s*(?:-\s*(-?\d+))?\s*$")


@dataclass(frozen=True)
class FrameRange:
    """An inclusive range of frames, ``first`` to ``last`` (first <= last)."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise InputError(
                f"frame range {self.first}-{self.last} is reversed: "
                "the first frame must not come after the last"
            )

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.last + 1))

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        # A single frame prints as "1001" so str() always parses back.
        if self.first == self.last:
            return str(self.first)
        return f"{self.first}-{self.last}"

    def contains(self, item: int | FrameRange) -> bool:
        """Whether a frame, or every frame of another range, lies in this range."""
        if isinstance(item, FrameRange):
            return self.first <= item.first and item.last <= self.last
        return self.first <= item <= self.last

    def __contains__(self, item: object) -> bool:
        return isinstance(item, (int, FrameRange)) and self.contains(item)

    def intersection(self, other: FrameRange) -> FrameRange | None:
        """The frames both ranges share, or None when they do not overlap."""
        first = max(self.first, other.first)
        last = min(self.last, other.last)
        return FrameRange(first, last) if first <= last else None


def parse_frame_range(text: str) -> FrameRange:
    """Parse ``"1001-1100"``, ``"1001"``, ``"-5-10"`` or ``"-10--5"``."""
    match = _RANGE_RE.match(text or "")
    if match is None:
        raise InputError(
            f"frame range '{text}' is not valid: use FIRST-LAST such as "
            "1001-1100, or a single frame such as 1001"
        )
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if first > last:
        raise InputError(
            f"frame range '{text}' is reversed: the first frame must not "
            "come after the last"
        )
    return FrameRange(first, last)


def _runs(frames: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted unique frames grouped into (first, last) runs of consecutive frames."""
    runs: list[tuple[int, int]] = []
    for frame in sorted(set(frames)):
        if runs and frame == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], frame)
        else:
            runs.append((frame, frame))
    return runs


def format_frame_list(frames: Iterable[int], max_runs: int | None = None) -> str:
    """Compact frames into runs: ``[1001, 1002, 1003, 1007]`` -> ``"1001-1003, 1007"``.

    ``max_runs`` keeps error messages readable when frames are scattered:
    the remaining runs are summarised as "and N more".
    """
    parts = [str(FrameRange(first, last)) for first, last in _runs(frames)]
    if max_runs is not None and len(parts) > max_runs:
        hidden = len(parts) - max_runs
        parts = parts[:max_runs] + [f"and {hidden} more"]
    return ", ".join(parts)


def contiguous_run(
    frames_available: set[int] | list[int], around: FrameRange
) -> FrameRange | None:
    """The longest run of consecutive available frames that holds all of ``around``.

    Used to find "the shot" a requested range belongs to; None when any frame
    of ``around`` itself is unavailable.
    """
    available = set(frames_available)
    if any(frame not in available for frame in around):
        return None
    first, last = around.first, around.last
    while first - 1 in available:
        first -= 1
    while last + 1 in available:
        last += 1
    return FrameRange(first, last)


# ---------------------------------------------------------------------------
# Sequence patterns
# ---------------------------------------------------------------------------

# One alternative per spelling; the named group that matched gives padding.
_TOKEN_RE = re.compile(
    r"(?P<hash>#+)"  # Nuke / Blender: one # per digit
    r"|(?P<at>@+)"  # same, with @
    r"|%(?P<printf>0\d+)?d"  # printf: %04d, or %d for no padding
    r"|\$\{F(?P<hbrace>\d*)\}"  # Houdini: ${F4}
    r"|\$F(?P<houdini>\d*)"  # Houdini: $F4, or $F for no padding
)

_ACCEPTED_FORMS = (
    "plate.####.exr, plate.@@@@.exr, plate.%04d.exr, plate.%d.exr, "
    "plate.$F4.exr or plate.$F.exr"
)


def _token_padding(match: re.Match[str]) -> int:
    """Number of digits a frame token asks for (1 means no padding)."""
    if match.group("hash"):
        return len(match.group("hash"))
    if match.group("at"):
        return len(match.group("at"))
    digits = match.group("printf") or match.group("hbrace") or match.group("houdini")
    return max(int(digits), 1) if digits else 1


def _format_frame(frame: int, padding: int) -> str:
    """Frame number with at least ``padding`` digits, sign in front: -5 -> "-0005"."""
    sign = "-" if frame < 0 else ""
    return f"{sign}{abs(frame):0{padding}d}"


@dataclass(frozen=True)
class SequencePattern:
    """A numbered file sequence: ``directory/prefix<frame>suffix``.

    Build one with :meth:`parse`; the frame token is only looked for in the
    file name, so a ``#`` in a folder name is taken literally.
    """

    directory: str
    prefix: str
    suffix: str
    padding: int

    @classmethod
    def parse(cls, text: str) -> SequencePattern:
        """Parse a pattern such as ``/shots/sh010/plate.####.exr``."""
        directory, name = os.path.split(text or "")
        tokens = list(_TOKEN_RE.finditer(name))
        if len(tokens) != 1:
            found = "no frame number" if not tokens else f"{len(tokens)} frame numbers"
            raise InputError(
                f"sequence '{text}' has {found} in its file name; write exactly "
                f"one, as in {_ACCEPTED_FORMS}"
            )
        token = tokens[0]
        return cls(
            directory=directory,
            prefix=name[: token.start()],
            suffix=name[token.end() :],
            padding=_token_padding(token),
        )

    # -- naming -------------------------------------------------------------

    @property
    def display(self) -> str:
        """The pattern in ``####`` form, as shown to users."""
        return os.path.join(self.directory, f"{self.prefix}{'#' * self.padding}{self.suffix}")

    def __str__(self) -> str:
        return self.display

    def path(self, frame: int) -> str:
        """The file name of one frame."""
        name = f"{self.prefix}{_format_frame(frame, self.padding)}{self.suffix}"
        return os.path.join(self.directory, name)

    # -- what is on disk ------------------------------------------------------

    def _scan_directory(self) -> str:
        return self.directory or "."

    def existing_frames(self) -> list[int]:
        """Frames present on disk, sorted; one directory listing, no per-frame stat.

        Returns an empty list when the directory does not exist.
        """
        name_re = re.compile(
            rf"^{re.escape(self.prefix)}(-?\d+){re.escape(self.suffix)}$"
        )
        try:
            entries = os.listdir(self._scan_directory())
        except (FileNotFoundError, NotADirectoryError):
            return []
        frames = []
        for entry in entries:
            match = name_re.match(entry)
            if match is None:
                continue
            frame = int(match.group(1))
            # "01001" is not frame 1001 of "####": only the exact spelling counts.
            if _format_frame(frame, self.padding) == match.group(1):
                frames.append(frame)
        return sorted(frames)

    def missing(self, frames: Iterable[int]) -> list[int]:
        """Which of ``frames`` have no file on disk, sorted."""
        present = set(self.existing_frames())
        return sorted(set(frames) - present)

    def require(self, frames: Iterable[int]) -> None:
        """Raise MissingInputError naming the missing frames, if any are missing."""
        wanted = set(frames)
        if not wanted:
            return
        folder = self._scan_directory()
        if not os.path.isdir(folder):
            raise MissingInputError(
                f"folder '{folder}' for {self.display} does not exist"
            )
        missing = self.missing(wanted)
        if missing:
            noun = "frame" if len(missing) == 1 else "frames"
            raise MissingInputError(
                f"{self.display} is missing {noun} "
                f"{format_frame_list(missing, max_runs=12)} "
                f"({len(missing)} of {len(wanted)})"
            )
