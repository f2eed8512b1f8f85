from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StatusCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_CODE_OK: _ClassVar[StatusCode]
    STATUS_CODE_CANCELLED: _ClassVar[StatusCode]
    STATUS_CODE_UNKNOWN: _ClassVar[StatusCode]
    STATUS_CODE_INVALID_ARGUMENT: _ClassVar[StatusCode]
    STATUS_CODE_DEADLINE_EXCEEDED: _ClassVar[StatusCode]
    STATUS_CODE_NOT_FOUND: _ClassVar[StatusCode]
    STATUS_CODE_ALREADY_EXISTS: _ClassVar[StatusCode]
    STATUS_CODE_PERMISSION_DENIED: _ClassVar[StatusCode]
    STATUS_CODE_RESOURCE_EXHAUSTED: _ClassVar[StatusCode]
    STATUS_CODE_FAILED_PRECONDITION: _ClassVar[StatusCode]
    STATUS_CODE_ABORTED: _ClassVar[StatusCode]
    STATUS_CODE_OUT_OF_RANGE: _ClassVar[StatusCode]
    STATUS_CODE_UNIMPLEMENTED: _ClassVar[StatusCode]
    STATUS_CODE_INTERNAL: _ClassVar[StatusCode]
    STATUS_CODE_UNAVAILABLE: _ClassVar[StatusCode]
    STATUS_CODE_DATA_LOSS: _ClassVar[StatusCode]
    STATUS_CODE_UNAUTHENTICATED: _ClassVar[StatusCode]

class JobKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_KIND_UNSPECIFIED: _ClassVar[JobKind]
    JOB_KIND_MATTE: _ClassVar[JobKind]
    JOB_KIND_TRACK: _ClassVar[JobKind]
    JOB_KIND_TRACK_THEN_MATTE: _ClassVar[JobKind]

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATE_UNSPECIFIED: _ClassVar[JobState]
    JOB_STATE_RECEIVING: _ClassVar[JobState]
    JOB_STATE_QUEUED: _ClassVar[JobState]
    JOB_STATE_RUNNING: _ClassVar[JobState]
    JOB_STATE_SUCCEEDED: _ClassVar[JobState]
    JOB_STATE_FAILED: _ClassVar[JobState]
    JOB_STATE_CANCELLED: _ClassVar[JobState]

class Plane(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLANE_UNSPECIFIED: _ClassVar[Plane]
    PLANE_PLATE: _ClassVar[Plane]
    PLANE_MASK: _ClassVar[Plane]
    PLANE_ALPHA: _ClassVar[Plane]
STATUS_CODE_OK: StatusCode
STATUS_CODE_CANCELLED: StatusCode
STATUS_CODE_UNKNOWN: StatusCode
STATUS_CODE_INVALID_ARGUMENT: StatusCode
STATUS_CODE_DEADLINE_EXCEEDED: StatusCode
STATUS_CODE_NOT_FOUND: StatusCode
STATUS_CODE_ALREADY_EXISTS: StatusCode
STATUS_CODE_PERMISSION_DENIED: StatusCode
STATUS_CODE_RESOURCE_EXHAUSTED: StatusCode
STATUS_CODE_FAILED_PRECONDITION: StatusCode
STATUS_CODE_ABORTED: StatusCode
STATUS_CODE_OUT_OF_RANGE: StatusCode
STATUS_CODE_UNIMPLEMENTED: StatusCode
STATUS_CODE_INTERNAL: StatusCode
STATUS_CODE_UNAVAILABLE: StatusCode
STATUS_CODE_DATA_LOSS: StatusCode
STATUS_CODE_UNAUTHENTICATED: StatusCode
JOB_KIND_UNSPECIFIED: JobKind
JOB_KIND_MATTE: JobKind
JOB_KIND_TRACK: JobKind
JOB_KIND_TRACK_THEN_MATTE: JobKind
JOB_STATE_UNSPECIFIED: JobState
JOB_STATE_RECEIVING: JobState
JOB_STATE_QUEUED: JobState
JOB_STATE_RUNNING: JobState
JOB_STATE_SUCCEEDED: JobState
JOB_STATE_FAILED: JobState
JOB_STATE_CANCELLED: JobState
PLANE_UNSPECIFIED: Plane
PLANE_PLATE: Plane
PLANE_MASK: Plane
PLANE_ALPHA: Plane

class FrameRange(_message.Message):
    __slots__ = ("first", "last")
    FIRST_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    first: int
    last: int
    def __init__(self, first: _Optional[int] = ..., last: _Optional[int] = ...) -> None: ...

class MatteSettings(_message.Message):
    __slots__ = ("backend", "window", "overlap", "colorspace", "options")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    OVERLAP_FIELD_NUMBER: _ClassVar[int]
    COLORSPACE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    backend: str
    window: int
    overlap: int
    colorspace: str
    options: _containers.ScalarMap[str, str]
    def __init__(self, backend: _Optional[str] = ..., window: _Optional[int] = ..., overlap: _Optional[int] = ..., colorspace: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ...) -> None: ...

class JobEvent(_message.Message):
    __slots__ = ("job_id", "sequence", "time", "queued", "started", "progress", "frame_result", "warning", "finished", "failed", "frames_received")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    FRAME_RESULT_FIELD_NUMBER: _ClassVar[int]
    WARNING_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    FRAMES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    sequence: int
    time: float
    queued: JobQueued
    started: JobStarted
    progress: JobProgress
    frame_result: FrameResult
    warning: JobWarning
    finished: JobFinished
    failed: JobFailed
    frames_received: FramesReceived
    def __init__(self, job_id: _Optional[str] = ..., sequence: _Optional[int] = ..., time: _Optional[float] = ..., queued: _Optional[_Union[JobQueued, _Mapping]] = ..., started: _Optional[_Union[JobStarted, _Mapping]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., frame_result: _Optional[_Union[FrameResult, _Mapping]] = ..., warning: _Optional[_Union[JobWarning, _Mapping]] = ..., finished: _Optional[_Union[JobFinished, _Mapping]] = ..., failed: _Optional[_Union[JobFailed, _Mapping]] = ..., frames_received: _Optional[_Union[FramesReceived, _Mapping]] = ...) -> None: ...

class JobQueued(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class JobStarted(_message.Message):
    __slots__ = ("backend", "device")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    backend: str
    device: str
    def __init__(self, backend: _Optional[str] = ..., device: _Optional[str] = ...) -> None: ...

class JobProgress(_message.Message):
    __slots__ = ("frames_done", "frames_total", "window", "windows_total", "elapsed_s", "eta_s", "frame", "phase")
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_S_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    frames_done: int
    frames_total: int
    window: int
    windows_total: int
    elapsed_s: float
    eta_s: float
    frame: int
    phase: str
    def __init__(self, frames_done: _Optional[int] = ..., frames_total: _Optional[int] = ..., window: _Optional[int] = ..., windows_total: _Optional[int] = ..., elapsed_s: _Optional[float] = ..., eta_s: _Optional[float] = ..., frame: _Optional[int] = ..., phase: _Optional[str] = ...) -> None: ...

class FrameResult(_message.Message):
    __slots__ = ("frame", "path")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    frame: int
    path: str
    def __init__(self, frame: _Optional[int] = ..., path: _Optional[str] = ...) -> None: ...

class FramesReceived(_message.Message):
    __slots__ = ("frames_received", "frames_total", "bytes_received")
    FRAMES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    BYTES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    frames_received: int
    frames_total: int
    bytes_received: int
    def __init__(self, frames_received: _Optional[int] = ..., frames_total: _Optional[int] = ..., bytes_received: _Optional[int] = ...) -> None: ...

class JobWarning(_message.Message):
    __slots__ = ("message", "frame")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    message: str
    frame: int
    def __init__(self, message: _Optional[str] = ..., frame: _Optional[int] = ...) -> None: ...

class JobFinished(_message.Message):
    __slots__ = ("output", "backend", "frames_written", "frames_skipped", "tracker", "masks")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    FRAMES_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    FRAMES_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    TRACKER_FIELD_NUMBER: _ClassVar[int]
    MASKS_FIELD_NUMBER: _ClassVar[int]
    output: str
    backend: str
    frames_written: int
    frames_skipped: int
    tracker: str
    masks: str
    def __init__(self, output: _Optional[str] = ..., backend: _Optional[str] = ..., frames_written: _Optional[int] = ..., frames_skipped: _Optional[int] = ..., tracker: _Optional[str] = ..., masks: _Optional[str] = ...) -> None: ...

class JobFailed(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: StatusCode
    message: str
    def __init__(self, code: _Optional[_Union[StatusCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class GetInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetInfoResponse(_message.Message):
    __slots__ = ("server_version", "protocol", "devices", "backends", "limits", "trackers", "loaded_models")
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    BACKENDS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    TRACKERS_FIELD_NUMBER: _ClassVar[int]
    LOADED_MODELS_FIELD_NUMBER: _ClassVar[int]
    server_version: str
    protocol: str
    devices: _containers.RepeatedCompositeFieldContainer[Device]
    backends: _containers.RepeatedCompositeFieldContainer[BackendInfo]
    limits: Limits
    trackers: _containers.RepeatedCompositeFieldContainer[TrackerInfo]
    loaded_models: _containers.RepeatedCompositeFieldContainer[LoadedModel]
    def __init__(self, server_version: _Optional[str] = ..., protocol: _Optional[str] = ..., devices: _Optional[_Iterable[_Union[Device, _Mapping]]] = ..., backends: _Optional[_Iterable[_Union[BackendInfo, _Mapping]]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., trackers: _Optional[_Iterable[_Union[TrackerInfo, _Mapping]]] = ..., loaded_models: _Optional[_Iterable[_Union[LoadedModel, _Mapping]]] = ...) -> None: ...

class LoadedModel(_message.Message):
    __slots__ = ("kind", "name", "options", "in_use", "idle_seconds")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    IN_USE_FIELD_NUMBER: _ClassVar[int]
    IDLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    name: str
    options: _containers.ScalarMap[str, str]
    in_use: bool
    idle_seconds: float
    def __init__(self, kind: _Optional[str] = ..., name: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ..., in_use: bool = ..., idle_seconds: _Optional[float] = ...) -> None: ...

class Device(_message.Message):
    __slots__ = ("kind", "name", "memory_total_bytes", "memory_free_bytes")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    kind: str
    name: str
    memory_total_bytes: int
    memory_free_bytes: int
    def __init__(self, kind: _Optional[str] = ..., name: _Optional[str] = ..., memory_total_bytes: _Optional[int] = ..., memory_free_bytes: _Optional[int] = ...) -> None: ...

class BackendInfo(_message.Message):
    __slots__ = ("name", "display_name", "available", "reason", "device", "options")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    available: bool
    reason: str
    device: str
    options: _containers.RepeatedCompositeFieldContainer[BackendOption]
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., available: bool = ..., reason: _Optional[str] = ..., device: _Optional[str] = ..., options: _Optional[_Iterable[_Union[BackendOption, _Mapping]]] = ...) -> None: ...

class TrackerInfo(_message.Message):
    __slots__ = ("name", "display_name", "available", "reason", "chosen_by_auto", "takes_points_and_boxes", "needs_mask_keyframe")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHOSEN_BY_AUTO_FIELD_NUMBER: _ClassVar[int]
    TAKES_POINTS_AND_BOXES_FIELD_NUMBER: _ClassVar[int]
    NEEDS_MASK_KEYFRAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    available: bool
    reason: str
    chosen_by_auto: bool
    takes_points_and_boxes: bool
    needs_mask_keyframe: bool
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., available: bool = ..., reason: _Optional[str] = ..., chosen_by_auto: bool = ..., takes_points_and_boxes: bool = ..., needs_mask_keyframe: bool = ...) -> None: ...

class BackendOption(_message.Message):
    __slots__ = ("name", "default_value", "help")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    HELP_FIELD_NUMBER: _ClassVar[int]
    name: str
    default_value: str
    help: str
    def __init__(self, name: _Optional[str] = ..., default_value: _Optional[str] = ..., help: _Optional[str] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("max_frame_pixels", "max_message_bytes", "chunk_bytes", "cpu_workers", "gpu_workers", "token_required", "output_roots")
    MAX_FRAME_PIXELS_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    CPU_WORKERS_FIELD_NUMBER: _ClassVar[int]
    GPU_WORKERS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_ROOTS_FIELD_NUMBER: _ClassVar[int]
    max_frame_pixels: int
    max_message_bytes: int
    chunk_bytes: int
    cpu_workers: int
    gpu_workers: int
    token_required: bool
    output_roots: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, max_frame_pixels: _Optional[int] = ..., max_message_bytes: _Optional[int] = ..., chunk_bytes: _Optional[int] = ..., cpu_workers: _Optional[int] = ..., gpu_workers: _Optional[int] = ..., token_required: bool = ..., output_roots: _Optional[_Iterable[str]] = ...) -> None: ...

class SubmitMatteRequest(_message.Message):
    __slots__ = ("plate", "mask", "track", "track_output", "output", "frames", "shot", "settings", "plate_layer", "mask_channel", "compression", "write_rgba", "force", "detach")
    PLATE_FIELD_NUMBER: _ClassVar[int]
    MASK_FIELD_NUMBER: _ClassVar[int]
    TRACK_FIELD_NUMBER: _ClassVar[int]
    TRACK_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    SHOT_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    PLATE_LAYER_FIELD_NUMBER: _ClassVar[int]
    MASK_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    WRITE_RGBA_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    DETACH_FIELD_NUMBER: _ClassVar[int]
    plate: str
    mask: str
    track: TrackSettings
    track_output: str
    output: str
    frames: FrameRange
    shot: FrameRange
    settings: MatteSettings
    plate_layer: str
    mask_channel: str
    compression: str
    write_rgba: bool
    force: bool
    detach: bool
    def __init__(self, plate: _Optional[str] = ..., mask: _Optional[str] = ..., track: _Optional[_Union[TrackSettings, _Mapping]] = ..., track_output: _Optional[str] = ..., output: _Optional[str] = ..., frames: _Optional[_Union[FrameRange, _Mapping]] = ..., shot: _Optional[_Union[FrameRange, _Mapping]] = ..., settings: _Optional[_Union[MatteSettings, _Mapping]] = ..., plate_layer: _Optional[str] = ..., mask_channel: _Optional[str] = ..., compression: _Optional[str] = ..., write_rgba: bool = ..., force: bool = ..., detach: bool = ...) -> None: ...

class SubmitMatteResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: JobEvent
    def __init__(self, event: _Optional[_Union[JobEvent, _Mapping]] = ...) -> None: ...

class TrackPoint(_message.Message):
    __slots__ = ("frame", "x", "y", "positive", "object")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    frame: int
    x: float
    y: float
    positive: bool
    object: str
    def __init__(self, frame: _Optional[int] = ..., x: _Optional[float] = ..., y: _Optional[float] = ..., positive: bool = ..., object: _Optional[str] = ...) -> None: ...

class TrackBox(_message.Message):
    __slots__ = ("frame", "x0", "y0", "x1", "y1", "object")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    X0_FIELD_NUMBER: _ClassVar[int]
    Y0_FIELD_NUMBER: _ClassVar[int]
    X1_FIELD_NUMBER: _ClassVar[int]
    Y1_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    frame: int
    x0: float
    y0: float
    x1: float
    y1: float
    object: str
    def __init__(self, frame: _Optional[int] = ..., x0: _Optional[float] = ..., y0: _Optional[float] = ..., x1: _Optional[float] = ..., y1: _Optional[float] = ..., object: _Optional[str] = ...) -> None: ...

class MaskKeyframe(_message.Message):
    __slots__ = ("frame", "path", "object")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    frame: int
    path: str
    object: str
    def __init__(self, frame: _Optional[int] = ..., path: _Optional[str] = ..., object: _Optional[str] = ...) -> None: ...

class TrackSettings(_message.Message):
    __slots__ = ("mask_keyframes", "points", "boxes", "tracker", "soft", "object_output")
    MASK_KEYFRAMES_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    BOXES_FIELD_NUMBER: _ClassVar[int]
    TRACKER_FIELD_NUMBER: _ClassVar[int]
    SOFT_FIELD_NUMBER: _ClassVar[int]
    OBJECT_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    mask_keyframes: _containers.RepeatedCompositeFieldContainer[MaskKeyframe]
    points: _containers.RepeatedCompositeFieldContainer[TrackPoint]
    boxes: _containers.RepeatedCompositeFieldContainer[TrackBox]
    tracker: str
    soft: bool
    object_output: str
    def __init__(self, mask_keyframes: _Optional[_Iterable[_Union[MaskKeyframe, _Mapping]]] = ..., points: _Optional[_Iterable[_Union[TrackPoint, _Mapping]]] = ..., boxes: _Optional[_Iterable[_Union[TrackBox, _Mapping]]] = ..., tracker: _Optional[str] = ..., soft: bool = ..., object_output: _Optional[str] = ...) -> None: ...

class SubmitTrackRequest(_message.Message):
    __slots__ = ("plate", "output", "frames", "settings", "colorspace", "plate_layer", "compression", "force", "detach")
    PLATE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    COLORSPACE_FIELD_NUMBER: _ClassVar[int]
    PLATE_LAYER_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    DETACH_FIELD_NUMBER: _ClassVar[int]
    plate: str
    output: str
    frames: FrameRange
    settings: TrackSettings
    colorspace: str
    plate_layer: str
    compression: str
    force: bool
    detach: bool
    def __init__(self, plate: _Optional[str] = ..., output: _Optional[str] = ..., frames: _Optional[_Union[FrameRange, _Mapping]] = ..., settings: _Optional[_Union[TrackSettings, _Mapping]] = ..., colorspace: _Optional[str] = ..., plate_layer: _Optional[str] = ..., compression: _Optional[str] = ..., force: bool = ..., detach: bool = ...) -> None: ...

class SubmitTrackResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: JobEvent
    def __init__(self, event: _Optional[_Union[JobEvent, _Mapping]] = ...) -> None: ...

class InlineHeader(_message.Message):
    __slots__ = ("settings", "frames", "width", "height", "mask_width", "mask_height")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    MASK_WIDTH_FIELD_NUMBER: _ClassVar[int]
    MASK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    settings: MatteSettings
    frames: FrameRange
    width: int
    height: int
    mask_width: int
    mask_height: int
    def __init__(self, settings: _Optional[_Union[MatteSettings, _Mapping]] = ..., frames: _Optional[_Union[FrameRange, _Mapping]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., mask_width: _Optional[int] = ..., mask_height: _Optional[int] = ...) -> None: ...

class PlaneChunk(_message.Message):
    __slots__ = ("frame", "plane", "offset", "total_bytes", "data")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    PLANE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    frame: int
    plane: Plane
    offset: int
    total_bytes: int
    data: bytes
    def __init__(self, frame: _Optional[int] = ..., plane: _Optional[_Union[Plane, str]] = ..., offset: _Optional[int] = ..., total_bytes: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class InlineEnd(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SubmitMatteInlineRequest(_message.Message):
    __slots__ = ("header", "chunk", "end")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    header: InlineHeader
    chunk: PlaneChunk
    end: InlineEnd
    def __init__(self, header: _Optional[_Union[InlineHeader, _Mapping]] = ..., chunk: _Optional[_Union[PlaneChunk, _Mapping]] = ..., end: _Optional[_Union[InlineEnd, _Mapping]] = ...) -> None: ...

class SubmitMatteInlineResponse(_message.Message):
    __slots__ = ("event", "alpha")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    event: JobEvent
    alpha: PlaneChunk
    def __init__(self, event: _Optional[_Union[JobEvent, _Mapping]] = ..., alpha: _Optional[_Union[PlaneChunk, _Mapping]] = ...) -> None: ...

class WatchJobRequest(_message.Message):
    __slots__ = ("job_id", "after_sequence")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    after_sequence: int
    def __init__(self, job_id: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class WatchJobResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: JobEvent
    def __init__(self, event: _Optional[_Union[JobEvent, _Mapping]] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("cancelled", "state")
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    cancelled: bool
    state: JobState
    def __init__(self, cancelled: bool = ..., state: _Optional[_Union[JobState, str]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("include_finished",)
    INCLUDE_FINISHED_FIELD_NUMBER: _ClassVar[int]
    include_finished: bool
    def __init__(self, include_finished: bool = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs",)
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[JobSummary]
    def __init__(self, jobs: _Optional[_Iterable[_Union[JobSummary, _Mapping]]] = ...) -> None: ...

class JobSummary(_message.Message):
    __slots__ = ("job_id", "kind", "state", "description", "backend", "device", "detached", "queue_position", "frames_done", "frames_total", "submitted_time")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    DETACHED_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POSITION_FIELD_NUMBER: _ClassVar[int]
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_TIME_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    kind: JobKind
    state: JobState
    description: str
    backend: str
    device: str
    detached: bool
    queue_position: int
    frames_done: int
    frames_total: int
    submitted_time: float
    def __init__(self, job_id: _Optional[str] = ..., kind: _Optional[_Union[JobKind, str]] = ..., state: _Optional[_Union[JobState, str]] = ..., description: _Optional[str] = ..., backend: _Optional[str] = ..., device: _Optional[str] = ..., detached: bool = ..., queue_position: _Optional[int] = ..., frames_done: _Optional[int] = ..., frames_total: _Optional[int] = ..., submitted_time: _Optional[float] = ...) -> None: ...
