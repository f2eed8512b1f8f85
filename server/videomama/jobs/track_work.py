"""Track jobs and track-then-matte jobs: checked in full when submitted, run by the tracking core.

Like ``matte_work``: ``prepare_*`` runs in the submitting call, so a bad
prompt is refused before a job exists (INVALID_ARGUMENT with the CLI's own
message), and the work runs the very same ``run_track`` /
``run_track_then_matte`` as ``videomama track`` / ``videomama matte``.

Lanes: a track runs where its tracker computes (SAM2 on a GPU: the GPU
lane; the flow tracker: a CPU lane).  A track-then-matte job runs on the GPU
lane if either step uses the GPU, since a job holds one lane throughout.
"""

from __future__ import annotations

from dataclasses import replace

from ..sequences.pattern import SequencePattern
from ..tracking.jumps import JumpWarning
from ..tracking.prompts import MaskKeyframe
from ..tracking.runner import TrackProgress, TrackRequest, prepare_track, run_track
from ..tracking.then_matte import TrackThenMatteRequest, prepare_track_then_matte, run_track_then_matte
from .model_cache import ModelCache
from .events import FrameDone, Finished, Progress, Warned
from .job import Job
from .lanes import CPU, GPU, device_for, device_for_tracker
from .matte_work import check_frame_size, check_plate_sizes, publish_matte_progress
from .paths import OutputPolicy, check_paths
from .prepared import Prepared


def _keyframe_paths(masks: list[MaskKeyframe]) -> list[tuple[str, str]]:
    return [(f"mask keyframe {k.label}", k.path) for k in sorted(masks, key=lambda k: (k.frame, k.object))]


def prepare_track_job(request: TrackRequest, policy: OutputPolicy, max_frame_pixels: int) -> Prepared[TrackRequest]:
    """Everything ``run_track`` would check, plus the daemon's own rules; raises domain errors."""
    check_paths(policy, [("plate", request.plate), *_keyframe_paths(request.prompts.masks)], [("output", request.output)])
    track = prepare_track(request)
    size = track.windows.data
    check_frame_size(size.width, size.height, max_frame_pixels, "a plate frame")
    description = f"track {request.plate} -> {request.output} {request.frames} (tracker {track.tracker})"
    # The job shows its tracker as its backend (ListJobs, the started event).
    return Prepared(
        replace(request, tracker=track.tracker), track.tracker, device_for_tracker(track.tracker),
        len(request.frames), description,
    )


def prepare_track_then_matte_job(
    request: TrackThenMatteRequest, policy: OutputPolicy, max_frame_pixels: int
) -> Prepared[TrackThenMatteRequest]:
    """Everything ``run_track_then_matte`` would check, plus the daemon's own rules."""
    matte = request.matte
    outputs = [("output", each.output) for each in request.matte_requests().values()]
    check_paths(
        policy,
        [("plate", matte.plate), *_keyframe_paths(request.prompts.masks)],
        [*outputs, ("masks output", request.masks)],
    )
    checked = prepare_track_then_matte(request)
    check_plate_sizes(checked.matte, max_frame_pixels)
    name, options, tracker = checked.backend, checked.options, checked.track.tracker
    request = replace(request, matte=replace(matte, backend=name), tracker=tracker)
    device = GPU if GPU in (device_for(name), device_for_tracker(tracker)) else CPU
    description = f"{matte.plate} -> {matte.output} {checked.matte.frames}, masks tracked ({tracker}) into {request.masks}"
    frames = len(checked.matte.frames) * len(checked.mattes)   # one matte per object, or one of their union
    return Prepared(request, name, device, frames, description, options)


def publish_track_progress(job: Job, progress: TrackProgress, output: SequencePattern | None) -> None:
    """A track step's progress as events; ``output`` None: its masks are not the job's result."""
    if output is not None and progress.frame is not None:
        job.publish(FrameDone(progress.frame, output.path(progress.frame)))
    job.publish(
        Progress(
            progress.frames_done, progress.frames_total, 0, 0,
            progress.elapsed_s, progress.eta_s, progress.frame, phase="track",
        )
    )


def publish_warnings(job: Job, warnings: list[JumpWarning]) -> None:
    for warning in warnings:
        job.publish(Warned(str(warning), warning.frame))


class TrackWork:
    """The work of a track job (see ``job.Work``)."""

    def __init__(self, prepared: Prepared[TrackRequest], models: ModelCache) -> None:
        self._prepared = prepared
        self._models = models
        self._output = SequencePattern.parse(prepared.request.output)

    def __call__(self, job: Job) -> Finished:
        result = run_track(
            self._prepared.request,
            on_progress=lambda progress: publish_track_progress(job, progress, self._output),
            stop=job.stop,
            trackers=self._models.tracker,
        )
        publish_warnings(job, result.warnings)
        return Finished(
            output=result.output, backend="", frames_written=len(result.written),
            frames_skipped=len(result.skipped), tracker=result.tracker,
        )


class TrackThenMatteWork:
    """The work of a track-then-matte job: masks, jump warnings, then the matte's frames."""

    def __init__(self, prepared: Prepared[TrackThenMatteRequest], models: ModelCache) -> None:
        self._prepared = prepared
        self._models = models

    def __call__(self, job: Job) -> Finished:
        request = self._prepared.request

        def on_progress(progress) -> None:
            if isinstance(progress, TrackProgress):
                publish_track_progress(job, progress, None)
            else:
                publish_matte_progress(job, progress)

        result = run_track_then_matte(
            request,
            on_progress=on_progress,
            stop=job.stop,
            backend=lambda: self._models.backend(request.matte.backend, self._prepared.options),
            trackers=self._models.tracker,
            on_tracked=lambda tracked: publish_warnings(job, tracked.warnings),
        )
        mattes = result.mattes.values()
        # One matte per object reports the output with its {object} token and the counts of all.
        return Finished(
            output=request.matte.output if request.per_object else result.matte.output, backend=result.matte.backend,
            frames_written=sum(len(m.written) for m in mattes), frames_skipped=sum(len(m.skipped) for m in mattes),
            tracker=result.track.tracker, masks=result.track.output,
        )
