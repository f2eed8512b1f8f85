"""Reach thin detail beyond the band: flyaway hair, fibres, antennae.

A rough mask stops where the solid subject stops; strands carry on far past
any band narrow enough for matting to stay well anchored, and widening the
band for them everywhere blurs the matte.  Instead the band is grown only
along thin structure the plate itself shows.

A pixel is "thin detail" when it differs from a clean estimate of what lies
behind it: the plate with every feature narrower than ``width`` px removed by
morphological open-close and close-open (a thin strand disappears whether it
is brighter or darker than its background, per channel, and in float so no
soft value is quantised).  Only detail connected to the band is kept, within
``reach`` px outside the mask and ``depth`` px inside it (rough masks swallow
the dense part of hair as solid), and the threshold rises above the plate's
own grain, measured where the trimap is known background: grain is thin
detail too, but it is everywhere, not attached to the subject.
"""

from __future__ import annotations

import cv2
import numpy as np

from .region import bounding_box

# sRGB units: a strand must stand this far off its background to count,
# and at least this many times the background's typical thin-detail level.
_FLOOR = 0.025
_GRAIN_FACTOR = 4.0


def clean_behind(plate: np.ndarray, width: int) -> np.ndarray:
    """(H, W, 3) float32: the plate with every feature narrower than ``width`` px removed."""
    image = np.clip(plate, 0.0, 1.0).astype(np.float32)
    size = max(3, int(width) | 1)   # odd, so the element is centred
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))

    def opened_then_closed(first: int, second: int) -> np.ndarray:
        return cv2.morphologyEx(cv2.morphologyEx(image, first, element), second, element)

    # Open-close removes thin bright features then thin dark ones; close-open the
    # reverse.  Their mean is a median-like clean plate that is neither biased
    # bright nor dark and works on float data (cv2.medianBlur past 5 px is 8-bit only).
    return 0.5 * (opened_then_closed(cv2.MORPH_OPEN, cv2.MORPH_CLOSE)
                  + opened_then_closed(cv2.MORPH_CLOSE, cv2.MORPH_OPEN))


def detail_unknown(
    plate: np.ndarray, mask: np.ndarray, unknown: np.ndarray, known_background: np.ndarray,
    width: int, reach: float, depth: float,
) -> np.ndarray:
    """(H, W) bool: thin-detail pixels (and their 1 px rim) to add to the unknown band."""
    added = np.zeros_like(unknown)
    # Work on the part of the frame a strand can reach (a small subject in a 4K
    # plate costs its own size), with a margin so the morphology sees past it.
    box = bounding_box(mask > 0.5, int(np.ceil(reach)) + width)
    if box is None:
        return added
    plate, mask, unknown, known_background = plate[box], mask[box], unknown[box], known_background[box]
    image = np.clip(plate, 0.0, 1.0).astype(np.float32)
    detail = np.linalg.norm(image - clean_behind(image, width), axis=2)
    grain = float(np.median(detail[known_background])) if known_background.any() else 0.0
    strands = detail > max(_FLOOR, _GRAIN_FACTOR * grain)
    # Strands count past the mask up to ``reach`` and inside it up to ``depth``:
    # masks drawn or segmented around hair take in its dense part as solid, and
    # solving it lets light through between strands; deeper in, thin detail is
    # the subject's own texture (a striped shirt), which stays foreground.
    outside = cv2.distanceTransform((mask <= 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    inside = cv2.distanceTransform((mask > 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    strands &= (outside <= reach) & (inside <= depth)
    # Keep only strands that touch the band: a strand grows out of the subject.
    count, labels = cv2.connectedComponents((strands | unknown).astype(np.uint8), connectivity=8)
    attached = np.zeros(count, dtype=bool)
    attached[np.unique(labels[unknown])] = True
    attached[0] = False
    kept = attached[labels] & strands & ~unknown
    # The rim gives the solver the strand's immediate background as unknown
    # too, so a strand's anti-aliased edge is solved rather than cut at zero.
    rim = cv2.dilate(kept.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    added[box] = rim & ~unknown
    return added
