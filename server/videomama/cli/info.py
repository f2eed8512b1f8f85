"""``videomama info``: which backends exist and whether each can run here."""

from __future__ import annotations

import argparse
import json
import platform

from .. import __version__
from ..backends import registry
from . import remote


def add_parser(commands) -> None:
    parser = commands.add_parser("info", help="list backends and whether each can run here")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    remote.add_server_arguments(parser)
    parser.set_defaults(run=run)


def collect() -> dict:
    return {
        "version": __version__,
        "python": platform.python_version(),
        "backends": registry.report(),
    }


def run(args: argparse.Namespace) -> int:
    if args.server:
        return remote.run_info(args)
    report = collect()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"videomama {report['version']} (Python {report['python']})")
    for backend in report["backends"]:
        state = "available" if backend["available"] else f"unavailable: {backend['reason']}"
        print(f"  {backend['name']:<10} {backend['display_name']}\n  {'':<10} {state}")
    return 0
