"""The job manager: accepts jobs, queues them on worker lanes, tracks them.

Submission checks a job completely before it exists (see ``matte_work`` and
``track_work``), so every job in the queue is one that can run.  Jobs then
run on the lane of their backend's (or tracker's) device: one GPU worker, in
order; up to ``cpu_workers`` CPU workers side by side.  Ended jobs are
remembered (up to ``job_history``) so a client can still list them or replay
their events.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import replace

from ..config import ServerConfig
from ..errors import CancelledError, NotAvailableError
from ..matting.request import MatteRequest, check_backend
from ..tracking.runner import TrackRequest
from ..tracking.then_matte import TrackThenMatteRequest
from .capabilities import Capabilities, describe
from .inline import Chunk, End, InlineSpec, InlineUpload
from .job import Job, JobKind, JobState, UnknownJobError, Work
from .lanes import CPU, GPU, GPU_WORKERS, Lane, device_for
from .matte_work import MatteWork, prepare_matte
from .model_cache import ModelCache
from .paths import OutputPolicy
from .prepared import Prepared
from .track_work import TrackThenMatteWork, TrackWork, prepare_track_job, prepare_track_then_matte_job

log = logging.getLogger(__name__)

_CANCELLED_EARLY = "the job was cancelled before it started"
_SHUTTING_DOWN = "the daemon is shutting down; submit the job again once it has restarted"


class JobManager:
    def __init__(self, config: ServerConfig, models: ModelCache | None = None) -> None:
        self.config = config
        # Matting backends and trackers, loaded on first use and kept until idle.
        self._models = models or ModelCache(config.model_idle_s)
        self._policy = OutputPolicy(config.output_roots)
        self._lanes = {
            GPU: Lane(GPU, GPU_WORKERS, self._execute),
            CPU: Lane(CPU, config.cpu_workers, self._execute),
        }
        self._jobs: dict[str, Job] = {}  # in submission order
        self._lock = threading.Lock()
        self._closing = False
        self._stop_janitor = threading.Event()
        self._janitor = threading.Thread(target=self._unload_idle_models, name="videomama-janitor", daemon=True)
        self._last_activity = time.monotonic()

    def start(self) -> JobManager:
        for lane in self._lanes.values():
            lane.start()
        self._janitor.start()
        return self

    # -- submitting ----------------------------------------------------------------

    def submit_matte(self, request: MatteRequest | TrackThenMatteRequest, detached: bool = False) -> Job:
        """Check ``request`` completely (raising domain errors) and queue it: a matte
        job, or a track-then-matte job when its masks are to be tracked."""
        self._check_open()
        limit = self.config.max_frame_pixels
        if isinstance(request, TrackThenMatteRequest):
            prepared = prepare_track_then_matte_job(request, self._policy, limit)
            work = TrackThenMatteWork(prepared, self._models)
            return self._submit_prepared(JobKind.TRACK_THEN_MATTE, work, prepared, detached)
        prepared = prepare_matte(request, self._policy, limit)
        return self._submit_prepared(JobKind.MATTE, MatteWork(prepared, self._models), prepared, detached)

    def submit_track(self, request: TrackRequest, detached: bool = False) -> Job:
        """Check a track request completely (raising domain errors) and queue it."""
        self._check_open()
        prepared = prepare_track_job(request, self._policy, self.config.max_frame_pixels)
        return self._submit_prepared(JobKind.TRACK, TrackWork(prepared, self._models), prepared, detached)

    def _submit_prepared(self, kind: JobKind, work: Work, prepared: Prepared, detached: bool) -> Job:
        job = Job(
            kind, work, prepared.device, prepared.backend, prepared.description,
            detached=detached, frames_total=prepared.frames_total,
        )
        return self.submit(job)

    def submit(self, job: Job) -> Job:
        """Track and queue a ready job (any kind)."""
        self._check_open()
        self._remember(job)
        self._queue(job)
        return job

    def open_inline(self, spec: InlineSpec, parts: Iterable[Chunk | End]) -> InlineUpload:
        """Start an inline job: ``parts`` are consumed on a thread of its own, and
        the job is queued once every frame has arrived."""
        self._check_open()
        spec.check(self.config.max_frame_pixels)
        backend, _ = check_backend(spec.backend, spec.options)
        spec = replace(spec, backend=backend)  # "auto" decided once, before any pixel arrives
        folder = tempfile.mkdtemp(prefix="videomama-inline-", dir=self.config.scratch_dir)
        job = Job(
            JobKind.MATTE,
            None,
            device_for(backend),
            backend,
            f"inline {spec.width}x{spec.height} frames {spec.frames}",
            frames_total=len(spec.frames),
            state=JobState.RECEIVING,
        )
        job.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        upload = InlineUpload(job, spec, folder)
        self._remember(job)
        threading.Thread(
            target=self._receive_inline, args=(upload, parts), name=f"videomama-upload-{job.id}", daemon=True
        ).start()
        return upload

    # -- following and controlling ---------------------------------------------------

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJobError(f"no job '{job_id}' on this daemon (it may have ended long ago)")
        return job

    def jobs(self, include_ended: bool = False) -> list[Job]:
        with self._lock:
            jobs = list(self._jobs.values())
        return [job for job in jobs if include_ended or not job.state.ended]

    def cancel(self, job_id: str) -> bool:
        """Cancel a job by id; False if it had already ended."""
        return self.cancel_job(self.get(job_id))

    def cancel_job(self, job: Job) -> bool:
        """Ask ``job`` to stop; False if it had already ended.

        A job still waiting in a queue is taken out and ended here; any other
        job is ended by its owner (worker or upload) at its next check.
        """
        cancelled = job.cancel()
        if self._lanes[job.device].withdraw(job):
            job.end(CancelledError(_CANCELLED_EARLY))
        return cancelled

    def capabilities(self) -> Capabilities:
        return describe(self.config, tuple(self._models.loaded()))

    def touch(self) -> None:
        """A request came in: the daemon is in use (see ``idle_for``)."""
        self._last_activity = time.monotonic()

    def idle_for(self) -> float | None:
        """Seconds since the last request or job end; None while any job is receiving, queued or running."""
        with self._lock:
            if any(not job.state.ended for job in self._jobs.values()):
                return None
        return time.monotonic() - self._last_activity

    def shutdown(self, cancel_running: bool = True, timeout: float | None = 30.0) -> bool:
        """Refuse new jobs, cancel queued ones (and running ones if asked), wait for the
        workers.  Frames already written are complete; no half-written frame is left.
        False if a worker was still busy after ``timeout``."""
        with self._lock:
            self._closing = True
        for lane in self._lanes.values():
            for job in lane.close():
                job.cancel()
                job.end(CancelledError("the daemon shut down before the job started"))
        if cancel_running:
            for job in self.jobs():
                job.cancel()
        self._stop_janitor.set()
        stopped = all(lane.join(timeout) for lane in self._lanes.values())
        self._models.unload_idle()
        return stopped

    # -- internals -------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closing:
            raise NotAvailableError(_SHUTTING_DOWN)

    def _remember(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            ended = [old for old in self._jobs.values() if old.state.ended]
            for old in ended[: max(0, len(ended) - self.config.job_history)]:
                del self._jobs[old.id]

    def _queue(self, job: Job) -> None:
        if self._lanes[job.device].submit(job):
            return
        if job.stop.stopped:
            job.end(CancelledError(_CANCELLED_EARLY))
        else:
            job.end(NotAvailableError(_SHUTTING_DOWN))

    def _receive_inline(self, upload: InlineUpload, parts: Iterable[Chunk | End]) -> None:
        job = upload.job
        try:
            prepared = prepare_matte(upload.receive(parts), None, self.config.max_frame_pixels)
            job.work = MatteWork(prepared, self._models, on_frame=upload.outbox.collect, report_paths=False)
        except Exception as error:
            job.end(error)
            return
        self._queue(job)

    def _execute(self, job: Job) -> None:
        if not job.start():
            job.end(CancelledError(_CANCELLED_EARLY))
            return
        try:
            outcome = job.work(job)
        except Exception as error:
            outcome = error
        job.end(outcome)
        self.touch()  # idle time counts from the end of the last job

    def _unload_idle_models(self) -> None:
        interval = max(1.0, min(self.config.model_idle_s / 2, 60.0))
        while not self._stop_janitor.wait(interval):
            unloaded = self._models.sweep()
            if unloaded:
                log.info("unloaded %d idle model(s)", unloaded)
