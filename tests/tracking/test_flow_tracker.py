"""The CPU flow tracker on generated clips with exact masks (``alpha > 0.5``)."""

from __future__ import annotations

import numpy as np
import pytest

from videomama.backends.base import StopToken
from videomama.errors import CancelledError
from videomama.synthetic import ClipSpec, SyntheticClip
from videomama.tracking.flow_tracker import FlowTracker

FRAMES = 48


def _srgb(linear: np.ndarray) -> np.ndarray:
    x = np.clip(linear, 0.0, None)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055).astype(np.float32)


@pytest.fixture(scope="module")
def shot():
    """48 frames, 256x144: a moving, turning, breathing subject over a panning textured background."""
    spec = ClipSpec(width=256, height=144, frames=FRAMES, seed=0, motion_blur_samples=1,
                    hair_strands=0, mask_defects=False)
    clip = SyntheticClip(spec)
    rendered = [clip.render(i) for i in range(FRAMES)]
    return {f.frame: (_srgb(f.plate_linear), f.alpha > 0.5) for f in rendered}


def _track(shot, keyframes):
    tracker = FlowTracker()
    masks = tracker.track(
        sorted(shot), lambda f: shot[f][0], {k: (lambda k=k: shot[k][1].astype(np.float32)) for k in keyframes}
    )
    ious, order = [], []
    for frame, mask in masks:
        truth = shot[frame][1]
        predicted = mask > 0.5
        ious.append((predicted & truth).sum() / (predicted | truth).sum())
        order.append(frame)
    assert order == sorted(shot)  # every frame, in order
    return np.array(ious)


def test_one_keyframe_tracks_the_whole_shot(shot):
    ious = _track(shot, [1001])
    print(f"one keyframe: min IoU {ious.min():.3f}, mean {ious.mean():.3f}")
    assert ious.min() >= 0.9


def test_keyframes_every_24_frames(shot):
    # Keyframes on the 24-frame grid and on the shot's last frame, so every
    # frame lies between two keyframes and is tracked from both sides.
    ious = _track(shot, [1001, 1025, 1048])
    print(f"keyframes 1001, 1025, 1048: min IoU {ious.min():.3f}, mean {ious.mean():.3f}")
    assert ious.min() >= 0.95


def test_keyframes_every_24_frames_open_tail(shot):
    # Without a keyframe on the last frame the 23-frame tail is tracked one
    # way only, like a one-keyframe track of that length (measured 0.946).
    ious = _track(shot, [1001, 1025])
    print(f"keyframes 1001, 1025: min IoU {ious.min():.3f}, mean {ious.mean():.3f}")
    assert ious[:25].min() >= 0.95 and ious.min() >= 0.93


def test_keyframe_in_the_middle_tracks_both_ways(shot):
    ious = _track(shot, [1024])
    assert ious[23] == 1.0 and ious.min() >= 0.85


def test_stop_cancels(shot):
    stop = StopToken()
    stop.stop()
    with pytest.raises(CancelledError):
        next(FlowTracker().track(sorted(shot), lambda f: shot[f][0], {1001: lambda: shot[1001][1].astype(np.float32)}, stop))
