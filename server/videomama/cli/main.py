"""``videomama`` command line: one sub-command per module, errors on one line.

Exit status: 0 success, 1 a job failed (bad input, missing frames, backend
unavailable), 2 bad command-line usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import VideoMamaError
from . import demo, evaluate, farm, info, jobs, matte, models, serve, track

COMMANDS = (matte, info, evaluate, demo, serve, jobs, models, farm, track)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="videomama", description="Mask-guided video matting for compositors."
    )
    parser.add_argument("--version", action="version", version=f"videomama {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except VideoMamaError as error:
        print(f"videomama: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("videomama: interrupted; frames already written are complete", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
