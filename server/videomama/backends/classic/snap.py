"""Move a rough mask's edge onto the subject's edge.

Rough masks are often too fat or too thin as a whole: drawn loose, grown for
safety, or segmented at low resolution.  Averaging the plate's gradient
magnitude over each iso-distance line around the mask edge gives a profile
that peaks where the real edge runs; the offset of that peak is how far the
mask edge sits from it.  Moving the edge by that offset lets the matting band
stay narrow (fast, well anchored) while still containing the true edge.
"""

from __future__ import annotations

import cv2
import numpy as np


def signed_distance(mask: np.ndarray) -> np.ndarray:
    """Distance to the mask edge in pixels: negative inside, positive outside."""
    inside = (mask > 0.5).astype(np.uint8)
    outside_distance = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)
    inside_distance = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    return outside_distance - inside_distance


def gradient_magnitude(plate: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(np.clip(plate, 0.0, 1.0).astype(np.float32), cv2.COLOR_RGB2GRAY)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return np.hypot(gx, gy)


def edge_offset(plate: np.ndarray, distance: np.ndarray, search: int) -> int:
    """Offset in pixels (positive = outward) at which the plate's edges line up best."""
    near = np.abs(distance) <= search
    if not near.any():
        return 0
    bins = np.round(distance[near]).astype(np.int64) + search
    strength = np.bincount(bins, gradient_magnitude(plate)[near], 2 * search + 1)
    counts = np.bincount(bins, None, 2 * search + 1)
    profile = strength / np.maximum(counts, 1)
    return int(np.argmax(profile)) - search


def snap_masks(plates: np.ndarray, masks: np.ndarray, search: int) -> np.ndarray:
    """Masks with their edges moved onto the plates' edges.

    Offsets are smoothed over time (a running median of three) so a single
    frame with a misleading profile cannot make the edge jump, which would
    show up as flicker.
    """
    distances = [signed_distance(mask) for mask in masks]
    offsets = np.array([edge_offset(p, d, search) for p, d in zip(plates, distances)], float)
    if len(offsets) >= 3:
        padded = np.concatenate([offsets[:1], offsets, offsets[-1:]])
        offsets = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    snapped = np.empty_like(masks)
    for t, (distance, offset) in enumerate(zip(distances, offsets)):
        # An edge already in place keeps its own (possibly soft) values.
        snapped[t] = masks[t] if offset == 0 else (distance <= offset).astype(np.float32)
    return snapped
