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


# Every prompt belongs to an object: ``object`` names it (a letter, then
# letters, digits, _ or -); "" is the default object, all a one-object track needs.


@dataclass(frozen=True)
class Point:
    """A click in plate pixels from the top-left of the display window: on the object or off it."""

    frame: int
    x: float
    y: float
    positive: bool = True
    object: str = ""


@dataclass(frozen=True)
class Box:
    """A box around the object in plate pixels from the top-left (x1 > x0, y1 > y0)."""

    frame: int
    x0: float
    y0: float
    x1: float
    y1: float
    object: str = ""


@dataclass(frozen=True)
class MaskKeyframe:
    """One object's mask for one frame: an absolute file path the daemon reads."""

    frame: int
    path: str
    object: str = ""


@dataclass(frozen=True)
class TrackSettings:
    """What a track is made from: mask keyframes, clicks and boxes; the
    tracker ("auto", "flow", "sam2"); and how several objects are written
    (``object_output``: "" = layers when there are several, "layers",
    "merged").  The daemon checks them and says what is wrong.

    ``mask_keyframes`` is frame -> absolute path for the default object, or
    a sequence of ``MaskKeyframe`` (any objects, several per frame)."""

    mask_keyframes: Mapping[int, str] | Sequence[MaskKeyframe] = field(default_factory=dict)
    points: Sequence[Point] = ()
    boxes: Sequence[Box] = ()
    tracker: str = "auto"
    soft: bool = False  # soft masks instead of hard 0/1
    object_output: str = ""

    def to_proto(self) -> pb.TrackSettings:
        return pb.TrackSettings(
            mask_keyframes=[pb.MaskKeyframe(frame=k.frame, path=k.path, object=k.object) for k in self._keyframes()],
            points=[pb.TrackPoint(frame=p.frame, x=p.x, y=p.y, positive=p.positive, object=p.object) for p in self.points],
            boxes=[pb.TrackBox(frame=b.frame, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1, object=b.object) for b in self.boxes],
            tracker=self.tracker,
            soft=self.soft,
            object_output=self.object_output,
        )

    def _keyframes(self) -> list[MaskKeyframe]:
        if isinstance(self.mask_keyframes, Mapping):
            return [MaskKeyframe(frame, path) for frame, path in sorted(self.mask_keyframes.items())]
        return list(self.mask_keyframes)
