"""``videomama track``: masks from clicks, a box or a roto shape (SAM2).

Not available yet.  The command exists so scripts and artists get a plain
answer instead of "invalid choice", and so the name is reserved.
"""

from __future__ import annotations

import argparse

from ..errors import NotAvailableError


def add_parser(commands) -> None:
    parser = commands.add_parser("track", help="(not available yet) masks from clicks with SAM2")
    # The interface it will have, so scripts can be written against it now.
    for flag in ("--plate", "--frames", "--points", "--box", "--mask-keyframe", "--out"):
        parser.add_argument(flag, action="append", help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise NotAvailableError(
        "SAM2 tracking is not available yet; give `videomama matte` a mask sequence "
        "(from Roto, another tracker or a segmenter) with --mask"
    )
