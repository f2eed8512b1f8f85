"""The process behind a farm session's matting worker: the daemon, on a free loopback port.

Started detached by ``session_worker.start_worker`` (``python -m
videomama.farm.worker_host --session-dir DIR``).  It runs the same daemon as
``videomama serve``, with three differences that a farm session needs:

* it listens on ``127.0.0.1:0`` and publishes the port the system chose in
  ``DIR/videomama-worker.json``, so two sessions on one host never race for a
  port;
* it makes up a token and writes it to that file only (mode 0600), so other
  users of a shared render node cannot submit work that writes as this one;
* it stops by itself when the session folder disappears: farm managers delete
  a session's working folder when the session ends, so a worker whose stop
  action never ran (agent crash, killed session) does not hold a GPU forever.

Stopping is SIGTERM (``session_worker.stop_worker``): running jobs are
cancelled, their streams closed, then the process exits.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import sys
import threading

from ..errors import VideoMamaError

WORKER_FILE = "videomama-worker.json"
LOG_FILE = "videomama-worker.log"
# How often the worker checks that its session folder still exists.
WATCH_PERIOD_S = 2.0

log = logging.getLogger("videomama.farm.worker")


def write_worker_file(path: str, record: dict) -> None:
    """Write ``record`` as JSON, readable by this user only, atomically (readers never see half)."""
    temp = f"{path}.tmp-{os.getpid()}"
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as stream:
            json.dump(record, stream)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def run(session_dir: str, config_file: str | None) -> int:
    # Imported here: only this process needs the gRPC server.
    from ..config import load
    from ..service.server import Daemon

    session_dir = os.path.abspath(session_dir)
    worker_file = os.path.join(session_dir, WORKER_FILE)
    token = secrets.token_urlsafe(32)
    config = load(config_file, listen="127.0.0.1:0", token=token)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    daemon = Daemon(config).start()
    try:
        write_worker_file(worker_file, {
            "pid": os.getpid(),
            "address": daemon.address,
            "token": token,
            "log": os.path.join(session_dir, LOG_FILE),
        })
        log.info("matting worker for session %s serving on %s", session_dir, daemon.address)
        while not stop.wait(WATCH_PERIOD_S):
            if not os.path.isdir(session_dir):
                log.warning("session folder %s is gone: stopping the worker", session_dir)
                break
    finally:
        daemon.stop()
        if os.path.exists(worker_file):
            os.remove(worker_file)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m videomama.farm.worker_host")
    parser.add_argument("--session-dir", required=True)
    parser.add_argument("--config", help="daemon settings file (see videomama.config)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return run(args.session_dir, args.config)
    except VideoMamaError as error:
        log.error("%s", error)
        return 1


if __name__ == "__main__":
    sys.exit(main())
