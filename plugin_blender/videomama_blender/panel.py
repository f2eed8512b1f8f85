"""The sidebar panel of the compositor (N panel, "VideoMaMa" tab)."""

from __future__ import annotations

import bpy

from . import properties, task as tasks
from .operators import context_matte_group


class VIDEOMAMA_UL_clicks(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):
        row = layout.row(align=True)
        row.prop(item, "positive", text="", icon="ADD" if item.positive else "REMOVE", emboss=False)
        row.prop(item, "frame", text="")
        row.prop(item, "location", text="")


class VIDEOMAMA_UL_boxes(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):
        row = layout.row(align=True)
        row.prop(item, "frame", text="")
        row.prop(item, "bottom_left", text="")
        row.prop(item, "top_right", text="")


class VIDEOMAMA_PT_matte(bpy.types.Panel):
    bl_space_type = "NODE_EDITOR"
    bl_region_type = "UI"
    bl_category = "VideoMaMa"
    bl_label = "VideoMaMa Matte"

    @classmethod
    def poll(cls, context):
        space = context.space_data
        return space is not None and space.tree_type == "CompositorNodeTree"

    def draw(self, context):
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False

        prefs = properties.preferences(context)
        if prefs is not None:
            layout.prop(prefs, "address", text="Daemon")

        group = context_matte_group(context)
        if group is None:
            layout.operator("videomama.add_matte", text="Add VideoMaMa Matte", icon="ADD")
            return
        settings = group.videomama
        task = tasks.running_task(group)
        layout.label(text=group.name, icon="NODETREE")

        self._draw_source(layout.box(), settings)
        self._draw_mask(layout.box(), settings, group)

        col = layout.column()
        col.prop(settings, "use_scene_range")
        if not settings.use_scene_range:
            sub = col.column(align=True)
            sub.prop(settings, "frame_first")
            sub.prop(settings, "frame_last")
        col.prop(settings, "backend")
        col.prop(settings, "custom_windows")
        if settings.custom_windows:
            sub = col.column(align=True)
            sub.prop(settings, "window")
            sub.prop(settings, "overlap")
        col.prop(settings, "colorspace")
        col.prop(settings, "cache_dir")

        row = layout.row()
        row.scale_y = 1.4
        if task is None:
            row.operator("videomama.compute", icon="RENDER_ANIMATION").group = group.name
        else:
            snapshot = task.snapshot
            if snapshot is not None and hasattr(row, "progress"):
                row.progress(factor=snapshot.fraction, type="BAR", text=snapshot.text)
            row.operator("videomama.cancel", icon="CANCEL").group = group.name
        if task is None and settings.status:
            layout.label(text=settings.status, icon="ERROR" if settings.status.startswith("Error") else "INFO")

    @staticmethod
    def _draw_source(box, settings) -> None:
        box.prop(settings, "source_kind")
        if settings.source_kind == "MOVIE_CLIP":
            box.prop(settings, "source_clip")
        elif settings.source_kind == "IMAGE_SEQUENCE":
            box.template_ID(settings, "source_image", open="image.open")
        else:
            box.prop(settings, "source_scene")
            scene = settings.source_scene or bpy.context.scene
            box.prop_search(settings, "source_view_layer", scene, "view_layers")

    @staticmethod
    def _draw_mask(box, settings, group) -> None:
        box.prop(settings, "mask_kind")
        if settings.mask_kind == "MASK":
            box.prop(settings, "mask")
        elif settings.mask_kind == "IMAGE_SEQUENCE":
            box.template_ID(settings, "mask_image", open="image.open")
            box.prop(settings, "mask_image_channel")
        else:
            # Track: clicks and boxes (x, y from 0 to 1, bottom-left origin; typed
            # in the lists or placed with the mouse in an Image Editor), and the
            # Mask datablock rendered on the mask keyframes for the tracker.
            for prompts, active, kind in (("clicks", "active_click", "click"), ("boxes", "active_box", "box")):
                box.label(text=prompts.title())
                row = box.row()
                row.template_list(f"VIDEOMAMA_UL_{prompts}", "", settings, prompts, settings, active, rows=3)
                buttons = row.column(align=True)
                buttons.operator(f"videomama.{kind}_add", icon="ADD", text="").group = group.name
                buttons.operator(f"videomama.{kind}_remove", icon="REMOVE", text="").group = group.name
            box.operator("videomama.place_prompts", icon="RESTRICT_SELECT_OFF").group = group.name
            box.prop(settings, "mask_keyframes")
            box.prop(settings, "mask", text="Keyframe Mask")
            box.prop(settings, "tracker")
            box.prop(settings, "soft_masks")
            box.label(text="Clicks and boxes need SAM2 on the daemon; the flow tracker needs a mask keyframe",
                      icon="INFO")


CLASSES = (VIDEOMAMA_UL_clicks, VIDEOMAMA_UL_boxes, VIDEOMAMA_PT_matte)

# Blender's own idiom: registers CLASSES in order, unregisters them in reverse.
register, unregister = bpy.utils.register_classes_factory(CLASSES)
