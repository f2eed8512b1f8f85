"""One Compute, as steps that a modal timer (UI) or a plain loop (scripts, ``-b``) drives.

    1. check the settings and the inputs (cheap; what artists get wrong most)
    2. ask the daemon whether it runs, has the backend and can track the prompts (before the slow part)
    3. render the inputs, one frame per step, into a staging folder
    4. name the result by the inputs' content; reuse a finished one, or
    5. submit a by-reference job and follow its events from a thread
    6. point the node group's Image node at the matte sequence

With "Track" as the mask, step 3 renders the source (and the Mask datablock
for its keyframes) and step 5 is a track-then-matte job: the daemon tracks
the masks from the clicks and keyframes, then mattes.

Only step 5 leaves the main thread, and that thread touches no Blender data:
it moves the client's events into a queue that ``step`` drains, because bpy
may only be used from the main thread.  Every failure ends the task with an
``Outcome`` carrying one line for ``self.report``; temporary scenes and
staging folders are removed whatever happens.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import bpy

from videomama_hosts import local_daemon
from videomama_hosts.job import track_first
from videomama_hosts.trackers import check_trackers, reported
from videomama_hosts.tracking import with_jumps

from . import api_compat, cache, libs, nodes, progress, properties, request
from .errors import PluginError, describe
from .render_inputs import InputRenderer, check_inputs
from .sequences import frame_path

CONNECT_TIMEOUT_S = 5.0  # an answer from a local daemon takes milliseconds


@dataclass(frozen=True)
class Outcome:
    kind: str  # finished | cached | cancelled | failed
    message: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.kind in ("finished", "cached")


class _StreamEnded:
    """Put in the queue by the follower thread when it stops; carries its error, if any."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


# Tasks in flight, by node group, so that Cancel (another operator) and the
# panel find them.  Session state only: nothing of it is saved.
_RUNNING: dict[int, ComputeTask] = {}


def running_task(group) -> ComputeTask | None:
    try:
        return _RUNNING.get(group.as_pointer())
    except ReferenceError:
        return None


def any_running() -> bool:
    return bool(_RUNNING)


def cancel_all() -> None:
    """End every task now and free what it holds (add-on unregistered, another file loaded)."""
    for task in list(_RUNNING.values()):
        task.abort()


def default_cache_root(context=None) -> str:
    """Beside the saved .blend, else in the temporary folder of the preferences (or the system's).

    Not ``bpy.app.tempdir``: Blender deletes that folder when it exits.
    """
    temp = ""
    if context is not None:
        temp = bpy.path.abspath(context.preferences.filepaths.temporary_directory)
    return cache.default_cache_root(bpy.data.filepath, temp or tempfile.gettempdir())


def stored_path(path: str) -> str:
    """``//``-relative when the .blend is saved (the project folder may move), else absolute."""
    if not bpy.data.filepath:
        return path
    try:
        return bpy.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


class ComputeTask:
    def __init__(
        self,
        scene,
        group,
        address: str = "",
        cache_root: str = "",
        on_progress: Callable[[progress.Snapshot], None] | None = None,
    ) -> None:
        self.scene = scene
        self.group = group
        # To find the group again if an undo replaced the datablock meanwhile.
        self._group_name = group.name
        self._address_override = address
        self._default_cache_root = cache_root
        self._on_progress = on_progress
        self.snapshot: progress.Snapshot | None = None
        self.outcome: Outcome | None = None
        self.warnings: list[str] = []
        self.address = ""
        self.frames: tuple[int, int] = (0, 0)
        self._key = group.as_pointer()
        self._config: request.MatteConfig | None = None
        self._prompts = None  # TrackPrompts when the daemon tracks the masks
        self._jump_frames: list[int] = []
        self._colorspace = ""
        self._root = ""
        self._client = None
        self._client_module = None
        self._renderer: InputRenderer | None = None
        self._staging: str | None = None
        self._entry: cache.CacheEntry | None = None
        self._to_render: list[int] = []
        self._events: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stream = None
        self._lock = threading.Lock()
        self._cancel = threading.Event()

    @property
    def done(self) -> bool:
        return self.outcome is not None

    @property
    def matting(self) -> bool:
        return self._thread is not None and not self.done

    # -- driving ------------------------------------------------------------------------

    def start(self) -> None:
        """Steps 1-2 and the set-up of 3; a failure ends the task at once."""
        _RUNNING[self._key] = self
        try:
            self._start()
        except Exception as error:
            self._fail(error)

    def step(self, wait_s: float = 0.0) -> bool:
        """Do a bounded piece of work; True while the task is not done.

        While matting, ``wait_s`` is how long to wait for the daemon's next
        event (0 in a modal timer, which must not block the UI).
        """
        if self.done:
            return False
        try:
            if self._cancel.is_set() and not self.matting:
                self._end(Outcome("cancelled", "Compute cancelled"))
            elif self._to_render:
                self._render_next()
            elif self._thread is not None:
                self._drain(wait_s)
        except Exception as error:
            self._fail(error)
        return not self.done

    def run(self) -> Outcome:
        """Start and drive to the end, blocking (scripts and ``blender -b``).

        Ctrl+C cancels the daemon's job and cleans up before it propagates.
        """
        try:
            self.start()
            while self.step(wait_s=0.5):
                pass
        except KeyboardInterrupt:
            self.abort("Compute interrupted")
            raise
        return self.outcome

    def cancel(self) -> None:
        """Ask the task to stop; it ends at its next ``step``."""
        self._cancel.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.cancel()  # the follower thread then sees the job end as cancelled

    def abort(self, message: str = "Compute cancelled") -> None:
        """Cancel and end at once, without waiting for the daemon to confirm."""
        self.cancel()
        self._end(Outcome("cancelled", message))

    # -- the steps ----------------------------------------------------------------------

    def _start(self) -> None:
        # 1. Settings and inputs.
        settings = self.group.videomama
        config = properties.read_config(settings)
        request.check_config(config)
        self.frames = request.resolve_frames(config, (self.scene.frame_start, self.scene.frame_end))
        self._config = config
        self._colorspace = request.resolve_colorspace(config, api_compat.working_space(bpy.data))
        inputs = properties.read_inputs(settings, self.scene, request.mask_frames(config))
        size = check_inputs(inputs, self.frames)
        self._prompts = request.track_prompts(config, size, self.frames)

        # 2. The daemon.
        client_module = self._client_module = libs.load_client()
        self.address = request.resolve_address(
            self._address_override, _preference_address(), client_module.DEFAULT_ADDRESS
        )
        self._report(progress.checking(self.address))
        # No daemon at a local address: one is started (in background Blender
        # only if $VIDEOMAMA_SERVE says how), which this Compute then uses.
        self._client, info = local_daemon.connect_or_start(
            self._connect, self.address, client_module.DaemonUnavailable, interactive=not bpy.app.background,
            on_starting=lambda message: self._report(progress.Snapshot(0.0, message)),
        )
        request.check_backend(info.backends, config.backend)
        check_trackers(self._prompts, reported(info.trackers), self.address)

        # 3. The temporary scene that renders the inputs.
        self._root = config.cache_dir or self._default_cache_root or default_cache_root()
        self._staging = cache.new_staging(self._root)
        self._renderer = InputRenderer(inputs, self.frames, self._staging, size)
        self._to_render = list(range(self.frames[0], self.frames[1] + 1))
        self._report(progress.rendering(0, len(self._to_render)))

    def _connect(self):
        """A client for the daemon and its info; raises the client's error if none answers."""
        client = self._client_module.Client(
            self.address, token=request.resolve_token(), timeout=CONNECT_TIMEOUT_S,
            connect_timeout=CONNECT_TIMEOUT_S, retries=1,
        )
        try:
            return client, client.info()
        except BaseException:
            client.close()
            raise

    def _render_next(self) -> None:
        total = self.frames[1] - self.frames[0] + 1
        frame = self._to_render.pop(0)
        self._renderer.render(frame)
        self._report(progress.rendering(total - len(self._to_render), total))
        if not self._to_render:
            self._renderer.close()
            self._renderer = None
            self._inputs_rendered()

    def _inputs_rendered(self) -> None:
        # 4. Name the result by content.
        mask_frames = None if self._prompts is None else self._prompts.keyframes
        key = cache.cache_key(
            cache.inputs_digest(self._staging, self.frames, mask_frames), self.frames,
            request.key_settings(self._config, self._colorspace, self._prompts),
        )
        entry = self._entry = cache.CacheEntry(self._root, key)
        if entry.result_complete(self.frames):
            cache.discard_staging(self._staging)
            self._staging = None
            self._apply(entry)
            cached = progress.cached(self.frames)
            self._end(Outcome("cached", with_jumps(cached.text, entry.jump_frames())), cached)
            return
        cache.adopt_staging(self._staging, entry, self.frames, mask_frames)
        self._staging = None

        # 5. The job, followed from a thread.
        job = request.build_job(self._config, self._colorspace, entry.source, entry.mask, entry.matte, self.frames)
        if self._prompts is not None:
            job = track_first(job, self._prompts, entry.keyframe_files(mask_frames), entry.tracked)
        self._report(progress.submitted())
        self._thread = threading.Thread(target=self._follow, args=(job,), name="videomama-job", daemon=True)
        self._thread.start()

    def _follow(self, job: request.MatteJob) -> None:
        """Runs in the follower thread: no bpy here, only the client and the queue."""
        error = None
        try:
            stream = job.submit(self._client, self._client_module)
            with self._lock:
                self._stream = stream
            if self._cancel.is_set():
                stream.cancel()
            for event in stream:
                self._events.put(event)
        except BaseException as caught:  # handed to the main thread, which reports it
            error = caught
        self._events.put(_StreamEnded(error))

    def _drain(self, wait_s: float) -> None:
        events = self._client_module  # its event classes: Queued, Progress, Finished...
        try:
            item = self._events.get(timeout=wait_s) if wait_s > 0 else self._events.get_nowait()
        except queue.Empty:
            return
        while item is not None and not self.done:
            if isinstance(item, _StreamEnded):
                if self._cancel.is_set():
                    self._end(Outcome("cancelled", "Compute cancelled; the daemon stopped the job"))
                elif item.error is not None:
                    raise item.error
                else:
                    raise PluginError("the daemon ended the job's stream without a result")
            elif isinstance(item, events.Queued):
                self._report(progress.queued(item.position))
            elif isinstance(item, events.Started):
                self._report(progress.started(item.backend, item.device, self._prompts is not None))
            elif isinstance(item, events.Progress):
                self._report(progress.working(
                    item.phase, item.frames_done, item.frames_total, item.eta_s, self._prompts is not None
                ))
            elif isinstance(item, events.JobWarning):
                self.warnings.append(item.message)
                if self._prompts is not None and item.frame is not None:  # the daemon's jump warnings
                    self._jump_frames.append(item.frame)
            elif isinstance(item, events.Failed):
                if self._cancel.is_set():
                    self._end(Outcome("cancelled", "Compute cancelled; the daemon stopped the job"))
                else:
                    raise item.error
            elif isinstance(item, events.Finished):
                # 6. Show the matte.
                self._entry.record(
                    "result", self.frames, backend=item.backend, tracker=item.tracker, jump_frames=self._jump_frames
                )
                self._apply(self._entry)
                done = progress.finished(
                    item.frames_written, item.frames_skipped, item.backend, self.frames, item.tracker
                )
                message = with_jumps(done.text, self._jump_frames)
                self._end(Outcome("finished", message, tuple(self.warnings)), done)
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                item = None

    def _apply(self, entry: cache.CacheEntry) -> None:
        try:
            self._group_name = self.group.name
        except ReferenceError:
            # An undo during Compute rebuilds every datablock; the group is
            # usually still there under its name.
            self.group = bpy.data.node_groups.get(self._group_name)
            if not nodes.is_matte_group(self.group):
                raise PluginError(f"the node group '{self._group_name}' was deleted during Compute") from None
        first = frame_path(entry.matte, self.frames[0])
        nodes.apply_result(self.group, bpy.data, entry.matte, self.frames, stored_path(first))

    # -- ending -------------------------------------------------------------------------

    def _report(self, snapshot: progress.Snapshot) -> None:
        self.snapshot = snapshot
        if self._on_progress is not None:
            self._on_progress(snapshot)

    def _fail(self, error: BaseException) -> None:
        client = self._client_module
        if self._cancel.is_set() and client is not None and isinstance(error, client.Cancelled):
            self._end(Outcome("cancelled", "Compute cancelled; the daemon stopped the job"))
        else:
            self._end(Outcome("failed", describe(error), tuple(self.warnings)))

    def _end(self, outcome: Outcome, snapshot: progress.Snapshot | None = None) -> None:
        if self.done:
            return
        self.outcome = outcome
        self._cleanup()
        if snapshot is not None:
            self._report(snapshot)
        try:
            # Written once at the end: the panel shows live progress from the
            # task itself, so the node tree is not re-tagged on every event.
            self.group.videomama.status = outcome.message if outcome.kind != "failed" else f"Error: {outcome.message}"
        except ReferenceError:
            pass

    def _cleanup(self) -> None:
        _RUNNING.pop(self._key, None)
        renderer, self._renderer = self._renderer, None
        if renderer is not None:
            try:
                renderer.close()
            except ReferenceError:
                pass
        if self._staging is not None:
            cache.discard_staging(self._staging)
            self._staging = None
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()  # ends a job still running (not detached) when the task failed
        if self._client is not None:
            self._client.close()
            self._client = None


def _preference_address() -> str:
    prefs = properties.preferences(bpy.context)
    return prefs.address if prefs is not None else ""
