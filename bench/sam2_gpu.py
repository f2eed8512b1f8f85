"""SAM2 tracking speed and memory: the daemon's tracker on a shot, from one click.

    python bench/sam2_gpu.py                                  # CUDA: hiera large, 1920x1080, 48 frames
    .venv/bin/python bench/sam2_gpu.py --device cpu --tiny    # proves it runs, anywhere

Weights are random (speed and memory do not depend on them): the real
network built from its packaged config by ``Sam2Tracker(random_weights=True)``,
fed through the same lazy frame loader and propagation (backwards, then
forwards from the click) as a track job.  Reports seconds per frame over the
whole track (set-up, ``init_state`` and the prompts included) and peak GPU
memory.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from videomama.tracking.prompts import Prompts, parse_points
from videomama.tracking.sam2_tracker import Sam2Tracker


def plate(frame: int, height: int, width: int) -> np.ndarray:
    """A textured plate with a bright disc drifting across it (what the click is on)."""
    rng = np.random.default_rng(frame)
    yy, xx = np.mgrid[0:height, 0:width]
    cx, cy, r = width * (0.4 + 0.003 * frame), height * 0.5, height * 0.2
    disc = (((xx - cx) ** 2 + (yy - cy) ** 2) <= r * r)[..., None]
    return (rng.random((height, width, 3), dtype=np.float32) * 0.3 + disc * 0.6).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--size", help="SAM2 size: tiny, small, base_plus, large (default large on CUDA, tiny on the CPU)")
    parser.add_argument("--tiny", action="store_true", help="small everything: tiny network at 512, 160x90, 4 frames")
    parser.add_argument("--frames", type=int)
    parser.add_argument("--resolution", help="WxH of the plates")
    args = parser.parse_args()
    size = args.size or ("tiny" if args.tiny or not args.device.startswith("cuda") else "large")
    frames = args.frames or (4 if args.tiny else 48)
    width, height = (int(v) for v in (args.resolution or ("160x90" if args.tiny else "1920x1080")).split("x"))

    tracker = Sam2Tracker(size=size, image_size=512 if args.tiny else None, device=args.device, random_weights=True)
    shot = list(range(1001, 1001 + frames))
    middle = shot[len(shot) // 2]  # both directions are tracked, as with a click mid-shot
    prompts = Prompts(points=parse_points([f"{middle}:{width * 0.45:.0f},{height * 0.5:.0f},+"]))
    cuda = args.device.startswith("cuda")
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    count = 0
    for _frame, masks in tracker.track(shot, lambda f: plate(f, height, width), {"subject": {}}, prompts=prompts):
        assert masks.shape == (1, height, width) and np.isfinite(masks).all()
        count += 1
    if cuda:
        torch.cuda.synchronize()
    per_frame = (time.perf_counter() - started) / count
    peak = f", peak {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB" if cuda else ""
    print(f"SAM2.1 hiera {size} on {args.device}, {width}x{height}, {count} frames: "
          f"{per_frame:.3f} s/frame ({1 / per_frame:.1f} frames/s){peak}")


if __name__ == "__main__":
    sys.exit(main())
