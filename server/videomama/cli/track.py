"""``videomama track``: a mask sequence from mask keyframes (flow), or clicks and boxes (SAM2).

The masks it writes are what ``videomama matte --mask`` takes.  Frames where
the track jumps are printed as warnings after the run, so an artist knows
which frames to look at (or where to add a keyframe) before matting.
"""

from __future__ import annotations

import argparse
import sys

from ..tracking.prompts import Prompts, parse_boxes, parse_mask_keyframes, parse_points
from ..tracking.runner import TrackRequest, run_track
from .arguments import frame_range


def add_parser(commands) -> None:
    parser = commands.add_parser("track", help="masks for a shot from mask keyframes (optical flow) or clicks and boxes (SAM2)")
    parser.add_argument("--plate", required=True, help="plate sequence, e.g. plate.####.exr")
    parser.add_argument("--frames", required=True, type=frame_range, help="frames to track, A-B")
    parser.add_argument("--out", required=True, help="output mask sequence, e.g. masks.####.exr")
    parser.add_argument("--mask-keyframe", action="append", default=[], metavar="FRAME=FILE", help="a mask for one frame, e.g. 1001=roto.1001.exr (repeatable; the flow tracker re-anchors at each)")
    parser.add_argument("--points", action="append", default=[], metavar="F:X,Y,+|-;...", help="clicks, pixels from the top-left: + on the subject, - off it (SAM2)")
    parser.add_argument("--box", action="append", default=[], metavar="F:X0,Y0,X1,Y1", help="a box around the subject, pixels from the top-left (SAM2)")
    parser.add_argument("--tracker", default="auto", help="auto, flow or sam2 (default auto: SAM2 when it can run, else flow)")
    parser.add_argument("--soft", action="store_true", help="write soft masks (blended track) instead of hard 0/1")
    parser.add_argument("--colorspace", help="the plate's colour space (default: lin_rec709 for EXR, sRGB for 8-bit)")
    parser.add_argument("--layer", dest="plate_layer", help="EXR layer of the plate to use")
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-frame progress")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    prompts = Prompts(
        masks=parse_mask_keyframes(args.mask_keyframe),
        points=parse_points(args.points),
        boxes=parse_boxes(args.box),
    )
    request = TrackRequest(
        plate=args.plate,
        output=args.out,
        frames=args.frames,
        prompts=prompts,
        tracker=args.tracker,
        soft=args.soft,
        colorspace=args.colorspace,
        plate_layer=args.plate_layer,
    )
    total = len(args.frames)

    def progress(frame: int) -> None:
        if not args.quiet:
            print(f"\rtrack: frame {frame} ({frame - args.frames.first + 1}/{total})", end="", file=sys.stderr, flush=True)

    result = run_track(request, on_frame=progress)
    if not args.quiet:
        print(file=sys.stderr)
    for warning in result.warnings:
        print(f"videomama: warning: {warning}", file=sys.stderr)
    print(f"{result.output}: {len(result.written)} masks written (tracker {result.tracker}), {len(result.warnings)} jump warnings")
    return 0
