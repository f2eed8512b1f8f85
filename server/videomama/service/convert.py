"""Protobuf <-> domain values.  The only server module that touches message fields.

Empty proto3 fields mean "the default", so requests are built from the fields
that were set and the domain dataclasses keep the single definition of each
default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
from videomama_proto.v1 import planes
from videomama_proto.v1 import videomama_pb2 as pb

from ..errors import InputError
from ..jobs import events
from ..jobs.capabilities import Capabilities
from ..jobs.inline import Chunk, End, InlineSpec, Plane
from ..jobs.job import Job, JobKind, JobState
from ..matting.request import MatteRequest
from ..sequences.pattern import FrameRange
from ..tracking.prompts import DEFAULT_OBJECT, BoxPrompt, MaskKeyframe, Point, Prompts
from ..tracking.runner import TrackRequest
from ..tracking.then_matte import TrackThenMatteRequest
from .status import code_for

# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------


def _frame_range(message: Any, field: str) -> FrameRange | None:
    if not message.HasField(field):
        return None
    value = getattr(message, field)
    return FrameRange(value.first, value.last)  # InputError when reversed


def _settings(settings: pb.MatteSettings) -> dict[str, Any]:
    """MatteSettings fields that were given, as MatteRequest/InlineSpec keywords."""
    given: dict[str, Any] = {"options": dict(settings.options)}
    if settings.backend:
        given["backend"] = settings.backend
    if settings.window:
        given["window"] = settings.window
    if settings.HasField("overlap"):
        given["overlap"] = settings.overlap
    if settings.colorspace:
        given["colorspace"] = settings.colorspace
    return given


def matte_request(message: pb.SubmitMatteRequest) -> MatteRequest | TrackThenMatteRequest:
    """A matte request, or a track-then-matte request when the masks are to be tracked."""
    given = _settings(message.settings)
    for field in ("plate_layer", "mask_channel", "compression"):
        if getattr(message, field):
            given[field] = getattr(message, field)
    tracked = message.WhichOneof("masks") == "track"
    if message.track_output and not tracked:
        raise InputError("track_output names where tracked masks go; this request gives a mask sequence, not track settings")
    request = MatteRequest(
        plate=message.plate,
        mask=message.track_output if tracked else message.mask,
        output=message.output,
        frames=_frame_range(message, "frames"),
        shot=_frame_range(message, "shot"),
        write_rgba=message.write_rgba,
        force=message.force,
        **given,
    )
    if not tracked:
        return request
    return TrackThenMatteRequest(request, _prompts(message.track), **_tracker_settings(message.track))


def _object(name: str) -> str:
    """A prompt's object; empty (an older client, or one object) is the default object."""
    return name or DEFAULT_OBJECT


def _prompts(settings: pb.TrackSettings) -> Prompts:
    # InputError for a bad object name, a reversed box or two masks for one object's frame.
    return Prompts(
        masks=[MaskKeyframe(k.frame, k.path, _object(k.object)) for k in settings.mask_keyframes],
        points=[Point(p.frame, p.x, p.y, p.positive, _object(p.object)) for p in settings.points],
        boxes=[BoxPrompt(b.frame, b.x0, b.y0, b.x1, b.y1, _object(b.object)) for b in settings.boxes],
    )


def _tracker_settings(settings: pb.TrackSettings) -> dict[str, Any]:
    """TrackSettings fields beyond the prompts that were given, as request keywords."""
    given: dict[str, Any] = {"soft": settings.soft}
    if settings.tracker:
        given["tracker"] = settings.tracker
    if settings.object_output:
        given["object_output"] = settings.object_output
    return given


def track_request(message: pb.SubmitTrackRequest) -> TrackRequest:
    frames = _frame_range(message, "frames")
    if frames is None:
        raise InputError("a track job needs the frames to track: set frames")
    given = _tracker_settings(message.settings)
    for field in ("colorspace", "plate_layer", "compression"):
        if getattr(message, field):
            given[field] = getattr(message, field)
    return TrackRequest(
        plate=message.plate,
        output=message.output,
        frames=frames,
        prompts=_prompts(message.settings),
        force=message.force,
        **given,
    )


def inline_spec(message: pb.SubmitMatteInlineRequest | None) -> InlineSpec:
    if message is None or message.WhichOneof("part") != "header":
        raise InputError("malformed inline stream: the first message must be the header")
    header = message.header
    frames = _frame_range(header, "frames")
    if frames is None:
        raise InputError("malformed inline stream: the header must give the frame range")
    return InlineSpec(
        frames=frames,
        width=header.width,
        height=header.height,
        mask_width=header.mask_width,
        mask_height=header.mask_height,
        **_settings(header.settings),
    )


_PLANES = {pb.PLANE_PLATE: Plane.PLATE, pb.PLANE_MASK: Plane.MASK, pb.PLANE_ALPHA: Plane.ALPHA}


def inline_part(message: pb.SubmitMatteInlineRequest) -> Chunk | End:
    part = message.WhichOneof("part")
    if part == "end":
        return End()
    if part != "chunk":
        raise InputError(f"malformed inline stream: expected a chunk or the end marker, got {part or 'nothing'}")
    chunk = message.chunk
    if chunk.plane not in _PLANES:
        raise InputError(f"malformed inline chunk: frame {chunk.frame} does not say which plane it carries")
    return Chunk(chunk.frame, _PLANES[chunk.plane], chunk.offset, chunk.total_bytes, chunk.data)


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def _payload(payload: events.Payload) -> dict[str, Any]:
    """The JobEvent oneof field for a payload, as keyword arguments."""
    if isinstance(payload, events.Queued):
        return {"queued": pb.JobQueued(position=payload.position)}
    if isinstance(payload, events.Started):
        return {"started": pb.JobStarted(backend=payload.backend, device=payload.device)}
    if isinstance(payload, events.Progress):
        return {
            "progress": pb.JobProgress(
                frames_done=payload.frames_done,
                frames_total=payload.frames_total,
                window=payload.window,
                windows_total=payload.windows_total,
                elapsed_s=payload.elapsed_s,
                eta_s=payload.eta_s,  # None leaves the optional field unset
                frame=payload.frame,
                phase=payload.phase,
            )
        }
    if isinstance(payload, events.FrameDone):
        return {"frame_result": pb.FrameResult(frame=payload.frame, path=payload.path)}
    if isinstance(payload, events.FramesReceived):
        return {
            "frames_received": pb.FramesReceived(
                frames_received=payload.frames_received,
                frames_total=payload.frames_total,
                bytes_received=payload.bytes_received,
            )
        }
    if isinstance(payload, events.Warned):
        return {"warning": pb.JobWarning(message=payload.message, frame=payload.frame)}
    if isinstance(payload, events.Finished):
        return {
            "finished": pb.JobFinished(
                output=payload.output,
                backend=payload.backend,
                frames_written=payload.frames_written,
                frames_skipped=payload.frames_skipped,
                tracker=payload.tracker,
                masks=payload.masks,
            )
        }
    if isinstance(payload, events.Failed):
        # pb.StatusCode numbers are gRPC's own codes.
        return {"failed": pb.JobFailed(code=code_for(payload.error).value[0], message=payload.message)}
    raise TypeError(f"no protobuf form for event payload {payload!r}")


def job_event(event: events.JobEvent) -> pb.JobEvent:
    return pb.JobEvent(job_id=event.job_id, sequence=event.sequence, time=event.time, **_payload(event.payload))


def alpha_chunks(frame: int, alpha: np.ndarray, chunk_bytes: int) -> Iterator[pb.PlaneChunk]:
    return planes.plane_chunks(frame, pb.PLANE_ALPHA, alpha, chunk_bytes)


# ---------------------------------------------------------------------------
# Jobs and capabilities
# ---------------------------------------------------------------------------

_KINDS = {
    JobKind.MATTE: pb.JOB_KIND_MATTE,
    JobKind.TRACK: pb.JOB_KIND_TRACK,
    JobKind.TRACK_THEN_MATTE: pb.JOB_KIND_TRACK_THEN_MATTE,
}
_STATES = {
    JobState.RECEIVING: pb.JOB_STATE_RECEIVING,
    JobState.QUEUED: pb.JOB_STATE_QUEUED,
    JobState.RUNNING: pb.JOB_STATE_RUNNING,
    JobState.SUCCEEDED: pb.JOB_STATE_SUCCEEDED,
    JobState.FAILED: pb.JOB_STATE_FAILED,
    JobState.CANCELLED: pb.JOB_STATE_CANCELLED,
}


def job_state(state: JobState) -> int:
    return _STATES[state]


def job_summary(job: Job) -> pb.JobSummary:
    return pb.JobSummary(
        job_id=job.id,
        kind=_KINDS[job.kind],
        state=_STATES[job.state],
        description=job.description,
        backend=job.backend,
        device=job.device,
        detached=job.detached,
        queue_position=job.queue_position,
        frames_done=job.frames_done,
        frames_total=job.frames_total,
        submitted_time=job.submitted_time,
    )


def capabilities(info: Capabilities, protocol: str) -> pb.GetInfoResponse:
    limits = info.limits
    return pb.GetInfoResponse(
        server_version=info.server_version,
        protocol=protocol,
        devices=[
            pb.Device(
                kind=d.kind, name=d.name, memory_total_bytes=d.memory_total_bytes, memory_free_bytes=d.memory_free_bytes
            )
            for d in info.devices
        ],
        backends=[
            pb.BackendInfo(
                name=b.name,
                display_name=b.display_name,
                available=b.available,
                reason=b.reason,
                device=b.device,
                options=[pb.BackendOption(name=n, default_value=v, help=h) for n, v, h in b.options],
            )
            for b in info.backends
        ],
        # TrackerSummary's fields are TrackerInfo's, one for one (a field on one side only fails here).
        trackers=[pb.TrackerInfo(**dataclasses.asdict(t)) for t in info.trackers],
        loaded_models=[
            pb.LoadedModel(kind=m.kind, name=m.name, options=m.options, in_use=m.in_use, idle_seconds=m.idle_s)
            for m in info.loaded_models
        ],
        limits=pb.Limits(
            max_frame_pixels=limits.max_frame_pixels,
            max_message_bytes=limits.max_message_bytes,
            chunk_bytes=limits.chunk_bytes,
            cpu_workers=limits.cpu_workers,
            gpu_workers=limits.gpu_workers,
            token_required=limits.token_required,
            output_roots=list(limits.output_roots),
        ),
    )
