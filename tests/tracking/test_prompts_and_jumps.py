"""Prompt parsing and checks, and jump warnings."""

from __future__ import annotations

import numpy as np
import pytest

from videomama.errors import InputError
from videomama.sequences.image_io import ImageWindows
from videomama.sequences.pattern import FrameRange
from videomama.tracking import registry
from videomama.tracking.jumps import JumpDetector
from videomama.tracking.prompts import Prompts, check_prompts, parse_boxes, parse_mask_keyframes, parse_points

WINDOWS = ImageWindows.full_frame(320, 180)
FRAMES = FrameRange(1001, 1010)


def test_points_boxes_and_keyframes_parse():
    points = parse_points(["1001:10,20,+;1002:30.5,40,-"])
    assert [(p.frame, p.x, p.y, p.positive) for p in points] == [(1001, 10, 20, True), (1002, 30.5, 40, False)]
    assert parse_boxes(["1001:1,2,30,40"])[0].x1 == 30
    assert parse_mask_keyframes(["1001=roto.1001.exr", "1005 = a b.exr"]) == {1001: "roto.1001.exr", 1005: "a b.exr"}


@pytest.mark.parametrize("parse,text,words", [
    (parse_points, "1001:10,20", "FRAME:X,Y,+"),
    (parse_boxes, "1001:30,40,1,2", "reversed"),
    (parse_mask_keyframes, "roto.exr", "FRAME=FILE"),
])
def test_malformed_prompts_say_the_form(parse, text, words):
    with pytest.raises(InputError, match=words):
        parse([text])


@pytest.mark.parametrize("prompts,words", [
    (Prompts(), "nothing to track"),
    (Prompts(masks={1020: "m.exr"}), "keyframe 1020 is outside the tracked frames 1001-1010"),
    (Prompts(points=parse_points(["1001:400,20,+"])), "outside the 320x180 frame"),
    (Prompts(boxes=parse_boxes(["1001:-5,0,10,10"])), "outside the 320x180 frame"),
])
def test_bad_prompts_are_input_errors(prompts, words):
    with pytest.raises(InputError, match=words):
        check_prompts(prompts, FRAMES, WINDOWS)


def test_flow_tracker_needs_a_mask_keyframe(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path))  # no SAM2 weights: auto means flow
    with pytest.raises(InputError, match="needs a mask keyframe"):
        registry.resolve("flow", Prompts(points=parse_points(["1001:1,1,+"])))
    with pytest.raises(InputError, match="needs a mask keyframe.*SAM2 cannot run here"):
        registry.resolve("auto", Prompts(boxes=parse_boxes(["1001:1,1,5,5"])))
    with pytest.raises(InputError, match="points and boxes need SAM2"):
        registry.resolve("flow", Prompts(masks={1001: "m.exr"}, points=parse_points(["1001:1,1,+"])))
    assert registry.resolve("auto", Prompts(masks={1001: "m.exr"})) == "flow"


def test_jumps_are_reported_smooth_motion_is_not():
    rng = np.random.default_rng(0)
    texture = rng.random((90, 200, 3)).astype(np.float32)
    detector = JumpDetector()
    for frame in range(1001, 1009):
        shift = 2 * (frame - 1001)
        plate = np.roll(texture, shift, axis=1)[:, :160]
        mask = np.zeros((90, 160), np.float32)
        x = 40 + shift + (60 if frame == 1006 else 0)  # frame 1006 grabs something else
        mask[30:60, x : x + 30] = 1.0
        detector.check(frame, plate, mask)
    assert [w.frame for w in detector.warnings] == [1006, 1007]
    assert "jumps" in str(detector.warnings[0])
