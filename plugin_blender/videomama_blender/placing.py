"""Placing SAM2 clicks and boxes with the mouse, on the source shown in an Image Editor.

"Place in Image Editor" (the Track mask's lists in the sidebar) starts a
modal operator: in any Image Editor of the window, a click on the subject
adds a click on the current frame (Ctrl: on the background), a drag adds a
box; Enter, Esc or a right-click end it.  Everything else (panning, zooming,
changing frames, other editors) goes on as usual, and the prompts of the
current frame are drawn over the image: subject clicks green, background
clicks red, boxes yellow.  The lists' numbers stay editable as before.

Run as ``EXEC`` (scripts, tests), the operator places one gesture given in
view coordinates instead.  The gesture rules are in ``gestures`` (pure).
"""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, FloatVectorProperty, StringProperty

from . import gestures
from .errors import PREFIX
from .operators import resolve_group

HINT = "VideoMaMa: click the subject (Ctrl: background) or drag a box, in an Image Editor; Enter/Esc/right-click: done"
NO_IMAGE_EDITOR = "open an Image Editor showing the source (its Image, or the Viewer), then Place again"
_FINISH_KEYS = {"RET", "NUMPAD_ENTER", "ESC", "RIGHTMOUSE"}
_COLOURS = {"subject": (0.2, 1.0, 0.3, 1.0), "background": (1.0, 0.25, 0.2, 1.0), "box": (1.0, 0.85, 0.1, 1.0)}
_CROSS_PIXELS = 7.0


def add_prompt(settings, prompt: gestures.Prompt, frame: int) -> None:
    """Append ``prompt`` to the matte's clicks or boxes, on ``frame``, and select it."""
    if isinstance(prompt, gestures.ClickPrompt):
        click = settings.clicks.add()
        click.frame, click.location, click.positive = frame, prompt.location, prompt.positive
        settings.active_click = len(settings.clicks) - 1
    else:
        box = settings.boxes.add()
        box.frame, box.bottom_left, box.top_right = frame, prompt.bottom_left, prompt.top_right
        settings.active_box = len(settings.boxes) - 1


class VIDEOMAMA_OT_place_prompts(bpy.types.Operator):
    """Click the subject on the source in an Image Editor (Ctrl: background) or drag a box around it"""

    bl_idname = "videomama.place_prompts"
    bl_label = "Place in Image Editor"
    bl_options = {"REGISTER", "UNDO"}

    group: StringProperty(options={"SKIP_SAVE", "HIDDEN"})
    # One gesture, for EXEC (scripts): view coordinates, 0-1 from the image's bottom-left corner.
    press: FloatVectorProperty(size=2, options={"SKIP_SAVE"})
    release: FloatVectorProperty(size=2, options={"SKIP_SAVE"})
    drag: BoolProperty(options={"SKIP_SAVE"}, description="A box from press to release, not a click")
    background: BoolProperty(options={"SKIP_SAVE"}, description="A click on the background, not the subject")

    def execute(self, context):
        group, error = resolve_group(context, self.group)
        if error:
            self.report({"ERROR"}, PREFIX + error)
            return {"CANCELLED"}
        prompt = gestures.prompt_from_gesture(tuple(self.press), tuple(self.release), self.drag, self.background)
        if prompt is None:
            self.report({"WARNING"}, PREFIX + "nothing placed: the click is outside the image, or the box is empty")
            return {"CANCELLED"}
        add_prompt(group.videomama, prompt, context.scene.frame_current)
        return {"FINISHED"}

    def invoke(self, context, event):
        group, error = resolve_group(context, self.group)
        if error:
            self.report({"ERROR"}, PREFIX + error)
            return {"CANCELLED"}
        if not _image_editor_regions(context):
            self.report({"ERROR"}, PREFIX + NO_IMAGE_EDITOR)
            return {"CANCELLED"}
        self.group = group.name
        self._pressed = None  # (view point, screen point) of a press in an Image Editor
        self._draw = bpy.types.SpaceImageEditor.draw_handler_add(_draw_overlay, (group.name,), "WINDOW", "POST_PIXEL")
        context.window_manager.modal_handler_add(self)
        context.workspace.status_text_set(HINT)
        _redraw_image_editors(context)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type in _FINISH_KEYS and event.value == "PRESS":
            self._end(context)
            return {"FINISHED"}
        if event.type != "LEFTMOUSE":
            return {"PASS_THROUGH"}
        screen_point = (float(event.mouse_x), float(event.mouse_y))
        view_point = _view_point_at(context, screen_point)
        if event.value == "PRESS":
            if view_point is None:
                return {"PASS_THROUGH"}  # the panel, another editor: business as usual
            self._pressed = (view_point, screen_point)
            return {"RUNNING_MODAL"}
        if event.value != "RELEASE" or self._pressed is None:
            return {"PASS_THROUGH"}
        (press, press_screen), self._pressed = self._pressed, None
        release = view_point if view_point is not None else press
        prompt = gestures.prompt_from_gesture(
            press, release, gestures.is_drag(press_screen, screen_point), background=event.ctrl
        )
        group = bpy.data.node_groups.get(self.group)
        if prompt is not None and group is not None:
            add_prompt(group.videomama, prompt, context.scene.frame_current)
            _redraw_image_editors(context)
        return {"RUNNING_MODAL"}

    def cancel(self, context):
        self._end(context)

    def _end(self, context) -> None:
        bpy.types.SpaceImageEditor.draw_handler_remove(self._draw, "WINDOW")
        context.workspace.status_text_set(None)
        _redraw_image_editors(context)


def _image_editor_regions(context) -> list:
    """The image areas' main regions in the window: where prompts are placed."""
    screen = getattr(context, "screen", None)
    if screen is None:
        return []
    return [
        region
        for area in screen.areas
        if area.type == "IMAGE_EDITOR"
        for region in area.regions
        if region.type == "WINDOW"
    ]


def _view_point_at(context, screen_point: gestures.Point):
    """The view coordinates under the mouse in an Image Editor, or None elsewhere."""
    x, y = screen_point
    for region in _image_editor_regions(context):
        if region.x <= x < region.x + region.width and region.y <= y < region.y + region.height:
            return tuple(region.view2d.region_to_view(x - region.x, y - region.y))
    return None


def _redraw_image_editors(context) -> None:
    screen = getattr(context, "screen", None)
    for area in screen.areas if screen is not None else ():
        if area.type == "IMAGE_EDITOR":
            area.tag_redraw()


def _draw_overlay(group_name: str) -> None:
    """Over each Image Editor: the current frame's clicks and boxes (region pixels)."""
    import gpu
    from gpu_extras.batch import batch_for_shader

    group, region = bpy.data.node_groups.get(group_name), bpy.context.region
    if group is None or region is None:
        return
    settings = group.videomama
    shown = gestures.overlay(settings.clicks, settings.boxes, bpy.context.scene.frame_current)
    to_region = region.view2d.view_to_region
    lines = {"subject": [], "background": [], "box": []}
    for kind, points in (("subject", shown.subject), ("background", shown.background)):
        for u, v in points:
            x, y = to_region(u, v, clip=False)
            r = _CROSS_PIXELS
            lines[kind] += [(x - r, y), (x + r, y), (x, y - r), (x, y + r)]
    for (u0, v0), (u1, v1) in shown.boxes:
        (x0, y0), (x1, y1) = to_region(u0, v0, clip=False), to_region(u1, v1, clip=False)
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        lines["box"] += [point for i in range(4) for point in (corners[i], corners[(i + 1) % 4])]
    shader = gpu.shader.from_builtin("UNIFORM_COLOR")
    gpu.state.line_width_set(2.0)
    for kind, coords in lines.items():
        if coords:
            shader.bind()
            shader.uniform_float("color", _COLOURS[kind])
            batch_for_shader(shader, "LINES", {"pos": coords}).draw(shader)
    gpu.state.line_width_set(1.0)


CLASSES = (VIDEOMAMA_OT_place_prompts,)

# Blender's own idiom: registers CLASSES in order, unregisters them in reverse.
register, unregister = bpy.utils.register_classes_factory(CLASSES)
