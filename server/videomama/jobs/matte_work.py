"""Matte jobs: checked in full when submitted, then run by the matting core.

``prepare_matte`` runs in the submitting call, before a job exists, so a bad
request is refused immediately with its real reason (and a queued job never
fails minutes later for a typo).  ``MatteWork`` then runs the very same
``run_matte`` as ``videomama matte``, with a backend borrowed from the cache,
which is why the daemon's files are identical to the CLI's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..backends import registry
from ..backends.base import resolve_options
from ..errors import InputError
from ..matting.engine import MatteProgress, run_matte
from ..matting.request import MatteRequest, plan
from ..sequences.pattern import SequencePattern
from .backend_cache import BackendCache
from .events import FrameDone, Finished, Progress
from .job import Job
from .lanes import device_for
from .paths import OutputPolicy, require_absolute


@dataclass(frozen=True)
class PreparedMatte:
    request: MatteRequest  # with ``backend`` resolved ("auto" -> a concrete name)
    options: dict[str, Any]  # validated and typed
    device: str
    frames_total: int
    description: str


def check_backend(backend: str, options: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Resolve ``auto``, check the backend can run here, validate its options; loads nothing."""
    name = registry.resolve(backend)
    return name, resolve_options(registry.backend_class(name).options, dict(options), name)


def check_frame_size(width: int, height: int, max_pixels: int, what: str) -> None:
    if width * height > max_pixels:
        raise InputError(
            f"{what} is {width}x{height} = {width * height} pixels, more than this daemon "
            f"accepts ({max_pixels}); raise max_frame_pixels in its config if it has the memory"
        )


def prepare_matte(
    request: MatteRequest,
    policy: OutputPolicy | None,
    max_frame_pixels: int,
) -> PreparedMatte:
    """Everything ``run_matte`` would check, plus the daemon's own rules; raises domain errors.

    ``policy`` None skips the path rules (inline jobs write in a private folder).
    """
    # 1. Paths the daemon is allowed to use.
    if policy is not None:
        for what, pattern in (("plate", request.plate), ("mask", request.mask), ("output", request.output)):
            require_absolute(what, pattern)
        policy.check(request.output)
    # 2. The backend: known, runnable here, options valid.
    name, options = check_backend(request.backend, request.options)
    # 3. The core's own checks: patterns, ranges, every frame present, sizes
    #    that fit, an output that cannot clobber an input.
    job_plan = plan(request)
    # 4. Frames this daemon can hold in memory.
    for frame, windows in job_plan.plate_windows.items():
        check_frame_size(
            windows.data.width, windows.data.height, max_frame_pixels, f"plate frame {frame}"
        )
    description = f"{request.plate} -> {request.output} {job_plan.frames}"
    return PreparedMatte(
        replace(request, backend=name), options, device_for(name), len(job_plan.frames), description
    )


# Called with (frame, path) right after a frame is written and before its
# FrameDone event is logged: inline jobs read the alpha back here.
FrameHook = Callable[[int, str], None]


class MatteWork:
    """The work of a matte job (see ``job.Work``)."""

    def __init__(
        self,
        prepared: PreparedMatte,
        backends: BackendCache,
        on_frame: FrameHook | None = None,
        report_paths: bool = True,
    ) -> None:
        self._prepared = prepared
        self._backends = backends
        self._on_frame = on_frame
        self._report_paths = report_paths
        self._output = SequencePattern.parse(prepared.request.output)

    def __call__(self, job: Job) -> Finished:
        request = self._prepared.request

        def on_progress(progress: MatteProgress) -> None:
            if progress.frame is not None:
                path = self._output.path(progress.frame)
                if self._on_frame:
                    self._on_frame(progress.frame, path)
                job.publish(FrameDone(progress.frame, path if self._report_paths else ""))
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

        with self._backends.borrow(request.backend, self._prepared.options) as backend:
            result = run_matte(request, on_progress=on_progress, stop=job.stop, backend=backend)
        return Finished(
            output=result.output if self._report_paths else "",
            backend=result.backend,
            frames_written=len(result.written),
            frames_skipped=len(result.skipped),
        )
