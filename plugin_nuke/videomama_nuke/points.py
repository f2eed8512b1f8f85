"""SAM2 clicks from the node's point knobs.

The node has a few positive and negative XY knobs the artist drags in the
viewer.  A point exists on a frame where its knob has a keyframe: a keyframe
is a click.  Knobs never keyed are not points (their default position is
not a click).

Nuke measures positions in pixels from the bottom-left corner of the format;
the daemon counts rows from the top of the display window (the format, in
the EXR the node renders), so y becomes ``format height - y``
(``videomama_hosts.tracking``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from videomama_hosts.tracking import Click, click_from_bottom_left


@dataclass(frozen=True)
class PointKeys:
    """One point knob: its name, polarity and keyframes as (frame, x, y) in Nuke coordinates."""

    name: str
    positive: bool
    keys: tuple[tuple[float, float, float], ...]


def clicks_from_points(knobs: Iterable[PointKeys], format_height: int) -> tuple[Click, ...]:
    """Every keyframe of every point knob as a click, by frame, then by knob name.

    A stable order whatever order the knobs were read in: the order clicks
    are sent in is part of the cache key.
    """
    keyed = sorted((round(frame), knob.name, knob.positive, x, y) for knob in knobs for frame, x, y in knob.keys)
    return tuple(click_from_bottom_left(frame, x, y, format_height, positive) for frame, _, positive, x, y in keyed)
