"""Jump warnings: frames where a tracked mask suddenly disagrees with the one before.

A track that jumps (the tracker lost the subject, grabbed a neighbour, or a
keyframe disagrees with the propagated mask) is worth a look before the matte
is rendered.  Each frame is compared with the previous frame's mask carried
forward by optical flow, so ordinary motion is not reported, only changes the
motion does not explain.  Streaming: only the previous frame is held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..backends.classic.flow import Flow, grey_for_flow, warp

# Below this IoU with the flow-carried previous mask, a frame "jumps".
IOU_LIMIT = 0.8
# Area changing by more than this factor in one frame is a jump.
AREA_RATIO_LIMIT = 1.5
# Centroid moving further than this fraction of the frame diagonal beyond
# what the flow explains is a jump.
CENTROID_LIMIT = 0.05


@dataclass(frozen=True)
class JumpWarning:
    frame: int
    reason: str
    object: str = ""  # named only when the track has several objects

    def __str__(self) -> str:
        where = f"frame {self.frame} ({self.object})" if self.object else f"frame {self.frame}"
        return f"{where}: {self.reason}"


class JumpDetector:
    """Feed frames in order with ``check(frame, plate, masks)``; collects warnings.

    ``objects`` names the masks of each frame, in order; with several, every
    warning names its object.  The flow between two frames is computed once
    for all of them.
    """

    def __init__(self, objects: Sequence[str] = ("",)) -> None:
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        self._names = list(objects) if len(objects) > 1 else [""]
        self._previous: tuple[int, np.ndarray, np.ndarray] | None = None
        self.warnings: list[JumpWarning] = []

    def check(self, frame: int, plate: np.ndarray, masks: np.ndarray) -> list[JumpWarning]:
        """This frame's warnings; ``masks`` is (N, H, W), one per object, or one (H, W) mask."""
        grey = grey_for_flow(plate)
        masks = np.asarray(masks)
        solid = masks.reshape(-1, *masks.shape[-2:]) > 0.5
        found = []
        if self._previous is not None and self._previous[0] == frame - 1:
            _, previous_grey, previous_solid = self._previous
            back = Flow(self._dis.calc(grey, previous_grey, None), solid.shape[1:]).at_full_size()
            for name, before, now in zip(self._names, previous_solid, solid, strict=True):
                carried = warp(before.astype(np.float32), back) > 0.5
                warning = _compare(frame, carried, now, name)
                if warning:
                    found.append(warning)
        self.warnings.extend(found)
        self._previous = (frame, grey, solid)
        return found


def _compare(frame: int, carried: np.ndarray, mask: np.ndarray, name: str) -> JumpWarning | None:
    area_before, area_now = int(carried.sum()), int(mask.sum())
    if area_before == 0 and area_now == 0:
        return None
    if area_before == 0 or area_now == 0:
        return JumpWarning(frame, "the mask appears" if area_before == 0 else "the mask vanishes", name)
    iou = (carried & mask).sum() / (carried | mask).sum()
    if iou < IOU_LIMIT:
        return JumpWarning(frame, f"the mask jumps (IoU {iou:.2f} with the previous frame's mask carried by the motion)", name)
    ratio = area_now / area_before
    if not 1 / AREA_RATIO_LIMIT <= ratio <= AREA_RATIO_LIMIT:
        return JumpWarning(frame, f"the mask's area changes {ratio:.2f}x in one frame", name)
    shift = np.hypot(*(np.argwhere(mask).mean(axis=0) - np.argwhere(carried).mean(axis=0)))
    if shift > CENTROID_LIMIT * np.hypot(*mask.shape):
        return JumpWarning(frame, f"the mask's centre jumps {shift:.0f} px", name)
    return None
