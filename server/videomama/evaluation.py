"""Score alpha sequences on disk with the metrics of ``videomama.metrics``.

Frames are read one at a time (constant memory on long shots); predictions at
another resolution are an error, not silently resized, since resizing would
change the scores.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, MissingInputError
from .metrics import SequenceMetrics
from .sequences.conform import conform_mask
from .sequences.image_read import read_mask
from .sequences.images import ImageData
from .sequences.pattern import FrameRange, SequencePattern, contiguous_run


def _clipped(image: ImageData) -> ImageData:
    # Float EXR mattes from filtering tools overshoot [0, 1] by a hair; the
    # metrics are defined on [0, 1], as on the 8-bit files RVM scores.
    image.pixels = np.clip(image.pixels, 0.0, 1.0)
    return image


def evaluate_sequences(
    gt: str,
    pred: str,
    frames: FrameRange | None = None,
    gt_channel: str | None = None,
    pred_channel: str | None = None,
    conform: bool = False,
) -> dict:
    """Scores as a dict; ``conform`` scales a prediction at another resolution
    (a rough mask from another tool) to the ground truth first, as a matte job would."""
    gt_pattern, pred_pattern = SequencePattern.parse(gt), SequencePattern.parse(pred)
    if frames is None:
        common = set(gt_pattern.existing_frames()) & set(pred_pattern.existing_frames())
        if not common:
            raise MissingInputError(f"no frame exists in both {gt_pattern.display} and {pred_pattern.display}")
        frames = contiguous_run(common, FrameRange(min(common), min(common)))
    gt_pattern.require(frames)
    pred_pattern.require(frames)
    metrics = SequenceMetrics()
    for frame in frames:
        truth = _clipped(read_mask(gt_pattern.path(frame), channel=gt_channel))
        guess = _clipped(read_mask(pred_pattern.path(frame), channel=pred_channel))
        if conform:
            metrics.add(conform_mask(guess, truth), truth.pixels[..., 0])
            continue
        if truth.pixels.shape != guess.pixels.shape:
            raise InputError(
                f"frame {frame}: prediction is {guess.pixels.shape[1]}x{guess.pixels.shape[0]} "
                f"but ground truth is {truth.pixels.shape[1]}x{truth.pixels.shape[0]}"
            )
        metrics.add(guess.pixels[..., 0], truth.pixels[..., 0])
    return {"range": str(frames), **metrics.summary()}
