"""How a matte or a track is computed, as the caller states it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from videomama_proto.v1 import videomama_pb2 as pb


@dataclass(frozen=True)
class MatteSettings:
    """None means "the daemon's default", so clients never duplicate defaults."""

    backend: str = "auto"
    window: int | None = None  # frames per window
    overlap: int | None = None  # frames shared by neighbouring windows
    colorspace: str | None = None  # the plate's colour space
    options: Mapping[str, str] = field(default_factory=dict)  # backend options, NAME -> VALUE

    def to_proto(self) -> pb.MatteSettings:
        return pb.MatteSettings(
            backend=self.backend,
            window=self.window or 0,
            overlap=self.overlap,  # None leaves the optional field unset
            colorspace=self.colorspace or "",
            options={name: str(value) for name, value in self.options.items()},
        )


@dataclass(frozen=True)
class Point:
    """A click in plate pixels from the top-left of the display window: on the subject or off it."""

    frame: int
    x: float
    y: float
    positive: bool = True


@dataclass(frozen=True)
class Box:
    """A box around the subject in plate pixels from the top-left (x1 > x0, y1 > y0)."""

    frame: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class TrackSettings:
    """What a track is made from: mask keyframes (frame -> absolute file path
    the daemon reads), clicks and boxes; and the tracker ("auto", "flow",
    "sam2").  The daemon checks them and says what is wrong."""

    mask_keyframes: Mapping[int, str] = field(default_factory=dict)
    points: Sequence[Point] = ()
    boxes: Sequence[Box] = ()
    tracker: str = "auto"
    soft: bool = False  # soft masks instead of hard 0/1

    def to_proto(self) -> pb.TrackSettings:
        return pb.TrackSettings(
            mask_keyframes=[pb.MaskKeyframe(frame=f, path=p) for f, p in sorted(self.mask_keyframes.items())],
            points=[pb.TrackPoint(frame=p.frame, x=p.x, y=p.y, positive=p.positive) for p in self.points],
            boxes=[pb.TrackBox(frame=b.frame, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1) for b in self.boxes],
            tracker=self.tracker,
            soft=self.soft,
        )
