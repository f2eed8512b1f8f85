"""``videomama serve``: run the daemon that plugins and ``--server`` commands use.

Settings come from defaults, ``VIDEOMAMA_*`` environment variables, then the
``--config`` TOML file, then these flags.  The token is deliberately not a
flag (it would show in process listings): use ``VIDEOMAMA_TOKEN`` or the
config file.
"""

from __future__ import annotations

import argparse
import logging


def add_parser(commands) -> None:
    parser = commands.add_parser("serve", help="run the daemon (GPU, models, job queue) that clients talk to")
    parser.add_argument("--listen", help="HOST:PORT to listen on (default 127.0.0.1:50051; other hosts need a token)")
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (see videomama.config)")
    parser.add_argument(
        "--exit-after-idle", type=float, metavar="SECONDS", dest="exit_after_idle_s",
        help="stop after this long with no job and no request (default: never)",
    )
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that other commands never load gRPC.
    from ..config import load
    from ..service.server import serve

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(load(args.config, listen=args.listen, exit_after_idle_s=args.exit_after_idle_s))
