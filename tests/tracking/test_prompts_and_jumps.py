"""Prompt parsing and checks, and jump warnings."""

from __future__ import annotations

import numpy as np
import pytest

from videomama.errors import InputError
from videomama.sequences.images import ImageWindows
from videomama.sequences.pattern import FrameRange
from videomama.tracking import registry
from videomama.tracking.jumps import JumpDetector
from videomama.tracking.prompts import (
    BoxPrompt, MaskKeyframe, Point, Prompts, check_prompts, parse_boxes, parse_mask_keyframes, parse_points, prompt_arguments,
)

WINDOWS = ImageWindows.full_frame(320, 180)
FRAMES = FrameRange(1001, 1010)


def test_points_boxes_and_keyframes_parse():
    points = parse_points(["1001:10,20,+;1002:30.5,40,-"])
    assert [(p.frame, p.x, p.y, p.positive) for p in points] == [(1001, 10, 20, True), (1002, 30.5, 40, False)]
    assert parse_boxes(["1001:1,2,30,40"])[0].x1 == 30
    assert parse_mask_keyframes(["1001=roto.1001.exr", "1005 = a b.exr"]) == [
        MaskKeyframe(1001, "roto.1001.exr"), MaskKeyframe(1005, "a b.exr")
    ]


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
    (Prompts(masks=[MaskKeyframe(1020, "m.exr")]), "keyframe 1020 is outside the tracked frames 1001-1010"),
    (Prompts(points=parse_points(["1001:400,20,+"])), "outside the 320x180 frame"),
    (Prompts(boxes=parse_boxes(["1001:-5,0,10,10"])), "outside the 320x180 frame"),
    # With several objects the message names the prompt's object.
    (Prompts(masks=parse_mask_keyframes(["hero:1001=a.exr", "prop:1020=b.exr"])),
     "keyframe 1020 of object 'prop' is outside the tracked frames 1001-1010"),
    (Prompts(points=parse_points(["hero:1001:10,10,+;prop:1001:400,20,+"])),
     "point 400,20 of object 'prop' on frame 1001 is outside the 320x180 frame"),
    (Prompts(boxes=parse_boxes(["hero:1001:1,1,5,5;prop:1001:-5,0,10,10"])),
     "box -5,0,10,10 of object 'prop' on frame 1001 is outside"),
    # One object, named or not: the message is as it always was.
    (Prompts(points=parse_points(["hero:1001:400,20,+"])), "point 400,20 on frame 1001 is outside"),
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
    with pytest.raises(InputError, match=r"points and boxes need the SAM2 tracker \(--tracker sam2\)"):
        registry.resolve("flow", Prompts(masks=[MaskKeyframe(1001, "m.exr")], points=parse_points(["1001:1,1,+"])))
    assert registry.resolve("auto", Prompts(masks=[MaskKeyframe(1001, "m.exr")])) == "flow"


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


def test_prompts_name_their_object():
    points = parse_points(["hero:1001:10,20,+;prop:1002:5,6,-;1003:1,2,+"])
    assert [(p.object, p.frame, p.x, p.positive) for p in points] == [
        ("hero", 1001, 10, True), ("prop", 1002, 5, False), ("subject", 1003, 1, True)
    ]
    [box] = parse_boxes(["prop_2 : 1001:10,10,200,200"])
    assert (box.object, box.frame, box.x1) == ("prop_2", 1001, 200)
    # A path's own colon is not an object name; a named keyframe may hold one too.
    assert parse_mask_keyframes(["1001=C:/roto/a.exr", "hero_1:1001=C:/roto/b.exr", "prop:-5=p.exr"]) == [
        MaskKeyframe(1001, "C:/roto/a.exr"), MaskKeyframe(1001, "C:/roto/b.exr", "hero_1"), MaskKeyframe(-5, "p.exr", "prop"),
    ]
    prompts = Prompts(masks=parse_mask_keyframes(["prop:1001=a.exr", "hero:1001=b.exr"]), points=points)
    assert prompts.objects == ["hero", "prop", "subject"]  # name order, as EXR stores layers
    assert prompts.keyframes("hero") == {1001: "b.exr"} and prompts.keyframes("subject") == {}


@pytest.mark.parametrize("make,words", [
    (lambda: parse_points(["1hero:1001:10,20,+"]), "object name '1hero' is not valid: start with a letter"),
    (lambda: parse_boxes(["my.obj:1001:1,2,30,40"]), "object name 'my.obj' is not valid"),
    (lambda: parse_mask_keyframes(["he ro:1001=a.exr"]), "object name 'he ro' is not valid"),
    (lambda: parse_points(["hero:1001:10,20"]), r"write \[OBJECT:\]FRAME:X,Y,\+"),
    (lambda: parse_mask_keyframes(["hero:roto.exr"]), r"write \[OBJECT:\]FRAME=FILE"),
    (lambda: Prompts(masks=parse_mask_keyframes(["hero:1001=a.exr", "hero:1001=b.exr"])),
     r"frame hero:1001 has two mask keyframes \(a.exr and b.exr\)"),
    (lambda: Prompts(masks=parse_mask_keyframes(["1001=a.exr", "1001=b.exr"])), r"^frame 1001 has two mask keyframes"),
])
def test_bad_object_prompts_say_what_is_wrong(make, words):
    with pytest.raises(InputError, match=words):
        make()


def test_one_keyframe_per_object_and_frame():
    prompts = Prompts(masks=parse_mask_keyframes(["hero:1001=a.exr", "prop:1001=b.exr"]))
    assert prompts.frames == [1001] and prompts.objects == ["hero", "prop"]


def test_flow_tracker_needs_a_mask_keyframe_per_object(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path))  # no SAM2 weights: auto means flow
    prompts = Prompts(masks=parse_mask_keyframes(["hero:1001=a.exr"]), points=parse_points(["prop:1001:1,1,+"]))
    for tracker in ("flow", "auto"):
        with pytest.raises(InputError, match=r"object 'prop' has none \(--mask-keyframe prop:FRAME=FILE\)"):
            registry.resolve(tracker, prompts)
    both = Prompts(masks=parse_mask_keyframes(["hero:1001=a.exr", "prop:1004=b.exr"]))
    assert registry.resolve("flow", both) == "flow"


def test_jump_warnings_name_the_object_when_there_are_several():
    rng = np.random.default_rng(0)
    texture = rng.random((90, 200, 3)).astype(np.float32)
    detector = JumpDetector(["hero", "prop"])
    for frame in range(1001, 1005):
        plate = np.roll(texture, 2 * (frame - 1001), axis=1)[:, :160]
        masks = np.zeros((2, 90, 160), np.float32)
        x = 40 + 2 * (frame - 1001)
        masks[0, 10:40, x : x + 30] = 1.0
        masks[1, 50:80, x : x + 30] = 1.0
        if frame == 1003:
            masks[1] = np.roll(masks[1], 60, axis=1)  # only "prop" grabs something else
        found = detector.check(frame, plate, masks)
        assert found == [w for w in detector.warnings if w.frame == frame]
    assert [(w.frame, w.object) for w in detector.warnings] == [(1003, "prop"), (1004, "prop")]
    assert str(detector.warnings[0]).startswith("frame 1003 (prop): the mask jumps")


def test_prompt_arguments_parse_back_to_the_same_prompts():
    import argparse

    from videomama.cli.arguments import add_prompt_arguments, prompts_from_args

    prompts = Prompts(
        masks=[MaskKeyframe(1001, "/shots/C:roto.exr"), MaskKeyframe(-5, "/r.exr", "hero")],
        points=[Point(-3, 1e-05, 2.5, True), Point(1003, 1919.75, 0.0, False, "prop")],
        boxes=[BoxPrompt(1001, 0.1, 2, 300.25, 400, "hero")],
    )
    parser = argparse.ArgumentParser()
    add_prompt_arguments(parser)
    assert prompts_from_args(parser.parse_args(prompt_arguments(prompts))) == prompts
