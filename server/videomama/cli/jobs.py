"""``videomama jobs``: what a daemon is doing, and stopping or following one of its jobs.

    videomama jobs [--all] [--json]     # queued and running jobs (--all: ended ones too)
    videomama jobs watch JOB_ID         # follow a job's progress to its end (never cancels it)
    videomama jobs cancel JOB_ID        # stop it; frames already written stay complete

For the TD whose GPU is busy with somebody's long shot, or the artist whose
Nuke was closed while a detached job ran.  The daemon is ``--server``, else
``$VIDEOMAMA_ADDRESS``, else 127.0.0.1:50051.  Client only, like ``--server``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time

from ..errors import VideoMamaError
from .progress import ProgressBar, print_warning
from .remote import daemon_client, on_event

_COLUMNS = ("ID", "STATE", "KIND", "BACKEND", "DEVICE", "FRAMES", "SUBMITTED", "WHAT")


def add_parser(commands) -> None:
    parser = commands.add_parser("jobs", help="list a daemon's jobs; watch or cancel one")
    _add_daemon_arguments(parser)
    parser.add_argument("--all", action="store_true", help="ended jobs too (the daemon keeps the last few hundred)")
    parser.add_argument("--json", action="store_true", help="machine-readable list")
    parser.set_defaults(run=run_list)
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    watch = verbs.add_parser("watch", help="follow a job's progress to its end (leaving never cancels it)")
    watch.add_argument("job_id")
    watch.add_argument("-q", "--quiet", action="store_true", help="no progress bar, only the outcome")
    _add_daemon_arguments(watch)
    watch.set_defaults(run=run_watch)
    cancel = verbs.add_parser("cancel", help="cancel a job; frames it already wrote stay complete")
    cancel.add_argument("job_id")
    _add_daemon_arguments(cancel)
    cancel.set_defaults(run=run_cancel)


def _add_daemon_arguments(parser: argparse.ArgumentParser) -> None:
    # On every verb, so `jobs cancel ID --server HOST:PORT` reads as it is typed.
    parser.add_argument(
        "--server", metavar="ADDRESS", default=argparse.SUPPRESS,
        help="the daemon's HOST:PORT (default: $VIDEOMAMA_ADDRESS, else 127.0.0.1:50051)",
    )
    parser.add_argument("--token", default=argparse.SUPPRESS, help="the daemon's token (default: $VIDEOMAMA_TOKEN)")


def _address(args: argparse.Namespace) -> argparse.Namespace:
    args.server = getattr(args, "server", None) or os.environ.get("VIDEOMAMA_ADDRESS") or "127.0.0.1:50051"
    args.token = getattr(args, "token", None) or os.environ.get("VIDEOMAMA_TOKEN")
    return args


def run_list(args: argparse.Namespace) -> int:
    args = _address(args)
    with daemon_client(args) as client:
        jobs = client.list_jobs(include_finished=args.all)
    if args.json:
        print(json.dumps([dataclasses.asdict(job) for job in jobs], indent=2))
        return 0
    if not jobs:
        print(f"no {'' if args.all else 'queued or running '}jobs on {args.server}")
        return 0
    rows = [_COLUMNS] + [
        (
            job.job_id, _state(job), job.kind.replace("_", "-"), job.backend or "-", job.device,
            f"{job.frames_done}/{job.frames_total}", time.strftime("%H:%M:%S", time.localtime(job.submitted_time)),
            job.description,
        )
        for job in jobs
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(_COLUMNS) - 1)]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    return 0


def run_watch(args: argparse.Namespace) -> int:
    args = _address(args)
    bar = None if args.quiet else ProgressBar(f"job {args.job_id}")
    warnings: list[str] = []
    try:
        with daemon_client(args) as client:
            finished = client.watch(args.job_id).wait(on_event=on_event(bar, warnings))
    finally:
        if bar:
            bar.close()
    for message in warnings:
        print_warning(message)
    print(
        f"job {args.job_id} finished: {finished.frames_written} frames written, "
        f"{finished.frames_skipped} already up to date -> {finished.output}"
    )
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    args = _address(args)
    with daemon_client(args) as client:
        cancelled = client.cancel(args.job_id)
    if not cancelled:
        raise VideoMamaError(f"job {args.job_id} on {args.server} had already ended: nothing to cancel")
    print(f"job {args.job_id} cancelled on {args.server}; frames it already wrote are complete")
    return 0


def _state(job) -> str:
    if job.state == "queued" and job.queue_position:
        return f"queued #{job.queue_position}"
    return job.state
