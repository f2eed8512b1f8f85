"""The other sources and mask sources, rendered through the temporary scene (no daemon)."""

from __future__ import annotations

import bpy
import numpy as np
import pytest
from videomama_blender.errors import PluginError
from videomama_blender.render_inputs import InputRenderer, Inputs

from blender_support import load_sequence, make_mask, pixels
from conftest import CLIP_FIRST


def render(inputs: Inputs, frames, folder):
    renderer = InputRenderer(inputs, frames, str(folder))
    try:
        for frame in range(frames[0], frames[1] + 1):
            renderer.render(frame)
    finally:
        renderer.close()


def test_movie_clip_source_is_the_plate_exactly(fresh_file, clip, tmp_path):
    movie = bpy.data.movieclips.load(str(clip / f"plate.{CLIP_FIRST}.exr"))
    movie.frame_start = CLIP_FIRST  # the clip's first image on the shot's first frame
    render(Inputs("MOVIE_CLIP", clip=movie, mask=make_mask()), (1002, 1003), tmp_path)
    for frame in (1002, 1003):
        np.testing.assert_array_equal(
            pixels(tmp_path / f"source.{frame}.exr")[:, :, :3], pixels(clip / f"plate.{frame}.exr")[:, :, :3]
        )
    assert [s.name for s in bpy.data.scenes] == [fresh_file.name]


def test_movie_clip_outside_the_range_is_refused(fresh_file, clip, tmp_path):
    movie = bpy.data.movieclips.load(str(clip / f"plate.{CLIP_FIRST}.exr"))  # starts on frame 1
    with pytest.raises(PluginError, match="covers frames 1-6, not 1001-1002"):
        InputRenderer(Inputs("MOVIE_CLIP", clip=movie, mask=make_mask()), (1001, 1002), str(tmp_path))


def test_mask_image_sequence_is_read_as_data(fresh_file, clip, tmp_path):
    # The synthetic masks are 8-bit PNGs at half the plate's size; loaded the
    # default way they are tagged sRGB, which must not bend their soft edges.
    masks = bpy.data.images.load(str(clip / f"mask.{CLIP_FIRST}.png"), check_existing=False)
    masks.source = "SEQUENCE"
    declared = masks.colorspace_settings.name
    inputs = Inputs("IMAGE_SEQUENCE", image=load_sequence(clip), mask_kind="IMAGE_SEQUENCE", mask_image=masks)
    before = set(bpy.data.images.keys())
    render(inputs, (1001, 1002), tmp_path)
    assert masks.colorspace_settings.name == declared  # the artist's datablock is left alone
    # ...and the temporary copy read as data is gone (rendering adds Blender's own "Render Result").
    assert set(bpy.data.images.keys()) - before <= {"Render Result", "Viewer Node"}

    png = bpy.data.images.load(str(clip / "mask.1002.png"), check_existing=False)
    png.colorspace_settings.is_data = True
    expected = np.empty(len(png.pixels), np.float32)
    png.pixels.foreach_get(expected)
    expected = expected.reshape(png.size[1], png.size[0], 4)[:, :, 0]
    written = pixels(tmp_path / "mask.1002.exr")[:, :, 0]
    assert written.shape == expected.shape  # the mask's own size: the daemon scales it to the plate
    assert 0.0 < expected.mean() < 1.0 and len(np.unique(expected)) > 2  # soft values present
    np.testing.assert_allclose(written, expected, atol=1e-3)  # half float


def test_render_result_source_renders_the_scene_and_restores_its_frame(fresh_file, tmp_path):
    scene = fresh_file
    scene.render.engine = "CYCLES"
    scene.cycles.samples = 1
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 64, 48, 50
    scene.frame_current = 7
    with pytest.raises(PluginError, match="the scene 'Scene' has no camera"):
        InputRenderer(Inputs("RENDER_RESULT", render_scene=scene, mask=make_mask()), (3, 4), str(tmp_path))
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    scene.collection.objects.link(camera)
    scene.camera = camera
    render(Inputs("RENDER_RESULT", render_scene=scene, mask=make_mask()), (3, 4), tmp_path)
    assert scene.frame_current == 7
    source = pixels(tmp_path / "source.0004.exr")
    assert source.shape == (24, 32, 4)  # resolution x percentage
    assert pixels(tmp_path / "mask.0004.exr").shape == (24, 32, 4)


def test_sequence_with_gaps_names_the_missing_frames(fresh_file, clip, tmp_path):
    extra = clip / "plate.1011.exr"
    extra.write_bytes((clip / "plate.1006.exr").read_bytes())
    try:
        inputs = Inputs("IMAGE_SEQUENCE", image=load_sequence(clip), mask=make_mask())
        with pytest.raises(PluginError, match=r"has no file for frames 1007-1010, 1012"):
            InputRenderer(inputs, (1005, 1012), str(tmp_path))
    finally:
        extra.unlink()
