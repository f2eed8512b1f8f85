"""The VideoMaMa Matte node inside Nuke: with ``layout``, the only modules that import ``nuke``.

The node is a Group (its knobs and internal nodes are laid out by ``layout``):

    Source ──────────────┬──────────────► CopyAlpha (B) ─► Premult ─► UseResult (1) ─► Output
      └─► WriteSource    │   Result (Read) ─► CopyAlpha (A)              ▲
    Mask ─► MaskChannel ─► WriteMask     └──────────────────── (0) ──────┘

Compute renders Source and the chosen Mask channel to EXR in the cache with
the internal Writes (``nuke.execute``), sends a by-reference job to the
daemon, then points the internal Read at the matte and switches the output
to "plate with the computed alpha".  Until there is a result for the current
inputs the node passes the plate through unchanged and its status says so.

With "track" on (the Tracking tab), the masks come from the daemon instead:
Compute renders the Source, and the Mask input on the listed mask keyframes
only, and sends a track-then-matte job with the keyed points as clicks and
the box knob's keys as boxes (``request.track_prompts`` has the rules).

Everything here reads knobs, calls Nuke and forwards to the plain modules;
the rules live there.  Nuke API pages followed (the 17.1 reference, with the
13.x-16.x pages where a call predates it; calls are made the way every one of
those versions documents them, e.g. positional ``createNode`` arguments and a
keyword ``addMenu``):
https://learn.foundry.com/nuke/developers/17.1/pythondevguide/_autosummary/nuke.html
(see tests/nuke/fake_nuke.py for the page of each call used).

Entry points: ``on_init`` (init.py, every session), ``on_menu`` (menu.py,
interactive sessions), the ``on_*_pressed`` button commands and
``on_knob_changed``; scripts and farm wrappers may call ``compute(node)``,
``refresh(node)`` and ``create_node()`` directly.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass

import nuke

from videomama_hosts.job import track_first
from videomama_hosts.tracking import TrackPrompts, jump_summary, with_jumps

from . import cache, libs, points
from .errors import Cancelled, PluginError, is_cancellation, user_message
from .jobs import ActiveJobs
from .layout import (
    BOX_KNOB,
    MARKER_KNOB,
    NODE_NAME,
    POINT_SLOTS,
    add_internal_nodes,
    add_knobs,
    is_videomama_node,
)
from .request import (
    NodeSettings,
    build_job,
    check_settings,
    key_settings,
    resolve_address,
    resolve_frames,
    resolve_token,
    track_prompts,
)

log = logging.getLogger("videomama_nuke")

_TRACKING_KNOBS = ("mask_keyframes", "tracker", "soft_masks", BOX_KNOB)

# Knobs whose change can change the cache key: the node looks for a cached
# result again when one of them changes.
_KEY_KNOBS = frozenset(
    {
        "backend", "range_mode", "range_first", "range_last", "custom_windows", "window", "overlap",
        "colorspace", "mask_channel", "cache_dir", "use_points", *_TRACKING_KNOBS,
    }
)

_active = ActiveJobs()
# >0 while this module executes its own internal Writes: the beforeRender
# hook must not treat those renders as user renders.
_rendering_inputs = 0


# ---------------------------------------------------------------------------
# Startup
# ---------------------------------------------------------------------------


def on_init() -> None:
    """init.py: what terminal and farm sessions need as much as interactive ones."""
    libs.add_library_dirs()
    nuke.addBeforeRender(before_render)
    nuke.addOnScriptLoad(on_script_load)


def on_menu() -> None:
    """menu.py: the toolbar and menu entries, and live knob updates."""
    for menu_name in ("Nodes", "Nuke"):  # the toolbar, then the menu bar
        # addMenu takes keyword arguments only (Menu/ToolBar reference, 13.x-17.1).
        nuke.menu(menu_name).addMenu(name="VideoMaMa").addCommand("VideoMaMa Matte", create_node)
    nuke.addKnobChanged(on_knob_changed, nodeClass="Group")


# ---------------------------------------------------------------------------
# Building the node
# ---------------------------------------------------------------------------


def create_node():
    """The menu command: a new node after the selected one, ready to use."""
    group = nuke.createNode("Group", "", False)
    try:
        build(group)
    except Exception as error:
        _report_error(group, error)
    return group


def build(group) -> None:
    """Give an empty Group the VideoMaMa knobs and internal nodes."""
    group.setName(NODE_NAME)
    add_knobs(group)
    group.begin()
    try:
        add_internal_nodes()
    finally:
        group.end()
    _update_enabled(group)
    _set_status(group, "Connect Source and Mask, then press Compute")


# ---------------------------------------------------------------------------
# Reading the node
# ---------------------------------------------------------------------------


def read_settings(group) -> NodeSettings:
    return NodeSettings(
        address=group["address"].value(),
        backend=group["backend"].value(),
        range_mode=group["range_mode"].value(),
        range_first=int(group["range_first"].value()),
        range_last=int(group["range_last"].value()),
        custom_windows=bool(group["custom_windows"].value()),
        window=int(group["window"].value()),
        overlap=int(group["overlap"].value()),
        colorspace=group["colorspace"].value(),
        mask_channel=group["mask_channel"].value(),
        cache_dir=group["cache_dir"].evaluate().strip(),
        use_points=bool(group["use_points"].value()),
        mask_keyframes=group["mask_keyframes"].value(),
        tracker=group["tracker"].value(),
        soft_masks=bool(group["soft_masks"].value()),
    )


@dataclass(frozen=True)
class _Plan:
    """What the node's current state asks for, and where its result belongs."""

    settings: NodeSettings
    frames: tuple[int, int]
    entry: cache.CacheEntry
    prompts: TrackPrompts | None  # None: the Mask input is the mask of every frame

    @property
    def mask_frames(self) -> tuple[int, ...] | None:
        """The frames the Mask input is rendered on; None: every frame."""
        return None if self.prompts is None else self.prompts.keyframes


def _plan(group) -> _Plan:
    settings = read_settings(group)
    check_settings(settings)
    source = group.input(0)
    if source is None:
        raise PluginError("connect a plate to the Source input")
    frames = resolve_frames(settings, (source.firstFrame(), source.lastFrame()))
    prompts = None
    if settings.use_points:
        height = source.format().height()
        clicks = points.clicks_from_points(_point_knobs(group), height)
        boxes = points.boxes_from_knob(_keys(group[BOX_KNOB], 4), height)
        prompts = track_prompts(settings, clicks, frames, mask_connected=group.input(1) is not None, boxes=boxes)
    elif group.input(1) is None:
        raise PluginError(
            "connect a mask (Roto, RotoPaint or any node) to the Mask input, or turn on 'track' (Tracking tab)"
        )
    upstream = _upstream_digests(group, with_mask=prompts is None or bool(prompts.keyframes))
    key = cache.cache_key(upstream, frames, key_settings(settings, prompts), _project_state())
    root = settings.cache_dir or _default_cache_root()
    if not os.path.isabs(root):
        # The daemon resolves paths itself, from its own working folder.
        raise PluginError(f"the cache directory '{root}' must be an absolute path")
    return _Plan(settings, frames, cache.CacheEntry(root, key), prompts)


def _keys(knob, size: int) -> tuple[tuple[float, ...], ...]:
    """An animatable knob's keyframes as (time, value 0, ..., value size-1); none when it is not animated."""
    times = knob.getKeyList() if knob.isAnimated() else []
    return tuple((t, *(knob.getValueAt(t, i) for i in range(size))) for t in times)


def _point_knobs(group) -> list[points.PointKeys]:
    found = []
    for polarity in ("positive", "negative"):
        for slot in range(1, POINT_SLOTS + 1):
            knob = group[f"{polarity}{slot}"]
            found.append(points.PointKeys(knob.name(), polarity == "positive", _keys(knob, 2)))
    return found


def _default_cache_root() -> str:
    project_dir = nuke.root()["project_directory"].evaluate().strip() or None
    try:
        script_path = nuke.scriptName() or None
    except RuntimeError:  # an untitled script has no name
        script_path = None
    return cache.default_cache_root(project_dir, script_path, os.environ.get("NUKE_TEMP_DIR"))


def _project_state() -> dict[str, str]:
    knobs = nuke.root().knobs()
    return {name: knobs[name].toScript() for name in cache.PROJECT_KNOBS if name in knobs}


# What an upstream VideoMaMa node's output depends on besides its inputs: the
# result it shows (its key covers its own upstream and settings) and whether it
# premultiplies.  Its internal nodes and other knobs are bookkeeping (cache
# paths, status) that differ between sessions without changing a pixel.
_VIDEOMAMA_OUTPUT_KNOBS = ("result_key", "premultiply")


def _knob_records(node) -> list[cache.KnobRecord]:
    records = []
    knobs = node.knobs()
    if MARKER_KNOB in knobs:
        knobs = {name: knobs[name] for name in _VIDEOMAMA_OUTPUT_KNOBS}
    for name, knob in knobs.items():
        knob_class = knob.Class()
        if name in cache.UI_KNOBS or knob_class in cache.UI_KNOB_CLASSES:
            continue  # skipped before toScript(): a Roto's curves are costly to serialise
        file_pattern = knob.value() if knob_class == "File_Knob" else None
        records.append(cache.KnobRecord(name, knob_class, knob.toScript(), file_pattern))
    return records


def _upstream_digests(group, with_mask: bool) -> list[str | None]:
    """Merkle digests of everything feeding the Source (and Mask) inputs."""
    roots = [group.input(0), group.input(1) if with_mask else None]
    own_id = group.fullName()
    records: dict[str, cache.NodeRecord] = {}
    queue = [node for node in roots if node is not None]
    while queue:
        node = queue.pop()
        node_id = node.fullName()
        if node_id in records:
            continue
        inputs = [node.input(i) for i in range(node.inputs())]
        # An upstream expression may read this very node; hashing it would
        # make the key depend on its own result.
        references = [n for n in node.dependencies(nuke.EXPRESSIONS) if n.fullName() != own_id]
        children = node.nodes() if isinstance(node, nuke.Group) and not is_videomama_node(node) else []
        records[node_id] = cache.NodeRecord(
            node.Class(),
            tuple(_knob_records(node)),
            tuple(None if n is None else n.fullName() for n in inputs),
            tuple(sorted(n.fullName() for n in references)),
            tuple(sorted((child.name(), child.fullName()) for child in children)),
        )
        queue.extend(n for n in (*inputs, *references, *children) if n is not None)
    return cache.graph_digests(records, [None if n is None else n.fullName() for n in roots])


# ---------------------------------------------------------------------------
# Showing the state
# ---------------------------------------------------------------------------


def _set_status(group, text: str) -> None:
    group["status"].setValue(text)


def _show_result(group, plan: _Plan | None) -> None:
    """Point the internal Read at ``plan``'s matte, or pass the plate through."""
    read = group.node("Result")
    if plan is None:
        group.node("UseResult")["which"].setValue(0)
        read["file"].setValue("")
        group["result_key"].setValue("")
        return
    first, last = plan.frames
    # fromUserText also reads the file's format, as picking it in the browser does.
    read["file"].fromUserText(f"{plan.entry.matte} {first}-{last}")
    if read.knob("reload") is not None:
        read["reload"].execute()  # a recompute may rewrite the same files: drop what Nuke cached
    group.node("UseResult")["which"].setValue(1)
    group["result_key"].setValue(plan.entry.key)


def _update_enabled(group) -> None:
    custom_range = group["range_mode"].value() == "custom"
    for name in ("range_first", "range_last"):
        group[name].setEnabled(custom_range)
    custom_windows = bool(group["custom_windows"].value())
    for name in ("window", "overlap"):
        group[name].setEnabled(custom_windows)
    use_points = bool(group["use_points"].value())
    # The mask channel stays enabled: it also picks the channel of the mask keyframes.
    for name in _TRACKING_KNOBS:
        group[name].setEnabled(use_points)
    for polarity in ("positive", "negative"):
        for slot in range(1, POINT_SLOTS + 1):
            group[f"{polarity}{slot}"].setEnabled(use_points)


def refresh(group) -> bool:
    """Show the cached result of the node's current inputs, if there is one.

    Returns True when a result is shown.  Never raises for the user's
    configuration: what is missing goes to the status line.
    """
    if _active.running(group.fullName()):
        return False  # the running job owns the status line
    try:
        plan = _plan(group)
    except PluginError as error:
        _show_result(group, None)
        _set_status(group, f"Not ready: {user_message(error)}")
        return False
    if plan.entry.result_complete(plan.frames):
        _show_result(group, plan)
        cached = f"Cached result for frames {plan.frames[0]}-{plan.frames[1]}"
        _set_status(group, with_jumps(cached, plan.entry.jump_frames()))
        return True
    _show_result(group, None)
    _set_status(group, "Not computed for the current inputs: press Compute")
    return False


# ---------------------------------------------------------------------------
# Compute
# ---------------------------------------------------------------------------


def compute(group):
    """Compute the node's matte unless its current inputs already have one.

    In an interactive session the daemon job runs in a background thread
    (returned, mainly for tests) with a progress bar; in a terminal or farm
    session it blocks and returns None.  Raises PluginError (or the client's
    errors) for the caller to report; the button reports them itself.
    """
    node_id = group.fullName()
    if _active.running(node_id):
        raise PluginError(f"{node_id} is already computing; press Cancel to stop it first")
    # Upstream VideoMaMa nodes first: their results are part of this node's inputs (and key).
    _ensure_upstream(group, compute_missing=not nuke.GUI)
    plan = _plan(group)
    if plan.entry.result_complete(plan.frames):
        _show_result(group, plan)
        cached = f"Cached result for frames {plan.frames[0]}-{plan.frames[1]} (nothing to compute)"
        _set_status(group, with_jumps(cached, plan.entry.jump_frames()))
        return None
    vc = libs.load_client()
    address = resolve_address(plan.settings, vc.DEFAULT_ADDRESS)
    token = resolve_token()
    # Imported here: jobs needs the client, which may be missing (load_client said how to fix it).
    from . import jobs

    _set_status(group, f"Contacting the daemon at {address}")
    # None at a local address: one is started (in a farm render only if $VIDEOMAMA_SERVE says how).
    jobs.preflight(
        address, token, plan.settings.backend, plan.prompts,
        interactive=nuke.GUI, on_starting=lambda message: _set_status(group, message),
    )
    flag = _active.start(node_id)
    try:
        _set_status(group, f"Rendering the inputs, frames {plan.frames[0]}-{plan.frames[1]}")
        _render_inputs(group, plan)
        job = _build_job(plan)
        _set_status(group, "Submitted to the daemon")
        if nuke.GUI:
            worker = threading.Thread(
                target=_run_in_background, args=(node_id, plan, job, address, token, flag),
                name=f"videomama-job-{node_id}", daemon=True,
            )
            worker.start()
            return worker
    except BaseException:
        _active.finish(node_id)
        raise
    try:
        result = jobs.run_matte_job(
            job, address, token, on_report=_terminal_reporter(node_id), should_cancel=flag.is_set
        )
        _record_result(plan, result)
    finally:
        _active.finish(node_id)
    _job_done(node_id, plan, result)
    return None


def _build_job(plan: _Plan):
    entry = plan.entry
    matte = build_job(plan.settings, entry.source, entry.mask, entry.matte, plan.frames)
    if plan.prompts is None:
        return matte
    return track_first(matte, plan.prompts, entry.keyframe_files(plan.prompts.keyframes), entry.tracked)


def _render_inputs(group, plan: _Plan) -> None:
    """Render Source (and Mask, on every frame or on the mask keyframes) to EXR in the cache."""
    global _rendering_inputs
    if plan.entry.inputs_complete(plan.frames, plan.mask_frames):
        return  # a cancelled or failed Compute got this far already
    os.makedirs(plan.entry.folder, exist_ok=True)
    group.node("MaskChannel")["from0"].setValue(plan.settings.mask_channel)
    every_frame = [plan.frames]
    writes = [(group.node("WriteSource"), plan.entry.source, every_frame)]
    if plan.mask_frames is None:
        writes.append((group.node("WriteMask"), plan.entry.mask, every_frame))
    elif plan.mask_frames:
        writes.append((group.node("WriteMask"), plan.entry.mask, [(f, f) for f in plan.mask_frames]))
    _rendering_inputs += 1
    try:
        for write, pattern, ranges in writes:
            write["file"].setValue(pattern)
            write["disable"].setValue(False)
            try:
                for first, last in ranges:
                    nuke.execute(write, first, last, 1)
            finally:
                write["disable"].setValue(True)
    except RuntimeError as error:  # nuke.execute reports failures and cancels so
        if "cancel" in str(error).lower():
            raise Cancelled("cancelled while rendering the inputs") from None
        raise PluginError(f"rendering the inputs failed: {' '.join(str(error).split())}") from None
    finally:
        _rendering_inputs -= 1
    plan.entry.record("inputs", plan.frames)


def _record_result(plan: _Plan, result) -> None:
    plan.entry.record(
        "result", plan.frames, backend=result.backend, frames_written=result.frames_written,
        frames_skipped=result.frames_skipped, warnings=result.warnings, tracker=result.tracker,
        jump_frames=result.jump_frames,
    )


def _run_in_background(node_id: str, plan: _Plan, job, address: str, token: str | None, flag) -> None:
    """Worker thread (interactive sessions): follow the job under a progress bar."""
    from . import jobs

    task = nuke.ProgressTask(f"VideoMaMa {node_id}")
    shown = {"percent": -1}

    def on_report(report) -> None:
        task.setProgress(report.percent)
        task.setMessage(report.message)
        if report.percent != shown["percent"]:  # knobs belong to the main thread
            shown["percent"] = report.percent
            nuke.executeInMainThread(_set_status_of, (node_id, f"Computing: {report.percent}%, {report.message}"))

    try:
        result = jobs.run_matte_job(
            job, address, token, on_report=on_report, should_cancel=lambda: flag.is_set() or task.isCancelled()
        )
        _record_result(plan, result)
    except BaseException as error:  # reported in the main thread, never raised out of a thread
        _active.finish(node_id)
        nuke.executeInMainThread(_job_failed, (node_id, error))
    else:
        _active.finish(node_id)
        nuke.executeInMainThread(_job_done, (node_id, plan, result))
    finally:
        del task  # closes the progress bar


def _terminal_reporter(node_id: str):
    last = {"percent": -1}

    def report(progress) -> None:
        if progress.percent != last["percent"]:
            last["percent"] = progress.percent
            print(f"VideoMaMa {node_id}: {progress.percent}% {progress.message}", flush=True)

    return report


def _set_status_of(node_id: str, text: str) -> None:
    group = nuke.toNode(node_id)
    if group is not None:
        _set_status(group, text)


def _job_done(node_id: str, plan: _Plan, result) -> None:
    group = nuke.toNode(node_id)
    if group is None:
        return  # deleted while computing; the result stays cached for an undo
    if refresh(group):
        _set_status(group, result.status(plan.frames))
        if result.jump_frames:
            _tell(group, jump_summary(result.jump_frames))
    else:
        _set_status(group, "Computed, but the inputs changed meanwhile: press Compute again")


def _job_failed(node_id: str, error: BaseException) -> None:
    group = nuke.toNode(node_id)
    _report_error(group, error)


def _ensure_upstream(group, compute_missing: bool) -> None:
    """Upstream VideoMaMa nodes must show their result before this node renders its inputs."""
    own_id = group.fullName()
    for upstream in _upstream_mattes(group):
        if upstream.fullName() == own_id or refresh(upstream):
            continue
        if not compute_missing:
            raise PluginError(f"{upstream.name()} upstream has no result for its inputs: compute it first")
        compute(upstream)


def _upstream_mattes(node) -> list:
    """VideoMaMa nodes feeding ``node`` (itself included if it is one), most upstream first."""
    order, seen = [], set()
    stack = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        current_id = current.fullName()
        if expanded:
            if is_videomama_node(current):
                order.append(current)
            continue
        if current_id in seen:
            continue
        seen.add(current_id)
        stack.append((current, True))
        stack.extend((dep, False) for dep in current.dependencies(nuke.INPUTS | nuke.HIDDEN_INPUTS))
    return order


# ---------------------------------------------------------------------------
# Callbacks
# ---------------------------------------------------------------------------


def on_compute_pressed() -> None:
    group = nuke.thisNode()
    try:
        compute(group)
    except Exception as error:
        _report_error(group, error)


def on_cancel_pressed() -> None:
    group = nuke.thisNode()
    if _active.cancel(group.fullName()):
        _set_status(group, "Cancelling...")
    else:
        _set_status(group, "Nothing is computing")


def on_clear_cache_pressed() -> None:
    group = nuke.thisNode()
    try:
        clear_cache(group)
    except Exception as error:
        _report_error(group, error)


def clear_cache(group) -> int:
    """Delete the node's cached results (shown and current); returns how many were removed."""
    if _active.running(group.fullName()):
        raise PluginError("cancel the running Compute before clearing its cache")
    entries = []
    shown = group.node("Result")["file"].value()
    if shown and group["result_key"].value():
        folder = os.path.dirname(shown)
        entries.append(cache.CacheEntry(os.path.dirname(folder), group["result_key"].value()))
    try:
        entries.append(_plan(group).entry)
    except PluginError:
        pass  # nothing connected: only the shown result can be cleared
    try:
        removed = sum(entry.clear() for entry in set(entries))
    except OSError as error:
        raise PluginError(f"could not clear the cache: {error}") from None
    _show_result(group, None)
    _set_status(group, f"Cache cleared ({removed} result{'s' if removed != 1 else ''} removed)")
    return removed


def on_knob_changed() -> None:
    """Registered for Groups; only acts on VideoMaMa ones.  Never raises into Nuke."""
    group, knob = nuke.thisNode(), nuke.thisKnob()
    if not is_videomama_node(group):
        return
    try:
        name = knob.name()
        if name == "premultiply":
            group.node("Premult")["disable"].setValue(not knob.value())
        elif name == "mask_channel":
            group.node("MaskChannel")["from0"].setValue(knob.value())
        if name in ("range_mode", "custom_windows", "use_points", "showPanel"):
            _update_enabled(group)
        if name in _KEY_KNOBS or name in ("inputChange", "showPanel") or name.startswith(("positive", "negative")):
            refresh(group)
    except Exception as error:
        _report_error(group, error, popup=False)


def on_script_load() -> None:
    """Point every VideoMaMa node at its cached result (the script may come from elsewhere)."""
    for group in nuke.allNodes("Group", recurseGroups=True):
        if is_videomama_node(group):
            try:
                refresh(group)
            except Exception as error:
                _report_error(group, error, popup=False)


def before_render() -> None:
    """beforeRender of every Write: upstream VideoMaMa nodes need their result first.

    Terminal and farm sessions (``nuke -x``, ``nuke -t``) compute a missing
    result on the spot; an interactive render is stopped with a message
    instead, since the daemon job would block the UI.  Raising aborts the
    render, which beats rendering the plate without its matte.
    """
    if _rendering_inputs:
        return  # our own internal Writes, executed by Compute
    for group in _upstream_mattes(nuke.thisNode()):
        try:
            if refresh(group):
                continue
            if nuke.GUI:
                raise PluginError(f"{group.name()} has no result for its current inputs: press Compute on it first")
            compute(group)
        except Exception as error:
            message = _report_error(group, error, popup=False)
            raise RuntimeError(f"VideoMaMa {group.name()}: {message}") from None


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def _report_error(group, error: BaseException, popup: bool = True) -> str:
    """Status line, plus a message box in an interactive session; returns the line."""
    message = user_message(error)
    vc_errors = ()
    try:
        vc_errors = (libs.load_client().DaemonError,)
    except PluginError:
        pass
    if not isinstance(error, (PluginError, *vc_errors)):
        # A bug, not a user problem: the traceback goes to the terminal/log only.
        log.error("VideoMaMa: unexpected error", exc_info=error)
    name = group.name() if group is not None else "VideoMaMa"
    if is_cancellation(error):
        if group is not None:
            _set_status(group, f"Cancelled: {message}")
        return message
    if group is not None:
        _set_status(group, f"Error: {message}")
    if popup and nuke.GUI:
        nuke.message(f"{name}: {message}")
    elif not nuke.GUI:
        print(f"VideoMaMa {name}: error: {message}", file=sys.stderr, flush=True)
    return message


def _tell(group, text: str) -> None:
    """Something the artist should look at (not an error): a message box, or the log of a terminal session."""
    if nuke.GUI:
        nuke.message(f"{group.name()}: {text}")
    else:
        print(f"VideoMaMa {group.name()}: warning: {text}", file=sys.stderr, flush=True)
