"""Rendering a matte's inputs to EXR through a temporary compositor scene.

The daemon reads files, so the source (a Movie Clip, an image sequence, or
the scene's render) and the mask (a Blender Mask datablock or an image
sequence; when the daemon tracks the masks, none or the Mask datablock for
its keyframes) are rendered frame by frame through Blender's own compositor:
a temporary scene whose tree holds the source node, the mask node and one
File Output node.  That way the mask is rasterised exactly as the Mask node in the
artist's comp would draw it (feather, animation, parenting to tracks), and
clips and sequences go through Blender's colour management once, into the
working space the EXRs are tagged with.

The temporary scene is sized to the source, so the Mask node (which draws at
the scene's size) lines up with the plate pixel for pixel.  It never renders
3D of its own: its tree has no Render Layers node of itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import bpy

from . import api_compat
from .cache import MASK_NAME, SOURCE_NAME
from .errors import PluginError
from .sequences import describe_frames, frame_path, image_user_frames, missing_frames, scan_frames, split_numbered

TEMP_SCENE_NAME = ".VideoMaMa inputs"
_FRAME_TOKEN = "####"


@dataclass(frozen=True)
class Inputs:
    """What to render, read off the matte settings (datablocks, not copies)."""

    source_kind: str  # MOVIE_CLIP | IMAGE_SEQUENCE | RENDER_RESULT
    clip: object = None
    image: object = None
    render_scene: object = None
    view_layer: str = ""
    mask_kind: str = "MASK"  # MASK | IMAGE_SEQUENCE | NONE (the daemon tracks the masks from clicks only)
    mask: object = None
    mask_image: object = None
    mask_image_channel: str = "LUMINANCE"
    # The frames whose mask the daemon reads: None for every frame, else the
    # mask keyframes of a track (the mask files of other frames are left unused).
    mask_frames: tuple[int, ...] | None = None


def _image_path(image) -> str:
    return bpy.path.abspath(image.filepath_raw or image.filepath, library=image.library)


def _sequence_frames(image, what: str, frames: tuple[int, int]):
    """Image node frame settings for an image datablock, after checking it covers ``frames``.

    A sequence is read file-for-frame (scene frame F is file F); a single
    image stands for every frame.
    """
    if image.source == "FILE":
        return None
    if image.source != "SEQUENCE":
        raise PluginError(
            f"the {what} image '{image.name}' is a {image.source.lower()}; use an image sequence, "
            "or load a movie as a Movie Clip"
        )
    path = _image_path(image)
    available = scan_frames(path)
    if not available:
        raise PluginError(f"the {what} image sequence '{image.name}' has no files at {path}")
    missing = missing_frames(available, *frames)
    if missing:
        numbered = split_numbered(path)
        raise PluginError(
            f"the {what} image sequence {numbered.pattern if numbered else path} has no file for frame"
            f"{'s' if len(missing) > 1 else ''} {describe_frames(missing)} (frames are read file-for-frame)"
        )
    return image_user_frames(available[0], available[-1])


def _image_size(image, frames: tuple[int, int], what: str) -> tuple[int, int]:
    """Pixel size of an image or sequence, read from the file of the first frame.

    A sequence datablock reports 0x0 until a frame has been drawn, so the
    file is opened directly (and the temporary datablock freed).
    """
    path = _image_path(image)
    if image.source == "SEQUENCE":
        numbered = split_numbered(path)
        if numbered is not None:
            path = frame_path(numbered.pattern, frames[0])
    try:
        probe = bpy.data.images.load(path, check_existing=False)
    except RuntimeError:
        raise PluginError(f"cannot read the {what} image {path}") from None
    try:
        width, height = probe.size[:]
    finally:
        bpy.data.images.remove(probe)
    if width == 0 or height == 0:
        raise PluginError(f"cannot read the {what} image {path}")
    return width, height


def check_inputs(inputs: Inputs, frames: tuple[int, int]) -> tuple[int, int]:
    """Raise PluginError for a missing or unusable input; return the source's size."""
    if inputs.source_kind == "MOVIE_CLIP":
        clip = inputs.clip
        if clip is None:
            raise PluginError("choose the Movie Clip to matte")
        width, height = clip.size[:]
        if width == 0 or height == 0:
            raise PluginError(f"cannot read the movie clip '{clip.name}' ({bpy.path.abspath(clip.filepath)})")
        last_clip_frame = clip.frame_start + clip.frame_duration - 1
        if frames[0] < clip.frame_start or frames[1] > last_clip_frame:
            raise PluginError(
                f"the movie clip '{clip.name}' covers frames {clip.frame_start}-{last_clip_frame}, "
                f"not {frames[0]}-{frames[1]}: change the frame range or the clip's start frame"
            )
        size = (width, height)
    elif inputs.source_kind == "IMAGE_SEQUENCE":
        if inputs.image is None:
            raise PluginError("choose the image sequence to matte")
        _sequence_frames(inputs.image, "source", frames)
        size = _image_size(inputs.image, frames, "source")
    elif inputs.source_kind == "RENDER_RESULT":
        scene = inputs.render_scene
        if scene is None:
            raise PluginError("choose the scene whose render is the source")
        if inputs.view_layer and inputs.view_layer not in scene.view_layers:
            raise PluginError(f"the scene '{scene.name}' has no view layer '{inputs.view_layer}'")
        if scene.camera is None:
            raise PluginError(f"the scene '{scene.name}' has no camera to render the source with")
        render = scene.render
        size = (
            max(1, render.resolution_x * render.resolution_percentage // 100),
            max(1, render.resolution_y * render.resolution_percentage // 100),
        )
    else:
        raise PluginError(f"unknown source '{inputs.source_kind}'")

    if inputs.mask_kind == "MASK":
        if inputs.mask is None:
            on_keyframes = "" if inputs.mask_frames is None else " on the mask keyframes"
            raise PluginError(f"choose the Mask datablock that outlines the subject{on_keyframes}")
    elif inputs.mask_kind == "NONE":
        pass
    elif inputs.mask_kind == "IMAGE_SEQUENCE":
        if inputs.mask_image is None:
            raise PluginError("choose the mask image sequence")
        _sequence_frames(inputs.mask_image, "mask", frames)
    else:
        raise PluginError(f"unknown mask source '{inputs.mask_kind}'")
    return size


class InputRenderer:
    """A temporary scene that writes ``source.####.exr`` and ``mask.####.exr`` (if any) into a folder.

    Use ``render(frame)`` for each frame, then ``close()`` (always, also on
    errors and cancel) to delete the temporary scene and tree.
    """

    def __init__(self, inputs: Inputs, frames: tuple[int, int], folder: str,
                 size: tuple[int, int] | None = None) -> None:
        size = size or check_inputs(inputs, frames)
        self.folder = folder
        self.frames = frames
        self._inputs = inputs
        self._with_mask = inputs.mask_kind != "NONE"
        self._scene = None
        self._temp_images: list = []
        # The render result source moves the rendered scene's current frame;
        # it is put back on close.
        self._restore_frame = (
            (inputs.render_scene, inputs.render_scene.frame_current) if inputs.source_kind == "RENDER_RESULT" else None
        )
        try:
            self._build(size)
        except BaseException:
            self.close()
            raise

    # -- the temporary scene ------------------------------------------------------------

    def _build(self, size: tuple[int, int]) -> None:
        scene = self._scene = bpy.data.scenes.new(TEMP_SCENE_NAME)
        render = scene.render
        render.resolution_x, render.resolution_y = size
        render.resolution_percentage = 100
        render.pixel_aspect_x = render.pixel_aspect_y = 1.0
        render.use_sequencer = False
        render.use_border = False
        api_compat.disable_stamps(render)
        scene.frame_start, scene.frame_end = self.frames
        tree = api_compat.ensure_compositor_tree(scene, bpy.data.node_groups, empty=True)

        sockets = [self._source_node(tree)]
        files = [api_compat.ExrOutput(SOURCE_NAME.replace(".exr", ""), "RGBA", "RGB")]
        if self._with_mask:
            # A File Output node writes every input on every frame, so a track's
            # mask is drawn on every frame too; only its keyframes are used.
            sockets.append(self._mask_node(tree))
            # One channel: the daemon takes the only channel of a grey image as the mask.
            files.append(api_compat.ExrOutput(MASK_NAME.replace(".exr", ""), "FLOAT", "BW"))
        output = tree.nodes.new("CompositorNodeOutputFile")
        for socket, file_input in zip(sockets, api_compat.configure_file_output(output, self.folder, files)):
            tree.links.new(socket, file_input)

    def _image_node(self, tree, image, what: str):
        node = tree.nodes.new("CompositorNodeImage")
        node.image = image
        user = _sequence_frames(image, what, self.frames)
        if user is not None:
            node.frame_start, node.frame_offset, node.frame_duration = (
                user.frame_start, user.frame_offset, user.frame_duration,
            )
        return node

    def _source_node(self, tree):
        """The output socket that carries the source's colour."""
        inputs = self._inputs
        if inputs.source_kind == "MOVIE_CLIP":
            node = tree.nodes.new("CompositorNodeMovieClip")
            node.clip = inputs.clip
        elif inputs.source_kind == "IMAGE_SEQUENCE":
            node = self._image_node(tree, inputs.image, "source")
        else:
            node = tree.nodes.new("CompositorNodeRLayers")
            node.scene = inputs.render_scene
            node.layer = inputs.view_layer or inputs.render_scene.view_layers[0].name
        return node.outputs["Image"]

    def _mask_node(self, tree):
        """The output socket that carries the mask value."""
        inputs = self._inputs
        if inputs.mask_kind == "MASK":
            node = tree.nodes.new("CompositorNodeMask")
            node.mask = inputs.mask
            api_compat.set_mask_size_from_scene(node)
            return node.outputs["Mask"]
        # A mask is data: read its values as stored, whatever colour space
        # the artist's datablock declares (an 8-bit PNG would otherwise be
        # decoded from sRGB, moving every soft edge).  A copy, so the
        # artist's image is left as it was.
        mask_image = inputs.mask_image.copy()
        self._temp_images.append(mask_image)
        mask_image.colorspace_settings.is_data = True
        node = self._image_node(tree, mask_image, "mask")
        if inputs.mask_image_channel == "ALPHA":
            return node.outputs["Alpha"]
        grey = tree.nodes.new("CompositorNodeRGBToBW")
        tree.links.new(node.outputs["Image"], grey.inputs[0])
        return grey.outputs[0]

    # -- rendering ----------------------------------------------------------------------

    def render(self, frame: int) -> None:
        """Write the source and mask EXRs of one frame (blocking)."""
        scene = self._scene
        scene.frame_set(frame)
        # The render operator takes the scene to render from the context.
        with bpy.context.temp_override(scene=scene):
            result = bpy.ops.render.render(scene=scene.name)
        if "CANCELLED" in result:
            # The render pipeline prints its reason (another render running, a
            # missing camera...) to the console rather than to this call.
            raise PluginError(
                f"Blender could not render the inputs of frame {frame}; the system console says why "
                "(is another render running?)"
            )
        written = [(SOURCE_NAME, "source")] + ([(MASK_NAME, "mask")] if self._with_mask else [])
        for name, what in written:
            if not os.path.isfile(frame_path(os.path.join(self.folder, name), frame)):
                raise PluginError(
                    f"Blender rendered no {what} for frame {frame}: check that the {what} has a picture on that frame"
                )

    def close(self) -> None:
        scene, self._scene = self._scene, None
        if scene is not None:
            api_compat.remove_compositor_tree(scene, bpy.data.node_groups)
            bpy.data.scenes.remove(scene)
        for image in self._temp_images:
            bpy.data.images.remove(image)
        self._temp_images = []
        if self._restore_frame is not None:
            rendered, frame = self._restore_frame
            self._restore_frame = None
            if rendered.frame_current != frame:
                rendered.frame_set(frame)
