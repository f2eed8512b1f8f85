"""Knob values -> job, point and box knobs and mask keyframes -> tracking prompts: pure Python, no Nuke."""

from __future__ import annotations

import pytest
from videomama_client import Box as ClientBox
from videomama_client import MatteSettings, Point, TrackSettings
from videomama_hosts.job import track_first
from videomama_hosts.tracking import Box, Click, TrackPrompts
from videomama_nuke import points
from videomama_nuke.errors import PluginError
from videomama_nuke.request import (
    MASK_EXR_CHANNEL,
    NodeSettings,
    build_job,
    check_settings,
    key_settings,
    resolve_address,
    resolve_frames,
    resolve_token,
    track_prompts,
)


def test_input_range_by_default_custom_on_request():
    assert resolve_frames(NodeSettings(), (1001, 1048)) == (1001, 1048)
    custom = NodeSettings(range_mode="custom", range_first=1010, range_last=1020)
    assert resolve_frames(custom, (1001, 1048)) == (1010, 1020)
    assert resolve_frames(custom, None) == (1010, 1020)  # custom needs no Source range


@pytest.mark.parametrize(
    ("settings", "input_range", "message"),
    [
        (NodeSettings(), None, "connect a plate to the Source input"),
        (NodeSettings(range_mode="custom", range_first=20, range_last=10), None, "20-10 is reversed"),
        (NodeSettings(range_mode="sideways"), (1, 2), "unknown frame range mode"),
    ],
)
def test_bad_ranges_say_what_to_fix(settings, input_range, message):
    with pytest.raises(PluginError, match=message):
        resolve_frames(settings, input_range)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (NodeSettings(backend="sam9"), "unknown backend 'sam9'"),
        (NodeSettings(colorspace="Cineon"), "unknown source colourspace"),
        (NodeSettings(custom_windows=True, window=1), "window must be at least 2"),
        (NodeSettings(custom_windows=True, window=8, overlap=8), "overlap must be from 0 to 7"),
        (NodeSettings(custom_windows=True, window=8, overlap=-1), "overlap must be from 0 to 7"),
    ],
)
def test_values_the_daemon_would_refuse_are_caught_first(settings, message):
    with pytest.raises(PluginError, match=message):
        check_settings(settings)


def test_window_knobs_only_count_when_custom_windows_is_on():
    check_settings(NodeSettings(window=0, overlap=99))  # ignored: the daemon's defaults apply
    job = build_job(NodeSettings(window=0, overlap=99), "/c/s.####.exr", "/c/m.####.exr", "/c/o.####.exr", (1, 8))
    assert (job.window, job.overlap) == (None, None)


def test_the_job_sends_daemon_defaults_as_unset():
    import videomama_client

    job = build_job(NodeSettings(), "/c/source.####.exr", "/c/mask.####.exr", "/c/matte.####.exr", (1001, 1008))
    assert job.mask_channel == MASK_EXR_CHANNEL == "A"
    assert job.settings(videomama_client) == MatteSettings(backend="auto")
    custom = build_job(
        NodeSettings(backend="classic", custom_windows=True, window=6, overlap=2, colorspace="ACEScg"),
        "/s", "/m", "/o", (1, 2),
    )
    assert custom.settings(videomama_client) == MatteSettings(backend="classic", window=6, overlap=2, colorspace="ACEScg")


def test_the_key_holds_what_changes_the_matte_and_not_the_rest():
    base = key_settings(NodeSettings())
    assert key_settings(NodeSettings(address="farm:1", cache_dir="/elsewhere")) == base
    assert key_settings(NodeSettings(window=3)) == base  # not used without custom windows
    for changed in (
        NodeSettings(backend="classic"),
        NodeSettings(custom_windows=True),
        NodeSettings(colorspace="ACEScg"),
        NodeSettings(mask_channel="rgba.red"),
    ):
        assert key_settings(changed) != base
    clicks_only = TrackPrompts((Click(1, 1.0, 2.0),))
    with_points = key_settings(NodeSettings(use_points=True), clicks_only)
    assert "mask_channel" not in with_points  # the Mask input is not read at all
    assert with_points["prompts"] == {"clicks": [[1, 1.0, 2.0, True]], "keyframes": [], "tracker": "auto", "soft": False}
    with_keyframes = key_settings(NodeSettings(use_points=True), TrackPrompts(keyframes=(1,)))
    assert with_keyframes["mask_channel"] == "rgba.alpha"  # read on the keyframes
    with_box = key_settings(NodeSettings(use_points=True), TrackPrompts(boxes=(Box(1, 1.0, 2.0, 3.0, 4.0),)))
    assert with_box["prompts"]["boxes"] == [[1, 1.0, 2.0, 3.0, 4.0]]


def test_address_and_token_come_from_the_knob_then_the_environment():
    environ = {"VIDEOMAMA_ADDRESS": "render07:50051", "VIDEOMAMA_TOKEN": "s3cret"}
    assert resolve_address(NodeSettings(address=" ws12:6000 "), "127.0.0.1:50051", environ) == "ws12:6000"
    assert resolve_address(NodeSettings(), "127.0.0.1:50051", environ) == "render07:50051"
    assert resolve_address(NodeSettings(), "127.0.0.1:50051", {}) == "127.0.0.1:50051"
    assert resolve_token(environ) == "s3cret" and resolve_token({}) is None


# -- Tracking: point knobs and mask keyframes -----------------------------------------


def test_keyed_points_become_clicks_from_the_top_left():
    knobs = [
        points.PointKeys("positive1", True, ((1005.0, 12.0, 58.0), (1001.0, 10.0, 60.0))),
        points.PointKeys("negative1", False, ((1001.0, 50.0, 4.0),)),
        points.PointKeys("positive2", True, ()),  # never keyed: not a point
        points.PointKeys("positive3", True, ((1002.6, 0.0, 0.0),)),  # a retimed key: on the frame it rounds to
    ]
    # y_top = format height - y_nuke: Nuke's bottom-left origin to the daemon's top-left.
    assert points.clicks_from_points(knobs, format_height=64) == (
        Click(1001, 50.0, 60.0, False),
        Click(1001, 10.0, 4.0, True),
        Click(1003, 0.0, 64.0, True),  # the bottom-left corner
        Click(1005, 12.0, 6.0, True),
    )
    # Whatever order the knobs are read in, the clicks (and so the cache key) are the same.
    assert points.clicks_from_points(reversed(knobs), 64) == points.clicks_from_points(knobs, 64)


def test_track_prompts_take_the_keyframes_tracker_and_soft_knobs():
    settings = NodeSettings(use_points=True, mask_keyframes=" 1005, 1001 1005", tracker="flow", soft_masks=True)
    prompts = track_prompts(settings, (), (1001, 1008), mask_connected=True)
    assert prompts == TrackPrompts((), (1001, 1005), "flow", True)


@pytest.mark.parametrize(
    ("clicks", "keyframes", "mask_connected", "message"),
    [
        ((), "", True, "nothing to track: key a positive point or a box on the subject in the viewer"),
        ((Click(2000, 1.0, 1.0),), "", False, "frame 2000 lie outside the frame range 1001-1008"),
        ((Click(1001, 1.0, 1.0),), "1000 1009", True, "frames 1000, 1009 lie outside"),
        ((Click(1001, 1.0, 1.0, positive=False),), "", False, "every click is negative"),
        ((), "1001", False, "'mask keyframes' lists frames but nothing is connected to the Mask input"),
        ((), "1001-1005", True, "'1001-1005' in mask keyframes is not a frame number"),
    ],
)
def test_unusable_prompts_say_what_to_fix(clicks, keyframes, mask_connected, message):
    settings = NodeSettings(use_points=True, mask_keyframes=keyframes)
    with pytest.raises(PluginError, match=message):
        track_prompts(settings, clicks, (1001, 1008), mask_connected)


def test_an_unknown_tracker_is_refused_by_name():
    settings = NodeSettings(use_points=True, mask_keyframes="1001", tracker="sam9")
    with pytest.raises(PluginError, match="unknown tracker 'sam9'; choose one of auto, sam2, flow"):
        track_prompts(settings, (), (1001, 1008), mask_connected=True)


def test_box_keys_become_boxes_from_the_top_left():
    # Nuke's (frame, x, y, r, t) from the bottom-left of a 64-high format; keys read in any order.
    keys = [(1005.0, 30.0, 10.0, 60.0, 50.0), (1001.0, 8.0, 0.0, 40.0, 64.0), (1002.6, 40.0, 60.0, 20.0, 4.0)]
    assert points.boxes_from_knob(keys, format_height=64) == (
        Box(1001, 8.0, 0.0, 40.0, 64.0),  # the whole height: its top edge (t=64) is row 0
        Box(1003, 20.0, 4.0, 40.0, 60.0),  # dragged inside out, on the frame its key rounds to
        Box(1005, 30.0, 14.0, 60.0, 54.0),  # y0 = 64 - t, y1 = 64 - y
    )
    assert points.boxes_from_knob([], 64) == ()  # never keyed: no box


def test_a_box_alone_is_something_to_track_and_negative_clicks_may_refine_it():
    box = Box(1002, 1.0, 2.0, 30.0, 40.0)
    prompts = track_prompts(
        NodeSettings(use_points=True), (Click(1004, 3.0, 4.0, False),), (1001, 1008), False, boxes=(box,)
    )
    assert prompts.boxes == (box,) and prompts.keyframes == ()
    with pytest.raises(PluginError, match="frame 1009 lie outside the frame range 1001-1008"):
        track_prompts(NodeSettings(use_points=True), (), (1001, 1008), False, boxes=(Box(1009, 1.0, 2.0, 3.0, 4.0),))


def test_negative_clicks_may_refine_a_mask_keyframe():
    prompts = track_prompts(
        NodeSettings(use_points=True, mask_keyframes="1001"), (Click(1004, 3.0, 4.0, False),), (1001, 1008), True
    )
    assert prompts.keyframes == (1001,) and not prompts.clicks[0].positive


def test_the_track_job_sends_clicks_boxes_and_keyframes_as_track_settings_without_a_mask_channel():
    import videomama_client

    prompts = TrackPrompts(
        (Click(1001, 10.0, 4.0), Click(1003, 5.0, 6.0, False)), (1001,), "auto", True,
        boxes=(Box(1002, 2.0, 3.0, 20.0, 30.0),),
    )
    matte = build_job(
        NodeSettings(backend="classic", custom_windows=True, window=4, overlap=1),
        "/c/source.####.exr", "/c/mask.####.exr", "/c/matte.####.exr", (1001, 1008),
    )
    job = track_first(matte, prompts, {1001: "/c/mask.1001.exr"}, "/c/tracked.####.exr")
    calls = []

    class Client:
        def submit_matte(self, *args, **kwargs):
            calls.append((args, kwargs))
            return "stream"

    assert job.submit(Client(), videomama_client) == "stream"
    (args, kwargs), = calls
    assert args == (
        "/c/source.####.exr",
        TrackSettings(
            mask_keyframes={1001: "/c/mask.1001.exr"},
            points=[Point(1001, 10.0, 4.0, True), Point(1003, 5.0, 6.0, False)],
            boxes=[ClientBox(1002, 2.0, 3.0, 20.0, 30.0)],
            tracker="auto", soft=True,
        ),
        "/c/matte.####.exr",
    )
    assert kwargs == {
        "frames": (1001, 1008), "shot": (1001, 1008), "track_output": "/c/tracked.####.exr",
        "settings": MatteSettings(backend="classic", window=4, overlap=1),
    }  # no mask_channel: the daemon refuses one for tracked masks
