"""Compute against a real daemon (CPU backend), then render the composite and compare.

The daemon runs from the main environment (``videomama serve`` on a free
port); Blender is bpy from PyPI, headless.  Pixels are read back with
Blender's own EXR reader (OpenImageIO is not in this environment).
"""

from __future__ import annotations

import time
from pathlib import Path

import bpy
import numpy as np
import pytest
from videomama_blender import api_compat, nodes
from videomama_blender.api_compat import ExrOutput
from videomama_blender.sequences import image_user_frames
from videomama_blender.task import ComputeTask

from blender_support import alpha_of_matte, load_sequence, matte_scene, pixels
from conftest import CLIP_FIRST, CLIP_LAST, PLUGIN, REPO, free_port, main_env_tool, run_blender_python

RENDERED_FRAMES = (1002, 1005)


def compute(group, address: str) -> set:
    return bpy.ops.videomama.compute(group=group.name, address=address)


def result_folder(group) -> Path:
    return Path(group.videomama.result_folder)


def composite_through_file_output(scene, node, clip: Path, out: Path):
    """plate sequence -> matte node -> File Output (RGBA and the Alpha output, float)."""
    tree = api_compat.compositor_tree(scene)
    for layers in [n for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers"]:
        tree.nodes.remove(layers)  # 4.x's default tree renders the (camera-less) 3D scene otherwise
    plate = tree.nodes.new("CompositorNodeImage")
    plate.image = load_sequence(clip)
    user = image_user_frames(CLIP_FIRST, CLIP_LAST)
    plate.frame_start, plate.frame_offset = user.frame_start, user.frame_offset
    plate.frame_duration = user.frame_duration
    tree.links.new(plate.outputs["Image"], node.inputs["Image"])
    output = tree.nodes.new("CompositorNodeOutputFile")
    rgba_in, alpha_in = api_compat.configure_file_output(
        output, str(out), [ExrOutput("rgba.####", "RGBA", "RGBA", "32"), ExrOutput("alpha.####", "FLOAT", "BW", "32")]
    )
    tree.links.new(node.outputs["Image"], rgba_in)
    tree.links.new(node.outputs["Alpha"], alpha_in)


def render_frame(scene, frame: int) -> None:
    scene.frame_set(frame)
    with bpy.context.temp_override(scene=scene):
        assert bpy.ops.render.render(scene=scene.name) == {"FINISHED"}


def test_compute_then_render_gives_the_daemons_alpha_pixel_for_pixel(fresh_file, clip, daemon, tmp_path, capsys):
    scene = fresh_file
    group, node = matte_scene(scene, clip, tmp_path / "cache")

    assert compute(group, daemon) == {"FINISHED"}

    log = capsys.readouterr().out
    for line in ("rendering inputs 6/6", "matting 6/6 frames", "matte of frames 1001-1006 ready (classic, 6 computed)"):
        assert line in log
    # The temporary scene and tree are gone.
    assert [s.name for s in bpy.data.scenes] == [scene.name]
    assert not [g.name for g in bpy.data.node_groups if g.name.startswith(".VideoMaMa")]
    folder = result_folder(group)
    assert folder.parent == tmp_path / "cache" and not list(folder.parent.glob(".staging-*"))
    assert sorted(p.name for p in folder.glob("matte.*.exr")) == [f"matte.{f}.exr" for f in range(1001, 1007)]
    result = group.nodes[nodes.RESULT_NODE]
    assert result.image.source == "SEQUENCE" and result.image.colorspace_settings.is_data
    assert (result.frame_start, result.frame_offset, result.frame_duration) == (1001, 1000, 6)
    assert not group.nodes[nodes.SET_ALPHA_NODE].mute

    # What the daemon was given: Blender's render of the plate is the plate,
    # and the Mask datablock's square lands where the Mask node draws it.
    for frame in (1001, 1006):
        np.testing.assert_array_equal(
            pixels(folder / f"source.{frame}.exr")[:, :, :3], pixels(clip / f"plate.{frame}.exr")[:, :, :3]
        )
    mask = pixels(folder / "mask.1003.exr")[:, :, 0]
    rows, columns = np.nonzero(mask > 0.5)
    assert (columns.min(), columns.max(), rows.min(), rows.max()) == (24, 71, 8, 55)

    composite_through_file_output(scene, node, clip, tmp_path / "comp")
    for frame in RENDERED_FRAMES:
        render_frame(scene, frame)
    for frame in RENDERED_FRAMES:
        daemon_alpha = alpha_of_matte(folder / f"matte.{frame}.exr")
        assert 0.0 <= daemon_alpha.min() and daemon_alpha.max() <= 1.0
        assert 0.05 < daemon_alpha.mean() < 0.95  # a real matte, not an empty or full frame
        rgba = pixels(tmp_path / "comp" / f"rgba.{frame}.exr")
        np.testing.assert_array_equal(rgba[:, :, 3], daemon_alpha)
        np.testing.assert_array_equal(pixels(tmp_path / "comp" / f"alpha.{frame}.exr")[:, :, 0], daemon_alpha)
        # Set Alpha replaces the alpha only: the plate's colour is untouched.
        np.testing.assert_array_equal(rgba[:, :, :3], pixels(clip / f"plate.{frame}.exr")[:, :, :3])

    # A farm renders the saved file without the add-on: stock nodes only.
    blend = tmp_path / "shot.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend), copy=True)
    script = tmp_path / "farm_render.py"
    script.write_text(f"""
import sys
sys.path[:] = [p for p in sys.path if p not in {[str(REPO / 'client'), str(REPO / 'proto'), str(PLUGIN)]!r}]
import bpy
bpy.ops.wm.open_mainfile(filepath={str(blend)!r})
assert not hasattr(bpy.types, "VIDEOMAMA_OT_compute")
bpy.context.scene.frame_set(1003)
bpy.ops.render.render()
""")
    run = run_blender_python(str(script))
    assert run.returncode == 0, run.stderr[-3000:]
    np.testing.assert_array_equal(
        pixels(tmp_path / "comp" / "rgba.1003.exr")[:, :, 3], alpha_of_matte(folder / "matte.1003.exr")
    )


def test_unchanged_inputs_reuse_the_matte_and_an_edited_mask_recomputes(fresh_file, clip, daemon, tmp_path):
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    assert compute(group, daemon) == {"FINISHED"}
    first = result_folder(group)
    written = {p.name: p.stat().st_mtime_ns for p in first.glob("matte.*.exr")}

    assert compute(group, daemon) == {"FINISHED"}
    assert group.videomama.status == "matte of frames 1001-1006 is up to date (cached)"
    assert result_folder(group) == first
    assert {p.name: p.stat().st_mtime_ns for p in first.glob("matte.*.exr")} == written

    point = group.videomama.mask.layers[0].splines[0].points[0]
    point.co = (0.2, 0.2)
    assert compute(group, daemon) == {"FINISHED"}
    assert "6 computed" in group.videomama.status
    second = result_folder(group)
    assert second != first and first.exists()
    assert group.nodes[nodes.RESULT_NODE].image.filepath.startswith(str(second))

    point.co = (0.25, 0.25)  # edited back: the same bytes, so the first result again
    assert compute(group, daemon) == {"FINISHED"}
    assert result_folder(group) == first and group.videomama.status.endswith("(cached)")


def test_daemon_down_is_one_clear_line(fresh_file, clip, tmp_path):
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(RuntimeError) as error:
        compute(group, address)
    message = str(error.value).strip()
    expected = (
        f"daemon not running at {address} — start it with `videomama serve`; "
        "a farm render or a script starts one only when VIDEOMAMA_SERVE names its serve command"
    )
    assert message == f"Error: VideoMaMa: {expected}"
    assert group.videomama.status == f"Error: {expected}"
    assert [s.name for s in bpy.data.scenes] == [fresh_file.name]
    assert not (tmp_path / "cache").exists()  # refused before rendering anything
    assert group.nodes[nodes.RESULT_NODE].image is None


def test_compute_with_no_daemon_running_starts_one_when_told_how(fresh_file, clip, tmp_path, monkeypatch, started_daemons):
    # Blender in the background (as here) starts a daemon only when $VIDEOMAMA_SERVE names the command.
    monkeypatch.setenv("VIDEOMAMA_SERVE", f"{main_env_tool('videomama')} serve")
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    assert compute(group, f"127.0.0.1:{free_port()}") == {"FINISHED"}
    assert group.videomama.status == "matte of frames 1001-1006 ready (classic, 6 computed)"
    assert len(started_daemons) == 1 and started_daemons[0].poll() is None  # kept for the next Compute


def test_input_problems_are_reported_before_the_daemon_is_asked(fresh_file, clip, tmp_path):
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    fresh_file.frame_end = 1009
    with pytest.raises(RuntimeError, match=r"plate\.####\.exr has no file for frames 1007-1009"):
        compute(group, f"127.0.0.1:{free_port()}")
    fresh_file.frame_end = CLIP_LAST
    group.videomama.mask = None
    with pytest.raises(RuntimeError, match="choose the Mask datablock"):
        compute(group, f"127.0.0.1:{free_port()}")


def test_backend_the_daemon_cannot_run_is_named_with_its_reason(fresh_file, clip, daemon, tmp_path):
    from videomama_client import Client

    with Client(daemon) as client:
        learned = next(b for b in client.info().backends if b.name == "videomama")
    if learned.available:
        pytest.skip("this daemon can run the videomama backend")
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache", backend="videomama")
    with pytest.raises(RuntimeError, match="cannot run the videomama backend: weights not installed"):
        compute(group, daemon)


def test_stepping_like_the_modal_timer_reports_growing_progress(fresh_file, clip, daemon, tmp_path):
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    seen = []
    task = ComputeTask(fresh_file, group, daemon, on_progress=seen.append)
    task.start()
    deadline = time.monotonic() + 60
    while task.step():  # never blocks, as in the UI's timer
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert task.outcome.kind == "finished", task.outcome.message
    fractions = [snapshot.fraction for snapshot in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    texts = [snapshot.text for snapshot in seen]
    assert "rendering inputs 6/6" in texts and any(text.startswith("matting") for text in texts)


def test_cancel_while_rendering_inputs_leaves_nothing_behind(fresh_file, clip, daemon, tmp_path):
    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    task = ComputeTask(fresh_file, group, daemon)
    task.start()
    assert task.step() and task.snapshot.text == "rendering inputs 1/6"
    task.cancel()
    assert not task.step()
    assert task.outcome.kind == "cancelled"
    assert [s.name for s in bpy.data.scenes] == [fresh_file.name]
    assert list((tmp_path / "cache").iterdir()) == []  # the staging folder is gone
    assert group.nodes[nodes.RESULT_NODE].image is None


def test_cancel_while_matting_stops_the_daemons_job(fresh_file, clip, daemon, tmp_path):
    from videomama_client import Client

    group, _ = matte_scene(fresh_file, clip, tmp_path / "cache")
    task = ComputeTask(fresh_file, group, daemon)
    task.start()
    while not task.matting:
        assert task.step()
    task.cancel()
    while task.step(wait_s=0.5):
        pass
    assert task.outcome.kind == "cancelled", task.outcome.message
    assert group.nodes[nodes.RESULT_NODE].image is None
    with Client(daemon) as client:
        deadline = time.monotonic() + 10
        while any(job.state in ("queued", "running") for job in client.list_jobs()):
            assert time.monotonic() < deadline, "the daemon kept running the cancelled job"
            time.sleep(0.05)


def test_headless_script_computes_and_saves_relative_paths(fresh_file, clip, daemon, tmp_path):
    group, _ = matte_scene(fresh_file, clip, tmp_path / "unused")
    group.videomama.cache_dir = ""  # the default: videomama_cache beside the .blend
    blend = tmp_path / "shot.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))

    run = run_blender_python(str(PLUGIN / "headless_compute.py"), "--", "--blend", str(blend), "--address", daemon,
                             "--save")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "VideoMaMa: VideoMaMa Matte: matte of frames 1001-1006 ready" in run.stdout

    bpy.ops.wm.open_mainfile(filepath=str(blend))
    image = bpy.data.node_groups["VideoMaMa Matte"].nodes[nodes.RESULT_NODE].image
    assert image.filepath.startswith("//videomama_cache/")  # moves with the project folder
    assert Path(bpy.path.abspath(image.filepath)).is_file()

    failing = run_blender_python(str(PLUGIN / "headless_compute.py"), "--", "--blend", str(blend), "--address",
                                 f"127.0.0.1:{free_port()}")
    assert failing.returncode == 1
    assert "daemon not running at 127.0.0.1:" in failing.stderr and "Traceback" not in failing.stderr
    usage = run_blender_python(str(PLUGIN / "headless_compute.py"), "--", "--blend", str(blend), "--group", "Nope")
    assert usage.returncode == 2 and "not a VideoMaMa Matte node group: Nope" in usage.stderr
