"""Operators: add a matte node, Compute (modal in the UI, blocking in scripts), Cancel, SAM2 clicks and boxes.

Compute has two entry points over the same ``ComputeTask``:

* ``invoke`` (a button in the UI): a modal operator whose timer drives the
  task one step at a time, so the UI stays live; progress goes to the status
  bar and the window's progress indicator.
* ``execute`` (``bpy.ops.videomama.compute()`` from a script, ``blender -b
  -P``): blocking, progress printed to stdout in background mode.

Both end in ``self.report``: errors as one line (a RuntimeError for
scripts), never a traceback.
"""

from __future__ import annotations

import bpy
from bpy.app.handlers import persistent
from bpy.props import StringProperty

from . import api_compat, nodes, progress, task as tasks
from .errors import PREFIX

TIMER_S = 0.1


def _space_tree(context):
    space = context.space_data
    if space is not None and space.type == "NODE_EDITOR" and space.tree_type == "CompositorNodeTree":
        return space.edit_tree
    return None


def context_matte_group(context):
    """The matte the UI points at: the group being edited, else the active
    VideoMaMa node of the edited tree, else one in the scene's compositor."""
    tree = _space_tree(context)
    if nodes.is_matte_group(tree):
        return tree
    group = nodes.find_matte_group(tree)
    if group is None and context.scene is not None:
        group = nodes.find_matte_group(api_compat.compositor_tree(context.scene))
    return group


def resolve_group(context, name: str):
    """(group, None) or (None, error message)."""
    if name:
        group = bpy.data.node_groups.get(name)
        if group is None:
            return None, f"there is no node group '{name}'"
        if not nodes.is_matte_group(group):
            return None, f"the node group '{name}' is not a VideoMaMa Matte"
        return group, None
    group = context_matte_group(context)
    if group is None:
        return None, "no VideoMaMa Matte node in this compositor: add one first (Add > VideoMaMa Matte)"
    return group, None


def _redraw_node_editors(context) -> None:
    screen = getattr(context, "screen", None)
    if screen is None:
        return
    for area in screen.areas:
        if area.type == "NODE_EDITOR":
            area.tag_redraw()


class _NeedsScene:
    """Operators that work on the current scene: greyed out, with the reason, without one."""

    @classmethod
    def poll(cls, context):
        if context.scene is None:
            cls.poll_message_set("no scene")
            return False
        return True


class VIDEOMAMA_OT_add_matte(_NeedsScene, bpy.types.Operator):
    """Add a VideoMaMa Matte node group to the scene's compositor"""

    bl_idname = "videomama.add_matte"
    bl_label = "VideoMaMa Matte"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context):
        space = context.space_data
        location = None
        if space is not None and space.type == "NODE_EDITOR":
            location = tuple(space.cursor_location)
        node = nodes.add_matte_node(context.scene, bpy.data, location=location)
        self.report({"INFO"}, f"{PREFIX}added '{node.node_tree.name}': choose its source and mask in the sidebar")
        return {"FINISHED"}


class VIDEOMAMA_OT_compute(_NeedsScene, bpy.types.Operator):
    """Render the source and mask, matte them with the VideoMaMa daemon and load the result"""

    bl_idname = "videomama.compute"
    bl_label = "Compute"
    # No UNDO: the inputs are rendered through temporary scenes that must not
    # end up in an undo step, and the matte on disk is not undoable anyway.
    bl_options = {"REGISTER"}

    group: StringProperty(
        name="Node Group", description="The matte's node group (empty: the active VideoMaMa node)",
        options={"SKIP_SAVE"},
    )
    address: StringProperty(
        name="Address", description="Daemon HOST:PORT (empty: the add-on preference, $VIDEOMAMA_ADDRESS, default)",
        options={"SKIP_SAVE"},
    )

    # -- blocking (scripts, background) -------------------------------------------------

    def execute(self, context):
        group, error = resolve_group(context, self.group)
        if error:
            self.report({"ERROR"}, PREFIX + error)
            return {"CANCELLED"}
        on_progress = progress.line_printer(PREFIX) if bpy.app.background else None
        task = tasks.ComputeTask(
            context.scene, group, self.address, tasks.default_cache_root(context), on_progress
        )
        task.run()
        return self._finish(context, task)

    # -- modal (UI) ---------------------------------------------------------------------

    def invoke(self, context, event):
        group, error = resolve_group(context, self.group)
        if error:
            self.report({"ERROR"}, PREFIX + error)
            return {"CANCELLED"}
        if tasks.running_task(group) is not None:
            self.report({"WARNING"}, f"{PREFIX}'{group.name}' is already being computed")
            return {"CANCELLED"}
        self._task = tasks.ComputeTask(context.scene, group, self.address, tasks.default_cache_root(context))
        self._task.start()
        if self._task.done:
            return self._finish(context, self._task)
        wm = context.window_manager
        self._timer = wm.event_timer_add(TIMER_S, window=context.window)
        wm.modal_handler_add(self)
        wm.progress_begin(0, 100)
        self._show(context)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type != "TIMER" or event.timer is not self._timer:
            return {"PASS_THROUGH"}  # the UI stays fully usable while the daemon works
        self._task.step()
        if self._task.done:
            self._stop_modal(context)
            return self._finish(context, self._task)
        self._show(context)
        return {"PASS_THROUGH"}

    def cancel(self, context):
        # Blender ends modal operators this way when a file is loaded or the window closes.
        self._task.abort()
        self._stop_modal(context)

    def _show(self, context) -> None:
        snapshot = self._task.snapshot
        if snapshot is not None:
            context.window_manager.progress_update(snapshot.percent)
            if context.workspace is not None:
                context.workspace.status_text_set(f"{PREFIX}{snapshot.text}")
        _redraw_node_editors(context)

    def _stop_modal(self, context) -> None:
        wm = context.window_manager
        if getattr(self, "_timer", None) is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
        wm.progress_end()
        if context.workspace is not None:
            context.workspace.status_text_set(None)

    # -- both -----------------------------------------------------------------------------

    def _finish(self, context, task):
        outcome = task.outcome
        for warning in outcome.warnings:
            self.report({"WARNING"}, PREFIX + warning)
        _redraw_node_editors(context)
        if outcome.ok:
            self.report({"INFO"}, PREFIX + outcome.message)
            return {"FINISHED"}
        if outcome.kind == "cancelled":
            self.report({"WARNING"}, PREFIX + outcome.message)
            return {"CANCELLED"}
        self.report({"ERROR"}, PREFIX + outcome.message)
        return {"CANCELLED"}


class VIDEOMAMA_OT_cancel(bpy.types.Operator):
    """Stop computing this matte (the daemon cancels the job)"""

    bl_idname = "videomama.cancel"
    bl_label = "Cancel"
    bl_options = {"REGISTER"}

    group: StringProperty(name="Node Group", options={"SKIP_SAVE"})

    @classmethod
    def poll(cls, context):
        if not tasks.any_running():
            cls.poll_message_set("nothing is being computed")
            return False
        return True

    def execute(self, context):
        group, error = resolve_group(context, self.group)
        task = tasks.running_task(group) if group is not None else None
        if task is None:
            self.report({"WARNING"}, PREFIX + (error or f"'{group.name}' is not being computed"))
            return {"CANCELLED"}
        task.cancel()
        self.report({"INFO"}, f"{PREFIX}cancelling '{group.name}'")
        return {"FINISHED"}


class _PromptList:
    """Add to or remove from one of a matte's prompt lists (``prompts``, selected item ``active``).

    Clicks and boxes are edited alike: added on the current frame, then
    moved by editing their numbers in the list.
    """

    bl_options = {"REGISTER", "UNDO"}
    prompts = ""  # the collection property on the matte's settings
    active = ""  # the index property of its selected item

    group: StringProperty(options={"SKIP_SAVE", "HIDDEN"})

    def execute(self, context):
        group, error = resolve_group(context, self.group)
        if error:
            self.report({"ERROR"}, PREFIX + error)
            return {"CANCELLED"}
        self.edit(context, group.videomama, getattr(group.videomama, self.prompts))
        return {"FINISHED"}


class _AddPrompt(_PromptList):
    def edit(self, context, settings, prompts):
        prompts.add().frame = context.scene.frame_current
        setattr(settings, self.active, len(prompts) - 1)


class _RemovePrompt(_PromptList):
    def edit(self, context, settings, prompts):
        index = getattr(settings, self.active)
        if 0 <= index < len(prompts):
            prompts.remove(index)
            setattr(settings, self.active, min(index, len(prompts) - 1))


def _list_operators(kind: str, prompts: str, active: str, edited: str):
    """The Add and Remove operators of one prompt list, ``videomama.<kind>_add`` / ``_remove``.

    ``edited`` ends the Add tooltip: what of the new item the artist then
    edits in the list.
    """
    names = {"prompts": prompts, "active": active}
    add = type(f"VIDEOMAMA_OT_{kind}_add", (_AddPrompt, bpy.types.Operator), {
        **names, "__doc__": f"Add a SAM2 {kind} on the current frame (edit {edited} in the list)",
        "bl_idname": f"videomama.{kind}_add", "bl_label": f"Add {kind.title()}",
    })
    remove = type(f"VIDEOMAMA_OT_{kind}_remove", (_RemovePrompt, bpy.types.Operator), {
        **names, "__doc__": f"Remove the selected SAM2 {kind}",
        "bl_idname": f"videomama.{kind}_remove", "bl_label": f"Remove {kind.title()}",
    })
    return add, remove


VIDEOMAMA_OT_click_add, VIDEOMAMA_OT_click_remove = _list_operators("click", "clicks", "active_click", "its position")
VIDEOMAMA_OT_box_add, VIDEOMAMA_OT_box_remove = _list_operators("box", "boxes", "active_box", "its corners")


def _add_menu_entry(self, context):
    if context.space_data.tree_type == "CompositorNodeTree":
        self.layout.operator(VIDEOMAMA_OT_add_matte.bl_idname, icon="NODE")


@persistent
def _on_load_pre(*_args):
    # The groups a running Compute points at are about to be freed.
    tasks.cancel_all()


CLASSES = (
    VIDEOMAMA_OT_add_matte,
    VIDEOMAMA_OT_compute,
    VIDEOMAMA_OT_cancel,
    VIDEOMAMA_OT_click_add,
    VIDEOMAMA_OT_click_remove,
    VIDEOMAMA_OT_box_add,
    VIDEOMAMA_OT_box_remove,
)


def _add_menu():
    # Blender's Add menu for nodes: NODE_MT_add in 4.x and 5.x.
    return getattr(bpy.types, "NODE_MT_add", None)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    menu = _add_menu()
    if menu is not None:
        menu.append(_add_menu_entry)
    bpy.app.handlers.load_pre.append(_on_load_pre)


def unregister() -> None:
    tasks.cancel_all()
    if _on_load_pre in bpy.app.handlers.load_pre:
        bpy.app.handlers.load_pre.remove(_on_load_pre)
    menu = _add_menu()
    if menu is not None:
        menu.remove(_add_menu_entry)
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
