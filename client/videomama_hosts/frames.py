"""Frame lists as the plugins say and read them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import PluginError

_FRAME_LIST = re.compile(r"^-?\d+$")


def describe_frames(frames: Iterable[int], limit: int = 6) -> str:
    """``1001-1003, 1007`` (ranges collapsed, long lists cut with a count)."""
    runs: list[tuple[int, int]] = []
    for frame in sorted(set(frames)):
        if runs and frame == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], frame)
        else:
            runs.append((frame, frame))
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:limit]]
    if len(runs) > limit:
        parts.append(f"and {len(runs) - limit} more")
    return ", ".join(parts)


def parse_frame_list(text: str, what: str) -> tuple[int, ...]:
    """``"1001 1025"`` or ``"1001, 1025"`` -> (1001, 1025): sorted, each frame once.

    Single frames only, no ranges: each one listed is a frame the artist
    looked at (a keyframe), so a range would more likely be a typo.
    """
    frames = set()
    for item in text.replace(",", " ").split():
        if not _FRAME_LIST.match(item):
            raise PluginError(f"'{item}' in {what} is not a frame number: list frames like 1001 1025")
        frames.add(int(item))
    return tuple(sorted(frames))
