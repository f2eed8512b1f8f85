"""The sidebar panel's draw code against a recording layout.

Background Blender cannot draw UI, but a layout stand-in that checks every
property and operator the panel names against Blender's own RNA catches the
mistakes panels are prone to (a renamed property, a wrong operator id) on
every state the panel has.
"""

from __future__ import annotations

from types import SimpleNamespace

import bpy
import pytest
from videomama_blender import api_compat, nodes, progress, task as tasks
from videomama_blender.panel import VIDEOMAMA_PT_matte, VIDEOMAMA_UL_boxes, VIDEOMAMA_UL_clicks


class Layout:
    def __init__(self, log):
        self.log = log
        self.use_property_split = self.use_property_decorate = False
        self.scale_y = 1.0

    def _child(self, *args, **kwargs):
        return Layout(self.log)

    box = row = column = _child

    def prop(self, data, name, **kwargs):
        assert name in data.bl_rna.properties, f"{data.bl_rna.identifier} has no property {name}"
        self.log.append(("prop", name))

    def prop_search(self, data, name, search_data, search_name, **kwargs):
        assert name in data.bl_rna.properties and search_name in search_data.bl_rna.properties
        self.log.append(("prop_search", name))

    def template_ID(self, data, name, **kwargs):
        assert name in data.bl_rna.properties
        if "open" in kwargs:
            self._operator_exists(kwargs["open"])
        self.log.append(("template_ID", name))

    def template_list(self, list_type, list_id, data, name, active_data, active_name, **kwargs):
        assert hasattr(bpy.types, list_type)
        assert name in data.bl_rna.properties and active_name in active_data.bl_rna.properties
        self.log.append(("template_list", name))

    @staticmethod
    def _operator_exists(idname):
        category, name = idname.split(".")
        return getattr(getattr(bpy.ops, category), name).get_rna_type()

    def operator(self, idname, **kwargs):
        rna = self._operator_exists(idname)
        self.log.append(("operator", idname))
        layout = self

        class Properties:
            def __setattr__(self, key, value):
                assert key in rna.properties, f"{idname} has no property {key}"
                layout.log.append(("set", idname, key, value))

        return Properties()

    def label(self, text="", **kwargs):
        self.log.append(("label", text))

    def progress(self, factor=0.0, type="BAR", text=""):
        self.log.append(("progress", round(factor, 3), text))


def draw(context) -> list:
    log = []
    panel = SimpleNamespace(layout=Layout(log), _draw_source=VIDEOMAMA_PT_matte._draw_source,
                            _draw_mask=VIDEOMAMA_PT_matte._draw_mask)
    VIDEOMAMA_PT_matte.draw(panel, context)
    return log


def node_editor_context(scene):
    tree = api_compat.compositor_tree(scene)
    space = SimpleNamespace(type="NODE_EDITOR", tree_type="CompositorNodeTree", edit_tree=tree)
    return SimpleNamespace(space_data=space, scene=scene, preferences=bpy.context.preferences)


def test_poll_only_in_the_compositor():
    compositor = SimpleNamespace(space_data=SimpleNamespace(tree_type="CompositorNodeTree"))
    shader = SimpleNamespace(space_data=SimpleNamespace(tree_type="ShaderNodeTree"))
    assert VIDEOMAMA_PT_matte.poll(compositor) and not VIDEOMAMA_PT_matte.poll(shader)


def test_without_a_matte_the_panel_offers_to_add_one(fresh_file):
    api_compat.ensure_compositor_tree(fresh_file, bpy.data.node_groups)
    log = draw(node_editor_context(fresh_file))
    assert ("operator", "videomama.add_matte") in log and ("operator", "videomama.compute") not in log


@pytest.mark.parametrize("source", ["MOVIE_CLIP", "IMAGE_SEQUENCE", "RENDER_RESULT"])
@pytest.mark.parametrize("mask", ["MASK", "IMAGE_SEQUENCE", "SAM2"])
def test_every_source_and_mask_kind_draws(fresh_file, source, mask):
    group = nodes.add_matte_node(fresh_file, bpy.data).node_tree
    group.videomama.source_kind, group.videomama.mask_kind = source, mask
    group.videomama.use_scene_range = False
    group.videomama.custom_windows = True
    log = draw(node_editor_context(fresh_file))
    names = {entry[1] for entry in log if entry[0] in ("prop", "template_ID", "prop_search", "template_list")}
    assert {"backend", "frame_first", "frame_last", "window", "overlap", "colorspace", "cache_dir"} <= names
    assert {"MOVIE_CLIP": "source_clip", "IMAGE_SEQUENCE": "source_image", "RENDER_RESULT": "source_view_layer"}[
        source] in names
    assert {"MASK": "mask", "IMAGE_SEQUENCE": "mask_image", "SAM2": "clicks"}[mask] in names
    assert ("set", "videomama.compute", "group", group.name) in log
    tracking = {"mask_keyframes", "tracker", "soft_masks"}
    assert tracking <= names if mask == "SAM2" else not tracking & names
    if mask == "SAM2":
        assert "mask" in names  # the Mask datablock drawn on the keyframes
        assert "boxes" in names
        assert {("operator", "videomama.box_add"), ("operator", "videomama.box_remove")} <= set(log)
        assert ("set", "videomama.place_prompts", "group", group.name) in log
        assert ("label", "Clicks and boxes need SAM2 on the daemon; the flow tracker needs a mask keyframe") in log


def test_while_computing_the_panel_shows_progress_and_cancel(fresh_file):
    group = nodes.add_matte_node(fresh_file, bpy.data).node_tree
    running = SimpleNamespace(snapshot=progress.matting(3, 6, 12))
    tasks._RUNNING[group.as_pointer()] = running
    try:
        log = draw(node_editor_context(fresh_file))
    finally:
        del tasks._RUNNING[group.as_pointer()]
    assert ("progress", round(running.snapshot.fraction, 3), "matting 3/6 frames, 12 s left") in log
    assert ("operator", "videomama.cancel") in log and ("operator", "videomama.compute") not in log


def test_last_status_is_shown(fresh_file):
    group = nodes.add_matte_node(fresh_file, bpy.data).node_tree
    group.videomama.status = "Error: daemon not running at 127.0.0.1:1"
    assert ("label", "Error: daemon not running at 127.0.0.1:1") in draw(node_editor_context(fresh_file))


@pytest.mark.parametrize(
    ("ui_list", "prompts", "active", "drawn"),
    [
        (VIDEOMAMA_UL_clicks, "clicks", "active_click", ["positive", "frame", "location"]),
        (VIDEOMAMA_UL_boxes, "boxes", "active_box", ["frame", "bottom_left", "top_right"]),
    ],
)
def test_prompt_list_rows_draw(fresh_file, ui_list, prompts, active, drawn):
    group = nodes.add_matte_node(fresh_file, bpy.data).node_tree
    item = getattr(group.videomama, prompts).add()
    log = []
    ui_list.draw_item(None, None, Layout(log), group.videomama, item, 0, group.videomama, active)
    assert [entry[1] for entry in log] == drawn
