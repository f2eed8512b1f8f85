"""``videomama matte``: plate + rough mask in, EXR alpha out."""

from __future__ import annotations

import argparse

from ..matting.engine import run_matte
from ..matting.request import COMPRESSIONS, MatteRequest
from . import remote
from .arguments import backend_option, frame_range
from .progress import ProgressBar


def add_request_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that make a ``MatteRequest``; ``farm`` job descriptions take the same."""
    parser.add_argument("--plate", required=True, help="plate sequence, e.g. plate.####.exr, plate.%%04d.exr, plate.$F4.exr")
    parser.add_argument("--mask", required=True, help="rough mask sequence (alpha by default; see --mask-channel)")
    parser.add_argument("--out", required=True, help="output alpha sequence, e.g. matte.####.exr")
    parser.add_argument("--frames", type=frame_range, help="frames to produce, A-B (default: the whole shot)")
    parser.add_argument("--shot", type=frame_range, help="the shot's full range, A-B, which the window grid is laid on (default: the plate and mask frames on disk)")
    parser.add_argument("--backend", default="auto", help="auto, classic or videomama (see `videomama info`)")
    parser.add_argument("--window", type=int, default=16, help="frames per window (default 16)")
    parser.add_argument("--overlap", type=int, default=4, help="frames shared by neighbouring windows (default 4)")
    parser.add_argument("--colorspace", help="the plate's colour space (default: lin_rec709 for EXR, sRGB for 8-bit)")
    parser.add_argument("--layer", dest="plate_layer", help="EXR layer of the plate to use (default rgba / first three channels)")
    parser.add_argument("--mask-channel", help="mask channel (default: alpha, or the only channel)")
    parser.add_argument("--compression", default="zip", help=f"EXR compression: {', '.join(COMPRESSIONS)} (dwaa:LEVEL allowed)")
    parser.add_argument("--rgba", action="store_true", help="write the premultiplied plate with the alpha, for preview")
    parser.add_argument("--option", "-o", action="append", type=backend_option, default=[], metavar="NAME=VALUE", help="backend option (repeatable)")


def add_parser(commands) -> None:
    parser = commands.add_parser("matte", help="compute an alpha matte from a plate and a rough mask")
    add_request_arguments(parser)
    parser.add_argument("--force", action="store_true", help="recompute frames that are already up to date")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    remote.add_server_arguments(parser, job_options=True)
    parser.set_defaults(run=run)


def request_from_args(args: argparse.Namespace) -> MatteRequest:
    return MatteRequest(
        plate=args.plate,
        mask=args.mask,
        output=args.out,
        frames=args.frames,
        shot=args.shot,
        backend=args.backend,
        window=args.window,
        overlap=args.overlap,
        colorspace=args.colorspace,
        plate_layer=args.plate_layer,
        mask_channel=args.mask_channel,
        compression=args.compression,
        write_rgba=args.rgba,
        force=args.force,
        options=dict(args.option),
    )


def run(args: argparse.Namespace) -> int:
    if args.server:
        return remote.run_matte(args)
    progress = None if args.quiet else ProgressBar("matte")
    result = run_matte(request_from_args(args), on_progress=progress)
    if progress:
        progress.close()
    print(
        f"{result.output}: {len(result.written)} frames written, "
        f"{len(result.skipped)} already up to date (backend {result.backend})"
    )
    return 0
