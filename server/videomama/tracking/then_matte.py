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
* **Objects**: prompts for several objects are tracked together.  By default
  the matte is of their union: the masks are written merged (one ``A``, the
  per-pixel maximum over the objects).  With ``object_output`` "layers" each
  object gets its own matte: the masks are written as one ``<object>.A``
  layer each, the output names the object (``matte.{object}.####.exr``;
  the default masks drop the token: ``matte_masks.####.exr``) and every
  object's matte is a matte request of its own, reading its layer, with its
  own resume.
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

import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

from ..backends.base import MattingBackend, StopToken
from ..errors import InputError
from ..matting.engine import MatteProgress, MatteResult, run_matte
from ..matting.progress_across import ProgressAcrossMattes
from ..matting.request import MattePlan, MatteRequest, check_backend, check_no_overwrite, plan
from ..sequences.pattern import FrameRange, SequencePattern
from . import registry
from .mask_layout import LAYERS, MERGED, check_output, layer_channel
from .prompts import Prompts
from .runner import TrackerLender, TrackPlan, TrackProgress, TrackRequest, TrackResult, prepare_track, run_track

MASKS_SUFFIX = "_masks"
OBJECT_TOKEN = "{object}"   # in an output path: replaced by each object's name

# One callback sees both steps: TrackProgress while tracking, then MatteProgress.
ProgressCallback = Callable[[TrackProgress | MatteProgress], None]
# Lends a matting backend for the matte step (None inside: run_matte makes its own).
BackendLender = Callable[[], AbstractContextManager[MattingBackend | None]]


def default_masks(output: str) -> str:
    """Where tracked masks go by default: beside the alpha, ``alpha.####.exr`` -> ``alpha_masks.####.exr``.

    One file holds every object's layer, so the object token goes, with a
    separator beside it: ``alpha.{object}.####.exr`` -> ``alpha_masks.####.exr``.
    """
    token = re.escape(OBJECT_TOKEN)
    pattern = SequencePattern.parse(re.sub(rf"[._-]{token}|{token}[._-]?", "", output))
    stem = pattern.prefix.rstrip("._-")
    separator = pattern.prefix[len(stem):] or ("" if stem else ".")
    name = f"{stem}{MASKS_SUFFIX}" if stem else MASKS_SUFFIX.lstrip("_")
    # Keep a tag after the frame number ("_v2.exr" -> "_v2"), but always write EXR.
    tag = pattern.suffix.rsplit(".", 1)[0] if "." in pattern.suffix else pattern.suffix
    return SequencePattern(pattern.directory, f"{name}{separator}", f"{tag}.exr", pattern.padding).display


def output_for_object(output: str, name: str) -> str:
    """``output`` with object ``name`` in place of ``{object}``."""
    return output.replace(OBJECT_TOKEN, name)


def for_object(request: MatteRequest, name: str) -> MatteRequest:
    """``request`` for one object of layered masks: its layer, and its name in the output."""
    return replace(request, output=output_for_object(request.output, name), mask_channel=layer_channel(name))


def object_of_channel(channel: str | None) -> str:
    """The object a mask channel belongs to (``hero.A`` -> ``hero``); InputError if none."""
    name = (channel or "").rpartition(".")[0]
    if not name:
        raise InputError(
            f"the output names {OBJECT_TOKEN}: take the mask from one object's layer "
            f"(--mask-channel <object>.A) so its name can go there"
        )
    return name


@dataclass(frozen=True)
class TrackThenMatteRequest:
    # ``matte.mask`` is where the tracked masks are written ("" = ``default_masks``).
    matte: MatteRequest
    prompts: Prompts
    tracker: str = "auto"
    soft: bool = False
    object_output: str = "auto"  # "auto"/"merged": one matte of the objects' union; "layers": one each

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

    @property
    def per_object(self) -> bool:
        """One matte per object (else one of their union)."""
        return check_output(self.object_output) == LAYERS

    def track_request(self) -> TrackRequest:
        matte = self.matte
        return TrackRequest(
            plate=matte.plate, output=self.masks, frames=self.shot, prompts=self.prompts,
            tracker=self.tracker, soft=self.soft, colorspace=matte.colorspace,
            plate_layer=matte.plate_layer, compression=matte.compression, force=matte.force,
            object_output=LAYERS if self.per_object else MERGED,
        )

    def matte_request(self) -> MatteRequest:
        """The matte of the objects' union."""
        return replace(self.matte, mask=self.masks, shot=self.shot, frames=self.matte.frames or self.shot)

    def matte_requests(self) -> dict[str, MatteRequest]:
        """Every matte to make, by object ("" for the union)."""
        union = self.matte_request()
        if not self.per_object:
            return {"": union}
        return {name: for_object(union, name) for name in self.prompts.objects}


@dataclass(frozen=True)
class TrackThenMattePlan:
    track: TrackPlan
    mattes: dict[str, MattePlan]  # by object, as ``matte_requests``
    backend: str  # "auto" resolved
    options: dict[str, Any]  # the backend's, validated and typed

    @property
    def matte(self) -> MattePlan:
        """The first (with one object's or the union's matte: the only) matte."""
        return next(iter(self.mattes.values()))


@dataclass
class TrackThenMatteResult:
    track: TrackResult  # its ``warnings`` are the jump warnings
    mattes: dict[str, MatteResult]  # by object, as ``matte_requests``

    @property
    def matte(self) -> MatteResult:
        """The first (with one object's or the union's matte: the only) matte."""
        return next(iter(self.mattes.values()))


def prepare_track_then_matte(request: TrackThenMatteRequest) -> TrackThenMattePlan:
    """Check the whole request before anything is written; raise domain errors."""
    if request.matte.mask_channel:
        raise InputError("a mask channel applies to a mask sequence (--mask), not to masks tracked from prompts")
    check_object_token(request)
    # A backend that cannot run would otherwise fail only after the track was written.
    backend, options = check_backend(request.matte.backend, request.matte.options)
    # The mattes next: they only read headers, the track reads the keyframes' pixels.
    mattes = {name: plan(matte, masks_pending=True) for name, matte in request.matte_requests().items()}
    track = prepare_track(request.track_request())
    # plan() knows the plate and the masks; the roto keyframes and the other
    # objects' mattes are inputs or outputs too.
    written: list[str] = []
    for matte in mattes.values():
        check_no_overwrite(matte.output, matte.frames, [k.path for k in request.prompts.masks] + written)
        written += [matte.output.path(f) for f in matte.frames]
    return TrackThenMattePlan(track, mattes, backend, options)


def check_object_token(request: TrackThenMatteRequest) -> None:
    """One matte per object and an output naming ``{object}`` go together; InputError otherwise."""
    has_token = OBJECT_TOKEN in request.matte.output
    if request.per_object and not has_token:
        raise InputError(
            f"one matte per object needs {OBJECT_TOKEN} in the output path, where each object's name goes "
            f"(e.g. matte.{OBJECT_TOKEN}.####.exr)"
        )
    if has_token and not request.per_object:
        raise InputError(
            f"the output names {OBJECT_TOKEN} but the matte is of the objects' union: "
            "ask for one matte per object (objects 'layers') or drop the token"
        )


def run_track_then_matte(
    request: TrackThenMatteRequest,
    on_progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
    backend: BackendLender | None = None,
    trackers: TrackerLender = registry.built,
    on_tracked: Callable[[TrackResult], None] | None = None,
) -> TrackThenMatteResult:
    """Track the shot, then matte it; ``on_tracked`` hears the track's result (jump warnings) before the matte starts.

    ``backend`` lends the matting backend for the matte step only (the
    daemon's cache), and ``trackers`` the tracker for the track step only (see
    ``run_track``).  From the command line each is freed after its step, so
    on one GPU SAM2 and the matting model need not fit at once; the daemon
    keeps both loaded for the next job and unloads idle ones when memory
    runs out.  Cancelling between or during the
    steps leaves only complete files.
    """
    stop = stop or StopToken()
    prepare_track_then_matte(request)
    tracked = run_track(request.track_request(), on_progress, stop, trackers)
    if on_tracked:
        on_tracked(tracked)
    stop.check()
    mattes = request.matte_requests()
    overall = ProgressAcrossMattes(on_progress, len(mattes)) if on_progress else None
    matted: dict[str, MatteResult] = {}
    with (backend or nullcontext)() as lent:
        # The objects one after another: each a matte of its own, sharing the lent backend.
        for name, matte in mattes.items():
            matted[name] = run_matte(matte, overall, stop, lent)
            if overall:
                overall.next_matte()
    return TrackThenMatteResult(tracked, matted)
