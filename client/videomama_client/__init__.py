"""Client of the VideoMaMa daemon, for host plugins, the CLI and farm tasks.

Depends on grpcio, protobuf, numpy and the contract (``videomama_proto``)
only: never on the server, torch or OpenImageIO, so it imports quickly inside
Nuke, Blender or a farm wrapper.

    from videomama_client import Client, MaskKeyframe, MatteSettings, TrackSettings

    with Client("127.0.0.1:50051") as daemon:
        job = daemon.submit_matte("/show/plate.####.exr", "/show/roto.####.exr",
                                  "/show/matte.####.exr", settings=MatteSettings(backend="classic"))
        for event in job:
            ...
        # Masks tracked from a roto keyframe first, in the same job:
        track = TrackSettings(mask_keyframes={1001: "/show/roto.1001.exr"})
        daemon.submit_matte("/show/plate.####.exr", track, "/show/matte.####.exr", frames=(1001, 1100)).wait()
        # Two objects, tracked into layers hero.A and prop.A of one EXR per frame:
        track = TrackSettings(mask_keyframes=[MaskKeyframe(1001, "/show/hero.1001.exr", "hero"),
                                              MaskKeyframe(1001, "/show/prop.1001.exr", "prop")])
        daemon.submit_track("/show/plate.####.exr", "/show/masks.####.exr", (1001, 1100), track).wait()
"""

from .client import DEFAULT_ADDRESS, Client
from .errors import (
    Cancelled,
    DaemonBusy,
    DaemonError,
    DaemonInternalError,
    DaemonUnavailable,
    DeadlineExceeded,
    InvalidRequest,
    NotFound,
    NotReady,
    PermissionDenied,
    Unauthenticated,
)
from .events import (
    Failed,
    Finished,
    FrameResult,
    FramesReceived,
    JobEvent,
    JobWarning,
    Progress,
    Queued,
    Started,
)
from .info import Backend, DaemonInfo, Device, JobSummary, Limits, LoadedModel, Tracker
from .settings import Box, MaskKeyframe, MatteSettings, Point, TrackSettings
from .stream import JobStream

__all__ = [
    "DEFAULT_ADDRESS",
    "Backend",
    "Box",
    "Cancelled",
    "Client",
    "DaemonBusy",
    "DaemonError",
    "DaemonInfo",
    "DaemonInternalError",
    "DaemonUnavailable",
    "DeadlineExceeded",
    "Device",
    "Failed",
    "Finished",
    "FrameResult",
    "FramesReceived",
    "InvalidRequest",
    "JobEvent",
    "JobStream",
    "JobSummary",
    "JobWarning",
    "Limits",
    "LoadedModel",
    "MaskKeyframe",
    "MatteSettings",
    "NotFound",
    "NotReady",
    "PermissionDenied",
    "Point",
    "Progress",
    "Queued",
    "Started",
    "TrackSettings",
    "Tracker",
    "Unauthenticated",
]
