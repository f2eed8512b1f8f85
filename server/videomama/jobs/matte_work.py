"""Matte jobs: checked in full when submitted, then run by the matting core.

``prepare_matte`` runs in the submitting call, before a job exists, so a bad
request is refused immediately with its real reason (and a queued job never
fails minutes later for a typo).  ``MatteWork`` then runs the very same
``run_matte`` as ``videomama matte``, with a backend borrowed from the cache,
which is why the daemon's files are identical to the CLI's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..errors import InputError
from ..matting.engine import MatteProgress, run_matte
from ..matting.request import MattePlan, MatteRequest, check_backend, plan
from .model_cache import ModelCache
from .events import FrameDone, Finished, Progress
from .job import Job
from .lanes import device_for
from .paths import OutputPolicy, check_paths
from .prepared import Prepared


def check_frame_size(width: int, height: int, max_pixels: int, what: str) -> None:
    if width * height > max_pixels:
        raise InputError(
            f"{what} is {width}x{height} = {width * height} pixels, more than this daemon "
            f"accepts ({max_pixels}); raise max_frame_pixels in its config if it has the memory"
        )


def check_plate_sizes(job_plan: MattePlan, max_frame_pixels: int) -> None:
    """Frames this daemon can hold in memory."""
    for frame, windows in job_plan.plate_windows.items():
        check_frame_size(windows.data.width, windows.data.height, max_frame_pixels, f"plate frame {frame}")


def prepare_matte(
    request: MatteRequest,
    policy: OutputPolicy | None,
    max_frame_pixels: int,
) -> Prepared[MatteRequest]:
    """Everything ``run_matte`` would check, plus the daemon's own rules; raises domain errors.

    ``policy`` None skips the path rules (inline jobs write in a private folder).
    """
    # 1. Paths the daemon is allowed to use.
    check_paths(policy, (("plate", request.plate), ("mask", request.mask)), (("output", request.output),))
    # 2. The backend: known, runnable here, options valid.
    name, options = check_backend(request.backend, request.options)
    # 3. The core's own checks: patterns, ranges, every frame present, sizes
    #    that fit, an output that cannot clobber an input.
    job_plan = plan(request)
    # 4. Frames this daemon can hold in memory.
    check_plate_sizes(job_plan, max_frame_pixels)
    description = f"{request.plate} -> {request.output} {job_plan.frames}"
    return Prepared(
        replace(request, backend=name), name, device_for(name), len(job_plan.frames), description, options
    )


# Called with (frame, path) right after a frame is written and before its
# FrameDone event is logged: inline jobs read the alpha back here.
FrameHook = Callable[[int, str], None]


class MatteWork:
    """The work of a matte job (see ``job.Work``)."""

    def __init__(
        self,
        prepared: Prepared[MatteRequest],
        models: ModelCache,
        on_frame: FrameHook | None = None,
        report_paths: bool = True,
    ) -> None:
        self._prepared = prepared
        self._models = models
        self._on_frame = on_frame
        self._report_paths = report_paths

    def __call__(self, job: Job) -> Finished:
        request = self._prepared.request

        def on_progress(progress: MatteProgress) -> None:
            publish_matte_progress(job, progress, self._on_frame, self._report_paths)

        with self._models.backend(request.backend, self._prepared.options) as backend:
            result = run_matte(request, on_progress=on_progress, stop=job.stop, backend=backend)
        return Finished(
            output=result.output if self._report_paths else "",
            backend=result.backend,
            frames_written=len(result.written),
            frames_skipped=len(result.skipped),
        )


def publish_matte_progress(
    job: Job,
    progress: MatteProgress,
    on_frame: FrameHook | None = None,
    report_paths: bool = True,
) -> None:
    """A matte step's progress as events: the frame just written (if any), then the counts."""
    if progress.frame is not None:
        path = progress.path or ""
        if on_frame:
            on_frame(progress.frame, path)
        job.publish(FrameDone(progress.frame, path if report_paths else ""))
    job.publish(
        Progress(
            progress.frames_done,
            progress.frames_total,
            progress.window,
            progress.windows_total,
            progress.elapsed_s,
            progress.eta_s,
            progress.frame,
        )
    )
