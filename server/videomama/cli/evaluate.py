"""``videomama eval``: score a predicted alpha sequence against ground truth."""

from __future__ import annotations

import argparse
import json

from ..evaluation import evaluate_sequences
from .arguments import frame_range


def add_parser(commands) -> None:
    parser = commands.add_parser("eval", help="MAD, MSE, Grad, Conn, dtSSD and MAD-T of a matte against ground truth")
    parser.add_argument("--gt", required=True, help="ground-truth alpha sequence")
    parser.add_argument("--pred", required=True, help="predicted alpha sequence")
    parser.add_argument("--frames", type=frame_range, help="A-B (default: every frame both have)")
    parser.add_argument("--gt-channel", help="channel of the ground truth (default: alpha)")
    parser.add_argument("--pred-channel", help="channel of the prediction (default: alpha)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    scores = evaluate_sequences(args.gt, args.pred, args.frames, args.gt_channel, args.pred_channel)
    print(json.dumps(scores, indent=2))
    return 0
