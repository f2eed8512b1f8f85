"""SAM2 click prompts from the node's point knobs.

The node has a few positive and negative XY knobs the artist drags in the
viewer.  A point exists on a frame where its knob has a keyframe: a keyframe
is a click, and the prompt of a frame gathers every point keyed there.

Nuke measures positions in pixels from the bottom-left corner of the format;
images (and SAM2) count rows from the top, so y is flipped against the
format height.  Labels follow SAM2's convention: 1 positive, 0 negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import PluginError

POSITIVE = 1
NEGATIVE = 0


@dataclass(frozen=True)
class PointKeys:
    """One point knob: its name, polarity and keyframes as (frame, x, y) in Nuke coordinates."""

    name: str
    positive: bool
    keys: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class Prompt:
    """The clicks on one frame, in image coordinates (x right, y down from the top)."""

    frame: int
    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...]


def prompts_from_points(knobs: Iterable[PointKeys], format_height: int) -> list[Prompt]:
    """Group keyed points into one prompt per keyframe, sorted by frame.

    Keyframes on fractional frames are rounded to the frame they sit on:
    a click belongs to an image.
    """
    by_frame: dict[int, list[tuple[str, float, float, int]]] = {}
    for knob in knobs:
        for frame, x, y in knob.keys:
            label = POSITIVE if knob.positive else NEGATIVE
            by_frame.setdefault(int(round(frame)), []).append((knob.name, x, format_height - y, label))
    prompts = []
    for frame in sorted(by_frame):
        clicks = sorted(by_frame[frame])  # by knob name: a stable order, whatever the knob order
        prompts.append(
            Prompt(frame, tuple((x, y) for _, x, y, _ in clicks), tuple(label for *_, label in clicks))
        )
    return prompts


def check_prompts(prompts: Sequence[Prompt], frames: tuple[int, int]) -> None:
    """Raise PluginError naming what to fix, before anything is sent."""
    if not prompts:
        raise PluginError(
            "'use points' is on but no point has a keyframe: in the viewer, place a positive "
            "point on the subject and set a key on it"
        )
    outside = [p.frame for p in prompts if not frames[0] <= p.frame <= frames[1]]
    if outside:
        raise PluginError(
            f"point keyframes on frames {', '.join(map(str, outside))} lie outside the frame range "
            f"{frames[0]}-{frames[1]}"
        )
    negative_only = [p.frame for p in prompts if POSITIVE not in p.labels]
    if negative_only:
        raise PluginError(
            f"frames {', '.join(map(str, negative_only))} have only negative points; "
            "each keyed frame needs at least one positive point"
        )


def prompts_for_key(prompts: Sequence[Prompt]) -> list:
    """A JSON-able form of the prompts, for the cache key."""
    return [[p.frame, [list(xy) for xy in p.points], list(p.labels)] for p in prompts]
