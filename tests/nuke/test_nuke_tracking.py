"""Tracking through the node: a real daemon (CPU: the flow tracker, the classic backend) via the stand-in.

With "track" on, Compute renders the Source and the Mask input on the mask
keyframes only, the daemon tracks the masks then mattes, and the internal
Read must show what ``videomama matte --mask-keyframe`` computes from the
same rendered files.  Clicks and boxes need SAM2, which this machine does
not have: the node must say so, and what to do, before it renders anything.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import OpenImageIO as oiio
import pytest
from nuke_support import build_graph, closed_port_address, wait_for_jobs

import videomama_client
from videomama.cli.main import main
from videomama_nuke import cache

FRAMES = (1001, 1008)


def alpha(pattern: str, frame: int) -> np.ndarray:
    from videomama.sequences.image_read import read_mask

    return read_mask(cache.frame_path(pattern, frame), channel="A").pixels[:, :, 0]


def tracking_graph(nuke, binding, clip, tmp_path, address, **knobs):
    return build_graph(nuke, binding, clip, tmp_path / "cache", address, use_points=True, **knobs)


def track_then_matte_in_process(entry: cache.CacheEntry, keyframes: dict[int, str], out) -> tuple[str, str]:
    """``videomama matte`` with mask keyframes on the files the node rendered; returns (matte, masks)."""
    matte, masks = str(out / "matte.####.exr"), str(out / "masks.####.exr")
    arguments = ["matte", "--plate", entry.source, "--out", matte, "--masks-out", masks,
                 "--frames", f"{FRAMES[0]}-{FRAMES[1]}", "--backend", "classic", "--window", "4", "--overlap", "1", "-q"]
    for frame, path in keyframes.items():
        arguments += ["--mask-keyframe", f"{frame}={path}"]
    assert main(arguments) == 0
    return matte, masks


def test_a_mask_keyframe_is_tracked_then_matted_and_shown(nuke, gui_binding, nuke_clip, tmp_path, daemon):
    binding = gui_binding
    node, plate, _ = tracking_graph(nuke, binding, nuke_clip, tmp_path, daemon.address, mask_keyframes="1001")

    nuke.press(node, "compute")
    wait_for_jobs(nuke)

    # 1. The Source on every frame, the Mask input on its keyframe only.
    plan = binding._plan(node)
    entry = plan.entry
    assert nuke.executed == [("VideoMaMaMatte1.WriteSource", 1001, 1008), ("VideoMaMaMatte1.WriteMask", 1001, 1001)]
    assert os.path.isfile(cache.frame_path(entry.mask, 1001)) and not os.path.exists(cache.frame_path(entry.mask, 1002))
    assert node["status"].value() == (
        "Computed frames 1001-1008: done: masks tracked with flow, matted with classic, 8 frames written"
    )
    assert nuke.messages == []

    # 2. The Read shows the daemon's matte, which equals the CLI's on the same files, as do the tracked masks.
    read = node.node("Result")
    assert read["file"].value() == entry.matte and node.node("UseResult")["which"].value() == 1
    matte, masks = track_then_matte_in_process(entry, {1001: cache.frame_path(entry.mask, 1001)}, tmp_path / "cli")
    for frame in range(FRAMES[0], FRAMES[1] + 1):
        np.testing.assert_array_equal(alpha(entry.matte, frame), alpha(matte, frame))
        np.testing.assert_array_equal(alpha(entry.tracked, frame), alpha(masks, frame))
    shown = nuke.render_pixels(node, 1005)
    np.testing.assert_array_equal(shown["rgba.alpha"], alpha(matte, 1005))
    np.testing.assert_array_equal(shown["rgba.red"], nuke.render_pixels(plate, 1005)["rgba.red"])
    assert 0.05 < alpha(matte, 1008).mean() < 0.95  # the subject was followed to the last frame

    # 3. One bar over both phases: tracking first, then matting, never going back.
    task = nuke.progress_tasks[-1]
    assert task.progress == sorted(task.progress) and task.progress[-1] == 100
    phases = [m.split()[0] for m in task.messages if m.startswith(("tracking frame", "matting frame"))]
    assert phases[0] == "tracking" and phases[-1] == "matting" and phases == sorted(phases, reverse=True)
    last_tracking = max(p for p, m in zip(task.progress, task.messages) if m.startswith("tracking frame"))
    assert last_tracking == 20

    # 4. Unchanged: cached.  A moved keyframe or a new click is another result.
    nuke.press(node, "compute")
    assert node["status"].value() == "Cached result for frames 1001-1008 (nothing to compute)"
    assert len(nuke.executed) == 2
    nuke.user_set(node, "mask_keyframes", "1002")
    assert node["status"].value() == "Not computed for the current inputs: press Compute"
    nuke.user_set(node, "mask_keyframes", "1001")
    assert node["status"].value() == "Cached result for frames 1001-1008"
    node["positive1"].setValueAt((40.0, 30.0), 1004)
    assert not binding.refresh(node)


@pytest.mark.parametrize("gui", [True, False])
def test_clicks_without_sam2_are_a_node_error_before_anything_is_rendered(
    nuke, binding, nuke_clip, tmp_path, daemon, gui, capsys, caplog
):
    nuke.GUI = gui
    node, _, _ = tracking_graph(nuke, binding, nuke_clip, tmp_path, daemon.address)
    node.setInput(1, None)  # clicks only: no Mask input needed
    node["positive1"].setValueAt((48.0, 32.0), 1001)
    node["negative1"].setValueAt((4.0, 60.0), 1001)

    nuke.press(node, "compute")  # raising here would be Nuke's traceback dialog
    wait_for_jobs(nuke)

    status = node["status"].value()
    assert status.startswith(f"Error: clicks need sam2, which the daemon at {daemon.address} cannot run (")
    assert status.endswith(
        ": install SAM2's weights on the daemon (`videomama models fetch sam2`), or give a mask keyframe instead of clicks"
    )
    assert "\n" not in status
    message = status.removeprefix("Error: ")
    if gui:
        assert nuke.messages == [f"VideoMaMaMatte1: {message}"]
    else:
        assert nuke.messages == [] and f"VideoMaMa VideoMaMaMatte1: error: {message}" in capsys.readouterr().err
    assert "Traceback" not in caplog.text and not caplog.records  # a user problem, not a bug to log
    assert nuke.executed == []  # refused before the Source was rendered
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.exr"))
    assert node.node("UseResult")["which"].value() == 0
    assert not nuke.progress_tasks  # no job was started


def test_box_keys_are_sent_as_boxes_from_the_top_left_and_are_part_of_the_key(nuke, gui_binding, nuke_clip, tmp_path):
    binding = gui_binding
    node, _, _ = tracking_graph(nuke, binding, nuke_clip, tmp_path, closed_port_address(), mask_keyframes="1001")
    nuke.user_set(node, "use_points", True)
    assert node["box"].enabled()  # with the other tracking knobs
    without_box = binding._plan(node).entry.key
    node["box"].setValueAt((20.0, 10.0, 70.0, 50.0), 1003)  # x, y, r, t from the bottom-left

    plan = binding._plan(node)
    job = binding._build_job(plan)
    sent = []

    class Client:
        def submit_matte(self, plate, track, output, **kwargs):
            sent.append(track)

    job.submit(Client(), videomama_client)
    (track,) = sent
    # The clip is 64 rows high: y0 = 64 - t, y1 = 64 - y.
    assert track.boxes == [videomama_client.Box(1003, 20.0, 14.0, 70.0, 54.0)]
    assert track.mask_keyframes == {1001: cache.frame_path(plan.entry.mask, 1001)}

    keys = {without_box, plan.entry.key}
    node["box"].setValueAt((20.0, 10.0, 70.0, 52.0), 1003)  # its top edge moved
    keys.add(binding._plan(node).entry.key)
    node["box"].setValueAt((20.0, 10.0, 70.0, 52.0), 1004)  # a second box, on another frame
    keys.add(binding._plan(node).entry.key)
    assert len(keys) == 4

    nuke.user_set(node, "use_points", False)
    assert not node["box"].enabled()


@pytest.mark.parametrize(
    ("mask_keyframes", "remedy"),
    [
        ("", "or give a mask keyframe instead of boxes"),
        # A mask keyframe on another frame does not help: the flow tracker takes no boxes, as no clicks.
        ("1001", "or remove the boxes and track from the mask keyframes alone"),
    ],
)
def test_a_box_without_sam2_is_refused_like_clicks_before_anything_is_rendered(
    nuke, binding, nuke_clip, tmp_path, daemon, mask_keyframes, remedy
):
    node, _, _ = tracking_graph(nuke, binding, nuke_clip, tmp_path, daemon.address, mask_keyframes=mask_keyframes)
    if not mask_keyframes:
        node.setInput(1, None)  # a box only: no Mask input needed
    node["box"].setValueAt((20.0, 10.0, 70.0, 50.0), 1003)

    nuke.press(node, "compute")
    wait_for_jobs(nuke)

    status = node["status"].value()
    assert status.startswith(f"Error: boxes need sam2, which the daemon at {daemon.address} cannot run (")
    assert status.endswith(f": install SAM2's weights on the daemon (`videomama models fetch sam2`), {remedy}")
    assert nuke.executed == [] and not nuke.progress_tasks  # refused before the Source was rendered


def write_grey(path, values: np.ndarray) -> None:
    spec = oiio.ImageSpec(values.shape[1], values.shape[0], 1, oiio.UINT8)
    out = oiio.ImageOutput.create(path)
    assert out.open(path, spec) and out.write_image((values * 255).astype(np.uint8)) and out.close()


@pytest.fixture
def roto_off_the_subject_on_the_last_frame(nuke_clip, tmp_path) -> str:
    """The clip's masks, except that frame 1008 outlines a corner instead of the subject."""
    folder = tmp_path / "roto"
    folder.mkdir()
    for frame in range(FRAMES[0], FRAMES[1]):
        name = os.path.basename(nuke_clip.mask_png.replace("####", str(frame)))
        shutil.copy(nuke_clip.mask_png.replace("####", str(frame)), folder / name)
    corner = np.zeros((nuke_clip.height, nuke_clip.width), np.float32)
    corner[2:14, 2:20] = 1.0
    write_grey(str(folder / os.path.basename(nuke_clip.mask_png.replace("####", "1008"))), corner)
    return str(folder / os.path.basename(nuke_clip.mask_png)).replace("####", "%04d")


@pytest.mark.parametrize("gui", [True, False])
def test_jump_warnings_reach_the_artist_and_stay_with_the_result(
    nuke, binding, nuke_clip, tmp_path, daemon, roto_off_the_subject_on_the_last_frame, gui, capsys
):
    nuke.GUI = gui
    node, _, roto = tracking_graph(nuke, binding, nuke_clip, tmp_path, daemon.address, mask_keyframes="1001 1008")
    roto["file"].setValue(roto_off_the_subject_on_the_last_frame)

    nuke.press(node, "compute")
    wait_for_jobs(nuke)

    status = node["status"].value()
    assert status.startswith("Computed frames 1001-1008: done: masks tracked with flow")
    computed, _, jumps = status.partition("; ")
    assert jumps.startswith("the tracked mask jumps on frame") and jumps.endswith(
        "check the matte there and add a click or a mask keyframe"
    )
    if gui:
        assert nuke.messages == [f"VideoMaMaMatte1: {jumps}"]
    else:
        assert f"VideoMaMa VideoMaMaMatte1: warning: {jumps}" in capsys.readouterr().err
    # The result remembers them: reopening the script still says where to look.
    binding.refresh(node)
    assert node["status"].value() == f"Cached result for frames 1001-1008; {jumps}"
