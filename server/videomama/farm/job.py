"""The farm job, independent of the farm manager: a matte request, its chunking, its commands.

A farm job is a ``MatteRequest`` whose frames and shot are fixed when the job
is described (so every task lays the window grid on the same shot), with
absolute paths (tasks run in the farm's working folders), plus how the frames
are cut into tasks.  ``matte_arguments`` turns the request back into the
``videomama matte`` arguments that every task runs with; the OpenJD and
OpenCue descriptions both use it, so the two farms run the same command.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, replace

from ..errors import InputError, NotAvailableError
from ..matting.request import MatteRequest, plan
from ..matting.windows import WindowGrid
from ..tracking.prompts import prompt_arguments
from ..tracking.runner import TrackRequest
from ..tracking.then_matte import TrackThenMatteRequest, check_object_token, prepare_track_then_matte
from .chunks import chunk_ranges, fixed_chunk_ranges

# (MatteRequest field, `videomama matte` flag) for every valued setting.  The
# field names double as the setting names recorded in the manifest.
_VALUED = (
    ("plate", "--plate"),
    ("mask", "--mask"),
    ("output", "--out"),
    ("shot", "--shot"),
    ("backend", "--backend"),
    ("window", "--window"),
    ("overlap", "--overlap"),
    ("colorspace", "--colorspace"),
    ("plate_layer", "--layer"),
    ("mask_channel", "--mask-channel"),
    ("compression", "--compression"),
)
_SWITCHES = (("write_rgba", "--rgba"), ("force", "--force"))
# Frame ranges go as ``--shot=A-B``: a range of negative frames ("-10--1")
# would otherwise read as an option to argparse.
_RANGES = ("shot",)
# How a frame is computed, not what it is: passed to tasks, not recorded.
_NOT_SETTINGS = ("force",)


@dataclass(frozen=True)
class FarmJob:
    request: MatteRequest  # frames and shot set, paths absolute
    chunk: int  # frames per task, as asked; the farm may rebalance
    name: str
    executable: str  # the `videomama` command on the workers
    gpus: int = 0  # GPUs a matte task needs; 0 = none required
    # Masks tracked from prompts by one Track task before any Matte task
    # (they all read the whole shot's masks); None when --mask gave them.
    track: TrackRequest | None = None
    # One matte per object: each Matte chunk and the Finalize run once per
    # object, reading the object's layer of the tracked masks; the request's
    # output names it with {object}.  Empty: one matte (of the union).
    objects: tuple[str, ...] = ()

    @property
    def track_gpus(self) -> int:
        """GPUs the Track task asks for: none for flow, at least one for SAM2, and for ``auto``
        the matte's (``auto`` decides on the worker: SAM2 where it has a GPU and the weights)."""
        if self.track is None or self.track.tracker == "flow":
            return 0
        return max(1, self.gpus) if self.track.tracker == "sam2" else self.gpus

    @property
    def frames(self):
        return self.request.frames

    @property
    def shot(self):
        return self.request.shot

    def chunks(self, balanced: bool = True):
        """The task ranges: balanced as OpenJD cuts them, or fixed as OpenCue does."""
        cut = chunk_ranges if balanced else fixed_chunk_ranges
        return cut(self.request.frames, self.chunk)


def default_executable() -> str:
    """The `videomama` script next to this interpreter, so a job runs the install that wrote it.

    ``sys.executable`` is not resolved: a virtual environment's python is a
    symlink to the base interpreter, whose folder has no `videomama`.
    """
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    for name in ("videomama", "videomama.exe"):
        candidate = os.path.join(bin_dir, name)
        if os.path.isfile(candidate):
            return candidate
    return shutil.which("videomama") or "videomama"


def build_job(
    request: MatteRequest | TrackThenMatteRequest,
    chunk: int,
    *,
    name: str | None = None,
    executable: str | None = None,
    gpus: int | None = None,
    check: bool = True,
) -> FarmJob:
    """Fix frames, shot and paths of ``request``; with ``check``, validate it as ``matte`` would.

    Checking reads every input header now, on the submitting machine, so a
    missing frame or a mask of the wrong shape is one error before anything
    reaches the farm.  ``check=False`` is for inputs this machine cannot see;
    the frames must then be given, and the shot defaults to them.

    A ``TrackThenMatteRequest`` (prompts instead of masks) becomes a job whose
    Track task writes the masks exactly as ``videomama matte`` with the same
    prompts would, over the whole shot, before the Matte tasks read them.
    """
    if isinstance(request, TrackThenMatteRequest):
        return _build_tracked_job(request, chunk, name=name, executable=executable, gpus=gpus, check=check)
    if chunk < 1:
        raise InputError(f"chunk size must be at least 1 frame, got {chunk}")
    if gpus is not None and gpus < 0:
        raise InputError(f"GPU count must be 0 or more, got {gpus}")
    request = replace(
        request,
        plate=os.path.abspath(request.plate),
        mask=os.path.abspath(request.mask),
        output=os.path.abspath(request.output),
    )
    if check:
        matte_plan = plan(request)
        frames, shot = matte_plan.frames, matte_plan.grid.shot
    else:
        if request.frames is None:
            raise InputError("without checking the inputs, give the frames to matte (--frames A-B)")
        frames, shot = request.frames, request.shot or request.frames
        if not shot.contains(frames):
            raise InputError(f"frames {frames} lie outside the shot {shot}")
        WindowGrid(shot, request.window, request.overlap)  # window and overlap checks, no I/O
    request = replace(request, frames=frames, shot=shot)
    return FarmJob(
        request=request,
        chunk=chunk,
        name=name or f"videomama {os.path.basename(request.output)} {frames}",
        executable=executable or default_executable(),
        # A learned backend is a GPU job; the CPU backend runs anywhere.
        gpus=gpus if gpus is not None else (1 if request.backend == "videomama" else 0),
    )


def _build_tracked_job(request: TrackThenMatteRequest, chunk: int, *, check: bool, **described) -> FarmJob:
    keyframes = [replace(key, path=os.path.abspath(key.path)) for key in request.prompts.masks]
    matte = replace(request.matte, plate=os.path.abspath(request.matte.plate), output=os.path.abspath(request.matte.output))
    request = replace(request, matte=replace(matte, mask=os.path.abspath(request.masks)),
                      prompts=replace(request.prompts, masks=keyframes))
    check_object_token(request)
    if check:
        prepare_track_then_matte(request)  # prompts, keyframes, the masks' and the alpha's paths
    elif request.matte.frames is None and request.matte.shot is None:
        raise InputError("without checking the inputs, give the frames to track and matte (--frames A-B)")
    # The matte as its tasks run it: reading the masks the Track task wrote.
    job = build_job(request.matte_request(), chunk, check=False, **described)
    objects = tuple(request.prompts.objects) if request.per_object else ()
    return replace(job, track=request.track_request(), objects=objects)


def refuse_tracking() -> None:
    """Matte tasks read masks; tracking belongs to the job's own Track task."""
    raise NotAvailableError(
        "a farm Matte task reads masks (--mask): to track them from prompts, describe the job "
        "with the prompts (`videomama farm openjd|opencue --mask-keyframe/--points/--box ...`), "
        "which adds a Track task before the Matte tasks"
    )


def track_arguments(track: TrackRequest, **overrides: str) -> list[str]:
    """`videomama track` arguments that reproduce ``track``; ``overrides`` as for ``matte_arguments``.

    Override keys: ``plate``, ``output`` (the masks) and ``frames`` (the shot).
    """
    def value(field: str) -> str:
        return overrides.get(field, str(getattr(track, field)))

    arguments = ["--plate", value("plate"), "--out", value("output"), f"--frames={value('frames')}"]
    arguments += prompt_arguments(track.prompts)
    arguments += ["--tracker", track.tracker, "--objects", track.object_output, "--compression", track.compression]
    arguments += ["--soft"] if track.soft else []
    arguments += ["--colorspace", track.colorspace] if track.colorspace else []
    arguments += ["--layer", track.plate_layer] if track.plate_layer else []
    return arguments


def _text(value) -> str | None:
    return None if value is None else str(value)


def settings(request: MatteRequest, **overrides: str) -> dict[str, str]:
    """Every setting of ``request`` but the frames, as text (for the manifest).

    ``overrides`` replace a field's value by the farm manager's expression
    for it (an OpenJD format string such as ``{{Param.Window}}``).
    """
    values: dict[str, str] = {}
    for field, _ in _VALUED:
        text = overrides.get(field, _text(getattr(request, field)))
        if text is not None:
            values[field] = text
    for field, _ in _SWITCHES:
        if field not in _NOT_SETTINGS:
            values[field] = overrides.get(field, "true" if getattr(request, field) else "false")
    for option, value in sorted(request.options.items()):
        values[f"option.{option}"] = str(value)
    return values


def matte_arguments(request: MatteRequest, **overrides: str) -> list[str]:
    """`videomama matte` arguments that reproduce ``request``, without ``--frames``.

    Add ``--frames=A-B`` (with ``=``, for the reason given at ``_RANGES``).
    """
    arguments: list[str] = []
    for field, flag in _VALUED:
        text = overrides.get(field, _text(getattr(request, field)))
        if text is None:
            continue
        if field in _RANGES:
            arguments.append(f"{flag}={text}")
        else:
            arguments += [flag, text]
    arguments += [flag for field, flag in _SWITCHES if getattr(request, field)]
    for option, value in sorted(request.options.items()):
        arguments += ["-o", f"{option}={value}"]
    return arguments

