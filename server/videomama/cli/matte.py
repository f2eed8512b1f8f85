"""``videomama matte``: plate + rough mask in, EXR alpha out.

Instead of ``--mask``, the prompts of ``videomama track`` (``--mask-keyframe``,
``--points``, ``--box``) track the masks first, in the same run: over
``--shot`` (else ``--frames``), into ``--masks-out`` (default: beside the
output, ``matte.####.exr`` -> ``matte_masks.####.exr``).  See
``tracking.then_matte`` for the checks and how resume works.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from ..errors import InputError
from ..matting.engine import run_matte
from ..matting.request import COMPRESSIONS, MatteRequest
from ..tracking.prompts import Prompts
from ..tracking.then_matte import (
    OBJECT_TOKEN,
    TrackThenMatteRequest,
    object_of_channel,
    output_for_object,
    run_track_then_matte,
)
from . import remote, track
from .arguments import add_prompt_arguments, backend_option, frame_range, prompts_from_args
from .progress import ProgressBar

_PROMPT_FLAGS = "--mask-keyframe, --points, --box"


def add_request_arguments(parser: argparse.ArgumentParser, mask_or_prompts: bool = False) -> None:
    """The arguments that make a ``MatteRequest``; ``farm`` job descriptions take the same.

    ``mask_or_prompts``: ``--mask`` may be replaced by tracking prompts
    (``matte`` itself; farm jobs need the masks).
    """
    parser.add_argument("--plate", required=True, help="plate sequence, e.g. plate.####.exr, plate.%%04d.exr, plate.$F4.exr")
    parser.add_argument("--mask", required=not mask_or_prompts, help="rough mask sequence (alpha by default; see --mask-channel)" + (f"; or track the masks from prompts ({_PROMPT_FLAGS})" if mask_or_prompts else ""))
    parser.add_argument("--out", required=True, help="output alpha sequence, e.g. matte.####.exr")
    parser.add_argument("--frames", type=frame_range, help="frames to produce, A-B (default: the whole shot)")
    parser.add_argument("--shot", type=frame_range, help="the shot's full range, A-B, which the window grid is laid on (default: the plate and mask frames on disk)")
    parser.add_argument("--backend", default="auto", help="auto, classic or videomama (see `videomama info`)")
    parser.add_argument("--window", type=int, default=16, help="frames per window (default 16)")
    parser.add_argument("--overlap", type=int, default=4, help="frames shared by neighbouring windows (default 4)")
    parser.add_argument("--colorspace", help="the plate's colour space (default: lin_rec709 for EXR, sRGB for 8-bit)")
    parser.add_argument("--layer", dest="plate_layer", help="EXR layer of the plate to use (default rgba / first three channels)")
    parser.add_argument("--mask-channel", help="mask channel (default: alpha, or the only channel); e.g. hero.A for one object of a multi-object track")
    parser.add_argument("--compression", default="zip", help=f"EXR compression: {', '.join(COMPRESSIONS)} (dwaa:LEVEL allowed)")
    parser.add_argument("--rgba", action="store_true", help="write the premultiplied plate with the alpha, for preview")
    parser.add_argument("--option", "-o", action="append", type=backend_option, default=[], metavar="NAME=VALUE", help="backend option (repeatable)")


def add_tracking_arguments(parser: argparse.ArgumentParser) -> None:
    """Prompts to track the masks from instead of ``--mask``, and where the masks go (``farm`` takes them too)."""
    prompts = add_prompt_arguments(parser, "masks tracked from prompts, instead of --mask (see `videomama track`)")
    prompts.add_argument("--masks-out", metavar="PATTERN", help="where tracked masks go (default: beside --out, matte.####.exr -> matte_masks.####.exr)")
    prompts.add_argument("--objects", dest="object_output", default="merged", metavar="merged|layers", help="with several objects: merged (the default: one matte of their union) or layers (one matte per object; --out names {object}, e.g. matte.{object}.####.exr)")


def add_parser(commands) -> None:
    parser = commands.add_parser("matte", help="compute an alpha matte from a plate and a rough mask (or prompts to track one)")
    add_request_arguments(parser, mask_or_prompts=True)
    add_tracking_arguments(parser)
    parser.add_argument("--force", action="store_true", help="recompute frames that are already up to date")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    remote.add_server_arguments(parser, job_options=True)
    parser.set_defaults(run=run)


def request_from_args(args: argparse.Namespace) -> MatteRequest:
    request = _request_as_given(args)
    if args.mask and OBJECT_TOKEN in request.output:
        # One object's layer of multi-object masks: its name goes into the output
        # (farm tasks of a per-object job run exactly this).
        request = replace(request, output=output_for_object(request.output, object_of_channel(request.mask_channel)))
    return request


def _request_as_given(args: argparse.Namespace) -> MatteRequest:
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


def tracking_prompts(args: argparse.Namespace) -> Prompts | None:
    """The prompts to track the masks from, or None when ``--mask`` gives them; exactly one of the two."""
    prompts = prompts_from_args(args)
    if args.mask and not prompts.empty:
        raise InputError(f"give the rough masks (--mask) or prompts to track them from ({_PROMPT_FLAGS}), not both")
    if args.mask is None and prompts.empty:
        raise InputError(f"give the rough masks (--mask) or prompts to track them from ({_PROMPT_FLAGS})")
    if args.mask and (args.masks_out or args.soft or args.tracker != "auto" or args.object_output != "merged"):
        raise InputError("--tracker, --soft, --objects and --masks-out are for masks tracked from prompts, not for --mask")
    return None if args.mask else prompts


def track_then_matte_from_args(args: argparse.Namespace, prompts: Prompts) -> TrackThenMatteRequest:
    matte = replace(_request_as_given(args), mask=args.masks_out or "")
    return TrackThenMatteRequest(matte, prompts, tracker=args.tracker, soft=args.soft, object_output=args.object_output)


def run(args: argparse.Namespace) -> int:
    prompts = tracking_prompts(args)
    if args.server:
        return remote.run_matte(args, request_from_args(args).output if prompts is None else args.out, prompts)
    progress = None if args.quiet else ProgressBar("matte")
    if prompts is None:
        results = [run_matte(request_from_args(args), on_progress=progress)]
        tracked = None
    else:
        both = run_track_then_matte(track_then_matte_from_args(args, prompts), on_progress=progress)
        results, tracked = list(both.mattes.values()), both.track
    if progress:
        progress.close()
    if tracked:
        track.report(tracked)
    for result in results:
        print(
            f"{result.output}: {len(result.written)} frames written, "
            f"{len(result.skipped)} already up to date (backend {result.backend})"
        )
    return 0
