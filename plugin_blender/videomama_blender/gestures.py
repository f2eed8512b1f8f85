"""Clicks and boxes from the mouse on the source in an Image Editor (the ``placing`` operator).

Positions are the Image Editor's view coordinates: 0 to 1 across the image
shown, from its bottom-left corner.  That is the convention of the numbers in
the node's Clicks and Boxes lists, so a gesture becomes a prompt unchanged
when the editor shows the source (its Image, or the Viewer showing it as it
is).

* A press and release at (nearly) the same place is a click: on the subject,
  or on the background with Ctrl held.  Outside the image it is nothing.
* A drag is a box around the subject, from corner to corner in either
  direction, cut to the image; a box with nothing of the image in it is
  nothing.

Pure Python: tested without Blender.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional, Union

DRAG_PIXELS = 6.0  # screen pixels between press and release from which a gesture is a box

Point = tuple[float, float]


@dataclass(frozen=True)
class ClickPrompt:
    location: Point
    positive: bool


@dataclass(frozen=True)
class BoxPrompt:
    bottom_left: Point
    top_right: Point


Prompt = Union[ClickPrompt, BoxPrompt]


def is_drag(press_screen: Point, release_screen: Point) -> bool:
    dx, dy = release_screen[0] - press_screen[0], release_screen[1] - press_screen[1]
    return dx * dx + dy * dy >= DRAG_PIXELS * DRAG_PIXELS


def prompt_from_gesture(press: Point, release: Point, dragged: bool, background: bool) -> Optional[Prompt]:
    """The prompt a press at ``press`` and a release at ``release`` (view coordinates) place, if any."""
    if not dragged:
        u, v = release
        if not (0.0 <= u <= 1.0 and 0.0 <= v <= 1.0):
            return None
        return ClickPrompt((u, v), positive=not background)
    left, right = sorted((_clamp(press[0]), _clamp(release[0])))
    bottom, top = sorted((_clamp(press[1]), _clamp(release[1])))
    if left == right or bottom == top:
        return None
    return BoxPrompt((left, bottom), (right, top))


@dataclass(frozen=True)
class Overlay:
    """What to draw over the image for one frame, in view coordinates."""

    subject: tuple[Point, ...]  # positive clicks
    background: tuple[Point, ...]  # negative clicks
    boxes: tuple[tuple[Point, Point], ...]  # (bottom-left, top-right)


def overlay(clicks: Iterable, boxes: Iterable, frame: int) -> Overlay:
    """The clicks (``frame``, ``location``, ``positive``) and boxes (``frame``, ``bottom_left``,
    ``top_right``) on ``frame``: a prompt belongs to the image it was placed on."""
    on_frame = [c for c in clicks if c.frame == frame]
    return Overlay(
        subject=tuple(_point(c.location) for c in on_frame if c.positive),
        background=tuple(_point(c.location) for c in on_frame if not c.positive),
        boxes=tuple((_point(b.bottom_left), _point(b.top_right)) for b in boxes if b.frame == frame),
    )


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _point(values) -> Point:
    return (float(values[0]), float(values[1]))
