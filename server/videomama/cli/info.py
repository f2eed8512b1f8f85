"""``videomama info``: which backends and trackers exist and whether each can run here."""

from __future__ import annotations

import argparse
import json
import platform

from .. import __version__
from ..backends import registry
from ..tracking import registry as trackers
from . import remote
from .listing import print_entry, tracker_title


def add_parser(commands) -> None:
    parser = commands.add_parser("info", help="list backends and trackers and whether each can run here")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    remote.add_server_arguments(parser)
    parser.set_defaults(run=run)


def collect() -> dict:
    return {
        "version": __version__,
        "python": platform.python_version(),
        "backends": registry.report(),
        "trackers": trackers.report(),
    }


def run(args: argparse.Namespace) -> int:
    if args.server:
        return remote.run_info(args)
    report = collect()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"videomama {report['version']} (Python {report['python']})")
    print(" backends:")
    for backend in report["backends"]:
        print_entry(backend["name"], backend["display_name"], backend["available"], backend["reason"])
    print(" trackers:")
    for tracker in report["trackers"]:
        title = tracker_title(tracker["display_name"], tracker["takes_points_and_boxes"], tracker["needs_mask_keyframe"])
        print_entry(tracker["name"], title, tracker["available"], tracker["reason"])
    return 0
