"""Mask "Track": the daemon tracks the masks, then mattes, in real bpy against a real daemon.

The daemon here has no SAM2 weights, so "auto" is the flow tracker: a Mask
datablock rendered on a keyframe is tracked through the shot, and clicks
or boxes are refused, in one line that says what to do, before anything is rendered.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import bpy
import numpy as np
import pytest
from videomama_blender import nodes

from blender_support import alpha_of_matte, matte_scene, pixels
from conftest import CLIP_FIRST, CLIP_LAST, free_port, main_env_tool


def compute(group, address: str) -> set:
    return bpy.ops.videomama.compute(group=group.name, address=address)


def track_scene(scene, clip: Path, cache_dir: Path, **settings):
    group, node = matte_scene(scene, clip, cache_dir)
    group.videomama.mask_kind = "SAM2"
    for name, value in settings.items():
        setattr(group.videomama, name, value)
    return group, node


def cli_matte(folder: Path, out: Path) -> None:
    """``videomama matte`` with the same keyframe on the same rendered files, in the main environment."""
    subprocess.run(
        [str(main_env_tool("videomama")), "matte", "--plate", str(folder / "source.####.exr"),
         "--mask-keyframe", f"{CLIP_FIRST}={folder / f'mask.{CLIP_FIRST}.exr'}", "--frames",
         f"{CLIP_FIRST}-{CLIP_LAST}", "--backend", "classic", "--out", str(out / "matte.####.exr"),
         "--masks-out", str(out / "masks.####.exr"), "-q"],
        check=True, timeout=300,
    )


def test_a_mask_keyframe_is_tracked_then_matted(fresh_file, clip, daemon, tmp_path, capsys):
    group, _ = track_scene(fresh_file, clip, tmp_path / "cache", mask_keyframes=str(CLIP_FIRST))

    assert compute(group, daemon) == {"FINISHED"}

    log = capsys.readouterr().out
    for line in ("rendering inputs 6/6", "tracking, then matting with the classic backend on CPU",
                 "tracking 6/6 frames", "matting 6/6 frames"):
        assert line in log
    assert group.videomama.status == "matte of frames 1001-1006 ready (masks tracked with flow, classic, 6 computed)"
    folder = Path(group.videomama.result_folder)
    # The mask is an input on its keyframe only; the daemon wrote the tracked masks and the matte.
    assert sorted(p.name for p in folder.glob("mask.*.exr")) == [f"mask.{CLIP_FIRST}.exr"]
    frames = range(CLIP_FIRST, CLIP_LAST + 1)
    assert sorted(p.name for p in folder.glob("tracked.*.exr")) == [f"tracked.{f}.exr" for f in frames]
    assert group.nodes[nodes.RESULT_NODE].image.filepath.startswith(str(folder))
    # The keyframe is carried as drawn: the track starts from the Mask datablock's square.
    np.testing.assert_array_equal(
        alpha_of_matte(folder / f"tracked.{CLIP_FIRST}.exr") > 0.5, pixels(folder / f"mask.{CLIP_FIRST}.exr")[:, :, 0] > 0.5
    )

    # The same as the command line given the same files.
    cli_matte(folder, tmp_path / "cli")
    for frame in frames:
        np.testing.assert_array_equal(alpha_of_matte(folder / f"matte.{frame}.exr"),
                                      alpha_of_matte(tmp_path / "cli" / f"matte.{frame}.exr"))
        np.testing.assert_array_equal(alpha_of_matte(folder / f"tracked.{frame}.exr"),
                                      alpha_of_matte(tmp_path / "cli" / f"masks.{frame}.exr"))

    # Unchanged: cached.  Another keyframe, or a click, is another result.
    assert compute(group, daemon) == {"FINISHED"}
    assert group.videomama.status.endswith("(cached)") and Path(group.videomama.result_folder) == folder
    group.videomama.soft_masks = True
    assert compute(group, daemon) == {"FINISHED"}
    assert Path(group.videomama.result_folder) != folder


@pytest.mark.parametrize(
    ("add", "given", "mask_keyframes", "remedy"),
    [
        (bpy.ops.videomama.click_add, "clicks", "", "or give a mask keyframe instead of clicks"),
        (bpy.ops.videomama.box_add, "boxes", "", "or give a mask keyframe instead of boxes"),
        # A mask keyframe on another frame does not help: the flow tracker takes no boxes, as no clicks.
        (bpy.ops.videomama.box_add, "boxes", str(CLIP_FIRST),
         "or remove the boxes and track from the mask keyframes alone"),
    ],
)
def test_clicks_or_boxes_without_sam2_are_refused_before_anything_is_rendered(
    fresh_file, clip, daemon, tmp_path, capsys, add, given, mask_keyframes, remedy
):
    group, _ = track_scene(fresh_file, clip, tmp_path / "cache", mask_keyframes=mask_keyframes)
    if not mask_keyframes:
        group.videomama.mask = None  # clicks or a box only: no Mask datablock needed
    fresh_file.frame_current = 1003
    assert add(group=group.name) == {"FINISHED"}

    with pytest.raises(RuntimeError) as error:
        compute(group, daemon)

    message = str(error.value).strip()
    assert message.startswith(f"Error: VideoMaMa: {given} need sam2, which the daemon at {daemon} cannot run (")
    assert message.endswith(f": install SAM2's weights on the daemon (`videomama models fetch sam2`), {remedy}")
    assert "\n" not in message
    assert group.videomama.status == message.replace("VideoMaMa: ", "")
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()  # nothing rendered: not even the staging folder was made
    assert [s.name for s in bpy.data.scenes] == [fresh_file.name]
    assert group.nodes[nodes.RESULT_NODE].image is None


def test_a_box_on_the_settings_is_sent_in_source_pixels_from_the_top_left(fresh_file, clip, tmp_path):
    import videomama_client
    from videomama_blender import properties, request
    from videomama_hosts.job import track_first

    group, _ = track_scene(fresh_file, clip, tmp_path / "cache", mask_keyframes=str(CLIP_FIRST))
    fresh_file.frame_current = 1003
    assert bpy.ops.videomama.box_add(group=group.name) == {"FINISHED"}
    box = group.videomama.boxes[0]
    box.bottom_left, box.top_right = (0.25, 0.5), (0.75, 1.0)

    prompts = request.track_prompts(properties.read_config(group.videomama), (96, 64), (CLIP_FIRST, CLIP_LAST))
    matte = request.MatteJob("/c/source.####.exr", "/c/mask.####.exr", "/c/matte.####.exr", (CLIP_FIRST, CLIP_LAST))
    sent = []

    class Client:
        def submit_matte(self, plate, track, output, **kwargs):
            sent.append(track)

    track_first(matte, prompts, {CLIP_FIRST: "/c/mask.1001.exr"}).submit(Client(), videomama_client)
    (track,) = sent
    # 96 x 64: x * 96; the top edge (1.0) is row 0, the bottom edge (0.5) row 32.
    assert track.boxes == [videomama_client.Box(1003, 24.0, 0.0, 72.0, 32.0)]
    assert track.mask_keyframes == {CLIP_FIRST: "/c/mask.1001.exr"}


def test_tracking_problems_are_told_before_the_daemon_is_asked(fresh_file, clip, tmp_path):
    group, _ = track_scene(fresh_file, clip, tmp_path / "cache")
    closed = f"127.0.0.1:{free_port()}"
    with pytest.raises(RuntimeError, match="nothing to track: add a click or a box on the subject"):
        compute(group, closed)
    group.videomama.mask_keyframes = "1003"
    group.videomama.mask = None
    with pytest.raises(RuntimeError, match="choose the Mask datablock that outlines the subject on the mask keyframes"):
        compute(group, closed)
    assert not (tmp_path / "cache").exists()


def add_layer(mask, name: str, points):
    layer = mask.layers.new(name=name)
    spline = layer.splines.new()
    spline.points.add(len(points) - len(spline.points))
    for point, co in zip(spline.points, points, strict=True):
        point.co = co
        point.handle_left_type = point.handle_right_type = "VECTOR"
    spline.use_cyclic = True
    return layer


def show_only_on(layer, frames: set[int]) -> None:
    for frame in range(CLIP_FIRST, CLIP_LAST + 1):
        layer.hide_render = frame not in frames
        layer.keyframe_insert("hide_render", frame=frame)


def test_jump_warnings_are_reported_and_stay_with_the_result(fresh_file, clip, daemon, tmp_path, capsys):
    group, _ = track_scene(fresh_file, clip, tmp_path / "cache", mask_keyframes=f"{CLIP_FIRST} {CLIP_LAST}")
    mask = group.videomama.mask
    # The last keyframe outlines a corner (pixels 5-19 by 4-13 from the bottom-left) instead of
    # the subject: the track jumps towards it.
    corner = ((0.05, 0.21), (0.2, 0.21), (0.2, 0.3), (0.05, 0.3))
    show_only_on(mask.layers["Subject"], set(range(CLIP_FIRST, CLIP_LAST)))
    show_only_on(add_layer(mask, "Elsewhere", corner), {CLIP_LAST})

    assert compute(group, daemon) == {"FINISHED"}

    status = group.videomama.status
    assert status.startswith("matte of frames 1001-1006 ready (masks tracked with flow")
    jumps = status.partition("; ")[2]
    assert jumps.startswith("the tracked mask jumps on frame") and "add a click or a mask keyframe" in jumps
    # Each of the daemon's warnings is reported too, as a warning (stdout in background mode).
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Warning: VideoMaMa: ")]
    assert warnings and all("the mask jumps" in line for line in warnings)
    assert compute(group, daemon) == {"FINISHED"}
    assert group.videomama.status == f"matte of frames 1001-1006 is up to date (cached); {jumps}"
