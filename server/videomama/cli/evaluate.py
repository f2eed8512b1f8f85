"""``videomama eval``: score a predicted alpha sequence against ground truth, or run the paper's protocol.

``--first-frame WORK`` replaces ``--pred``: the first frame's ground truth,
binarised, is the only prompt; the masks are tracked through ``--plate``,
matted, and both are scored (see ``videomama.protocol``).
"""

from __future__ import annotations

import argparse
import json

from ..errors import InputError
from ..evaluation import evaluate_sequences
from ..protocol import FirstFrameRun, run_first_frame
from .arguments import backend_option, frame_range
from .progress import ProgressBar


def add_parser(commands) -> None:
    parser = commands.add_parser("eval", help="MAD, MSE, Grad, Conn, dtSSD and MAD-T of a matte against ground truth")
    parser.add_argument("--gt", required=True, help="ground-truth alpha sequence")
    parser.add_argument("--pred", help="predicted alpha sequence")
    parser.add_argument("--frames", type=frame_range, help="A-B (default: every frame both have; required with --first-frame)")
    parser.add_argument("--gt-channel", help="channel of the ground truth (default: alpha)")
    parser.add_argument("--pred-channel", help="channel of the prediction (default: alpha)")
    protocol = parser.add_argument_group("the paper's first-frame protocol, instead of --pred")
    protocol.add_argument("--first-frame", metavar="WORK_DIR", help="binarise the first frame's ground truth, track it through --plate, matte the tracked masks, and score both; prompt, masks and matte are written to WORK_DIR")
    protocol.add_argument("--plate", help="the clip's plate sequence")
    protocol.add_argument("--backend", default="auto", help="matting backend (default auto)")
    protocol.add_argument("--tracker", default="auto", help="auto, flow or sam2 (the paper tracks with SAM2)")
    protocol.add_argument("--window", type=int, default=16, help="frames per window (default 16)")
    protocol.add_argument("--overlap", type=int, default=4, help="frames shared by neighbouring windows (default 4)")
    protocol.add_argument("--colorspace", help="the plate's colour space")
    protocol.add_argument("--option", "-o", action="append", type=backend_option, default=[], metavar="NAME=VALUE", help="backend option (repeatable)")
    protocol.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if (args.pred is None) == (args.first_frame is None):
        raise InputError("give a prediction to score (--pred) or run the first-frame protocol (--first-frame WORK_DIR), one of the two")
    if args.pred:
        scores = evaluate_sequences(args.gt, args.pred, args.frames, args.gt_channel, args.pred_channel)
    else:
        if not (args.plate and args.frames):
            raise InputError("the first-frame protocol needs the plate (--plate) and the frames (--frames A-B)")
        progress = None if args.quiet else ProgressBar("first-frame protocol")
        scores = run_first_frame(FirstFrameRun(
            plate=args.plate, gt=args.gt, frames=args.frames, work=args.first_frame, backend=args.backend,
            tracker=args.tracker, window=args.window, overlap=args.overlap, colorspace=args.colorspace,
            gt_channel=args.gt_channel, options=dict(args.option),
        ), progress)
        if progress:
            progress.close()
    print(json.dumps(scores, indent=2))
    return 0
