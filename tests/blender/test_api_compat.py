"""Both sides of every 4.x/5.x difference, with stand-ins shaped like each API (no bpy).

The real-bpy tests cover the pinned Blender; these keep the other major
version's path exercised, so a change for one cannot silently break the other.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from videomama_blender import api_compat
from videomama_blender.api_compat import ExrOutput


class Collection(list):
    """Enough of bpy_prop_collection: index, name lookup, ``in``, new/remove/clear."""

    def __init__(self, factory=None):
        super().__init__()
        self._factory = factory

    def get(self, name, default=None):
        return next((item for item in self if getattr(item, "name", None) == name), default)

    def __getitem__(self, key):
        if isinstance(key, str):
            item = self.get(key)
            if item is None:
                raise KeyError(key)
            return item
        return list.__getitem__(self, key)

    def __contains__(self, key):
        return self.get(key) is not None if isinstance(key, str) else list.__contains__(self, key)

    def new(self, *args, **kwargs):
        item = self._factory(*args, **kwargs)
        self.append(item)
        return item

    # list.remove already removes by identity-or-equality, as bpy does by pointer.


def image_format():
    return SimpleNamespace(file_format="PNG", color_mode="RGBA", color_depth="8", exr_codec="NONE")


class Tree:
    def __init__(self, name="tree"):
        self.name = name
        self.users = 0
        self.nodes = Collection(lambda kind: SimpleNamespace(bl_idname=kind, name=kind))
        sockets = []
        self.interface = SimpleNamespace(
            sockets=sockets,
            new_socket=lambda name, in_out, socket_type: sockets.append((name, in_out, socket_type)),
        )


def scene_5x():
    return SimpleNamespace(name="Shot", compositing_node_group=None, render=SimpleNamespace(use_compositing=False))


class Scene4x(SimpleNamespace):
    """4.x: switching ``use_nodes`` on creates the embedded tree with its default nodes."""

    def __init__(self, name="Shot"):
        super().__init__(name=name, use_nodes=False, node_tree=None, render=SimpleNamespace(use_compositing=False))

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "use_nodes" and value and self.node_tree is None:
            tree = Tree()
            tree.nodes.new("CompositorNodeRLayers")
            tree.nodes.new("CompositorNodeComposite")
            self.node_tree = tree


def node_groups():
    groups = Collection(lambda name, kind: Tree(name))
    groups.removed = []
    groups.remove = lambda tree: groups.removed.append(tree)
    return groups


# -- the compositor tree ------------------------------------------------------------------


def test_5x_creates_a_compositing_node_group_with_an_output():
    scene, groups = scene_5x(), node_groups()
    assert api_compat.uses_compositing_node_group(scene)
    assert api_compat.compositor_tree(scene) is None
    tree = api_compat.ensure_compositor_tree(scene, groups)
    assert scene.compositing_node_group is tree and tree.name == "Shot Compositing"
    assert tree.interface.sockets == [("Image", "OUTPUT", "NodeSocketColor")]
    assert [node.bl_idname for node in tree.nodes] == ["NodeGroupOutput"]
    assert scene.render.use_compositing
    assert api_compat.ensure_compositor_tree(scene, groups) is tree  # idempotent
    api_compat.remove_compositor_tree(scene, groups)
    assert scene.compositing_node_group is None and groups.removed == [tree]


def test_5x_empty_tree_for_temporary_scenes():
    scene, groups = scene_5x(), node_groups()
    tree = api_compat.ensure_compositor_tree(scene, groups, empty=True)
    assert list(tree.nodes) == [] and tree.interface.sockets == []


def test_4x_switches_use_nodes_on_and_can_empty_the_tree():
    scene = Scene4x()
    assert not api_compat.uses_compositing_node_group(scene)
    assert api_compat.compositor_tree(scene) is None
    tree = api_compat.ensure_compositor_tree(scene, node_groups())
    assert scene.use_nodes and tree is scene.node_tree and scene.render.use_compositing
    assert [node.bl_idname for node in tree.nodes] == ["CompositorNodeRLayers", "CompositorNodeComposite"]
    assert api_compat.compositor_tree(scene) is tree

    temp = Scene4x("Temp")
    api_compat.ensure_compositor_tree(temp, node_groups(), empty=True)
    assert list(temp.node_tree.nodes) == []  # no Render Layers node left to render 3D on every frame
    groups = node_groups()
    api_compat.remove_compositor_tree(temp, groups)  # embedded: it goes with the scene
    assert groups.removed == []


# -- File Output ----------------------------------------------------------------------------


def file_output_5x():
    node = SimpleNamespace(directory="", file_name="file_name", inputs=[], format=image_format())
    node.format.media_type = "VIDEO"

    def new(socket_type, name):
        item = SimpleNamespace(name=name, socket_type=socket_type, override_node_format=False, format=image_format())
        item.format.media_type = "VIDEO"
        node.inputs.append(SimpleNamespace(name=name))
        node.file_output_items.made.append(item)
        return item

    node.file_output_items = SimpleNamespace(made=[], clear=lambda: node.inputs.clear(), new=new)
    return node


class Slots(list):
    """4.x ``file_slots``: ``new(path)`` adds a slot and its input socket."""

    def __init__(self, node):
        super().__init__()
        self._node = node

    def new(self, path):
        self.append(SimpleNamespace(path=path, use_node_format=True, format=image_format()))
        self._node.inputs.append(SimpleNamespace(name=path))

    def clear(self):
        super().clear()
        self._node.inputs.clear()


def file_output_4x():
    node = SimpleNamespace(base_path="/tmp/", inputs=[SimpleNamespace(name="Image")], format=image_format())
    node.file_slots = Slots(node)
    node.file_slots.append(SimpleNamespace(path="Image", use_node_format=True, format=image_format()))
    return node


OUTPUTS = [ExrOutput("source.####", "RGBA", "RGB"), ExrOutput("mask.####", "FLOAT", "BW")]


def test_file_output_5x_directory_items_and_media_type():
    node = file_output_5x()
    sockets = api_compat.configure_file_output(node, "/cache/stage", OUTPUTS)
    assert node.directory == "/cache/stage" + os.sep and node.file_name == ""
    assert [socket.name for socket in sockets] == ["source.####", "mask.####"]
    assert node.format.media_type == "IMAGE" and node.format.file_format == "OPEN_EXR"
    items = node.file_output_items.made
    assert [(item.socket_type, item.format.color_mode) for item in items] == [("RGBA", "RGB"), ("FLOAT", "BW")]
    assert all(item.override_node_format and item.format.media_type == "IMAGE" for item in items)


def test_file_output_4x_base_path_and_slots():
    node = file_output_4x()
    sockets = api_compat.configure_file_output(node, "/cache/stage/", OUTPUTS)
    assert node.base_path == "/cache/stage" + os.sep
    assert [socket.name for socket in sockets] == ["source.####", "mask.####"]
    slots = node.file_slots
    assert [slot.path for slot in slots] == ["source.####", "mask.####"]  # the default "Image" slot is gone
    assert all(not slot.use_node_format for slot in slots)
    assert [slot.format.color_mode for slot in slots] == ["RGB", "BW"]
    assert all(slot.format.file_format == "OPEN_EXR" and slot.format.exr_codec == "ZIP" for slot in slots)
    assert all(slot.format.color_depth == "16" for slot in slots)


# -- options that became sockets -----------------------------------------------------------


def test_set_alpha_mode_property_on_4x_socket_on_5x():
    node_4x = SimpleNamespace(mode="APPLY", inputs=Collection())
    api_compat.set_replace_alpha(node_4x)
    assert node_4x.mode == "REPLACE_ALPHA"
    inputs = Collection()
    inputs.append(SimpleNamespace(name="Type", default_value="Apply Mask"))
    node_5x = SimpleNamespace(inputs=inputs)
    api_compat.set_replace_alpha(node_5x)
    assert inputs["Type"].default_value == "Replace Alpha"


def test_mask_size_property_on_4x_socket_on_5x():
    inputs_4x = Collection()
    inputs_4x.append(SimpleNamespace(name="Size X", default_value=256))  # 4.5 has size sockets but no source socket
    node_4x = SimpleNamespace(size_source="FIXED", inputs=inputs_4x)
    api_compat.set_mask_size_from_scene(node_4x)
    assert node_4x.size_source == "SCENE"
    inputs_5x = Collection()
    inputs_5x.append(SimpleNamespace(name="Size Source", default_value="Fixed"))
    api_compat.set_mask_size_from_scene(SimpleNamespace(inputs=inputs_5x))
    assert inputs_5x["Size Source"].default_value == "Scene Size"


def test_working_space_only_on_5x():
    assert api_compat.working_space(SimpleNamespace(colorspace=SimpleNamespace(working_space="ACEScg"))) == "ACEScg"
    assert api_compat.working_space(SimpleNamespace()) is None


def test_disable_stamps_turns_off_every_switch():
    class Render:
        use_stamp = True
        use_stamp_date = True
        use_stamp_render_time = True
        resolution_x = 1920

        @property
        def use_stamp_readonly(self):
            return True

    render = Render()
    api_compat.disable_stamps(render)
    assert not render.use_stamp and not render.use_stamp_date and not render.use_stamp_render_time
    assert render.resolution_x == 1920
