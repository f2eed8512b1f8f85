"""The paper's first-frame protocol: a clip with ground truth in, comparable scores out.

VideoMaMa's supplement evaluates mask-guided matting without hand-made masks:
the first frame's ground-truth alpha, binarised, is the only prompt; a
tracker carries it through the clip; the matte is computed on the tracked
masks; both are scored against the ground truth.  ``run_first_frame`` does
exactly that with this project's own parts (``run_track_then_matte`` and
``evaluate_sequences``), so its numbers are the ones a user gets, and they
line up with the paper's tables (MAD, MSE, Grad, Conn, dtSSD, MAD-T).

Everything is written into one work folder: the binarised prompt, the
tracked masks and the matte, so a score can be looked at, not only read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import __version__
from .evaluation import evaluate_sequences
from .matting.request import MatteRequest
from .sequences.image_read import read_mask
from .sequences.image_write import write_alpha
from .sequences.pattern import FrameRange, SequencePattern
from .tracking.prompts import MaskKeyframe, Prompts
from .tracking.then_matte import ProgressCallback, TrackThenMatteRequest, run_track_then_matte

BINARISE_AT = 0.5  # the supplement binarises the first frame's alpha at half


@dataclass(frozen=True)
class FirstFrameRun:
    """What to run; ``work`` is the folder everything is written to."""

    plate: str
    gt: str
    frames: FrameRange
    work: str
    backend: str = "auto"
    tracker: str = "auto"
    window: int = 16
    overlap: int = 4
    colorspace: str | None = None
    gt_channel: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        return os.path.join(self.work, f"prompt.{self.frames.first}.exr")

    @property
    def masks(self) -> str:
        return os.path.join(self.work, "masks.####.exr")

    @property
    def matte(self) -> str:
        return os.path.join(self.work, "matte.####.exr")


def run_first_frame(run: FirstFrameRun, on_progress: ProgressCallback | None = None) -> dict:
    """Track from the binarised first frame, matte, and score masks and matte against the truth."""
    gt = SequencePattern.parse(run.gt)
    gt.require(run.frames)
    SequencePattern.parse(run.plate).require(run.frames)  # the rest is checked once the prompt exists
    os.makedirs(run.work, exist_ok=True)
    first = read_mask(gt.path(run.frames.first), channel=run.gt_channel)
    binary = (first.pixels[..., 0] > BINARISE_AT).astype(np.float32)
    write_alpha(run.prompt, binary, first.windows, metadata={
        "videomama:version": __version__, "videomama:protocol": f"first frame of {gt.display} > {BINARISE_AT}",
    })
    request = TrackThenMatteRequest(
        matte=MatteRequest(
            plate=run.plate, mask=run.masks, output=run.matte, frames=run.frames, shot=run.frames,
            backend=run.backend, window=run.window, overlap=run.overlap, colorspace=run.colorspace,
            options=dict(run.options),
        ),
        prompts=Prompts(masks=[MaskKeyframe(run.frames.first, run.prompt)]),
        tracker=run.tracker,
    )
    result = run_track_then_matte(request, on_progress)
    score = lambda pred: evaluate_sequences(run.gt, pred, run.frames, run.gt_channel)  # noqa: E731
    return {
        "protocol": "first-frame",
        "frames": str(run.frames),
        "tracker": result.track.tracker,
        "backend": result.matte.backend,
        "jump_warnings": len(result.track.warnings),
        "masks": score(run.masks),
        "matte": score(run.matte),
    }
