"""What the daemon costs: one classic-backend job in-process, by reference, inline.

    python bench/daemon_overhead.py                       # 1920x1080, 48 frames
    python bench/daemon_overhead.py --size 320x180 --frames 12

Prints the wall time of the same job run three ways, the ratios against the
targets (by reference <= 1.10x in-process, inline <= 1.25x), whether all three
produced the same alpha, and the raw inline transport rate for half-float
frames.

What is timed:
* in-process: ``run_matte`` from the plate files to the EXR alpha files;
* by reference: the client submits and waits; the daemon reads and writes
  the same files;
* inline: the client reads the frames from disk, streams them, and receives
  every alpha plane back into memory;
* transport: frames already in memory streamed to the daemon until it has
  acknowledged every one (``frames_received``); the job is then cancelled,
  so no matting runs.

The daemon is a separate ``videomama serve`` process, as in production, and
both sides run a small warm-up job first so imports and JIT compilation are
not counted.  The clip's masks are stored as half EXR so that all three ways
see exactly the same values.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
from videomama_client import Client, FramesReceived, MatteSettings

from videomama.matting.engine import run_matte
from videomama.matting.request import MatteRequest
from videomama.sequences.image_read import read_mask, read_plate
from videomama.sequences.image_write import write_image
from videomama.sequences.pattern import FrameRange, SequencePattern
from videomama.synthetic import ClipSpec, write_clip

TARGET_BY_REFERENCE = 1.10
TARGET_INLINE = 1.25
MB = 1e6


def make_clip(folder: Path, width: int, height: int, frames: int) -> tuple[SequencePattern, SequencePattern, FrameRange]:
    # No mask defects: an empty mask frame is a matting question, not a transport one.
    paths = write_clip(ClipSpec(width=width, height=height, frames=frames, mask_defects=False), folder)
    mask = SequencePattern.parse(str(folder / "mask.####.exr"))
    for frame in range(paths.first, paths.last + 1):
        png = folder / f"mask.{frame:04d}.png"
        write_image(mask.path(frame), read_mask(str(png)).pixels, ("A",), pixel_type="half")
        png.unlink()
    return SequencePattern.parse(paths.plate), mask, FrameRange(paths.first, paths.last)


@contextmanager
def daemon_process(scratch: Path):
    """``videomama serve`` on a free loopback port; yields its address."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOMAMA_")}
    environment["VIDEOMAMA_SCRATCH_DIR"] = str(scratch)
    process = subprocess.Popen(
        [sys.executable, "-m", "videomama.cli.main", "serve", "--listen", "127.0.0.1:0", "--log-level", "WARNING"],
        stdout=subprocess.PIPE, text=True, env=environment,
    )
    try:
        yield process.stdout.readline().split()[-1]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def alphas_on_disk(pattern: str, frames: FrameRange) -> dict[int, np.ndarray]:
    output = SequencePattern.parse(pattern)
    return {f: read_mask(output.path(f), channel="A").pixels[:, :, 0] for f in frames}


def run_three_ways(args, plate, mask, frames, work: Path, address: str) -> tuple[dict[str, float], dict[str, bool]]:
    """Wall times of the job in-process, by reference and inline; and whether each matches in-process."""
    settings = MatteSettings(backend="classic", window=args.window, overlap=args.overlap)
    job = MatteRequest(
        plate=plate.display, mask=mask.display, output=str(work / "in_process" / "matte.####.exr"),
        backend="classic", window=args.window, overlap=args.overlap,
    )
    by_reference_output = str(work / "by_reference" / "matte.####.exr")
    with Client(address) as client:
        # 1. Warm-up on both sides: imports, numba kernels, the daemon's backend cache.
        first_two = FrameRange(frames.first, frames.first + 1)
        run_matte(replace(job, output=str(work / "warm_local" / "m.####.exr"), frames=first_two, window=2, overlap=0))
        client.submit_matte(
            plate.display, mask.display, str(work / "warm_daemon" / "m.####.exr"),
            frames=(first_two.first, first_two.last), settings=replace(settings, window=2, overlap=0),
        ).wait()

        # 2. The same job three ways.
        inline: dict[int, np.ndarray] = {}

        def run_inline() -> None:
            plates = (read_plate(plate.path(f), colorspace="raw").pixels for f in frames)
            masks = (read_mask(mask.path(f)).pixels for f in frames)
            inline.update(client.matte_inline(plates, masks, range(frames.first, frames.last + 1), settings=settings))

        times = {
            "in_process": timed(lambda: run_matte(job)),
            "by_reference": timed(
                lambda: client.submit_matte(plate.display, mask.display, by_reference_output, settings=settings).wait()
            ),
            "inline": timed(run_inline),
        }

    # 3. The same answer every way?
    reference = alphas_on_disk(job.output, frames)
    by_reference = alphas_on_disk(by_reference_output, frames)
    identical = {
        "by_reference": all(np.array_equal(reference[f], by_reference[f]) for f in frames),
        "inline": all(np.array_equal(reference[f], inline[f].astype(np.float32)) for f in frames),
    }
    return times, identical


def transport_rate(address: str, width: int, height: int, count: int) -> tuple[float, int]:
    """MB/s of half-float RGB + mask frames into the daemon, until it acknowledged them all."""
    rng = np.random.default_rng(0)
    plate = rng.random((height, width, 3), dtype=np.float32).astype(np.float16)
    mask = rng.random((height, width), dtype=np.float32).astype(np.float16)
    total = count * (plate.nbytes + mask.nbytes)
    with Client(address) as client:
        started = time.perf_counter()
        stream = client.submit_matte_inline(
            (plate for _ in range(count)), (mask for _ in range(count)), range(1, count + 1),
            settings=MatteSettings(backend="classic"),
        )
        for event in stream:
            if isinstance(event, FramesReceived) and event.frames_received == count:
                break
        elapsed = time.perf_counter() - started
        stream.cancel()  # measure the transport only: no matting
    return total / MB / elapsed, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT of the clip (default 1920x1080)")
    parser.add_argument("--frames", type=int, default=48, help="frames in the clip (default 48)")
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--overlap", type=int, default=4)
    parser.add_argument("--transport-frames", type=int, default=24, help="1080p frames for the transport rate")
    parser.add_argument("--work", help="folder for the clip and outputs (default: a temporary folder)")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))

    with tempfile.TemporaryDirectory(prefix="videomama-bench-") as scratch:
        work = Path(args.work or scratch)
        print(f"rendering a {width}x{height} x {args.frames} synthetic clip ...", file=sys.stderr)
        plate, mask, frames = make_clip(work / "clip", width, height, args.frames)
        (work / "daemon_scratch").mkdir(parents=True, exist_ok=True)
        with daemon_process(work / "daemon_scratch") as address:
            print("running the job three ways ...", file=sys.stderr)
            times, identical = run_three_ways(args, plate, mask, frames, work, address)
            rate, total = transport_rate(address, 1920, 1080, args.transport_frames)

    base = times["in_process"]
    by_reference, inline = times["by_reference"] / base, times["inline"] / base
    print(f"daemon overhead: classic backend, {width}x{height} x {args.frames} frames "
          f"(window {args.window}, overlap {args.overlap})")
    print(f"  in-process            {base:8.2f} s")
    print(f"  daemon, by reference  {times['by_reference']:8.2f} s  {by_reference:.3f}x  "
          f"(target <= {TARGET_BY_REFERENCE:.2f}x: {'met' if by_reference <= TARGET_BY_REFERENCE else 'MISSED'})")
    print(f"  daemon, inline        {times['inline']:8.2f} s  {inline:.3f}x  "
          f"(target <= {TARGET_INLINE:.2f}x: {'met' if inline <= TARGET_INLINE else 'MISSED'})")
    print(f"  identical alpha: by reference {'yes' if identical['by_reference'] else 'NO'}, "
          f"inline {'yes' if identical['inline'] else 'NO'}")
    print(f"  inline transport      {rate:8.1f} MB/s  ({args.transport_frames} half-float 1920x1080 RGB + mask "
          f"frames, {total / MB:.0f} MB, until the daemon acknowledged receipt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
