"""The bounding box of a region, so per-frame steps work on the part of the frame that matters."""

from __future__ import annotations

import numpy as np


def bounding_box(region: np.ndarray, margin: int) -> tuple[slice, slice] | None:
    """Slices of ``region``'s (H, W bool) bounding box grown by ``margin`` px, clipped to the frame; None if empty."""
    rows = np.flatnonzero(region.any(axis=1))
    cols = np.flatnonzero(region.any(axis=0))
    if rows.size == 0:
        return None
    height, width = region.shape
    return (
        slice(max(0, rows[0] - margin), min(height, rows[-1] + margin + 1)),
        slice(max(0, cols[0] - margin), min(width, cols[-1] + margin + 1)),
    )
