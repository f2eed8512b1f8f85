"""The Blender 4.x / 5.x API differences the add-on meets, in one place.

Every function decides by *feature*, never by version number: it looks for
the 5.x attribute or socket and falls back to the 4.x one, so a 4.x point
release that backports a change, or a 5.x one that renames something else,
takes the right path.  Nothing here imports bpy; callers pass Blender objects
in, which also lets the tests drive both paths with stand-ins.

The moves that matter here (Blender 5.0):

* ``scene.node_tree`` (an embedded tree switched on by ``scene.use_nodes``)
  is gone; a scene composites with ``scene.compositing_node_group``, an
  ordinary ``CompositorNodeTree`` node group whose Group Output is the result.
* File Output: ``base_path`` + ``file_slots`` became ``directory`` +
  ``file_name`` + ``file_output_items``, and the format needs
  ``media_type = 'IMAGE'`` before it accepts OPEN_EXR.
* Node options became input sockets: Set Alpha's ``mode`` is the "Type" menu
  socket, the Mask node's ``size_source`` the "Size Source" menu socket.
* The working colour space became a per-file setting
  (``bpy.data.colorspace.working_space``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass


# -- the scene's compositor tree --------------------------------------------------------


def uses_compositing_node_group(scene) -> bool:
    """True on 5.x, where a scene composites with a node group datablock."""
    return hasattr(scene, "compositing_node_group")


def compositor_tree(scene):
    """The scene's compositor node tree, or None when it has none."""
    if uses_compositing_node_group(scene):
        return scene.compositing_node_group
    return scene.node_tree if getattr(scene, "use_nodes", False) else None


def ensure_compositor_tree(scene, node_groups, *, empty: bool = False):
    """The scene's compositor tree, created (and compositing switched on) if needed.

    ``empty``: leave no default nodes.  For the temporary scenes that render
    inputs: on 4.x ``use_nodes`` adds a Render Layers node, which would make
    Blender render the (empty) 3D scene on every frame.
    """
    if uses_compositing_node_group(scene):
        tree = scene.compositing_node_group
        if tree is None:
            tree = node_groups.new(f"{scene.name} Compositing", "CompositorNodeTree")
            scene.compositing_node_group = tree
            if not empty:
                # What 5.x's "New" button gives minus the Render Layers node: an
                # Image output, so whatever is linked to it is the composite.
                tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
                tree.nodes.new("NodeGroupOutput")
    else:
        if not scene.use_nodes:
            scene.use_nodes = True
        tree = scene.node_tree
        if empty:
            for node in list(tree.nodes):
                tree.nodes.remove(node)
    scene.render.use_compositing = True
    return tree


def remove_compositor_tree(scene, node_groups) -> None:
    """Free a temporary scene's tree (5.x: a separate datablock; 4.x: goes with the scene)."""
    if uses_compositing_node_group(scene):
        tree = scene.compositing_node_group
        scene.compositing_node_group = None
        if tree is not None:
            node_groups.remove(tree)


# -- File Output ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExrOutput:
    """One image a File Output node writes: ``name`` may hold ``####`` for the frame."""

    name: str
    socket_type: str = "RGBA"  # RGBA or FLOAT (5.x sockets; 4.x inputs are all colour)
    color_mode: str = "RGB"  # BW writes one channel
    color_depth: str = "16"  # half float
    codec: str = "ZIP"  # lossless


def _set_exr(image_format, output: ExrOutput) -> None:
    if hasattr(image_format, "media_type"):  # 5.x: OPEN_EXR is only offered for IMAGE
        image_format.media_type = "IMAGE"
    image_format.file_format = "OPEN_EXR"
    image_format.color_mode = output.color_mode
    image_format.color_depth = output.color_depth
    image_format.exr_codec = output.codec


def configure_file_output(node, directory: str, outputs: Sequence[ExrOutput]) -> list:
    """Make ``node`` write ``outputs`` as EXRs in ``directory``; return its inputs in that order.

    Each output gets its own format (5.x: override, 4.x: per slot), so a
    one-channel mask and an RGB plate can come from one node.
    """
    directory = directory.rstrip("/\\") + os.sep
    if hasattr(node, "file_output_items"):
        node.directory = directory
        node.file_name = ""  # 5.x defaults it to "file_name", which would prefix every file
        _set_exr(node.format, outputs[0])
        node.file_output_items.clear()
        for output in outputs:
            item = node.file_output_items.new(output.socket_type, output.name)
            item.override_node_format = True
            _set_exr(item.format, output)
    else:
        node.base_path = directory
        _set_exr(node.format, outputs[0])
        node.file_slots.clear()
        for output in outputs:
            node.file_slots.new(output.name)
            slot = node.file_slots[-1]
            slot.use_node_format = False
            _set_exr(slot.format, output)
    return [node.inputs[index] for index in range(len(outputs))]


# -- node options that became sockets ---------------------------------------------------


def set_replace_alpha(node) -> None:
    """Set Alpha in "replace" mode: the matte becomes the alpha, colour untouched."""
    if hasattr(node, "mode"):
        node.mode = "REPLACE_ALPHA"
    else:
        node.inputs["Type"].default_value = "Replace Alpha"


def set_mask_size_from_scene(node) -> None:
    """A Mask node rasterises at the scene's render size (set to the source's)."""
    if "Size Source" in node.inputs:
        node.inputs["Size Source"].default_value = "Scene Size"
    else:
        node.size_source = "SCENE"


# -- colour -----------------------------------------------------------------------------


def working_space(blend_data) -> str | None:
    """Blender's working colour space name (5.x), or None where it is not a setting (4.x)."""
    colorspace = getattr(blend_data, "colorspace", None)
    return getattr(colorspace, "working_space", None) or None


# -- rendering --------------------------------------------------------------------------


def disable_stamps(render) -> None:
    """Turn off every render stamp, which also drops them from EXR headers.

    Date and render time in the header would change the files' bytes on
    every Compute and defeat the content-addressed cache.
    """
    for name in dir(render):
        if name.startswith("use_stamp"):
            try:
                setattr(render, name, False)
            except (AttributeError, TypeError):
                pass  # read-only or not a switch
