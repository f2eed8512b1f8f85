"""Track then matte: masks tracked from prompts feed a matte, as one job.

``videomama matte`` with prompts instead of ``--mask`` and the daemon's
track-then-matte jobs both run ``run_track_then_matte``, so they write the
same files.

* **Range**: the tracked frames are the matte's shot (``shot``, else
  ``frames``; one of them is required, there is nothing on disk to find the
  shot from).  The matte's window grid is laid on that shot and every frame
  it reads has a tracked mask.
* **Masks**: written where the request's ``matte.mask`` says, else next to
  the alpha, named after it: ``shot/alpha.####.exr`` ->
  ``shot/alpha_masks.####.exr`` (always EXR: the masks carry the settings
  hash that resume reads).
* **Objects**: prompts for several objects are tracked together and the
  matte is of their union: the masks are written merged (one ``A``, the
  per-pixel maximum over the objects).  One matte per object is not
  available yet; track with ``videomama track`` (one layer per object) and
  matte each layer with ``--mask-channel <object>.A``.
* **Checks**: the whole request, track and matte, is checked before the
  first mask is written, including that neither output overwrites the plate,
  a roto keyframe, or the other output.
* **Resume**: the track is kept when every mask carries this track's
  settings hash (see ``runner``), so the mask files are untouched and the
  matte's own resume (its hash includes the masks' size and modification
  time) skips the frames already matted.  When the track is redone (new
  prompts, a changed plate, an interrupted earlier track, ``force``) every
  mask is rewritten, and the matte then recomputes every frame: its inputs
  changed.  ``force`` forces both steps.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

from ..backends.base import MattingBackend, StopToken
from ..errors import InputError
from ..matting.engine import MatteProgress, MatteResult, run_matte
from ..matting.request import MattePlan, MatteRequest, check_backend, check_no_overwrite, plan
from ..sequences.pattern import FrameRange, SequencePattern
from . import registry
from .mask_layout import LAYERS, MERGED, check_output
from .prompts import Prompts
from .runner import TrackerFactory, TrackPlan, TrackProgress, TrackRequest, TrackResult, prepare_track, run_track

MASKS_SUFFIX = "_masks"

# One callback sees both steps: TrackProgress while tracking, then MatteProgress.
ProgressCallback = Callable[[TrackProgress | MatteProgress], None]
# Lends a matting backend for the matte step (None inside: run_matte makes its own).
BackendLender = Callable[[], AbstractContextManager[MattingBackend | None]]


def default_masks(output: str) -> str:
    """Where tracked masks go by default: beside the alpha, ``alpha.####.exr`` -> ``alpha_masks.####.exr``."""
    pattern = SequencePattern.parse(output)
    stem = pattern.prefix.rstrip("._-")
    separator = pattern.prefix[len(stem):] or ("" if stem else ".")
    name = f"{stem}{MASKS_SUFFIX}" if stem else MASKS_SUFFIX.lstrip("_")
    # Keep a tag after the frame number ("_v2.exr" -> "_v2"), but always write EXR.
    tag = pattern.suffix.rsplit(".", 1)[0] if "." in pattern.suffix else pattern.suffix
    return SequencePattern(pattern.directory, f"{name}{separator}", f"{tag}.exr", pattern.padding).display


@dataclass(frozen=True)
class TrackThenMatteRequest:
    # ``matte.mask`` is where the tracked masks are written ("" = ``default_masks``).
    matte: MatteRequest
    prompts: Prompts
    tracker: str = "auto"
    soft: bool = False
    object_output: str = "auto"  # "auto" or "merged": the matte is of the objects' union

    @property
    def masks(self) -> str:
        return self.matte.mask or default_masks(self.matte.output)

    @property
    def shot(self) -> FrameRange:
        """The tracked frames, which are the matte's shot."""
        shot = self.matte.shot or self.matte.frames
        if shot is None:
            raise InputError("tracking needs the frames to track: give the frame range (--frames A-B)")
        return shot

    def track_request(self) -> TrackRequest:
        matte = self.matte
        return TrackRequest(
            plate=matte.plate, output=self.masks, frames=self.shot, prompts=self.prompts,
            tracker=self.tracker, soft=self.soft, colorspace=matte.colorspace,
            plate_layer=matte.plate_layer, compression=matte.compression, force=matte.force,
            object_output=MERGED,
        )

    def matte_request(self) -> MatteRequest:
        return replace(self.matte, mask=self.masks, shot=self.shot, frames=self.matte.frames or self.shot)


@dataclass(frozen=True)
class TrackThenMattePlan:
    track: TrackPlan
    matte: MattePlan
    backend: str  # "auto" resolved
    options: dict[str, Any]  # the backend's, validated and typed


@dataclass
class TrackThenMatteResult:
    track: TrackResult  # its ``warnings`` are the jump warnings
    matte: MatteResult


def prepare_track_then_matte(request: TrackThenMatteRequest) -> TrackThenMattePlan:
    """Check the whole request before anything is written; raise domain errors."""
    if request.matte.mask_channel:
        raise InputError("a mask channel applies to a mask sequence (--mask), not to masks tracked from prompts")
    if check_output(request.object_output) == LAYERS:
        raise InputError(
            "one matte per object is not available yet: a matte from several objects is of their union "
            "(objects output 'merged'); track the layers alone and matte each with its mask channel"
        )
    # A backend that cannot run would otherwise fail only after the track was written.
    backend, options = check_backend(request.matte.backend, request.matte.options)
    # The matte next: it only reads headers, the track reads the keyframes' pixels.
    matte = plan(request.matte_request(), masks_pending=True)
    track = prepare_track(request.track_request())
    # plan() knows the plate and the masks; the roto keyframes are inputs too.
    check_no_overwrite(matte.output, matte.frames, [k.path for k in request.prompts.masks])
    return TrackThenMattePlan(track, matte, backend, options)


def run_track_then_matte(
    request: TrackThenMatteRequest,
    on_progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
    backend: BackendLender | None = None,
    trackers: TrackerFactory = registry.create,
    on_tracked: Callable[[TrackResult], None] | None = None,
) -> TrackThenMatteResult:
    """Track the shot, then matte it; ``on_tracked`` hears the track's result (jump warnings) before the matte starts.

    ``backend`` lends the matting backend for the matte step only (the
    daemon's cache), so a model is not held while the tracker works: on one
    GPU, SAM2 and the matting model need not fit at once.  ``trackers``
    builds the tracker (see ``run_track``).  Cancelling between or during the
    steps leaves only complete files.
    """
    stop = stop or StopToken()
    prepare_track_then_matte(request)
    tracked = run_track(request.track_request(), on_progress, stop, trackers)
    if on_tracked:
        on_tracked(tracked)
    stop.check()
    with (backend or nullcontext)() as lent:
        matted = run_matte(request.matte_request(), on_progress, stop, lent)
    return TrackThenMatteResult(tracked, matted)
