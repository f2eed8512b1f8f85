"""SAM2 tracker with the real network built from its packaged config, random weights.

Random weights mean the masks are meaningless; what is checked is the
plumbing: our frame loader, prompts on several keyframes, both directions,
shapes at plate resolution, soft versus hard output.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sam2")

from videomama.tracking.prompts import Prompts, parse_boxes, parse_points  # noqa: E402
from videomama.tracking.sam2_tracker import Sam2Tracker  # noqa: E402


@pytest.fixture(scope="module")
def tracker():
    return Sam2Tracker(image_size=512, random_weights=True, device="cpu")


def test_prompts_in_the_middle_cover_every_frame_both_ways(tracker):
    rng = np.random.default_rng(0)
    plates = {f: rng.random((90, 160, 3)).astype(np.float32) for f in range(1001, 1005)}
    mask = np.zeros((90, 160), np.float32)
    mask[20:60, 30:90] = 1.0
    prompts = Prompts(points=parse_points(["1002:40,30,+;1002:100,60,-"]), boxes=parse_boxes(["1003:10,10,80,70"]))
    out = list(tracker.track(sorted(plates), plates.__getitem__, {"subject": {1004: lambda: mask}}, prompts=prompts))
    assert [frame for frame, _ in out] == [1001, 1002, 1003, 1004]  # before and after the prompts, in order
    for _, soft in out:
        assert soft.shape == (1, 90, 160) and soft.dtype == np.float32
        assert np.isfinite(soft).all() and 0.0 <= soft.min() and soft.max() <= 1.0
    # Soft output is sigmoid(logits): not already binary.
    assert any(len(np.unique(soft)) > 2 for _, soft in out)
    assert "random" in tracker.describe()["model"]


def test_several_objects_give_one_mask_each_both_ways(tracker):
    rng = np.random.default_rng(1)
    plates = {f: rng.random((90, 160, 3)).astype(np.float32) for f in range(1001, 1006)}
    mask = np.zeros((90, 160), np.float32)
    mask[20:60, 30:90] = 1.0
    # "hero" is clicked on 1002, "prop" has a mask on 1004: frames before,
    # between and after the prompts, for objects prompted on different frames.
    prompts = Prompts(points=parse_points(["hero:1002:120,30,+;hero:1002:40,60,-"]))
    keyframes = {"hero": {}, "prop": {1004: lambda: mask}}
    out = list(tracker.track(sorted(plates), plates.__getitem__, keyframes, prompts=prompts))
    assert [frame for frame, _ in out] == [1001, 1002, 1003, 1004, 1005]
    for _, masks in out:
        assert masks.shape == (2, 90, 160) and masks.dtype == np.float32
        assert np.isfinite(masks).all() and 0.0 <= masks.min() and masks.max() <= 1.0
    # On its mask keyframe SAM2 returns an object's given mask as it is, so
    # "prop" must be the second layer: SAM2 met it first (masks are added
    # before clicks), and the layers still come in our objects' order.
    hero, prop = dict(out)[1004]
    assert ((prop > 0.5) == (mask > 0.5)).mean() > 0.98
    assert ((hero > 0.5) == (mask > 0.5)).mean() < 0.9  # each object its own output, not a merge


def test_availability_without_weights_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path))
    availability = Sam2Tracker.availability()
    assert not availability.available and "videomama models fetch sam2" in availability.reason


def test_checkpoint_layout(tmp_path):
    from videomama.tracking import sam2_models

    assert sam2_models.installed_size(tmp_path) is None
    path = sam2_models.checkpoint_path("small", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    assert path.name == "sam2.1_hiera_small.pt" and sam2_models.installed_size(tmp_path) == "small"


def test_one_tracker_tracks_shot_after_shot_as_if_new(tracker):
    """What lets the daemon keep SAM2 loaded: a pass leaves nothing behind for the next."""
    rng = np.random.default_rng(2)
    shot = {f: rng.random((90, 160, 3)).astype(np.float32) for f in range(1001, 1004)}
    other = {f: rng.random((64, 96, 3)).astype(np.float32) for f in range(1, 6)}
    clicks = Prompts(points=parse_points(["1002:40,30,+"]))
    first = list(tracker.track(sorted(shot), shot.__getitem__, {"subject": {}}, prompts=clicks))
    list(tracker.track(sorted(other), other.__getitem__, {"a": {}, "b": {}}, prompts=Prompts(
        points=parse_points(["a:3:10,10,+;b:2:50,30,+"]))))
    again = list(tracker.track(sorted(shot), shot.__getitem__, {"subject": {}}, prompts=clicks))
    assert [f for f, _ in again] == [f for f, _ in first]
    for (_, before), (_, after) in zip(first, again):
        np.testing.assert_array_equal(before, after)


def test_close_frees_the_network():
    tracker = Sam2Tracker(image_size=512, random_weights=True, device="cpu")
    tracker.close()
    assert tracker.predictor is None


def test_track_cli_with_clicks_runs_sam2(small_clip, tmp_path, capsys, monkeypatch):
    # No checkpoint in tests: stand a random-weight tracker in for the installed one
    # (its own: the command line closes its tracker after the track).
    tracker = Sam2Tracker(image_size=512, random_weights=True, device="cpu")
    from videomama.backends.base import Availability
    from videomama.cli.main import main
    from videomama.sequences.image_read import read_mask

    class Installed:
        availability = classmethod(lambda cls: Availability(True))
        fingerprint = classmethod(lambda cls: "sam2: random weights")

        def __new__(cls):
            return tracker

    monkeypatch.setattr("videomama.tracking.registry.tracker_class", lambda name: Installed)
    out = str(tmp_path / "m.####.exr")
    assert main(["track", "--plate", small_clip.plate, "--frames", "1001-1003", "--points", "1002:80,40,+",
                 "--box", "1002:40,10,120,90", "--out", out, "--tracker", "sam2", "-q"]) == 0
    assert "3 masks written (tracker sam2)" in capsys.readouterr().out
    mask = read_mask(out.replace("####", "1001")).pixels
    assert mask.shape == (96, 160, 1) and set(np.unique(mask)) <= {0.0, 1.0}
    assert tracker.predictor is None  # freed once the command's track was written
