"""A contact sheet PNG a person can look at: plate, rough mask, matte, comp.

One row per sampled frame.  This is a preview for eyes only, so it is the one
place where values are clipped and quantised to 8 bits.
"""

from __future__ import annotations

import cv2
import numpy as np

from .sequences.conform import conform_mask
from .sequences.image_read import read_mask, read_plate
from .sequences.image_write import write_image
from .sequences.pattern import SequencePattern

COLUMNS = ("plate", "rough mask", "matte", "matte over green")
_GREEN = np.array([0.1, 0.8, 0.2], dtype=np.float32)
_LABEL_HEIGHT = 28


def _tile(image: np.ndarray, width: int) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    height = round(image.shape[0] * width / image.shape[1])
    return cv2.resize(np.clip(image, 0, 1).astype(np.float32), (width, height), interpolation=cv2.INTER_AREA)


def _draw_text(image: np.ndarray, text: str, origin: tuple[int, int], colour, scale: float) -> np.ndarray:
    # OpenCV draws text on 8-bit images only; the sheet is 8-bit in the end anyway.
    canvas = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1 + int(scale > 0.6), cv2.LINE_AA)
    return canvas.astype(np.float32) / 255.0


def _label(text: str, width: int) -> np.ndarray:
    strip = np.zeros((_LABEL_HEIGHT, width, 3), dtype=np.float32)
    return _draw_text(strip, text, (8, 20), (255, 255, 255), 0.55)


def frame_tiles(plate_path: str, mask_path: str, matte_path: str, width: int, colorspace=None) -> list[np.ndarray]:
    plate = read_plate(plate_path, colorspace=colorspace)
    mask = conform_mask(read_mask(mask_path), plate)
    alpha = read_mask(matte_path).pixels[..., 0]
    comp = plate.pixels * alpha[..., None] + _GREEN * (1.0 - alpha[..., None])
    return [_tile(image, width) for image in (plate.pixels, mask, alpha, comp)]


def write_contact_sheet(
    path: str,
    plate: str,
    mask: str,
    matte: str,
    frames: list[int],
    tile_width: int = 384,
    colorspace: str | None = None,
    mask_label: str = COLUMNS[1],
) -> str:
    plate_seq, mask_seq, matte_seq = (SequencePattern.parse(p) for p in (plate, mask, matte))
    labels = (COLUMNS[0], mask_label, *COLUMNS[2:])
    rows = [np.concatenate([_label(name, tile_width) for name in labels], axis=1)]
    for frame in frames:
        tiles = frame_tiles(plate_seq.path(frame), mask_seq.path(frame), matte_seq.path(frame), tile_width, colorspace)
        tiles[0] = _draw_text(tiles[0], str(frame), (8, 24), (255, 255, 50), 0.7)
        rows.append(np.concatenate(tiles, axis=1))
    sheet = np.concatenate(rows, axis=0)
    write_image(path, sheet, ("R", "G", "B"), pixel_type="uint8")
    return path
