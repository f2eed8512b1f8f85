"""CPU tracker: carry keyframe masks through the shot with dense optical flow.

Each mask keyframe is propagated frame by frame (DIS flow, ``backends.classic.flow``)
away from itself in both directions; a frame between two keyframes blends the
mask carried forward from the earlier one with the mask carried backward from
the later one, weighted by distance, so every keyframe re-anchors the track
and drift never accumulates over more than half a keyframe interval.

Memory stays flat with shot length: a first sweep runs backwards over the shot
(reading each plate once) and spills the backward-carried masks and the small
grey images flow needs to a temporary folder; the second sweep runs forwards
from those files alone and yields finished masks in frame order.

``backends.classic.flow`` supplies the grey images, warping and the
forward-backward check; its ``FlowEstimator`` is not used because it holds
every frame's grey image of a window, and tracking streams the whole shot.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence

import cv2
import numpy as np

from ..backends.base import Availability, StopToken
from ..backends.classic.flow import Flow, consistency, grey_for_flow, warp

# Each propagation step re-sharpens the mask to a ramp this wide (in mask
# values around 0.5): bilinear warping blurs an edge a little every frame, and
# without this a mask carried 48 frames would melt into a gradient.
_SHARPEN_RAMP = 0.25
# Guided-filter regulariser (grey in 0..1): edges with less contrast than
# about sqrt(eps) do not move the mask.
_GUIDE_EPS = 3e-4


def _flow(dis: cv2.DISOpticalFlow, source: np.ndarray, target: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Full-size flow mapping each pixel of ``source`` to its position in ``target``."""
    return Flow(dis.calc(source, target, None), size).at_full_size()


def propagate(mask: np.ndarray, grey_from: np.ndarray, grey_to: np.ndarray, dis: cv2.DISOpticalFlow) -> np.ndarray:
    """Carry ``mask`` from one frame to the next (either direction in time).

    Dense flow is smoothed across the subject's edge (it mixes the subject's
    motion with the background's), so pulling mask values along it drags the
    edge a little every frame and a long track drifts.  Instead the subject's
    own motion is fitted as one similarity transform (move, turn, scale) to
    the flow of its interior, away from the edge, where only forward-backward
    consistent vectors are kept; the mask is moved by that transform, then
    the remaining local motion (deformation) is pulled along the residual
    flow where it is trusted.
    """
    size = mask.shape[:2]
    ahead = _flow(dis, grey_from, grey_to, size)  # old frame -> new frame
    back = _flow(dis, grey_to, grey_from, size)  # new frame -> old frame
    trust_old = consistency(ahead, back)
    transform = _subject_motion(mask, ahead, trust_old)
    if transform is None:
        # Too little subject to fit (tiny or empty mask): plain dense pull.
        return sharpen(warp(mask, back))
    height, width = size
    moved = cv2.warpAffine(mask, transform, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return sharpen(_snap_to_edges(moved, grey_to))


def _snap_to_edges(mask: np.ndarray, grey: np.ndarray) -> np.ndarray:
    """Pull the mask's edge onto the picture's edges with a grey-guided filter.

    The similarity transform cannot follow deformation (a bending arm); the
    guided filter lets the mask follow the new frame's own edges within a few
    pixels, which corrects that each frame before it can accumulate.
    """
    height, width = mask.shape
    guide = cv2.resize(grey, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    radius = max(1, round(0.008 * max(height, width)))
    kernel = (2 * radius + 1, 2 * radius + 1)
    mean = lambda image: cv2.boxFilter(image, -1, kernel)  # noqa: E731 - local helper
    mean_g, mean_m = mean(guide), mean(mask)
    var_g = mean(guide * guide) - mean_g * mean_g
    cov = mean(guide * mask) - mean_g * mean_m
    a = cov / (var_g + _GUIDE_EPS)
    b = mean_m - a * mean_g
    return np.clip(mean(a) * guide + mean(b), 0.0, 1.0).astype(np.float32)


def _subject_motion(mask: np.ndarray, ahead: np.ndarray, trust: np.ndarray) -> np.ndarray | None:
    """A 2x3 similarity transform fitted to the subject's consistent interior flow."""
    solid = (mask > 0.5).astype(np.uint8)
    margin = max(2, round(0.01 * max(mask.shape)))
    interior = cv2.erode(solid, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
    ys, xs = np.nonzero((interior > 0) & (trust > 0.5))
    if len(xs) < 16:
        return None
    # A few thousand samples fit as well as every pixel and keep 4K fast.
    pick = np.random.default_rng(0).choice(len(xs), size=min(len(xs), 4000), replace=False)
    xs, ys = xs[pick], ys[pick]
    source = np.stack([xs, ys], axis=1).astype(np.float32)
    target = source + ahead[ys, xs]
    transform, _ = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=1.0)
    return transform


def sharpen(mask: np.ndarray) -> np.ndarray:
    """A steep ramp around 0.5: keeps the edge crisp without aliasing it to one pixel."""
    return np.clip((mask - 0.5) / (2 * _SHARPEN_RAMP) + 0.5, 0.0, 1.0).astype(np.float32)


class FlowTracker:
    """Propagates mask keyframes with optical flow; needs at least one mask keyframe."""

    identifier = "flow"
    display_name = "Optical-flow mask propagation (CPU)"
    needs_mask_keyframe = True

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True)

    @classmethod
    def fingerprint(cls) -> str:
        """What decides this tracker's masks, for the settings hash (no model to load)."""
        return "flow: DIS optical flow"

    def describe(self) -> dict[str, str]:
        return {"tracker": self.identifier, "model": "DIS optical flow"}

    def track(
        self,
        frames: Sequence[int],
        plate: Callable[[int], np.ndarray],
        keyframe_masks: dict[int, Callable[[], np.ndarray]],
        stop: StopToken | None = None,
        prompts: object = None,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(frame, mask)`` in frame order; masks are float32 (H, W) in [0, 1].

        ``prompts`` (clicks, boxes) are not used: the registry refuses them
        for this tracker before a job starts.

        ``plate(frame)`` returns the display-referred RGB of a frame;
        ``keyframe_masks`` maps each keyframe to a loader of its mask (loaded
        only when the sweep reaches it, so keyframes are not all held at once).
        """
        stop = stop or StopToken()
        frames = sorted(frames)
        keys = sorted(keyframe_masks)
        if not keys:
            raise ValueError("the flow tracker needs at least one mask keyframe")
        with tempfile.TemporaryDirectory(prefix="videomama-track-") as spill:
            def path(kind: str, frame: int) -> str:
                return os.path.join(spill, f"{kind}.{frame}.npy")

            # Sweep 1, backwards: greys for every frame, backward-carried masks
            # for frames that have a keyframe at or after them.
            dis = _make_dis()
            carried, previous_grey = None, None
            for frame in reversed(frames):
                stop.check()
                grey = grey_for_flow(plate(frame))
                np.save(path("grey", frame), grey)
                if frame in keyframe_masks:
                    carried = sharpen(keyframe_masks[frame]())
                elif carried is not None:
                    carried = propagate(carried, previous_grey, grey, dis)
                if carried is not None:
                    np.save(path("back", frame), carried.astype(np.float16))
                previous_grey = grey

            # Sweep 2, forwards: carry the last keyframe seen, blend with the
            # spilled backward mask by distance to the two keyframes.
            carried, previous_grey, last_key = None, None, None
            for frame in frames:
                stop.check()
                grey = np.load(path("grey", frame))
                if frame in keyframe_masks:
                    # Re-load the user's mask rather than the spilled half copy.
                    mask = np.clip(keyframe_masks[frame](), 0.0, 1.0).astype(np.float32)
                    carried, last_key = sharpen(mask), frame
                    yield frame, mask
                else:
                    if carried is not None:
                        carried = propagate(carried, previous_grey, grey, dis)
                    yield frame, self._blend(frame, carried, last_key, keys, path("back", frame))
                previous_grey = grey
                os.remove(path("grey", frame))

    @staticmethod
    def _blend(frame: int, forward: np.ndarray | None, last_key: int | None, keys: list[int], back_path: str) -> np.ndarray:
        next_key = next((k for k in keys if k > frame), None)
        backward = np.load(back_path).astype(np.float32) if next_key is not None else None
        if forward is None:
            return backward
        if backward is None:
            return forward
        w = (frame - last_key) / (next_key - last_key)
        return ((1.0 - w) * forward + w * backward).astype(np.float32)



def _make_dis() -> cv2.DISOpticalFlow:
    """DIS tuned for tracking rather than for the matting backend's smoothing.

    Errors here accumulate over every frame of a track, so flow is refined
    down to the finest pyramid level (the preset stops one level short, which
    halves the resolution of the motion) and polished by extra variational
    iterations; this costs about twice the preset's time and halves the drift.
    """
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    dis.setFinestScale(0)
    dis.setVariationalRefinementIterations(5)
    return dis
