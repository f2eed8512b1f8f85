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
        sorted(shot), lambda f: shot[f][0], {"subject": {k: (lambda k=k: shot[k][1].astype(np.float32)) for k in keyframes}}
    )
    ious, order = [], []
    for frame, mask in masks:
        truth = shot[frame][1]
        assert mask.shape == (1, *truth.shape)  # one object
        predicted = mask[0] > 0.5
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
        next(FlowTracker().track(sorted(shot), lambda f: shot[f][0], {"subject": {1001: lambda: shot[1001][1].astype(np.float32)}}, stop))


def _loaders(clip, keyframes: dict[str, list[int]]):
    return {
        name: {k: (lambda name=name, k=k: clip.truth[name][k].astype(np.float32)) for k in keys}
        for name, keys in keyframes.items()
    }


def test_two_objects_each_follow_their_own_keyframes(two_objects):
    # "hero" is keyed on the first frame only (tracked forwards), "prop" on
    # the last only (tracked backwards), so each is anchored by its own keys.
    keyframes = {"hero": [1001], "prop": [1024]}
    ious = {name: [] for name in keyframes}
    for frame, masks in FlowTracker().track(two_objects.frames, two_objects.plates.__getitem__, _loaders(two_objects, keyframes)):
        assert masks.shape == (2, 128, 192) and masks.dtype == np.float32
        for i, name in enumerate(keyframes):
            predicted, truth = masks[i] > 0.5, two_objects.truth[name][frame]
            ious[name].append((predicted & truth).sum() / (predicted | truth).sum())
            other = two_objects.truth["prop" if name == "hero" else "hero"][frame]
            assert (predicted & other).sum() == 0, (frame, name)  # no bleeding into the other object
    print({name: f"min IoU {min(values):.3f}" for name, values in ious.items()})
    assert ious["hero"][0] == 1.0 and ious["prop"][-1] == 1.0  # each exact at its own keyframe
    assert min(ious["hero"]) >= 0.93 and min(ious["prop"]) >= 0.93


def test_objects_share_one_flow_per_frame_pair_and_track_as_if_alone(two_objects, monkeypatch):
    from videomama.tracking import flow_tracker

    steps = []
    real_step = flow_tracker.step
    monkeypatch.setattr(flow_tracker, "step", lambda *args: steps.append(1) or real_step(*args))
    frames = two_objects.frames[:10]
    keyframes = {"hero": [1001, 1010], "prop": [1005]}
    together = dict(FlowTracker().track(frames, two_objects.plates.__getitem__, _loaders(two_objects, keyframes)))
    # Per sweep, one flow per frame pair that has an object to carry: backwards
    # 1010 -> 1001 (9 pairs: "hero" back from 1010), forwards 1001 -> 1010 (9 pairs).
    assert len(steps) == 18
    for i, name in enumerate(keyframes):
        alone = dict(FlowTracker().track(frames, two_objects.plates.__getitem__, _loaders(two_objects, {name: keyframes[name]})))
        for frame in frames:
            np.testing.assert_array_equal(together[frame][i], alone[frame][0])


def test_every_object_needs_a_mask_keyframe(two_objects):
    loaders = {"hero": {1001: lambda: two_objects.truth["hero"][1001].astype(np.float32)}, "prop": {}}
    with pytest.raises(ValueError, match="needs a mask keyframe for object 'prop'"):
        next(FlowTracker().track(two_objects.frames, two_objects.plates.__getitem__, loaders))
