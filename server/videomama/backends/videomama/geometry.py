"""Where the model looks in the plate, at what size, and how its alpha goes back.

1. ``region_of_interest``: the union of the window's masks, grown by a
   margin.  A small subject in a 4K plate is then matted at its own
   resolution instead of being shrunk with the whole frame.
2. ``plan_placement``: the model canvas and the plate box it shows.  The
   canvas keeps the ROI's native resolution (the authors report the model
   works best near it) unless that exceeds the latent-token cap, in which case
   both axes are scaled by the same factor.  Its sides are rounded up to
   multiples of the networks' total downsampling, and the extra room is
   filled with real plate around the ROI; only what would fall outside the
   plate is padded.  Nothing is squashed.
3. ``Placement.crop`` / ``Placement.paste``: plate pixels in, alpha back
   out at the same place, zero outside.

Pure numpy and OpenCV, tested without a model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ...errors import InputError
from ...sequences.images import Box

# Masks are weak evidence at their very edge: anything above this counts.
MASK_PRESENT = 1e-3


@dataclass(frozen=True)
class ModelGrid:
    """Size rules the networks impose, read from their configs."""

    multiple: int  # canvas sides must be multiples of this (64 for the released weights)
    latent_factor: int  # image pixels per latent pixel along a side (8)

    def tokens(self, width: int, height: int) -> int:
        """Latent pixels of a canvas: what attention and memory scale with."""
        return (width // self.latent_factor) * (height // self.latent_factor)

    @property
    def smallest_tokens(self) -> int:
        return self.tokens(self.multiple, self.multiple)


def region_of_interest(masks: np.ndarray, margin: float) -> Box | None:
    """The box around every mask pixel of the window (T, H, W), grown by ``margin``.

    ``margin`` is a fraction of the box's longer side (at least 8 pixels), so
    the model sees some background around the subject; the box stays inside
    the plate.  None when no frame has any mask.
    """
    present = (masks > MASK_PRESENT).any(axis=0)  # (H, W)
    rows, cols = np.flatnonzero(present.any(axis=1)), np.flatnonzero(present.any(axis=0))
    if rows.size == 0:
        return None
    height, width = present.shape
    x0, x1, y0, y1 = cols[0], cols[-1] + 1, rows[0], rows[-1] + 1
    grow = max(8, math.ceil(margin * max(x1 - x0, y1 - y0)))
    x0, y0 = max(0, x0 - grow), max(0, y0 - grow)
    x1, y1 = min(width, x1 + grow), min(height, y1 + grow)
    return Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0))


@dataclass(frozen=True)
class Placement:
    """A plate box shown on the model canvas at one scale for both axes."""

    source: Box  # plate pixels on the canvas; may reach past the plate (padded there)
    width: int  # model canvas
    height: int

    @property
    def scale(self) -> float:
        """Canvas pixels per plate pixel (1.0: native resolution, no resampling)."""
        return self.width / self.source.width

    @property
    def resampled(self) -> bool:
        return (self.width, self.height) != (self.source.width, self.source.height)

    def crop(self, image: np.ndarray, pad: str) -> np.ndarray:
        """``source`` cut out of ``image`` (H, W[, C]) at plate resolution.

        ``pad`` is numpy's mode for the part past the plate: "edge" for
        plates (no false edge at the border), "constant" (zero) for masks.
        """
        height, width = image.shape[:2]
        box = self.source
        x0, y0 = max(box.x, 0), max(box.y, 0)
        x1, y1 = min(box.x + box.width, width), min(box.y + box.height, height)
        inside = image[y0:y1, x0:x1]
        before, after = (y0 - box.y, x0 - box.x), (box.y + box.height - y1, box.x + box.width - x1)
        if before == after == (0, 0):
            return inside
        widths = [(before[0], after[0]), (before[1], after[1])] + [(0, 0)] * (image.ndim - 2)
        return np.pad(inside, widths, mode=pad)

    def to_canvas(self, crop: np.ndarray) -> np.ndarray:
        """A crop at plate resolution resized onto the model canvas (area-averaged: it only shrinks)."""
        if not self.resampled:
            return crop
        return cv2.resize(crop, (self.width, self.height), interpolation=cv2.INTER_AREA)

    def paste(self, alpha: np.ndarray, plate_height: int, plate_width: int) -> np.ndarray:
        """``alpha`` at source resolution put back on a zero plate-size image."""
        if alpha.shape != (self.source.height, self.source.width):
            raise ValueError(f"alpha {alpha.shape} is not the source box {self.source.size_text}")
        out = np.zeros((plate_height, plate_width), np.float32)
        box = self.source
        x0, y0 = max(box.x, 0), max(box.y, 0)
        x1, y1 = min(box.x + box.width, plate_width), min(box.y + box.height, plate_height)
        out[y0:y1, x0:x1] = alpha[y0 - box.y : y1 - box.y, x0 - box.x : x1 - box.x]
        return out


def plan_placement(
    roi: Box, plate_width: int, plate_height: int, grid: ModelGrid, max_tokens: int, step: int | None = None
) -> Placement:
    """The canvas for ``roi``: native resolution, or scaled down to at most ``max_tokens``.

    Canvas sides are multiples of ``step`` (default: the grid's multiple).  A
    coarser step shows a little more plate around the subject but lets
    windows whose masks differ by a few pixels share one canvas size, which is
    what a compiled model needs to avoid compiling again.
    """
    step = step or grid.multiple
    if step % grid.multiple:
        raise InputError(f"canvas step {step} is not a multiple of {grid.multiple}")
    if max_tokens < grid.smallest_tokens:
        raise InputError(
            f"max_tokens={max_tokens} is below the smallest canvas the model takes "
            f"({grid.multiple}x{grid.multiple} = {grid.smallest_tokens} tokens)"
        )
    # 1. One scale for both axes: native, or what fits the token cap.
    pixels_allowed = max_tokens * grid.latent_factor**2
    scale = min(1.0, math.sqrt(pixels_allowed / (roi.width * roi.height)))
    # 2. Round the canvas up to the grid; rounding can overshoot the cap, so
    #    shrink the scale a little until it fits (at worst one grid cell).
    while True:
        width = _round_up(roi.width * scale, step)
        height = _round_up(roi.height * scale, step)
        if grid.tokens(width, height) <= max_tokens:
            break
        if (width, height) == (step, step):  # even one step is over the cap: fall back to the grid
            step = grid.multiple
            continue
        scale *= 0.98
    # 3. The plate box the canvas shows: the ROI grown to the canvas's aspect
    #    (so nothing is squashed), centred on it and kept inside the plate.
    #    Since width >= roi.width * scale, the box always holds the whole ROI.
    source_width = max(roi.width, round(width / scale))
    source_height = max(roi.height, round(height / scale))
    x = _place_span(roi.x, roi.width, source_width, plate_width)
    y = _place_span(roi.y, roi.height, source_height, plate_height)
    return Placement(Box(x, y, source_width, source_height), width, height)


def _round_up(value: float, multiple: int) -> int:
    # A hair of tolerance so 1280.0000001 does not become 1344.
    return max(multiple, math.ceil(value / multiple - 1e-9) * multiple)


def _place_span(start: int, length: int, span: int, limit: int) -> int:
    """Origin of a ``span`` holding [start, start + length), centred on it, inside [0, limit) if it fits."""
    if span >= limit:
        return -((span - limit) // 2)  # wider than the plate: centre the plate, pad both sides
    origin = math.floor(start + length / 2 - span / 2)
    return min(max(origin, 0), limit - span)
