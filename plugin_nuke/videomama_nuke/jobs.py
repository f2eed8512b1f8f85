"""Running a matte (or track-then-matte) job on the daemon and following it, without Nuke.

The binding calls ``run_matte_job`` from a worker thread in an interactive
session (so Nuke's UI stays live) and directly in a terminal or farm session.
Cancelling is a flag the caller owns: the Cancel button and the progress
bar's own cancel both set it, and a small watcher thread turns it into a
``CancelJob`` on the daemon, so even a job still waiting in the daemon's
queue (which sends no events) stops promptly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from videomama_hosts import local_daemon
from videomama_hosts.job import TrackThenMatteJob
from videomama_hosts.trackers import check_trackers, reported
from videomama_hosts.tracking import TrackPrompts, with_jumps

from . import libs
from .errors import Cancelled, PluginError
from .request import MatteJob

# ``progress`` imports the client: imported where a job runs, so the binding
# (which needs ActiveJobs at startup) loads in a Nuke without the client.
if TYPE_CHECKING:
    from .progress import Report

CANCEL_POLL_S = 0.1


class CancelFlag:
    """Set by whoever wants the job to stop; read by the watcher."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


class ActiveJobs:
    """The jobs running in this Nuke session, by node, so Cancel finds its job and
    a second Compute on the same node is refused instead of racing the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flags: dict[str, CancelFlag] = {}

    def start(self, node_id: str) -> CancelFlag:
        with self._lock:
            if node_id in self._flags:
                raise PluginError(f"{node_id} is already computing; press Cancel to stop it first")
            flag = self._flags[node_id] = CancelFlag()
            return flag

    def finish(self, node_id: str) -> None:
        with self._lock:
            self._flags.pop(node_id, None)

    def cancel(self, node_id: str) -> bool:
        """Ask the node's job to stop; False if it has none running."""
        with self._lock:
            flag = self._flags.get(node_id)
        if flag is None:
            return False
        flag.set()
        return True

    def running(self, node_id: str) -> bool:
        with self._lock:
            return node_id in self._flags


@dataclass
class JobResult:
    frames_written: int
    frames_skipped: int
    backend: str
    message: str  # the final progress line, for the status knob
    warnings: list[str] = field(default_factory=list)
    jump_frames: list[int] = field(default_factory=list)  # where the tracked mask jumps
    tracker: str = ""  # track-then-matte jobs: the tracker the daemon used

    def status(self, frames: tuple[int, int]) -> str:
        """The status line once the job is done: what it did, then where the mask jumped, else its last warning."""
        status = f"Computed frames {frames[0]}-{frames[1]}: {self.message}"
        if self.jump_frames:
            return with_jumps(status, self.jump_frames)
        if self.warnings:
            return f"{status}; {len(self.warnings)} warning(s): {self.warnings[-1]}"
        return status


def _watch_for_cancel(stream, should_cancel: Callable[[], bool], done: threading.Event) -> None:
    # JobStream.cancel only sends CancelJob and cancels the gRPC call, both
    # safe from another thread; the iterating thread then sees the CANCELLED
    # end of the stream.
    while not done.wait(CANCEL_POLL_S):
        if should_cancel():
            stream.cancel()
            return


def run_matte_job(
    job: MatteJob | TrackThenMatteJob,
    address: str,
    token: str | None,
    on_report: Callable[[Report], None] = lambda report: None,
    should_cancel: Callable[[], bool] = lambda: False,
    connect_timeout_s: float = 5.0,
) -> JobResult:
    """Submit ``job`` and follow it to its end.

    Raises the client's typed errors (turned into lines by
    ``errors.user_message``), or ``Cancelled``.  Frames the daemon finished
    before a cancel stay on disk; the next Compute resumes after them.
    """
    vc = libs.load_client()
    from .progress import ProgressTracker, Report

    tracker = ProgressTracker(tracking=isinstance(job, TrackThenMatteJob))
    with vc.Client(address, token=token, connect_timeout=connect_timeout_s) as client:
        stream = job.submit(client, vc)
        done = threading.Event()
        watcher = threading.Thread(
            target=_watch_for_cancel, args=(stream, should_cancel, done), name="videomama-cancel", daemon=True
        )
        watcher.start()
        finished = None
        last_report = Report(0, "submitted")
        try:
            for event in stream:
                report = tracker.update(event)
                if report is not None:
                    last_report = report
                    on_report(report)
                if isinstance(event, vc.Failed):
                    raise event.error
                if isinstance(event, vc.Finished):
                    finished = event
        except vc.Cancelled:
            raise Cancelled("cancelled; frames already finished are kept and reused by the next Compute") from None
        finally:
            done.set()
            stream.close()
            watcher.join()
    if finished is None:
        if should_cancel():
            raise Cancelled("cancelled; frames already finished are kept and reused by the next Compute")
        raise PluginError("the daemon ended the job without a result (see its log)")
    return JobResult(
        finished.frames_written, finished.frames_skipped, finished.backend, last_report.message, tracker.warnings,
        tracker.jump_frames, finished.tracker,
    )


def preflight(
    address: str,
    token: str | None,
    backend: str,
    prompts: TrackPrompts | None = None,
    interactive: bool = False,
    on_starting: Callable[[str], None] = lambda message: None,
) -> None:
    """Ask the daemon before rendering anything, so a daemon that is down, a
    wrong token, a backend without its weights or ``prompts`` it cannot track
    (clicks without SAM2) are reported in a second, not after every input
    frame has been rendered.  No daemon at a local address: one is started
    (``videomama_hosts.local_daemon``; ``interactive``: not a farm render).
    """
    vc = libs.load_client()

    def ask():
        with vc.Client(address, token=token) as client:
            return client.info()

    info = local_daemon.connect_or_start(ask, address, vc.DaemonUnavailable, interactive, on_starting)
    check_trackers(prompts, reported(info.trackers), address)
    backends = {b.name: b for b in info.backends}
    if backend == "auto":
        if backends and not any(b.available for b in backends.values()):
            raise PluginError(f"no backend can run on the daemon at {address}: " + _reasons(backends.values()))
        return
    if backend not in backends:
        raise PluginError(
            f"the daemon at {address} has no backend '{backend}' (it has {', '.join(sorted(backends)) or 'none'})"
        )
    if not backends[backend].available:
        raise PluginError(f"backend '{backend}' cannot run on the daemon at {address}: {_reasons([backends[backend]])}")


def _reasons(backends) -> str:
    return "; ".join(f"{b.name}: {b.reason or 'unavailable'}" for b in backends)
