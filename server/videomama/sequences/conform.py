"""Putting a mask on its plate's pixels: data windows, and masks exported at another resolution."""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import InputError
from .images import Box, ImageData, ImageWindows


def place(src: np.ndarray, src_box: Box, dst_box: Box) -> np.ndarray:
    """Copy ``src`` (positioned at ``src_box``) into a zero image covering ``dst_box``.

    Works both ways: a data window onto a larger canvas, or a canvas cut back
    to a data window.  Extra trailing axes (channels) are carried along.
    """
    if src_box == dst_box:
        return src
    out = np.zeros((dst_box.height, dst_box.width) + src.shape[2:], dtype=src.dtype)
    x0 = max(src_box.x, dst_box.x)
    y0 = max(src_box.y, dst_box.y)
    x1 = min(src_box.x + src_box.width, dst_box.x + dst_box.width)
    y1 = min(src_box.y + src_box.height, dst_box.y + dst_box.height)
    if x0 < x1 and y0 < y1:
        out[y0 - dst_box.y : y1 - dst_box.y, x0 - dst_box.x : x1 - dst_box.x] = src[
            y0 - src_box.y : y1 - src_box.y, x0 - src_box.x : x1 - src_box.x
        ]
    return out


def check_mask_fits(mask: ImageWindows, mask_path: str, plate: ImageWindows, plate_path: str) -> None:
    """Masks at another resolution must frame the same picture (aspect within 1%).

    Takes windows, not pixels, so a job can check every frame from headers
    alone before it reads or writes anything.
    """
    m, p = mask.display, plate.display
    if m == p:
        return
    if min(m.width, m.height, p.width, p.height) <= 0:
        raise InputError(
            f"mask '{mask_path}' ({m.size_text}) or plate '{plate_path}' "
            f"({p.size_text}) has an empty display window"
        )
    mask_aspect, plate_aspect = m.width / m.height, p.width / p.height
    if abs(mask_aspect / plate_aspect - 1.0) > 0.01:
        raise InputError(
            f"mask '{mask_path}' is {m.size_text} (aspect {mask_aspect:.3f}) but "
            f"plate '{plate_path}' is {p.size_text} (aspect {plate_aspect:.3f}); "
            "a mask at another resolution must have the same aspect ratio"
        )


def _resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixel-centre-aligned resize: area average when shrinking, bilinear otherwise."""
    shrinking = width < image.shape[1] and height < image.shape[0]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def conform_mask(mask: ImageData, plate: ImageData) -> np.ndarray:
    """The mask as float32 (H, W), pixel-aligned to the plate's data window.

    Same display window: pixels are placed by their absolute coordinates.
    Different display window (a mask exported at proxy resolution): the mask's
    display frame is scaled onto the plate's display frame.  In that case mask
    pixels outside its display window are not used.  Zero where the mask has
    no data.
    """
    values = mask.pixels[:, :, 0] if mask.pixels.ndim == 3 else mask.pixels
    values = np.asarray(values, dtype=np.float32)
    m_win, p_win = mask.windows, plate.windows
    if m_win.display == p_win.display:
        return place(values, m_win.data, p_win.data)
    check_mask_fits(m_win, mask.path, p_win, plate.path)
    framed = place(values, m_win.data, m_win.display)
    scaled = _resize(framed, p_win.display.width, p_win.display.height)
    return place(scaled, p_win.display, p_win.data)


