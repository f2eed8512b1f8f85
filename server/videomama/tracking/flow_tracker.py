"""CPU tracker: carry keyframe masks through the shot with dense optical flow.

Each mask keyframe is propagated frame by frame (DIS flow, ``backends.classic.flow``)
away from itself in both directions; a frame between two keyframes blends the
mask carried forward from the earlier one with the mask carried backward from
the later one, weighted by distance, so every keyframe re-anchors the track
and drift never accumulates over more than half a keyframe interval.

Several objects: each is carried from its own keyframes and blended between
them, and all are carried across the same flow, computed once per frame
pair (the flow is most of the cost; the per-object fit is cheap).

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Step:
    """The motion between two frames, computed once and shared by every object carried across it."""

    ahead: np.ndarray  # old frame -> new frame
    back: np.ndarray  # new frame -> old frame
    trust_old: np.ndarray  # forward-backward consistency, on the old frame
    grey_to: np.ndarray  # the new frame's grey, for edge snapping


def step(grey_from: np.ndarray, grey_to: np.ndarray, dis: cv2.DISOpticalFlow, size: tuple[int, int]) -> Step:
    """Dense flow both ways between two frames (either direction in time), at mask size ``size``."""
    ahead = _flow(dis, grey_from, grey_to, size)
    back = _flow(dis, grey_to, grey_from, size)
    return Step(ahead, back, consistency(ahead, back), grey_to)


def carry(mask: np.ndarray, motion: Step) -> np.ndarray:
    """Carry ``mask`` across one ``step``.

    Dense flow is smoothed across the subject's edge (it mixes the subject's
    motion with the background's), so pulling mask values along it drags the
    edge a little every frame and a long track drifts.  Instead the subject's
    own motion is fitted as one similarity transform (move, turn, scale) to
    the flow of its interior, away from the edge, where only forward-backward
    consistent vectors are kept; the mask is moved by that transform, then
    the remaining local motion (deformation) is pulled along the residual
    flow where it is trusted.
    """
    transform = _subject_motion(mask, motion.ahead, motion.trust_old)
    if transform is None:
        # Too little subject to fit (tiny or empty mask): plain dense pull.
        return sharpen(warp(mask, motion.back))
    height, width = mask.shape[:2]
    moved = cv2.warpAffine(mask, transform, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return sharpen(_snap_to_edges(moved, motion.grey_to))


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
    """Propagates mask keyframes with optical flow; needs at least one mask keyframe per object."""

    identifier = "flow"
    display_name = "Optical-flow mask propagation (CPU)"
    needs_mask_keyframe = True
    takes_points_and_boxes = False

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
        keyframe_masks: Mapping[str, Mapping[int, Callable[[], np.ndarray]]],
        stop: StopToken | None = None,
        prompts: object = None,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(frame, masks)`` in frame order; masks are float32 (N, H, W) in [0, 1].

        ``keyframe_masks`` maps every object, in the order of the yielded
        masks, to its keyframes: frame -> a loader of the mask (loaded only
        when a sweep reaches it, so keyframes are not all held at once).
        Objects share each frame pair's flow; each is re-anchored at its own
        keyframes and blended between them.

        ``prompts`` (clicks, boxes) are not used: the registry refuses them
        for this tracker before a job starts.  ``plate(frame)`` returns the
        display-referred RGB of a frame.
        """
        stop = stop or StopToken()
        frames = sorted(frames)
        if not keyframe_masks:
            raise ValueError("the flow tracker needs at least one mask keyframe")
        for name, keys in keyframe_masks.items():
            if not keys:
                raise ValueError(f"the flow tracker needs a mask keyframe for object '{name}'")
        objects = list(keyframe_masks.values())
        key_frames = [sorted(keys) for keys in objects]
        with tempfile.TemporaryDirectory(prefix="videomama-track-") as spill:
            def path(kind: str, frame: int) -> str:
                return os.path.join(spill, f"{kind}.{frame}.npy")

            # Sweep 1, backwards: greys for every frame, backward-carried masks
            # for frames that have a keyframe of their object at or after them.
            dis = _make_dis()
            carried: list[np.ndarray | None] = [None] * len(objects)
            previous_grey = None
            for frame in reversed(frames):
                stop.check()
                grey = grey_for_flow(plate(frame))
                np.save(path("grey", frame), grey)
                motion = _SharedStep(dis, previous_grey, grey)
                for i, keys in enumerate(objects):
                    if frame in keys:
                        carried[i] = sharpen(keys[frame]())
                    elif carried[i] is not None:
                        carried[i] = motion.carry(carried[i])
                    if carried[i] is not None:
                        np.save(path(f"back{i}", frame), carried[i].astype(np.float16))
                previous_grey = grey

            # Sweep 2, forwards: carry each object's last keyframe seen, blend
            # with its spilled backward mask by distance to its two keyframes.
            carried = [None] * len(objects)
            last_key: list[int | None] = [None] * len(objects)
            previous_grey = None
            for frame in frames:
                stop.check()
                grey = np.load(path("grey", frame))
                motion = _SharedStep(dis, previous_grey, grey)
                masks = []
                for i, keys in enumerate(objects):
                    if frame in keys:
                        # Re-load the user's mask rather than the spilled half copy.
                        mask = np.clip(keys[frame](), 0.0, 1.0).astype(np.float32)
                        carried[i], last_key[i] = sharpen(mask), frame
                    else:
                        if carried[i] is not None:
                            carried[i] = motion.carry(carried[i])
                        mask = self._blend(frame, carried[i], last_key[i], key_frames[i], path(f"back{i}", frame))
                    masks.append(mask)
                yield frame, np.stack(masks)
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


class _SharedStep:
    """One frame pair's ``step``, computed when the first object needs it: the
    flow is the costly part, and a frame where every object sits on a
    keyframe needs none."""

    def __init__(self, dis: cv2.DISOpticalFlow, grey_from: np.ndarray | None, grey_to: np.ndarray) -> None:
        self._dis, self._from, self._to = dis, grey_from, grey_to
        self._step: Step | None = None

    def carry(self, mask: np.ndarray) -> np.ndarray:
        if self._step is None:
            self._step = step(self._from, self._to, self._dis, mask.shape[:2])
        return carry(mask, self._step)


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
