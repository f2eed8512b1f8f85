"""Shared tracking logic: prompts and their coordinates, the job that sends them, phases, frame lists."""

from types import SimpleNamespace

import pytest

from videomama_hosts import job, phases
from videomama_hosts.errors import PluginError
from videomama_hosts.frames import describe_frames, parse_frame_list
from videomama_hosts.manifest import OUR_FILES, CacheEntry
from videomama_hosts.tracking import (
    Box,
    Click,
    TrackPrompts,
    box_from_bottom_left,
    click_from_bottom_left,
    jump_summary,
    with_jumps,
)

# -- coordinates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y_up", "y_top"),
    [(0.0, 1080.0), (1080.0, 0.0), (540.0, 540.0), (1079.5, 0.5), (200.25, 879.75)],
)
def test_y_from_the_bottom_becomes_y_from_the_top(y_up, y_top):
    assert click_from_bottom_left(1001, 960.0, y_up, 1080) == Click(1001, 960.0, y_top, True)


def test_x_is_kept_and_a_fractional_key_lands_on_its_frame():
    assert click_from_bottom_left(1004.6, 12.5, 10, 64, positive=False) == Click(1005, 12.5, 54.0, False)


def test_a_box_flips_like_a_click_and_its_top_edge_becomes_y0():
    # Nuke's x, y, r, t in a 1080-high format: the top edge (t=1000) is 80 rows below the top.
    assert box_from_bottom_left(1001, 100.0, 200.0, 300.0, 1000.0, 1080) == Box(1001, 100.0, 80.0, 300.0, 880.0)
    top_left = click_from_bottom_left(1001, 100.0, 1000.0, 1080)
    bottom_right = click_from_bottom_left(1001, 300.0, 200.0, 1080)
    assert box_from_bottom_left(1001, 100.0, 200.0, 300.0, 1000.0, 1080) == Box(
        1001, top_left.x, top_left.y, bottom_right.x, bottom_right.y
    )


def test_a_box_dragged_inside_out_is_the_same_box_on_the_frame_its_key_rounds_to():
    assert box_from_bottom_left(1004.6, 300.0, 1000.0, 100.0, 200.0, 1080) == Box(1005, 100.0, 80.0, 300.0, 880.0)


# -- prompts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompts", "message"),
    [
        (TrackPrompts(), "nothing to track: click somewhere"),
        (TrackPrompts((Click(1, 1, 1),), tracker="sam3"), "unknown tracker 'sam3'; choose one of auto, sam2, flow"),
        (TrackPrompts((Click(0, 1, 1), Click(11, 1, 1)), (12,)), "on frames 0, 11-12 lie outside the frame range 1-10"),
        (TrackPrompts((Click(1, 1, 1, False), Click(2, 1, 1, False))), "every click is negative"),
        (TrackPrompts(boxes=(Box(11, 1, 1, 5, 5),)), "frame 11 lie outside the frame range 1-10"),
        (TrackPrompts(boxes=(Box(2, 1, 1, 5, 5), Box(3, 4, 1, 4, 5), Box(4, 1, 3, 5, 3))),
         "the box on frames 3-4 is empty: give it a width and a height"),
    ],
)
def test_prompts_that_cannot_track_say_why(prompts, message):
    with pytest.raises(PluginError, match=message):
        prompts.check((1, 10), "click somewhere")


def test_usable_prompts_pass():
    TrackPrompts((Click(1, 1, 1),)).check((1, 10), "")
    TrackPrompts(keyframes=(10,)).check((1, 10), "")
    TrackPrompts((Click(5, 1, 1, False),), (1,)).check((1, 10), "")  # a negative click refining a keyframe
    TrackPrompts(boxes=(Box(10, 1, 1, 5, 5),)).check((1, 10), "")
    TrackPrompts((Click(5, 1, 1, False),), boxes=(Box(5, 1, 1, 5, 5),)).check((1, 10), "")  # refining a box


def test_the_key_changes_with_every_prompt_and_setting():
    base = TrackPrompts((Click(1, 10.0, 20.0),), (1,))
    variants = [
        base,
        TrackPrompts((Click(1, 10.5, 20.0),), (1,)),
        TrackPrompts((Click(1, 10.0, 20.0, False),), (1,)),
        TrackPrompts((Click(2, 10.0, 20.0),), (1,)),
        TrackPrompts((Click(1, 10.0, 20.0),), (2,)),
        TrackPrompts((Click(1, 10.0, 20.0),), (1,), tracker="sam2"),
        TrackPrompts((Click(1, 10.0, 20.0),), (1,), soft=True),
        TrackPrompts((Click(1, 10.0, 20.0),), (1,), boxes=(Box(1, 1.0, 2.0, 3.0, 4.0),)),
        TrackPrompts((Click(1, 10.0, 20.0),), (1,), boxes=(Box(2, 1.0, 2.0, 3.0, 4.0),)),
        TrackPrompts((Click(1, 10.0, 20.0),), (1,), boxes=(Box(1, 1.0, 2.0, 3.5, 4.0),)),
    ]
    assert len({repr(v.key()) for v in variants}) == len(variants)
    assert base.key() == TrackPrompts((Click(1, 10.0, 20.0),), (1,)).key()
    assert "boxes" not in base.key()  # keys of results cached before boxes existed are unchanged


CLIENT_MODULE = SimpleNamespace(
    MatteSettings=lambda **kwargs: ("matte", kwargs),
    TrackSettings=lambda **kwargs: ("track", kwargs),
    Point=lambda **kwargs: ("point", kwargs),
    Box=lambda **kwargs: ("box", kwargs),
)


def test_a_track_first_job_sends_the_prompts_in_place_of_the_mask():
    matte = job.MatteJob("/c/s.####.exr", "/c/mask.####.exr", "/c/matte.####.exr", (1, 8), backend="classic",
                         window=4, overlap=1, colorspace="ACEScg", mask_channel="A", options={"k": "v"})
    prompts = TrackPrompts((Click(3, 1.5, 2.5, False),), (1,), "flow", True, boxes=(Box(2, 1.0, 2.0, 6.5, 7.0),))
    tracked = job.track_first(matte, prompts, {1: "/c/mask.0001.exr"}, "/c/tracked.####.exr")
    assert tracked.mask_channel is None and tracked.backend == "classic" and tracked.options == {"k": "v"}
    calls = []
    client = SimpleNamespace(submit_matte=lambda *args, **kwargs: calls.append((args, kwargs)) or "events")
    assert tracked.submit(client, CLIENT_MODULE) == "events"
    (args, kwargs), = calls
    assert args == (
        "/c/s.####.exr",
        ("track", {
            "mask_keyframes": {1: "/c/mask.0001.exr"},
            "points": [("point", {"frame": 3, "x": 1.5, "y": 2.5, "positive": False})],
            "boxes": [("box", {"frame": 2, "x0": 1.0, "y0": 2.0, "x1": 6.5, "y1": 7.0})],
            "tracker": "flow", "soft": True,
        }),
        "/c/matte.####.exr",
    )
    assert kwargs == {
        "frames": (1, 8), "shot": (1, 8), "track_output": "/c/tracked.####.exr",
        "settings": ("matte", {"backend": "classic", "window": 4, "overlap": 1, "colorspace": "ACEScg",
                               "options": {"k": "v"}}),
    }


def test_a_keyframe_without_its_file_is_a_bug_not_a_silent_drop():
    with pytest.raises(KeyError):
        TrackPrompts(keyframes=(1, 2)).settings(CLIENT_MODULE, {1: "/c/mask.0001.exr"})


class Entry(CacheEntry):
    frame_path = staticmethod(lambda pattern, frame: pattern.replace("####", f"{frame:04d}"))


def test_an_entry_names_its_keyframe_files_and_tracked_masks(tmp_path):
    entry = Entry(str(tmp_path), "ab" * 32)
    assert entry.keyframe_files((3, 9)) == {3: f"{entry.folder}/mask.0003.exr", 9: f"{entry.folder}/mask.0009.exr"}
    assert entry.tracked == f"{entry.folder}/tracked.####.exr"
    assert all(OUR_FILES.match(n) for n in ("tracked.0001.exr", ".tracked.0001.exr.tmp", "videomama.json"))
    assert not OUR_FILES.match("tracked_notes.txt")
    assert entry.jump_frames() == []
    entry.record("result", (1, 9), jump_frames=[4, 5])
    assert entry.jump_frames() == [4, 5]


# -- jumps ----------------------------------------------------------------------------------


def test_jumps_are_one_line_naming_the_frames():
    assert jump_summary([1012, 1003, 1004, 1003]) == (
        "the tracked mask jumps on frames 1003-1004, 1012: check the matte there and add a click or a mask keyframe"
    )
    assert jump_summary([7]).startswith("the tracked mask jumps on frame 7:")
    assert with_jumps("done", []) == "done"
    assert with_jumps("done", [7]) == f"done; {jump_summary([7])}"


# -- phases -------------------------------------------------------------------------------


def test_a_matte_job_fills_the_bar_by_frames():
    assert phases.job_fraction("matte", 3, 8, tracking=False) == 3 / 8
    assert phases.job_fraction("matte", 0, 0, tracking=False) == 0.0
    assert phases.job_fraction("matte", 9, 8, tracking=False) == 1.0  # never past the end


def test_a_track_then_matte_job_tracks_first_then_mattes_on_one_bar():
    share = phases.TRACK_SHARE
    track = [phases.job_fraction("track", done, 10, tracking=True) for done in range(11)]
    matte = [phases.job_fraction("matte", done, 10, tracking=True) for done in range(11)]
    assert track[0] == 0.0 and track[-1] == pytest.approx(share) and matte[0] == pytest.approx(share)
    assert matte[-1] == 1.0
    assert track + matte == sorted(track + matte)


@pytest.mark.parametrize(("fraction", "percent"), [(0.0, 0), (3 / 8, 37), (0.29, 29), (0.999, 99), (1.0, 100)])
def test_percent_rounds_down_without_float_noise(fraction, percent):
    assert phases.percent(fraction) == percent


# -- frame lists ------------------------------------------------------------------------------


def test_frame_lists_read_spaces_and_commas_sorted_once():
    assert parse_frame_list(" 1025, 1001  1025 -3", "mask keyframes") == (-3, 1001, 1025)
    assert parse_frame_list("", "mask keyframes") == ()


@pytest.mark.parametrize("text", ["1001-1005", "1001.5", "ten", "1001;1002"])
def test_anything_but_frame_numbers_is_refused_by_name(text):
    with pytest.raises(PluginError, match=r"in mask keyframes is not a frame number: list frames like 1001 1025"):
        parse_frame_list(text, "mask keyframes")


def test_frames_are_described_as_ranges():
    assert describe_frames([1006, 1001, 1002, 1003, 1006]) == "1001-1003, 1006"
    assert describe_frames([1, 3, 5, 7, 9, 11, 13, 15], limit=3) == "1, 3, 5, and 5 more"
