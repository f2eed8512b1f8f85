"""The values every image function passes around: boxes, windows, pixels with their windows.

Compositing images carry two windows: the *data window* (the pixels actually
stored, which may be larger than the frame for overscan or smaller for a crop)
and the *display window* (the frame the shot is framed to).  Every array here
covers the data window, and the windows travel with it so a matte is written
back exactly where the plate was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    """A pixel rectangle: origin (x, y), top-left, and size."""

    x: int
    y: int
    width: int
    height: int

    @property
    def size_text(self) -> str:
        return f"{self.width}x{self.height}"

    @staticmethod
    def union(boxes: Iterable[Box]) -> Box:
        """The smallest box holding all of ``boxes``."""
        boxes = list(boxes)
        x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
        x1 = max(b.x + b.width for b in boxes)
        y1 = max(b.y + b.height for b in boxes)
        return Box(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class ImageWindows:
    """Data window (pixels stored) and display window (the frame)."""

    data: Box
    display: Box

    @classmethod
    def full_frame(cls, width: int, height: int) -> ImageWindows:
        """Both windows equal to a plain width x height frame at the origin."""
        box = Box(0, 0, width, height)
        return cls(data=box, display=box)


@dataclass
class ImageData:
    """Pixels of one image's data window, with the windows and where it came from."""

    pixels: np.ndarray  # float32, (H, W, C), H x W = the data window
    channel_names: tuple[str, ...]
    windows: ImageWindows
    path: str


def one_line(message: str) -> str:
    """OIIO errors may span lines; our errors are printed on one."""
    return " ".join(message.split()) or "unknown error"
