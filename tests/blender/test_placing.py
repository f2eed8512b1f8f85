"""Clicks and boxes placed with the mouse: the gesture rules (pure) and the operator in real bpy.

Background Blender delivers no events and draws nothing (it runs EXEC even
for INVOKE_DEFAULT), so the modal part, mouse events over an Image Editor and
the overlay, cannot run here; the operator's EXEC path places the same
gestures through the same code.
"""

from __future__ import annotations

from types import SimpleNamespace

import bpy
import pytest
from videomama_blender import gestures, nodes
from videomama_blender.gestures import BoxPrompt, ClickPrompt, prompt_from_gesture


def track_group(scene):
    group = nodes.add_matte_node(scene, bpy.data).node_tree
    group.videomama.mask_kind = "SAM2"
    return group


# -- gestures (pure) --------------------------------------------------------------------------


def test_a_press_and_release_in_place_is_a_click_on_the_subject_or_with_ctrl_the_background():
    assert prompt_from_gesture((0.3, 0.6), (0.31, 0.6), dragged=False, background=False) == ClickPrompt((0.31, 0.6), True)
    assert prompt_from_gesture((0.3, 0.6), (0.3, 0.6), dragged=False, background=True) == ClickPrompt((0.3, 0.6), False)


def test_a_click_outside_the_image_places_nothing():
    assert prompt_from_gesture((1.2, 0.5), (1.2, 0.5), dragged=False, background=False) is None
    assert prompt_from_gesture((0.5, -0.01), (0.5, -0.01), dragged=False, background=False) is None


def test_a_drag_is_a_box_in_either_direction_cut_to_the_image():
    assert prompt_from_gesture((0.8, 0.9), (0.2, 0.1), dragged=True, background=False) == BoxPrompt((0.2, 0.1), (0.8, 0.9))
    assert prompt_from_gesture((-0.5, 0.2), (0.4, 1.5), dragged=True, background=False) == BoxPrompt((0.0, 0.2), (0.4, 1.0))
    assert prompt_from_gesture((1.1, 0.2), (1.4, 0.6), dragged=True, background=False) is None  # all outside


def test_a_gesture_is_a_drag_from_a_few_screen_pixels():
    assert not gestures.is_drag((100, 100), (103, 104))  # 5 px: a shaky click
    assert gestures.is_drag((100, 100), (100, 106))


def test_the_overlay_shows_the_prompts_of_the_frame_shown():
    clicks = [SimpleNamespace(frame=5, location=(0.1, 0.2), positive=True),
              SimpleNamespace(frame=5, location=(0.3, 0.4), positive=False),
              SimpleNamespace(frame=6, location=(0.5, 0.5), positive=True)]
    boxes = [SimpleNamespace(frame=5, bottom_left=(0.1, 0.1), top_right=(0.9, 0.8)),
             SimpleNamespace(frame=7, bottom_left=(0.0, 0.0), top_right=(1.0, 1.0))]
    shown = gestures.overlay(clicks, boxes, 5)
    assert shown.subject == ((0.1, 0.2),) and shown.background == ((0.3, 0.4),)
    assert shown.boxes == (((0.1, 0.1), (0.9, 0.8)),)


# -- the operator -----------------------------------------------------------------------------


def test_placing_adds_clicks_and_boxes_on_the_current_frame(fresh_file):
    group = track_group(fresh_file)
    fresh_file.frame_current = 1004
    place = bpy.ops.videomama.place_prompts
    assert place(group=group.name, press=(0.25, 0.75), release=(0.25, 0.75)) == {"FINISHED"}
    assert place(group=group.name, press=(0.6, 0.4), release=(0.6, 0.4), background=True) == {"FINISHED"}
    assert place(group=group.name, press=(0.9, 0.9), release=(0.1, 0.2), drag=True) == {"FINISHED"}
    settings = group.videomama
    clicks = [(c.frame, tuple(round(v, 6) for v in c.location), c.positive) for c in settings.clicks]
    assert clicks == [(1004, (0.25, 0.75), True), (1004, (0.6, 0.4), False)]
    (box,) = settings.boxes
    assert box.frame == 1004 and tuple(box.bottom_left) == pytest.approx((0.1, 0.2)) and tuple(box.top_right) == pytest.approx((0.9, 0.9))
    assert (settings.active_click, settings.active_box) == (1, 0)  # the new ones are selected in the lists


def test_a_gesture_that_places_nothing_changes_nothing(fresh_file):
    group = track_group(fresh_file)
    assert bpy.ops.videomama.place_prompts(group=group.name, press=(1.5, 0.5), release=(1.5, 0.5)) == {"CANCELLED"}
    assert len(group.videomama.clicks) == 0



class FakeView2D:
    """An Image Editor region showing the whole image over its 400 x 300 pixels."""

    def region_to_view(self, x, y):
        return x / 400.0, y / 300.0


def image_editor_context(scene):
    region = SimpleNamespace(type="WINDOW", x=100, y=50, width=400, height=300, view2d=FakeView2D())
    editor = SimpleNamespace(type="IMAGE_EDITOR", regions=[region], tag_redraw=lambda: None)
    elsewhere = SimpleNamespace(type="NODE_EDITOR", regions=[], tag_redraw=lambda: None)
    return SimpleNamespace(screen=SimpleNamespace(areas=[elsewhere, editor]), scene=scene)


def mouse(value, x, y, ctrl=False, kind="LEFTMOUSE"):
    return SimpleNamespace(type=kind, value=value, mouse_x=x, mouse_y=y, ctrl=ctrl)


def test_the_modal_turns_mouse_gestures_over_an_image_editor_into_prompts(fresh_file):
    # The operator's modal() with window events as Blender would send them (it cannot run headless).
    from videomama_blender.placing import VIDEOMAMA_OT_place_prompts as Place

    group = track_group(fresh_file)
    fresh_file.frame_current = 1002
    ended = []
    operator = SimpleNamespace(group=group.name, _pressed=None, _end=lambda context: ended.append(True))
    context = image_editor_context(fresh_file)

    def send(event):
        return Place.modal(operator, context, event)

    # A click at region pixel (100, 150): view (0.25, 0.5).
    assert send(mouse("PRESS", 200, 200)) == {"RUNNING_MODAL"}
    assert send(mouse("RELEASE", 201, 201)) == {"RUNNING_MODAL"}
    # Ctrl-click: the background.
    send(mouse("PRESS", 300, 125, ctrl=True))
    send(mouse("RELEASE", 300, 125, ctrl=True))
    # A drag from (0.1, 0.1) to (0.5, 0.9): a box.
    send(mouse("PRESS", 140, 80))
    send(mouse("RELEASE", 300, 320))
    # Outside the Image Editor, the mouse is Blender's as usual.
    assert send(mouse("PRESS", 20, 20)) == {"PASS_THROUGH"}
    assert send(mouse("MOUSEMOVE", 250, 250, kind="MOUSEMOVE")) == {"PASS_THROUGH"}
    assert send(mouse("PRESS", 0, 0, kind="RET")) == {"FINISHED"} and ended == [True]

    settings = group.videomama
    clicks = [(c.frame, tuple(round(v, 4) for v in c.location), c.positive) for c in settings.clicks]
    assert clicks == [(1002, (0.2525, 0.5033), True), (1002, (0.5, 0.25), False)]
    (box,) = settings.boxes
    assert tuple(box.bottom_left) == pytest.approx((0.1, 0.1)) and tuple(box.top_right) == pytest.approx((0.5, 0.9))
