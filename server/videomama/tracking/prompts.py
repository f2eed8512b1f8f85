"""Tracking prompts as compositors type them, parsed and checked before any work.

Coordinates are pixels of the plate's display window with the origin at the
top-left (the image convention of OpenImageIO and of the written masks), so
``--points "1001:960,540,+"`` is the centre of a 1920x1080 frame.

Every prompt belongs to a named object (``hero:1001:960,540,+``); without a
name it belongs to ``DEFAULT_OBJECT``, so a shot with one subject is typed as
before objects existed.  Each object is tracked into its own mask.
"""

from __future__ import annotations

import re
from decimal import Decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import InputError
from ..sequences.images import ImageWindows
from ..sequences.pattern import FrameRange

DEFAULT_OBJECT = "subject"
# Object names become EXR layer names (Nuke shows ``hero.A`` as layer ``hero``),
# which Nuke takes as letters, digits and _ only.
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NAME_RULE = "start with a letter; letters, digits and _ only"

_NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*"
_POINT_RE = re.compile(rf"^\s*(-?\d+)\s*:{_NUMBER},{_NUMBER},\s*([+-])\s*$")
_BOX_RE = re.compile(rf"^\s*(-?\d+)\s*:{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$")
_KEY_RE = re.compile(r"^\s*(-?\d+)\s*=(.+)$")
# An optional ``NAME:`` before a prompt.  The name may not hold ``=``, so the
# colon of a keyframe's path (``1001=C:/roto.exr``) is never taken for one.
_PREFIX_RE = re.compile(r"^\s*([^:=]+?)\s*:(.*)$", re.DOTALL)
_FRAME_RE = re.compile(r"^-?\d+$")


def check_object_name(name: str) -> str:
    """``name`` when it can name an object (and its EXR layer); InputError otherwise."""
    if not _NAME_RE.match(name):
        raise InputError(f"object name '{name}' is not valid: {NAME_RULE}")
    return name


@dataclass(frozen=True)
class Point:
    frame: int
    x: float
    y: float
    positive: bool
    object: str = DEFAULT_OBJECT

    def __post_init__(self) -> None:
        check_object_name(self.object)


@dataclass(frozen=True)
class BoxPrompt:
    frame: int
    x0: float
    y0: float
    x1: float
    y1: float
    object: str = DEFAULT_OBJECT

    def __post_init__(self) -> None:
        # Here rather than in the parser, so boxes sent to the daemon get the same checks.
        check_object_name(self.object)
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise InputError(
                f"box {self.frame}:{self.x0:g},{self.y0:g},{self.x1:g},{self.y1:g} is empty or reversed: "
                "X1 must exceed X0 and Y1 exceed Y0"
            )


@dataclass(frozen=True)
class MaskKeyframe:
    """A mask file for one object on one frame."""

    frame: int
    path: str
    object: str = DEFAULT_OBJECT

    def __post_init__(self) -> None:
        check_object_name(self.object)

    @property
    def label(self) -> str:
        """How the CLI would type it: ``1001``, or ``hero:1001`` for a named object."""
        return str(self.frame) if self.object == DEFAULT_OBJECT else f"{self.object}:{self.frame}"


@dataclass
class Prompts:
    """Everything the user gave the tracker, by object and keyframe."""

    masks: list[MaskKeyframe] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    boxes: list[BoxPrompt] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_one_mask_per_frame(self.masks)

    @property
    def objects(self) -> list[str]:
        """Every prompted object, in name order: the order of the masks trackers yield and of EXR channels."""
        return sorted({p.object for p in (*self.masks, *self.points, *self.boxes)})

    @property
    def frames(self) -> list[int]:
        return sorted({p.frame for p in (*self.masks, *self.points, *self.boxes)})

    @property
    def empty(self) -> bool:
        return not (self.masks or self.points or self.boxes)

    def keyframes(self, name: str) -> dict[int, str]:
        """One object's mask keyframes, frame -> file."""
        return {k.frame: k.path for k in self.masks if k.object == name}


def _check_one_mask_per_frame(masks: Iterable[MaskKeyframe]) -> None:
    seen: dict[tuple[str, int], str] = {}
    for key in masks:
        if (key.object, key.frame) in seen:
            raise InputError(
                f"frame {key.label} has two mask keyframes ({seen[key.object, key.frame]} and {key.path}); give one"
            )
        seen[key.object, key.frame] = key.path


def _split_object(item: str) -> tuple[str, str]:
    """``"hero:rest"`` -> ``("hero", "rest")``; an item without a name belongs to the default object."""
    match = _PREFIX_RE.match(item)
    if match is None or _FRAME_RE.match(match.group(1)):
        return DEFAULT_OBJECT, item
    return check_object_name(match.group(1)), match.group(2)


def _items(texts: list[str]) -> Iterable[tuple[str, str, str]]:
    """``;``-separated items of repeatable option values: (object, the rest, the item as typed)."""
    for text in texts:
        for item in filter(str.strip, text.split(";")):
            yield (*_split_object(item), item.strip())


def _parse(texts: list[str], pattern: re.Pattern, what: str, form: str, make: Callable[..., object]) -> list:
    """Every item matched by ``pattern``, made into a prompt by ``make(object, *groups)``."""
    prompts = []
    for name, rest, item in _items(texts):
        match = pattern.match(rest)
        if match is None:
            raise InputError(f"{what} '{item}' is not valid: write {form}")
        prompts.append(make(name, *match.groups()))
    return prompts


def parse_points(texts: list[str]) -> list[Point]:
    """``"1001:x,y,+;hero:1001:x,y,-"`` (repeatable) -> points; ``+`` on the object, ``-`` off it."""
    return _parse(
        texts, _POINT_RE, "point",
        "[OBJECT:]FRAME:X,Y,+ or [OBJECT:]FRAME:X,Y,- (e.g. 1001:960,540,+ or hero:1001:960,540,+)",
        lambda name, frame, x, y, sign: Point(int(frame), float(x), float(y), sign == "+", name),
    )


def parse_boxes(texts: list[str]) -> list[BoxPrompt]:
    """``"1001:x0,y0,x1,y1"`` or ``"hero:1001:x0,y0,x1,y1"`` (repeatable, ``;``-separated) -> boxes."""
    return _parse(
        texts, _BOX_RE, "box", "[OBJECT:]FRAME:X0,Y0,X1,Y1 (e.g. 1001:100,50,900,1000)",
        lambda name, frame, *corners: BoxPrompt(int(frame), *map(float, corners), object=name),
    )


def parse_mask_keyframes(texts: list[str]) -> list[MaskKeyframe]:
    """``"1001=roto.1001.exr"`` or ``"hero:1001=roto.1001.exr"`` (repeatable, one file each) -> keyframes."""
    keys = []
    for text in texts:
        name, rest = _split_object(text)
        match = _KEY_RE.match(rest)
        if match is None:
            raise InputError(
                f"mask keyframe '{text}' is not valid: write [OBJECT:]FRAME=FILE (e.g. 1001=roto.1001.exr)"
            )
        keys.append(MaskKeyframe(int(match.group(1)), match.group(2).strip(), name))
    return keys


def prompt_arguments(prompts: Prompts) -> list[str]:
    """``videomama track`` arguments that parse back to ``prompts`` exactly (a farm's Track task).

    Written as ``--flag=value``: a value for a negative frame ("-5=roto.exr")
    would otherwise read as an option to argparse.
    """
    arguments = [f"--mask-keyframe={_prefix(key.object)}{key.frame}={key.path}" for key in prompts.masks]
    for point in prompts.points:
        sign = "+" if point.positive else "-"
        arguments.append(f"--points={_prefix(point.object)}{point.frame}:{_number(point.x)},{_number(point.y)},{sign}")
    for box in prompts.boxes:
        corners = ",".join(_number(value) for value in (box.x0, box.y0, box.x1, box.y1))
        arguments.append(f"--box={_prefix(box.object)}{box.frame}:{corners}")
    return arguments


def _prefix(name: str) -> str:
    return "" if name == DEFAULT_OBJECT else f"{name}:"


def _number(value: float) -> str:
    # The parsers take plain decimals only: never an exponent, and the same float back.
    return format(Decimal(repr(float(value))), "f")


def check_prompts(prompts: Prompts, frames: FrameRange, windows: ImageWindows) -> None:
    """Every prompt lies in the tracked range and inside the frame; raise InputError otherwise.

    With several objects the messages name the prompt's object.
    """
    if prompts.empty:
        raise InputError("nothing to track: give a mask keyframe (--mask-keyframe FRAME=FILE), points (--points) or a box (--box)")
    named = len(prompts.objects) > 1

    def of(name: str) -> str:
        return f" of object '{name}'" if named else ""

    for prompt in sorted((*prompts.masks, *prompts.points, *prompts.boxes), key=lambda p: p.frame):
        if prompt.frame not in frames:
            raise InputError(
                f"keyframe {prompt.frame}{of(prompt.object)} is outside the tracked frames {frames}; "
                "prompts must be on frames being tracked"
            )
    box = windows.display

    def inside(x: float, y: float) -> bool:
        return box.x <= x <= box.x + box.width and box.y <= y <= box.y + box.height

    for point in prompts.points:
        if not inside(point.x, point.y):
            raise InputError(
                f"point {point.x:g},{point.y:g}{of(point.object)} on frame {point.frame} is outside the "
                f"{box.width}x{box.height} frame (origin top-left)"
            )
    for prompt in prompts.boxes:
        if not (inside(prompt.x0, prompt.y0) and inside(prompt.x1, prompt.y1)):
            raise InputError(
                f"box {prompt.x0:g},{prompt.y0:g},{prompt.x1:g},{prompt.y1:g}{of(prompt.object)} on frame "
                f"{prompt.frame} is outside the {box.width}x{box.height} frame (origin top-left)"
            )
