"""Speed and peak memory of the classic CPU backend on long 1080p shots.

    .venv/bin/python bench/cpu_backend.py [--size 1920x1080] [--frames 48,192]

Each shot length is matted in a fresh process so its peak resident memory
(ru_maxrss) is its own; memory must not grow with shot length because the
engine streams windows.  Target: <= 3 s per frame on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _clips import cached_clip, default_root  # noqa: E402


def _child(args) -> None:
    from videomama.matting.engine import run_matte
    from videomama.matting.request import MatteRequest

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = run_matte(
            MatteRequest(args.plate, args.mask, f"{out}/matte.####.exr", backend="classic",
                         window=args.window, overlap=args.overlap)
        )
        wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"frames": len(result.written), "wall_s": wall, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--frames", default="48,192", help="comma-separated shot lengths")
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--overlap", type=int, default=4)
    parser.add_argument("--root", default=default_root(), help="where generated clips are cached")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plate", help=argparse.SUPPRESS)
    parser.add_argument("--mask", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args)

    from videomama.synthetic import ClipSpec

    width, height = (int(v) for v in args.size.split("x"))
    print(f"classic backend, {width}x{height}, window {args.window} overlap {args.overlap}")
    print(f"{'frames':>7} {'s/frame':>8} {'wall s':>8} {'peak MB':>8}")
    for count in (int(v) for v in args.frames.split(",")):
        clip = cached_clip(ClipSpec(width=width, height=height, frames=count), args.root)
        output = subprocess.run(
            [sys.executable, __file__, "--child", "--plate", clip.plate, "--mask", clip.mask,
             "--window", str(args.window), "--overlap", str(args.overlap)],
            check=True, capture_output=True, text=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(f"{row['frames']:>7} {row['wall_s'] / row['frames']:>8.2f} {row['wall_s']:>8.1f} {row['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
