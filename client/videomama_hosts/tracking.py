"""Tracking prompts as the host nodes collect them, for a track-then-matte job.

Instead of a mask on every frame, the artist gives the daemon what to track
the subject from:

* **clicks**: positive (on the subject) and negative (not the subject)
  points on chosen frames (Nuke: keyed XY knobs dragged in the viewer;
  Blender: clicks listed in the sidebar); they need SAM2 on the daemon;
* **boxes**: a box around the subject on chosen frames (Nuke: a keyed box
  knob; Blender: boxes listed in the sidebar); like clicks, they need a
  tracker that takes points and boxes (SAM2);
* **mask keyframes**: frames on which the host renders its mask (Nuke's Mask
  input, a Blender Mask datablock) for the tracker to carry through the shot;
  the flow tracker (the daemon's CPU fallback) needs at least one.

Which tracker takes which prompts is the daemon's rule: "auto" picks SAM2
where it can run, else the flow tracker.  The hosts ask the daemon's info
before rendering (``trackers``), and show any later refusal as it is.

Coordinates.  Nuke and Blender both measure positions in the image with y
growing *upwards* from the bottom edge of the format; the daemon (like
OpenImageIO, SAM2 and the files it writes) takes pixels of the plate's
display window with y growing *downwards* from the top edge.  x is the same
in both.  Positions are continuous (pixel edges at whole numbers), so a
point ``y_up`` above the bottom of an ``H``-pixel-high frame is
``y_top = H - y_up`` below its top: the bottom edge (0) becomes ``H`` and the
top edge (``H``) becomes 0.  A box's edges swap: the host's top edge is the
daemon's smaller y.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import PluginError
from .frames import describe_frames

TRACKERS = ("auto", "sam2", "flow")


@dataclass(frozen=True)
class Click:
    """A click in the daemon's coordinates: pixels from the top-left corner of the display window."""

    frame: int
    x: float
    y: float
    positive: bool = True


def _image_frame(frame: float) -> int:
    """A key on a fractional frame (a retimed curve) counts on the frame it rounds to: a prompt belongs to an image."""
    return int(round(frame))


def click_from_bottom_left(frame: float, x: float, y_up: float, height: float, positive: bool = True) -> Click:
    """A click the host measured from the bottom-left corner (see the module's docstring)."""
    return Click(_image_frame(frame), float(x), float(height) - float(y_up), bool(positive))


@dataclass(frozen=True)
class Box:
    """A box around the subject in the daemon's coordinates: pixels from the top-left (x0 < x1, y0 < y1)."""

    frame: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def empty(self) -> bool:
        return not (self.x0 < self.x1 and self.y0 < self.y1)


def box_from_bottom_left(frame: float, left: float, bottom: float, right: float, top: float, height: float) -> Box:
    """A box the host measured from the bottom-left corner (Nuke's x, y, r, t; see the module's docstring).

    The host's top edge becomes the daemon's y0 (``H - top``), its bottom
    edge y1 (``H - bottom``).  The edges are sorted first: a box dragged
    inside out in the viewer is still the same box, and the daemon refuses
    a reversed one.
    """
    left, right = sorted((float(left), float(right)))
    bottom, top = sorted((float(bottom), float(top)))
    return Box(_image_frame(frame), left, float(height) - top, right, float(height) - bottom)


@dataclass(frozen=True)
class TrackPrompts:
    """What the masks are tracked from; ``keyframes`` are the frames the host renders its mask on."""

    clicks: tuple[Click, ...] = ()
    keyframes: tuple[int, ...] = ()
    tracker: str = "auto"
    soft: bool = False  # soft masks (SAM2's probabilities) instead of hard 0/1 ones
    boxes: tuple[Box, ...] = ()

    @property
    def needing_points(self) -> tuple[str, ...]:
        """The kinds of prompt given that need a tracker taking points and boxes (SAM2), as refusals name them."""
        return tuple(name for name, given in (("clicks", self.clicks), ("boxes", self.boxes)) if given)

    def check(self, frames: tuple[int, int], nothing_hint: str) -> None:
        """Raise PluginError for what can be told before anything is rendered.

        ``nothing_hint`` says, in the host's words, where clicks, boxes and
        mask keyframes are given.
        """
        if self.tracker not in TRACKERS:
            raise PluginError(f"unknown tracker '{self.tracker}'; choose one of {', '.join(TRACKERS)}")
        if not self.clicks and not self.boxes and not self.keyframes:
            raise PluginError(f"nothing to track: {nothing_hint}")
        prompted = {prompt.frame for prompt in (*self.clicks, *self.boxes)} | set(self.keyframes)
        outside = [frame for frame in prompted if not frames[0] <= frame <= frames[1]]
        if outside:
            raise PluginError(
                f"clicks, boxes or mask keyframes on frame{'s' if len(outside) > 1 else ''} {describe_frames(outside)} "
                f"lie outside the frame range {frames[0]}-{frames[1]}"
            )
        empty = sorted(box.frame for box in self.boxes if box.empty)
        if empty:
            # The daemon would refuse it only after the Source is rendered.
            raise PluginError(
                f"the box on frame{'s' if len(empty) > 1 else ''} {describe_frames(empty)} is empty: "
                "give it a width and a height around the subject"
            )
        if not self.keyframes and not self.boxes and not any(click.positive for click in self.clicks):
            # Negative points only take areas away from a subject something else outlines.
            raise PluginError("every click is negative: add a positive click on the subject")

    def key(self) -> dict:
        """The prompts as JSON-able values for a cache key (the order prompts are sent in counts)."""
        values = {
            "clicks": [[c.frame, c.x, c.y, c.positive] for c in self.clicks],
            "keyframes": list(self.keyframes),
            "tracker": self.tracker,
            "soft": self.soft,
        }
        if self.boxes:  # only then: results cached before boxes existed keep their keys
            values["boxes"] = [[b.frame, b.x0, b.y0, b.x1, b.y1] for b in self.boxes]
        return values

    def settings(self, client_module, keyframe_files: Mapping[int, str]):
        """The client's ``TrackSettings``; ``keyframe_files``: the rendered mask of each keyframe."""
        return client_module.TrackSettings(
            mask_keyframes={frame: keyframe_files[frame] for frame in self.keyframes},
            points=[
                client_module.Point(frame=c.frame, x=c.x, y=c.y, positive=c.positive) for c in self.clicks
            ],
            boxes=[client_module.Box(frame=b.frame, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1) for b in self.boxes],
            tracker=self.tracker,
            soft=self.soft,
        )


def jump_summary(frames: Iterable[int]) -> str:
    """One line for the frames where the daemon saw the tracked mask jump."""
    frames = sorted(set(frames))
    return (
        f"the tracked mask jumps on frame{'s' if len(frames) > 1 else ''} {describe_frames(frames)}: "
        "check the matte there and add a click or a mask keyframe"
    )


def with_jumps(text: str, frames: Iterable[int]) -> str:
    """``text``, then where the tracked mask jumped if it did: a result says so every time it is shown."""
    frames = list(frames)
    return f"{text}; {jump_summary(frames)}" if frames else text
