"""Registration and the node group, in real bpy (no daemon needed)."""

from __future__ import annotations

import bpy
import pytest
from videomama_blender import api_compat, nodes

CLASS_NAMES = (
    "VIDEOMAMA_OT_add_matte", "VIDEOMAMA_OT_compute", "VIDEOMAMA_OT_cancel", "VIDEOMAMA_PT_matte",
    "VIDEOMAMA_UL_clicks", "VIDEOMAMA_UL_boxes", "VIDEOMAMA_OT_box_add", "VIDEOMAMA_OT_box_remove",
)


def registered() -> dict[str, bool]:
    from videomama_blender import properties

    return {name: hasattr(bpy.types, name) for name in CLASS_NAMES} | {
        "NodeTree.videomama": hasattr(bpy.types.NodeTree, "videomama"),
        # Property groups are not listed in bpy.types.
        "VIDEOMAMA_PG_matte": properties.VIDEOMAMA_PG_matte.is_registered,
        "VIDEOMAMA_AP_preferences": properties.VIDEOMAMA_AP_preferences.is_registered,
    }


def test_unregister_removes_everything_and_register_restores_it(addon):
    assert all(registered().values())
    handlers = len(bpy.app.handlers.load_pre)
    addon.unregister()
    try:
        assert not any(registered().values())
        assert len(bpy.app.handlers.load_pre) == handlers - 1
    finally:
        addon.register()
    assert all(registered().values())
    assert len(bpy.app.handlers.load_pre) == handlers


def test_matte_group_has_an_image_input_and_image_and_alpha_outputs(fresh_file):
    scene = fresh_file
    assert bpy.ops.videomama.add_matte() == {"FINISHED"}
    tree = api_compat.compositor_tree(scene)
    assert tree is not None and scene.render.use_compositing
    (node,) = nodes.matte_nodes(tree)
    group = node.node_tree
    assert nodes.is_matte_group(group) and group.name == "VideoMaMa Matte"
    assert [socket.name for socket in node.inputs] == ["Image"]
    assert [socket.name for socket in node.outputs] == ["Image", "Alpha"]
    # Stock nodes only, so a farm renders it without the add-on.
    assert {n.bl_idname for n in group.nodes} == {
        "NodeGroupInput", "NodeGroupOutput", "CompositorNodeImage", "CompositorNodeSetAlpha",
    }
    # Nothing computed yet: the Image passes through, alpha is 1.
    assert group.nodes[nodes.SET_ALPHA_NODE].mute
    assert not group.nodes[nodes.OUTPUT_NODE].inputs["Alpha"].is_linked
    assert tree.nodes.active == node


def test_build_group_repairs_a_damaged_group(fresh_file):
    group = nodes.create_group(bpy.data)
    group.nodes.remove(group.nodes[nodes.SET_ALPHA_NODE])
    nodes.build_group(group)
    nodes.build_group(group)  # idempotent
    set_alpha = group.nodes[nodes.SET_ALPHA_NODE]
    assert set_alpha.inputs["Image"].is_linked and set_alpha.outputs["Image"].is_linked
    assert len(group.nodes) == 4 and len(group.interface.items_tree) == 3


def test_compute_without_a_matte_node_says_what_to_do(fresh_file):
    with pytest.raises(RuntimeError, match="no VideoMaMa Matte node in this compositor"):
        bpy.ops.videomama.compute()
    with pytest.raises(RuntimeError, match="there is no node group 'Nope'"):
        bpy.ops.videomama.compute(group="Nope")


def test_cancel_is_disabled_when_nothing_runs(fresh_file):
    assert not bpy.ops.videomama.cancel.poll()


def test_clicks_are_added_on_the_current_frame_and_removed(fresh_file):
    node = nodes.add_matte_node(fresh_file, bpy.data)
    group = node.node_tree
    group.videomama.mask_kind = "SAM2"
    fresh_file.frame_current = 12
    assert bpy.ops.videomama.click_add(group=group.name) == {"FINISHED"}
    assert [(click.frame, tuple(click.location), click.positive) for click in group.videomama.clicks] == [
        (12, (0.5, 0.5), True)
    ]
    assert bpy.ops.videomama.click_remove(group=group.name) == {"FINISHED"}
    assert len(group.videomama.clicks) == 0


def test_boxes_are_added_on_the_current_frame_and_the_selected_one_removed(fresh_file):
    group = nodes.add_matte_node(fresh_file, bpy.data).node_tree
    group.videomama.mask_kind = "SAM2"
    for frame in (12, 15):
        fresh_file.frame_current = frame
        assert bpy.ops.videomama.box_add(group=group.name) == {"FINISHED"}
    boxes = group.videomama.boxes
    assert [(b.frame, tuple(b.bottom_left), tuple(b.top_right)) for b in boxes] == [
        (12, (0.25, 0.25), (0.75, 0.75)), (15, (0.25, 0.25), (0.75, 0.75))
    ]
    assert group.videomama.active_box == 1
    group.videomama.active_box = 0
    assert bpy.ops.videomama.box_remove(group=group.name) == {"FINISHED"}
    assert [b.frame for b in boxes] == [15] and group.videomama.active_box == 0
    assert len(group.videomama.clicks) == 0  # the clicks are another list


def test_apply_result_reads_file_f_at_frame_f_and_never_swaps_a_copys_matte(fresh_file, clip):
    group = nodes.create_group(bpy.data)
    pattern = str(clip / "alpha.####.exr")
    nodes.apply_result(group, bpy.data, pattern, (1001, 1006), str(clip / "alpha.1001.exr"))
    image = group.nodes[nodes.RESULT_NODE].image
    assert image.name == "VideoMaMa VideoMaMa Matte" and image.source == "SEQUENCE"
    assert image.colorspace_settings.is_data
    assert not group.nodes[nodes.SET_ALPHA_NODE].mute
    assert group.nodes[nodes.OUTPUT_NODE].inputs["Alpha"].is_linked
    assert (group.videomama.result_first, group.videomama.result_last) == (1001, 1006)

    copy = group.copy()  # Make Single User: both Image nodes use one image datablock
    nodes.apply_result(copy, bpy.data, str(clip / "plate.####.exr"), (1001, 1006), str(clip / "plate.1001.exr"))
    assert copy.nodes[nodes.RESULT_NODE].image != image
    assert image.filepath == str(clip / "alpha.1001.exr")

    nodes.apply_result(group, bpy.data, pattern, (1002, 1004), str(clip / "alpha.1002.exr"))
    assert group.nodes[nodes.RESULT_NODE].image == image  # one image per matte, reused across Computes
    nodes.clear_result(group, bpy.data)
    assert group.nodes[nodes.RESULT_NODE].image is None and group.nodes[nodes.SET_ALPHA_NODE].mute
    assert "VideoMaMa VideoMaMa Matte" not in bpy.data.images


def test_reload_scripts_picks_up_edited_submodules(tmp_path):
    from conftest import run_blender_python

    script = tmp_path / "reload.py"
    script.write_text("""
import importlib, sys
import bpy, videomama_blender
videomama_blender.register()
first = sys.modules["videomama_blender.task"]
videomama_blender.unregister()
importlib.reload(videomama_blender)   # what Reload Scripts does to an add-on package
assert "videomama_blender.task" not in sys.modules
videomama_blender.register()
assert sys.modules["videomama_blender.task"] is not first and hasattr(bpy.types, "VIDEOMAMA_OT_compute")
videomama_blender.unregister()
print("ok")
""")
    run = run_blender_python(str(script))
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-3000:]
