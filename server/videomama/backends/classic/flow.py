"""Dense optical flow between neighbouring frames (OpenCV DIS).

Flow is estimated at a reduced size: DIS at about 960 px wide is accurate to a
fraction of a full-resolution pixel for the smooth motion we need, and several
times faster.  The 8-bit grey images fed to DIS only steer motion estimation;
no alpha value ever passes through 8 bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FLOW_WIDTH = 960


@dataclass
class Flow:
    """Flow from frame ``t`` to a neighbour, stored at reduced size."""

    field: np.ndarray  # (h, w, 2) float32, in reduced-size pixels
    full_size: tuple[int, int]  # (H, W) of the frames it aligns

    def at_full_size(self) -> np.ndarray:
        height, width = self.full_size
        h, w = self.field.shape[:2]
        resized = cv2.resize(self.field, (width, height), interpolation=cv2.INTER_LINEAR)
        resized[..., 0] *= width / w
        resized[..., 1] *= height / h
        return resized


def grey_for_flow(plate: np.ndarray) -> np.ndarray:
    """Display-referred RGB float -> reduced-size 8-bit grey for DIS."""
    height, width = plate.shape[:2]
    scale = min(1.0, FLOW_WIDTH / width)
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    grey = cv2.cvtColor(np.clip(plate, 0.0, 1.0).astype(np.float32), cv2.COLOR_RGB2GRAY)
    grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return np.round(grey * 255.0).astype(np.uint8)


class FlowEstimator:
    """Owns one DIS instance; flows are cached per (from, to) frame pair."""

    def __init__(self, greys: list[np.ndarray], full_size: tuple[int, int]) -> None:
        self._greys = greys
        self._full_size = full_size
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        self._cache: dict[tuple[int, int], Flow] = {}

    def __call__(self, source: int, target: int) -> Flow:
        """Flow mapping each pixel of frame ``source`` to its position in ``target``."""
        key = (source, target)
        if key not in self._cache:
            field = self._dis.calc(self._greys[source], self._greys[target], None)
            self._cache[key] = Flow(field, self._full_size)
        return self._cache[key]


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` at ``p + flow(p)``: brings a neighbour into this frame's pixels."""
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    return cv2.remap(
        image,
        grid_x + flow[..., 0],
        grid_y + flow[..., 1],
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def consistency(forward: np.ndarray, backward: np.ndarray, tolerance: float = 1.0) -> np.ndarray:
    """Forward-backward check: 1 where going there and back lands home, falling to 0 in occlusions."""
    round_trip = forward + warp(backward, forward)
    error = np.sqrt((round_trip**2).sum(axis=-1))
    return np.clip(1.0 - (error - tolerance) / (2.0 * tolerance), 0.0, 1.0).astype(np.float32)
