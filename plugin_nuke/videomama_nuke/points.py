"""SAM2 clicks and boxes from the node's point and box knobs.

The node has a few positive and negative XY knobs the artist drags in the
viewer, and one box knob.  A point (or the box) exists on a frame where its
knob has a keyframe: a keyframe is a click (a box).  Knobs never keyed are
not prompts (their default position is not a click, nor a box).

Nuke measures positions in pixels from the bottom-left corner of the format;
the daemon counts rows from the top of the display window (the format, in
the EXR the node renders), so y becomes ``format height - y``, and a box's
top edge (Nuke's ``t``) becomes its y0 (``videomama_hosts.tracking``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from videomama_hosts.tracking import Box, Click, box_from_bottom_left, click_from_bottom_left


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


def boxes_from_knob(keys: Iterable[tuple[float, float, float, float, float]], format_height: int) -> tuple[Box, ...]:
    """Every keyframe of the box knob, (frame, x, y, r, t) in Nuke coordinates, as a box, by frame."""
    return tuple(
        box_from_bottom_left(frame, x, y, r, t, format_height) for frame, x, y, r, t in sorted(keys)
    )
