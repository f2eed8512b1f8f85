"""``videomama track``: a mask sequence from mask keyframes (flow), or clicks and boxes (SAM2).

Prompts may name their object (``hero:1001=roto.exr``); several objects
give one layer ``<object>.A`` each in every mask file, or with
``--objects merged`` one ``A``, their union (``tracking.mask_layout``).
The masks it writes are what ``videomama matte --mask`` takes (``matte`` can
also take the prompts itself and track first).  Frames where the track
jumps are printed as warnings after the run, so an artist knows which frames
to look at (or where to add a keyframe) before matting.  A re-run with the
same prompts, plates and settings keeps the masks (``--force`` re-tracks).
"""

from __future__ import annotations

import argparse

from ..matting.request import COMPRESSIONS
from ..tracking.runner import TrackRequest, TrackResult, run_track
from . import remote
from .arguments import add_prompt_arguments, frame_range, prompts_from_args
from .progress import ProgressBar, print_warning


def add_parser(commands) -> None:
    parser = commands.add_parser("track", help="masks for a shot from mask keyframes (optical flow) or clicks and boxes (SAM2)")
    parser.add_argument("--plate", required=True, help="plate sequence, e.g. plate.####.exr")
    parser.add_argument("--frames", required=True, type=frame_range, help="frames to track, A-B")
    parser.add_argument("--out", required=True, help="output mask sequence, e.g. masks.####.exr")
    add_prompt_arguments(parser)
    parser.add_argument("--objects", dest="object_output", default="auto", metavar="layers|merged", help="how several objects are written: layers (the default: one channel <object>.A each in one EXR per frame) or merged (one A, their union); layers also names a single object's layer")
    parser.add_argument("--colorspace", help="the plate's colour space (default: lin_rec709 for EXR, sRGB for 8-bit)")
    parser.add_argument("--layer", dest="plate_layer", help="EXR layer of the plate to use")
    parser.add_argument("--compression", default="zip", help=f"EXR compression of the masks: {', '.join(COMPRESSIONS)} (dwaa:LEVEL allowed)")
    parser.add_argument("--force", action="store_true", help="re-track even when the masks are up to date")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    remote.add_server_arguments(parser, job_options=True)
    parser.set_defaults(run=run)


def request_from_args(args: argparse.Namespace) -> TrackRequest:
    return TrackRequest(
        plate=args.plate,
        output=args.out,
        frames=args.frames,
        prompts=prompts_from_args(args),
        tracker=args.tracker,
        soft=args.soft,
        colorspace=args.colorspace,
        plate_layer=args.plate_layer,
        compression=args.compression,
        force=args.force,
        object_output=args.object_output,
    )


def run(args: argparse.Namespace) -> int:
    request = request_from_args(args)
    if args.server:
        return remote.run_track(args, request)
    progress = None if args.quiet else ProgressBar("track")
    result = run_track(request, on_progress=progress)
    if progress:
        progress.close()
    report(result)
    return 0


def report(result: TrackResult) -> None:
    """The track's jump warnings, then one line on what was written (``matte`` with prompts prints it too)."""
    for warning in result.warnings:
        print_warning(str(warning))
    state = f"{len(result.skipped)} masks already up to date" if result.skipped else f"{len(result.written)} masks written"
    layers = "" if result.channels == ("A",) else f"; layers {', '.join(result.channels)}"
    print(f"{result.output}: {state} (tracker {result.tracker}{layers}), {len(result.warnings)} jump warnings")
