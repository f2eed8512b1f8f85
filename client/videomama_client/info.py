"""What GetInfo and ListJobs return, as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from videomama_proto.v1 import videomama_pb2 as pb


@dataclass(frozen=True)
class Device:
    kind: str  # "gpu" or "cpu"
    name: str
    memory_total_bytes: int
    memory_free_bytes: int  # 0 when unknown


@dataclass(frozen=True)
class BackendOption:
    name: str
    default: str
    help: str


@dataclass(frozen=True)
class Backend:
    name: str
    display_name: str
    available: bool
    reason: str  # why it cannot run here, e.g. weights not installed
    device: str
    options: tuple[BackendOption, ...]


@dataclass(frozen=True)
class Tracker:
    name: str  # what TrackSettings.tracker names
    display_name: str
    available: bool
    reason: str  # why it cannot run here (or why "auto" does not pick it)
    chosen_by_auto: bool  # "auto" picks it when the prompts suit it
    takes_points_and_boxes: bool  # False: mask keyframes only, a job with points is refused
    needs_mask_keyframe: bool


@dataclass(frozen=True)
class LoadedModel:
    """A model the daemon holds in memory: lent to a running job, or idle until it unloads."""

    kind: str  # "backend" or "tracker"
    name: str
    options: dict  # the options it was loaded with
    in_use: bool
    idle_seconds: float  # since its last job ended; 0 while in use


@dataclass(frozen=True)
class Limits:
    max_frame_pixels: int
    max_message_bytes: int
    chunk_bytes: int
    cpu_workers: int
    gpu_workers: int
    token_required: bool
    output_roots: tuple[str, ...]


@dataclass(frozen=True)
class DaemonInfo:
    address: str
    server_version: str
    protocol: str
    devices: tuple[Device, ...]
    backends: tuple[Backend, ...]
    limits: Limits
    # Empty from a daemon that predates tracker reports: which prompts it can
    # track is then only known when a job is submitted.
    trackers: tuple[Tracker, ...] = ()
    # Models the daemon holds loaded now (empty from older daemons).
    loaded_models: tuple[LoadedModel, ...] = ()


_STATES = {
    pb.JOB_STATE_RECEIVING: "receiving",
    pb.JOB_STATE_QUEUED: "queued",
    pb.JOB_STATE_RUNNING: "running",
    pb.JOB_STATE_SUCCEEDED: "succeeded",
    pb.JOB_STATE_FAILED: "failed",
    pb.JOB_STATE_CANCELLED: "cancelled",
}
_KINDS = {pb.JOB_KIND_MATTE: "matte", pb.JOB_KIND_TRACK: "track", pb.JOB_KIND_TRACK_THEN_MATTE: "track_then_matte"}


def job_state_name(state: int) -> str:
    return _STATES.get(state, "unknown")


@dataclass(frozen=True)
class JobSummary:
    job_id: str
    kind: str  # "matte", "track", "track_then_matte"
    state: str  # "receiving", "queued", "running", "succeeded", "failed", "cancelled"
    description: str
    backend: str
    device: str
    detached: bool
    queue_position: int
    frames_done: int
    frames_total: int
    submitted_time: float


def daemon_info_from_proto(info: pb.GetInfoResponse, address: str) -> DaemonInfo:
    limits = info.limits
    return DaemonInfo(
        address=address,
        server_version=info.server_version,
        protocol=info.protocol,
        devices=tuple(
            Device(d.kind, d.name, d.memory_total_bytes, d.memory_free_bytes) for d in info.devices
        ),
        backends=tuple(
            Backend(
                b.name, b.display_name, b.available, b.reason, b.device,
                tuple(BackendOption(o.name, o.default_value, o.help) for o in b.options),
            )
            for b in info.backends
        ),
        limits=Limits(
            limits.max_frame_pixels, limits.max_message_bytes, limits.chunk_bytes, limits.cpu_workers,
            limits.gpu_workers, limits.token_required, tuple(limits.output_roots),
        ),
        trackers=tuple(
            Tracker(
                t.name, t.display_name, t.available, t.reason, t.chosen_by_auto, t.takes_points_and_boxes,
                t.needs_mask_keyframe,
            )
            for t in info.trackers
        ),
        loaded_models=tuple(
            LoadedModel(m.kind, m.name, dict(m.options), m.in_use, m.idle_seconds) for m in info.loaded_models
        ),
    )


def job_summary_from_proto(job: pb.JobSummary) -> JobSummary:
    return JobSummary(
        job.job_id, _KINDS.get(job.kind, "unknown"), job_state_name(job.state), job.description, job.backend,
        job.device, job.detached, job.queue_position, job.frames_done, job.frames_total, job.submitted_time,
    )
