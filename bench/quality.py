"""Matte quality of a backend against exact ground truth on a generated clip.

    .venv/bin/python bench/quality.py [--size 1920x1080] [--frames 48] [--backend classic]

Prints the metrics (MAD, MSE, Grad, Conn, dtSSD, MAD-T; RobustVideoMatting's
conventions, MAD-T per the VideoMaMa supplement) for the rough input mask, a
perfect hard cut of the true alpha (what a flawless binary mask would score)
and the backend's matte, with the matte's change against the mask.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _clips import cached_clip, default_root  # noqa: E402

from videomama.evaluation import evaluate_sequences  # noqa: E402
from videomama.matting.engine import run_matte  # noqa: E402
from videomama.matting.request import MatteRequest  # noqa: E402
from videomama.metrics import SequenceMetrics  # noqa: E402
from videomama.sequences.image_read import read_mask  # noqa: E402
from videomama.sequences.pattern import FrameRange, SequencePattern  # noqa: E402
from videomama.synthetic import ClipSpec  # noqa: E402

KEYS = ("MAD", "MSE", "Grad", "Conn", "dtSSD", "MAD-T")


def hard_cut_scores(alpha: str, frames: FrameRange) -> dict:
    metrics = SequenceMetrics()
    pattern = SequencePattern.parse(alpha)
    for frame in frames:
        truth = np.clip(read_mask(pattern.path(frame)).pixels[..., 0], 0, 1)
        metrics.add((truth > 0.5).astype(np.float32), truth)
    return metrics.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="classic")
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--overlap", type=int, default=4)
    parser.add_argument("--root", default=default_root())
    parser.add_argument("--option", "-o", action="append", default=[], metavar="NAME=VALUE", help="backend option")
    args = parser.parse_args()
    options = dict(item.split("=", 1) for item in args.option)

    width, height = (int(v) for v in args.size.split("x"))
    clip = cached_clip(ClipSpec(width=width, height=height, frames=args.frames, seed=args.seed), args.root)
    frames = FrameRange(clip.first, clip.last)
    with tempfile.TemporaryDirectory() as out:
        matte = f"{out}/matte.####.exr"
        started = time.perf_counter()
        run_matte(MatteRequest(clip.plate, clip.mask, matte, backend=args.backend, window=args.window, overlap=args.overlap, options=options))
        seconds = time.perf_counter() - started
        rows = {
            "rough mask": evaluate_sequences(clip.alpha, clip.mask, frames, conform=True),
            "hard cut of truth": hard_cut_scores(clip.alpha, frames),
            f"{args.backend} matte": evaluate_sequences(clip.alpha, matte, frames),
        }
    print(f"{width}x{height}, {args.frames} frames, seed {args.seed}; {args.backend}: {seconds / args.frames:.2f} s/frame")
    print(f"{'':<20}" + "".join(f"{k:>10}" for k in KEYS))
    for name, scores in rows.items():
        print(f"{name:<20}" + "".join(f"{scores[k]:>10.2f}" for k in KEYS))
    mask, matte_scores = rows["rough mask"], rows[f"{args.backend} matte"]
    print(f"{'change vs mask':<20}" + "".join(f"{100 * (matte_scores[k] / mask[k] - 1):>9.1f}%" for k in KEYS))


if __name__ == "__main__":
    main()
