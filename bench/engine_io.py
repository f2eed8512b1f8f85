"""How much of a job's file reading and writing the engine hides behind the model.

    .venv/bin/python bench/engine_io.py [--size 1920x1080] [--frames 48] [--model-s 0.15,0.3]

The learned backend keeps the GPU busy while the CPU waits; reading a 1080p
EXR plate and its mask, and writing an alpha, cost about as much per frame
(``matting/frame_io``).  This runs the real engine on a generated 1080p clip
of EXR plates with a stand-in for the GPU: a backend that holds each window
for ``model-s`` seconds per frame without using the CPU (a sleep, as a
process waiting on CUDA does), then passes the mask through.  It prints the
parts measured on their own (reading, writing, the model), what running them
one after another would take, and the engine's seconds per frame with its
reads and writes in line (one read at a time, no read-ahead, each frame
written before the next window starts: the engine before ``frame_io``) and
overlapped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _clips import cached_clip, default_root  # noqa: E402


class GpuStandIn:
    """Holds each window ``seconds_per_frame`` x frames, leaving the CPU free, and returns the mask."""

    identifier = "gpu-stand-in"
    display_name = "GPU stand-in (bench only)"
    options = ()
    reads_ahead = True  # as the GPU backend: it leaves the CPU free

    def __init__(self, seconds_per_frame: float) -> None:
        self.seconds_per_frame = seconds_per_frame

    def describe(self) -> dict[str, str]:
        return {"backend": self.identifier, "model": f"sleep {self.seconds_per_frame} s/frame"}

    def matte(self, window, stop):
        time.sleep(self.seconds_per_frame * len(window.frames))
        return window.masks.copy()


@contextmanager
def in_line_io():
    """The engine's reads and writes done in line with the model, as before ``frame_io``."""
    from videomama.matting import frame_io

    with mock.patch.object(frame_io, "READ_THREADS", 1), \
            mock.patch.object(frame_io.PrefetchingReader, "prefetch", lambda self, frames: None), \
            mock.patch.object(frame_io.BackgroundWriter, "submit", lambda self, write: self._run(write)):
        yield


def _per_frame(action, frames) -> float:
    started = time.perf_counter()
    for frame in frames:
        action(frame)
    return (time.perf_counter() - started) / len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--model-s", default="0.15,0.3", help="stand-in model seconds per frame, comma-separated")
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--overlap", type=int, default=4)
    parser.add_argument("--root", default=default_root(), help="where generated clips are cached")
    args = parser.parse_args()

    from videomama.matting import engine
    from videomama.matting.engine import run_matte
    from videomama.matting.request import MatteRequest, plan
    from videomama.synthetic import ClipSpec

    width, height = (int(v) for v in args.size.split("x"))
    clip = cached_clip(ClipSpec(width=width, height=height, frames=args.frames), args.root)
    frames = list(range(clip.first, clip.last + 1))

    with tempfile.TemporaryDirectory() as out:
        # 1. The parts on their own, one frame after another.
        request = MatteRequest(clip.plate, clip.mask, os.path.join(out, "parts.####.exr"), window=args.window, overlap=args.overlap)
        job = plan(request)
        read_s = _per_frame(lambda f: engine._read_frame(job, f), frames)
        alpha = np.full((height, width), 0.5, np.float32)
        write_s = _per_frame(lambda f: engine._write_frame(job, f, alpha, None, {"backend": "bench"}, "0" * 64), frames)
        stride = args.window - args.overlap
        covered = (len(frames) - args.overlap) / stride * args.window / len(frames)  # frames the model sees per output frame
        print(f"{width}x{height}, {len(frames)} frames, window {args.window} overlap {args.overlap}, {os.cpu_count()} cores")
        print(f"read plate+mask {read_s:.3f} s/frame, write alpha {write_s:.3f} s/frame, model sees {covered:.2f} frames per frame")
        print(f"{'model s/frame':>14} {'sum of parts':>13} {'engine, I/O in line':>20} {'engine, I/O overlapped':>23} {'speed-up':>9}")

        # 2. The engine with the stand-in model, its I/O in line, then overlapped.
        def engine_s_per_frame(model_s: float, name: str) -> float:
            output = os.path.join(out, f"{name}{model_s}", "matte.####.exr")
            started = time.perf_counter()
            run_matte(replace(request, output=output), backend=GpuStandIn(model_s))
            return (time.perf_counter() - started) / len(frames)

        for model_s in (float(v) for v in args.model_s.split(",")):
            with in_line_io():
                in_line = engine_s_per_frame(model_s, "in_line")
            overlapped = engine_s_per_frame(model_s, "overlapped")
            parts = read_s + write_s + model_s * covered
            print(f"{model_s:>14.3f} {parts:>13.3f} {in_line:>20.3f} {overlapped:>23.3f} {in_line / overlapped:>8.2f}x")


if __name__ == "__main__":
    main()
