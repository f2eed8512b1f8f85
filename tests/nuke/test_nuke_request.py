"""Knob values -> job, SAM2 points -> prompts: pure Python, no Nuke."""

from __future__ import annotations

import pytest
from videomama_client import MatteSettings
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
    with_points = key_settings(NodeSettings(use_points=True), [[1, [[1.0, 2.0]], [1]]])
    assert "mask_channel" not in with_points and with_points["prompts"] == [[1, [[1.0, 2.0]], [1]]]


def test_address_and_token_come_from_the_knob_then_the_environment():
    environ = {"VIDEOMAMA_ADDRESS": "render07:50051", "VIDEOMAMA_TOKEN": "s3cret"}
    assert resolve_address(NodeSettings(address=" ws12:6000 "), "127.0.0.1:50051", environ) == "ws12:6000"
    assert resolve_address(NodeSettings(), "127.0.0.1:50051", environ) == "render07:50051"
    assert resolve_address(NodeSettings(), "127.0.0.1:50051", {}) == "127.0.0.1:50051"
    assert resolve_token(environ) == "s3cret" and resolve_token({}) is None


# -- SAM2 points --------------------------------------------------------------------


def test_keyed_points_become_one_prompt_per_keyframe_in_image_coordinates():
    knobs = [
        points.PointKeys("positive1", True, ((1001.0, 10.0, 60.0), (1005.0, 12.0, 58.0))),
        points.PointKeys("negative1", False, ((1001.0, 50.0, 4.0),)),
        points.PointKeys("positive2", True, ()),  # never keyed: not a point
    ]
    prompts = points.prompts_from_points(knobs, format_height=64)
    assert prompts == [
        points.Prompt(1001, ((50.0, 60.0), (10.0, 4.0)), (points.NEGATIVE, points.POSITIVE)),
        points.Prompt(1005, ((12.0, 6.0),), (points.POSITIVE,)),
    ]
    points.check_prompts(prompts, (1001, 1008))
    assert points.prompts_for_key(prompts)[1] == [1005, [[12.0, 6.0]], [1]]


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ([points.PointKeys("positive1", True, ())], "no point has a keyframe"),
        ([points.PointKeys("positive1", True, ((2000.0, 1.0, 1.0),))], "outside the frame range"),
        ([points.PointKeys("negative1", False, ((1001.0, 1.0, 1.0),))], "only negative points"),
    ],
)
def test_unusable_points_say_what_to_fix(knobs, message):
    with pytest.raises(PluginError, match=message):
        points.check_prompts(points.prompts_from_points(knobs, 64), (1001, 1008))
