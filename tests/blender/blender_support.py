"""Scene building and pixel reading shared by the real-bpy tests."""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np

from conftest import CLIP_FIRST, CLIP_LAST

# A square around the middle of the frame, in Mask coordinates (normalised to
# the longer side and centred): on 96x64 it covers x 24-71, y 8-55 in
# Blender's bottom-up pixel rows.
SQUARE = ((0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75))


def load_sequence(folder: Path, name: str = "plate"):
    image = bpy.data.images.load(str(folder / f"{name}.{CLIP_FIRST}.exr"), check_existing=False)
    image.source = "SEQUENCE"
    return image


def make_mask(name: str = "Roto", points=SQUARE):
    mask = bpy.data.masks.new(name)
    layer = mask.layers.new(name="Subject")
    spline = layer.splines.new()
    spline.points.add(len(points) - len(spline.points))  # a new spline comes with one point
    for point, co in zip(spline.points, points, strict=True):
        point.co = co
        point.handle_left_type = point.handle_right_type = "VECTOR"
    spline.use_cyclic = True
    return mask


def matte_scene(scene, clip_folder: Path, cache_dir: Path, backend: str = "classic"):
    """The scene on the clip's frames with a matte node fed by the plate; returns (group, node)."""
    from videomama_blender import nodes

    scene.frame_start, scene.frame_end = CLIP_FIRST, CLIP_LAST
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 96, 64, 100
    node = nodes.add_matte_node(scene, bpy.data)
    group = node.node_tree
    settings = group.videomama
    settings.source_kind = "IMAGE_SEQUENCE"
    settings.source_image = load_sequence(clip_folder)
    settings.mask_kind = "MASK"
    settings.mask = make_mask()
    settings.backend = backend
    settings.cache_dir = str(cache_dir)
    return group, node


def pixels(path: Path | str) -> np.ndarray:
    """An image's float pixels as Blender reads them: (height, width, 4), bottom row first."""
    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        width, height = image.size
        data = np.empty(width * height * 4, np.float32)
        image.pixels.foreach_get(data)
    finally:
        bpy.data.images.remove(image)
    return data.reshape(height, width, 4)


def alpha_of_matte(path: Path | str) -> np.ndarray:
    """The daemon writes a single ``A`` channel, which Blender loads as the alpha."""
    return pixels(path)[:, :, 3]
