"""The add-on's pure modules (no bpy): sequences, request, progress, errors, libs."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from types import SimpleNamespace

import pytest
from videomama_blender import libs, progress, request
from videomama_hosts.tracking import Box, Click
from videomama_blender.errors import PluginError, describe
from videomama_blender.request import MatteConfig
from videomama_blender.sequences import (
    describe_frames,
    frame_path,
    image_user_frames,
    missing_frames,
    scan_frames,
    split_numbered,
)

# -- sequences ------------------------------------------------------------------------------


def test_split_numbered_takes_the_last_digits_of_the_file_name():
    numbered = split_numbered("/shots/sh010_v2/plate_v003.1001.exr")
    assert numbered.frame == 1001
    assert numbered.pattern == "/shots/sh010_v2/plate_v003.####.exr"
    assert split_numbered("/shots/v2/plate.exr") is None  # digits in folders do not count


def test_frame_path_pads_and_grows():
    assert frame_path("/a/matte.####.exr", 7) == "/a/matte.0007.exr"
    assert frame_path("/a/matte.####.exr", 12345) == "/a/matte.12345.exr"
    assert frame_path("/a/m.##.exr", -3) == "/a/m.-03.exr"


def test_scan_frames_lists_only_the_sequence(tmp_path):
    for name in ("plate.1001.exr", "plate.1002.exr", "plate.1004.exr", "plate.10000.exr",
                 "plate.1003.png", "other.1003.exr", "plate.99.exr"):
        (tmp_path / name).write_bytes(b"")
    assert scan_frames(str(tmp_path / "plate.1001.exr")) == [1001, 1002, 1004, 10000]
    assert scan_frames(str(tmp_path / "missing" / "x.0001.exr")) == []


def test_missing_frames_are_described_as_ranges():
    missing = missing_frames([1001, 1002, 1006], 1001, 1010)
    assert missing == [1003, 1004, 1005, 1007, 1008, 1009, 1010]
    assert describe_frames(missing) == "1003-1005, 1007-1010"
    assert describe_frames([1, 3, 5, 7, 9, 11, 13, 15], limit=3) == "1, 3, 5, and 5 more"


def test_image_user_frames_read_file_f_at_scene_frame_f():
    user = image_user_frames(1001, 1006)
    assert (user.frame_start, user.frame_offset, user.frame_duration) == (1001, 1000, 6)
    # Blender reads file (F - start + 1 + offset) at scene frame F.
    for frame in range(1001, 1007):
        assert frame - user.frame_start + 1 + user.frame_offset == frame
    with pytest.raises(ValueError):
        image_user_frames(5, 4)


# -- request --------------------------------------------------------------------------------


def test_frames_default_to_the_scene_range():
    assert request.resolve_frames(MatteConfig(), (1001, 1048)) == (1001, 1048)
    custom = MatteConfig(use_scene_range=False, frame_first=1010, frame_last=1020)
    assert request.resolve_frames(custom, (1001, 1048)) == (1010, 1020)


def test_reversed_range_names_which_range():
    with pytest.raises(PluginError, match="scene's frame range 20-10 is reversed"):
        request.resolve_frames(MatteConfig(), (20, 10))
    with pytest.raises(PluginError, match="custom frame range 5-1"):
        request.resolve_frames(MatteConfig(use_scene_range=False, frame_first=5, frame_last=1), (1, 10))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"mask_kind": "SAM2", "mask_keyframes": "1001 to 1005"}, "'to' in Mask Keyframes is not a frame number"),
        ({"backend": "magic"}, "unknown backend 'magic'"),
        ({"source_kind": "VIDEO"}, "unknown source 'VIDEO'"),
        ({"custom_windows": True, "window": 1}, "window must be at least 2"),
        ({"custom_windows": True, "window": 8, "overlap": 8}, "overlap must be from 0 to 7"),
    ],
)
def test_check_config_refuses_with_a_sentence(change, message):
    with pytest.raises(PluginError, match=message):
        request.check_config(replace(MatteConfig(), **change))


def test_windows_ignored_unless_custom():
    request.check_config(MatteConfig(window=1, overlap=99))  # not custom: the daemon's defaults apply
    job = request.build_job(MatteConfig(window=8, overlap=2), "lin_rec709", "/a/s.####.exr", "/a/m.####.exr",
                            "/a/o.####.exr", (1, 10))
    assert (job.window, job.overlap) == (None, None)
    custom = request.build_job(MatteConfig(custom_windows=True, window=8, overlap=2), "lin_rec709",
                               "/a/s.####.exr", "/a/m.####.exr", "/a/o.####.exr", (1, 10))
    assert (custom.window, custom.overlap) == (8, 2)


def test_job_needs_absolute_paths():
    with pytest.raises(PluginError, match="not absolute"):
        request.build_job(MatteConfig(), "raw", "rel/s.####.exr", "/m.####.exr", "/o.####.exr", (1, 2))


def test_job_submits_by_reference_with_the_shot_equal_to_the_range():
    calls = []
    client = SimpleNamespace(submit_matte=lambda *args, **kwargs: calls.append((args, kwargs)) or "stream")
    settings_made = []
    module = SimpleNamespace(MatteSettings=lambda **kwargs: settings_made.append(kwargs) or kwargs)
    job = request.build_job(MatteConfig(backend="classic"), "ACEScg", "/c/source.####.exr", "/c/mask.####.exr",
                            "/c/matte.####.exr", (1001, 1006))
    assert job.submit(client, module) == "stream"
    (args, kwargs), = calls
    assert args == ("/c/source.####.exr", "/c/mask.####.exr", "/c/matte.####.exr")
    assert kwargs["frames"] == kwargs["shot"] == (1001, 1006)
    assert settings_made == [{"backend": "classic", "window": None, "overlap": None, "colorspace": "ACEScg",
                              "options": {}}]


def test_colorspace_follows_blenders_working_space():
    auto = MatteConfig()
    assert request.resolve_colorspace(auto, "Linear Rec.709") == "lin_rec709"
    assert request.resolve_colorspace(auto, "ACEScg") == "ACEScg"
    assert request.resolve_colorspace(auto, "Linear Rec.2020") == "lin_rec2020"
    assert request.resolve_colorspace(auto, None) == "lin_rec709"  # 4.x: the stock config's scene_linear
    assert request.resolve_colorspace(MatteConfig(colorspace="raw"), "ACEScg") == "raw"
    with pytest.raises(PluginError, match="'Filmic Log' has no daemon equivalent"):
        request.resolve_colorspace(auto, "Filmic Log")


def test_address_order_explicit_preference_environment_default():
    env = {"VIDEOMAMA_ADDRESS": "farm:1"}
    assert request.resolve_address("cli:1", "prefs:1", "d:1", env) == "cli:1"
    assert request.resolve_address("", " prefs:1 ", "d:1", env) == "prefs:1"
    assert request.resolve_address("", "", "d:1", env) == "farm:1"
    assert request.resolve_address("", "", "d:1", {}) == "d:1"
    assert request.resolve_token({"VIDEOMAMA_TOKEN": "t"}) == "t"
    assert request.resolve_token({}) is None


def test_backend_check_uses_the_daemons_reason():
    backends = [
        SimpleNamespace(name="classic", available=True, reason=""),
        SimpleNamespace(name="videomama", available=False, reason="weights not installed"),
    ]
    request.check_backend(backends, "auto")
    request.check_backend(backends, "classic")
    with pytest.raises(PluginError, match="cannot run the videomama backend: weights not installed"):
        request.check_backend(backends, "videomama")
    with pytest.raises(PluginError, match="no backend 'x'; it offers classic, videomama"):
        request.check_backend(backends, "x")


def test_key_settings_hold_what_changes_the_matte():
    base = request.key_settings(MatteConfig(), "lin_rec709")
    assert base == {"backend": "auto", "window": None, "overlap": None, "colorspace": "lin_rec709", "options": {}}
    # What does not change pixels stays out: the cache folder, the scene-range switch itself.
    assert request.key_settings(MatteConfig(cache_dir="/x", use_scene_range=False), "lin_rec709") == base


# -- tracking -------------------------------------------------------------------------------

TRACK = MatteConfig(mask_kind="SAM2")


def test_clicks_become_source_pixels_from_the_top_left():
    config = replace(TRACK, clicks=((1002, 0.25, 0.75, True), (1004, 0.5, 0.0, False), (1001, 1.0, 1.0, True)))
    prompts = request.track_prompts(config, (96, 64), (1001, 1006))
    # 0-1 from the bottom-left -> pixels: x * width, and y_top = height - y * height.
    assert prompts.clicks == (Click(1002, 24.0, 16.0, True), Click(1004, 48.0, 64.0, False), Click(1001, 96.0, 0.0, True))
    assert prompts.keyframes == () and prompts.tracker == "auto" and not prompts.soft


def test_boxes_become_source_pixels_from_the_top_left():
    # (frame, left, bottom, right, top), 0-1 from the bottom-left of a 96 x 64 source.
    config = replace(TRACK, boxes=((1003, 0.25, 0.25, 0.75, 1.0), (1002, 0.5, 0.75, 0.0, 0.0)))
    prompts = request.track_prompts(config, (96, 64), (1001, 1006))
    # x * width; the top edge becomes y0 = height - top * height, the bottom edge y1.
    assert prompts.boxes == (Box(1003, 24.0, 0.0, 72.0, 48.0), Box(1002, 0.0, 16.0, 48.0, 64.0))
    assert prompts.clicks == () and prompts.keyframes == ()


def test_mask_frames_are_every_frame_unless_tracking():
    assert request.mask_frames(MatteConfig()) is None
    assert request.mask_frames(TRACK) == ()
    assert request.mask_frames(replace(TRACK, mask_keyframes="1005,1001")) == (1001, 1005)
    assert request.track_prompts(MatteConfig(clicks=((1001, 0.5, 0.5, True),)), (96, 64), (1001, 1006)) is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({}, "nothing to track: add a click or a box on the subject"),
        ({"clicks": ((1001, 0.5, 0.5, False),)}, "every click is negative"),
        ({"mask_keyframes": "1001 1010"}, "frame 1010 lie outside the frame range 1001-1006"),
        ({"mask_keyframes": "1001", "tracker": "sam3"}, "unknown tracker 'sam3'"),
        ({"boxes": ((1007, 0.1, 0.1, 0.5, 0.5),)}, "frame 1007 lie outside the frame range 1001-1006"),
        ({"boxes": ((1002, 0.1, 0.5, 0.5, 0.5),)}, "the box on frame 1002 is empty"),
    ],
)
def test_unusable_tracking_prompts_say_what_to_fix(change, message):
    with pytest.raises(PluginError, match=message):
        request.track_prompts(replace(TRACK, **change), (96, 64), (1001, 1006))


def test_the_prompts_join_the_key():
    one = request.track_prompts(replace(TRACK, mask_keyframes="1001"), (96, 64), (1001, 1006))
    other = request.track_prompts(replace(TRACK, mask_keyframes="1001", soft_masks=True), (96, 64), (1001, 1006))
    keys = [request.key_settings(TRACK, "lin_rec709", prompts) for prompts in (None, one, other)]
    assert keys[1]["prompts"] == {"clicks": [], "keyframes": [1001], "tracker": "auto", "soft": False}
    assert len({json.dumps(key, sort_keys=True) for key in keys}) == 3


def test_a_moved_box_is_another_key():
    boxes = [((1002, 0.1, 0.1, 0.5, 0.5),), ((1002, 0.1, 0.1, 0.5, 0.6),), ((1003, 0.1, 0.1, 0.5, 0.5),)]
    keys = {
        json.dumps(request.key_settings(TRACK, "lin_rec709", request.track_prompts(
            replace(TRACK, mask_keyframes="1001", boxes=box), (96, 64), (1001, 1006))), sort_keys=True)
        for box in boxes
    }
    assert len(keys) == len(boxes)


def test_a_tracking_job_runs_on_one_bar_after_the_inputs():
    steps = [progress.rendering(4, 4), progress.started("classic", "cpu", tracking=True)]
    steps += [progress.working("track", done, 4, None, tracking=True) for done in range(5)]
    steps += [progress.working("matte", done, 4, None, tracking=True) for done in range(5)]
    fractions = [step.fraction for step in steps]
    assert fractions == sorted(fractions) and fractions[0] == progress.RENDER_SHARE
    # Tracking takes the first fifth of the daemon's share (videomama_hosts.phases), matting the rest.
    assert steps[6].fraction == pytest.approx(progress.RENDER_SHARE + (1 - progress.RENDER_SHARE) * 0.2)
    assert steps[-1].fraction == 1.0
    assert steps[1].text == "tracking, then matting with the classic backend on CPU"
    assert steps[4].text == "tracking 2/4 frames" and steps[-2].text == "matting 3/4 frames"
    assert progress.finished(6, 0, "classic", (1, 6), tracker="flow").text == (
        "matte of frames 1-6 ready (masks tracked with flow, classic, 6 computed)"
    )


# -- progress -------------------------------------------------------------------------------


def test_progress_never_goes_backwards_over_a_compute():
    steps = [progress.checking("a:1")]
    steps += [progress.rendering(done, 4) for done in range(5)]
    steps += [progress.submitted(), progress.queued(2), progress.started("classic", "cpu")]
    steps += [progress.matting(done, 4, 10.0) for done in range(5)]
    steps.append(progress.finished(4, 0, "classic", (1, 4)))
    fractions = [step.fraction for step in steps]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert steps[5].fraction == progress.RENDER_SHARE


def test_progress_texts():
    assert progress.rendering(3, 48).text == "rendering inputs 3/48"
    assert progress.queued(1).text == "queued (next)"
    assert progress.queued(3).text == "queued (2 jobs ahead)"
    assert progress.matting(12, 48, 75).text == "matting 12/48 frames, 1 min 15 s left"
    assert progress.matting(12, 48, None).text == "matting 12/48 frames"
    assert progress.matting(0, 0).fraction == progress.RENDER_SHARE
    assert progress.format_eta(3 * 3600 + 65) == "3 h 01 min left"
    assert progress.format_eta(float("inf")) == ""
    assert progress.finished(4, 2, "classic", (1, 6)).text == (
        "matte of frames 1-6 ready (classic, 4 computed, 2 already done)"
    )
    assert progress.matting(1, 3).percent == 43


def test_line_printer_writes_only_changes():
    lines = []
    show = progress.line_printer("VideoMaMa: ", lines.append)
    for snapshot in (progress.rendering(1, 2), progress.rendering(1, 2), progress.rendering(2, 2)):
        show(snapshot)
    assert lines == ["VideoMaMa:   7% rendering inputs 1/2", "VideoMaMa:  15% rendering inputs 2/2"]


# -- errors and libs ------------------------------------------------------------------------


def test_describe_keeps_plugin_and_daemon_errors_as_they_are():
    from videomama_client import DaemonUnavailable

    assert describe(PluginError("choose  the\nclip")) == "choose the clip"
    assert describe(DaemonUnavailable("daemon not running at a:1")) == "daemon not running at a:1"


def test_describe_file_and_unexpected_errors(capsys):
    assert "removed meanwhile (undo or another file?)" in describe(ReferenceError("StructRNA has been removed"))
    assert describe(PermissionError(13, "Permission denied", "/ro/cache")) == (
        "no permission to write /ro/cache: choose another cache folder"
    )
    missing = FileNotFoundError(2, "No such file or directory", "/x")
    assert describe(missing) == "file error (/x): No such file or directory"
    try:
        raise KeyError("boom")
    except KeyError as error:
        message = describe(error)
    assert message.startswith("unexpected error (KeyError") and "system console" in message
    assert "Traceback" in capsys.readouterr().err  # the details go to the console, not the report


def test_library_dirs_find_the_legacy_lib_and_a_checkout(tmp_path):
    addon = tmp_path / "plugin_blender" / "videomama_blender"
    (addon / "lib").mkdir(parents=True)
    assert libs.library_dirs(str(addon)) == [str(addon / "lib")]
    (tmp_path / "client" / "videomama_client").mkdir(parents=True)
    (tmp_path / "proto").mkdir()
    path = ["/somewhere"]
    added = libs.add_library_dirs(path, str(addon))
    assert added == [str(addon / "lib"), str(tmp_path / "client"), str(tmp_path / "proto")]
    assert path[0] == "/somewhere"  # appended: what Blender provides keeps precedence
    assert libs.add_library_dirs(path, str(addon)) == []


def test_missing_client_message_says_how_to_install():
    message = libs.missing_client_message(ImportError("No module named 'grpc'"))
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in message
    assert "No module named 'grpc'" in message and "extension build" in message


def test_pure_modules_do_not_import_bpy():
    import subprocess

    code = (
        "import sys; import videomama_blender.cache, videomama_blender.request, videomama_blender.progress, "
        "videomama_blender.sequences, videomama_blender.api_compat, videomama_blender.errors, "
        "videomama_blender.libs; print('bpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.stdout.strip() == "False"
