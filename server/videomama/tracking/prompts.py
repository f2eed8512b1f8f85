"""Tracking prompts as compositors type them, parsed and checked before any work.

Coordinates are pixels of the plate's display window with the origin at the
top-left (the image convention of OpenImageIO and of the written masks), so
``--points "1001:960,540,+"`` is the centre of a 1920x1080 frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..sequences.image_io import ImageWindows
from ..sequences.pattern import FrameRange

_NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*"
_POINT_RE = re.compile(rf"^\s*(-?\d+)\s*:{_NUMBER},{_NUMBER},\s*([+-])\s*$")
_BOX_RE = re.compile(rf"^\s*(-?\d+)\s*:{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$")
_KEY_RE = re.compile(r"^\s*(-?\d+)\s*=(.+)$")


@dataclass(frozen=True)
class Point:
    frame: int
    x: float
    y: float
    positive: bool


@dataclass(frozen=True)
class BoxPrompt:
    frame: int
    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        # Here rather than in the parser, so boxes sent to the daemon get the same check.
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise InputError(
                f"box {self.frame}:{self.x0:g},{self.y0:g},{self.x1:g},{self.y1:g} is empty or reversed: "
                "X1 must exceed X0 and Y1 exceed Y0"
            )


@dataclass
class Prompts:
    """Everything the user gave the tracker, by keyframe."""

    masks: dict[int, str] = field(default_factory=dict)  # frame -> mask file
    points: list[Point] = field(default_factory=list)
    boxes: list[BoxPrompt] = field(default_factory=list)

    @property
    def frames(self) -> list[int]:
        return sorted(set(self.masks) | {p.frame for p in self.points} | {b.frame for b in self.boxes})

    @property
    def empty(self) -> bool:
        return not (self.masks or self.points or self.boxes)


def parse_points(texts: list[str]) -> list[Point]:
    """``"1001:x,y,+;1001:x,y,-"`` (repeatable) -> points; ``+`` subject, ``-`` not subject."""
    points = []
    for text in texts:
        for item in filter(str.strip, text.split(";")):
            match = _POINT_RE.match(item)
            if match is None:
                raise InputError(f"point '{item.strip()}' is not valid: write FRAME:X,Y,+ or FRAME:X,Y,- (e.g. 1001:960,540,+)")
            frame, x, y, sign = match.groups()
            points.append(Point(int(frame), float(x), float(y), sign == "+"))
    return points


def parse_boxes(texts: list[str]) -> list[BoxPrompt]:
    """``"1001:x0,y0,x1,y1"`` (repeatable, ``;``-separated) -> boxes."""
    boxes = []
    for text in texts:
        for item in filter(str.strip, text.split(";")):
            match = _BOX_RE.match(item)
            if match is None:
                raise InputError(f"box '{item.strip()}' is not valid: write FRAME:X0,Y0,X1,Y1 (e.g. 1001:100,50,900,1000)")
            frame, *corners = match.groups()
            boxes.append(BoxPrompt(int(frame), *map(float, corners)))
    return boxes


def parse_mask_keyframes(texts: list[str]) -> dict[int, str]:
    """``"1001=roto.1001.exr"`` (repeatable) -> {frame: path}; one mask per frame."""
    masks: dict[int, str] = {}
    for text in texts:
        match = _KEY_RE.match(text)
        if match is None:
            raise InputError(f"mask keyframe '{text}' is not valid: write FRAME=FILE (e.g. 1001=roto.1001.exr)")
        add_mask_keyframe(masks, int(match.group(1)), match.group(2).strip())
    return masks


def add_mask_keyframe(masks: dict[int, str], frame: int, path: str) -> None:
    """Add one mask keyframe to ``masks``; a frame may have only one."""
    if frame in masks:
        raise InputError(f"frame {frame} has two mask keyframes ({masks[frame]} and {path}); give one")
    masks[frame] = path


def check_prompts(prompts: Prompts, frames: FrameRange, windows: ImageWindows) -> None:
    """Every prompt lies in the tracked range and inside the frame; raise InputError otherwise."""
    if prompts.empty:
        raise InputError("nothing to track: give a mask keyframe (--mask-keyframe FRAME=FILE), points (--points) or a box (--box)")
    outside = [f for f in prompts.frames if f not in frames]
    if outside:
        raise InputError(
            f"keyframe {outside[0]} is outside the tracked frames {frames}; prompts must be on frames being tracked"
        )
    box = windows.display
    def inside(x: float, y: float) -> bool:
        return box.x <= x <= box.x + box.width and box.y <= y <= box.y + box.height
    for point in prompts.points:
        if not inside(point.x, point.y):
            raise InputError(
                f"point {point.x:g},{point.y:g} on frame {point.frame} is outside the "
                f"{box.width}x{box.height} frame (origin top-left)"
            )
    for prompt in prompts.boxes:
        if not (inside(prompt.x0, prompt.y0) and inside(prompt.x1, prompt.y1)):
            raise InputError(
                f"box {prompt.x0:g},{prompt.y0:g},{prompt.x1:g},{prompt.y1:g} on frame {prompt.frame} "
                f"is outside the {box.width}x{box.height} frame (origin top-left)"
            )
