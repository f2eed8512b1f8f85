"""The "VideoMaMa Matte" node group: built from stock compositor nodes only.

    Group Input.Image ─────────────► Set Alpha (replace) ──► Group Output.Image
    Image (matte.####.exr).Alpha ──┘                    └──► Group Output.Alpha

Only built-in nodes, so a .blend renders its mattes with ``blender -b`` on a
machine where the add-on is not installed (a farm): the add-on computes and
points the Image node at the cached EXR sequence; playing and rendering need
nothing from it.  Until a matte is computed the group passes its Image
through unchanged (Set Alpha muted) and outputs an alpha of 1.

The settings (source, mask, backend...) live on the group datablock
(``group.videomama``), so one matte's settings travel with it when the
group is appended into another file.
"""

from __future__ import annotations

import os

from . import api_compat
from .sequences import frame_path, image_user_frames

GROUP_NAME = "VideoMaMa Matte"
RESULT_NODE = "VideoMaMa Result"
SET_ALPHA_NODE = "VideoMaMa Set Alpha"
INPUT_NODE = "Group Input"
OUTPUT_NODE = "Group Output"
IMAGE_PREFIX = "VideoMaMa "


def is_matte_group(tree) -> bool:
    settings = getattr(tree, "videomama", None)
    return bool(tree is not None and settings is not None and settings.is_matte)


def _interface_socket(group, name: str, in_out: str, socket_type: str):
    for item in group.interface.items_tree:
        if getattr(item, "item_type", "SOCKET") == "SOCKET" and item.name == name and item.in_out == in_out:
            return item
    return group.interface.new_socket(name, in_out=in_out, socket_type=socket_type)


def _node(group, name: str, node_type: str, location: tuple[float, float]):
    """The group's node called ``name``, (re)created if missing or of another type."""
    node = group.nodes.get(name)
    if node is not None and node.bl_idname == node_type:
        return node
    if node is not None:
        group.nodes.remove(node)
    node = group.nodes.new(node_type)
    node.name = name
    node.location = location
    return node


def _link(group, from_socket, to_socket) -> None:
    for link in list(to_socket.links):
        if link.from_socket != from_socket:
            group.links.remove(link)
    if not to_socket.is_linked:
        group.links.new(from_socket, to_socket)


def _unlink(group, socket) -> None:
    for link in list(socket.links):
        group.links.remove(link)


def build_group(group) -> None:
    """Create or repair the group's sockets, nodes and links (idempotent)."""
    _interface_socket(group, "Image", "INPUT", "NodeSocketColor")
    _interface_socket(group, "Image", "OUTPUT", "NodeSocketColor")
    alpha_out = _interface_socket(group, "Alpha", "OUTPUT", "NodeSocketFloat")
    alpha_out.default_value = 1.0  # what the group outputs before a matte is computed

    group_in = _node(group, INPUT_NODE, "NodeGroupInput", (-400.0, 0.0))
    group_out = _node(group, OUTPUT_NODE, "NodeGroupOutput", (300.0, 0.0))
    result = _node(group, RESULT_NODE, "CompositorNodeImage", (-400.0, -200.0))
    set_alpha = _node(group, SET_ALPHA_NODE, "CompositorNodeSetAlpha", (0.0, 0.0))
    api_compat.set_replace_alpha(set_alpha)

    _link(group, group_in.outputs["Image"], set_alpha.inputs["Image"])
    _link(group, result.outputs["Alpha"], set_alpha.inputs["Alpha"])
    _link(group, set_alpha.outputs["Image"], group_out.inputs["Image"])
    has_result = result.image is not None
    set_alpha.mute = not has_result
    if has_result:
        _link(group, result.outputs["Alpha"], group_out.inputs["Alpha"])
    else:
        _unlink(group, group_out.inputs["Alpha"])


def create_group(blend_data, name: str = GROUP_NAME):
    group = blend_data.node_groups.new(name, "CompositorNodeTree")
    group.videomama.is_matte = True
    build_group(group)
    return group


def add_matte_node(scene, blend_data, group=None, location=None):
    """A group node for ``group`` (a new matte group if None) in the scene's compositor."""
    tree = api_compat.ensure_compositor_tree(scene, blend_data.node_groups)
    group = group or create_group(blend_data)
    node = tree.nodes.new("CompositorNodeGroup")
    node.node_tree = group
    node.label = group.name
    if location is not None:
        node.location = location
    for other in tree.nodes:
        other.select = False
    node.select = True
    tree.nodes.active = node
    return node


def matte_nodes(tree) -> list:
    """Group nodes in ``tree`` that use a matte group, active one first."""
    if tree is None:
        return []
    nodes = [node for node in tree.nodes if node.bl_idname == "CompositorNodeGroup" and is_matte_group(node.node_tree)]
    active = tree.nodes.active
    nodes.sort(key=lambda node: node != active)
    return nodes


def find_matte_group(tree):
    """The matte group to act on in ``tree``: the active node's, else the first one's."""
    nodes = matte_nodes(tree)
    return nodes[0].node_tree if nodes else None


def result_node(group):
    return group.nodes.get(RESULT_NODE)


def apply_result(group, blend_data, matte_pattern: str, frames: tuple[int, int], stored_path: str) -> None:
    """Point the group's Image node at a computed matte sequence.

    ``stored_path`` is the first frame's path as saved in the .blend
    (relative with ``//`` when the file is saved, so the project folder can
    move and a farm can mount it elsewhere).  The image datablock is reused
    across Computes, so drivers and other users of it follow.
    """
    build_group(group)
    node = result_node(group)
    image = node.image
    first_file = frame_path(matte_pattern, frames[0])
    # Reused only while this node is its one user: a duplicated group must
    # not have its matte swapped by the other copy's Compute.
    if image is None or not image.name.startswith(IMAGE_PREFIX) or image.users > 1:
        image = blend_data.images.load(first_file, check_existing=False)
        image.name = f"{IMAGE_PREFIX}{group.name}"
    image.filepath = stored_path
    image.source = "SEQUENCE"
    # The matte is data: no view transform or colour conversion may touch it.
    image.colorspace_settings.is_data = True
    image.reload()
    node.image = image
    user = image_user_frames(*frames)
    node.frame_start, node.frame_offset, node.frame_duration = user.frame_start, user.frame_offset, user.frame_duration
    node.use_cyclic = False
    # Scrubbing in the compositor shows each frame's matte.
    node.use_auto_refresh = True
    build_group(group)
    group.videomama.result_folder = os.path.dirname(matte_pattern)
    group.videomama.result_first, group.videomama.result_last = frames


def clear_result(group, blend_data) -> None:
    """Forget the computed matte (the group passes its Image through again)."""
    node = result_node(group)
    if node is not None and node.image is not None:
        image, node.image = node.image, None
        if image.users == 0 and image.name.startswith(IMAGE_PREFIX):
            blend_data.images.remove(image)
    group.videomama.result_folder = ""
    build_group(group)
