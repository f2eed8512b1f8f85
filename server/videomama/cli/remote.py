"""``--server ADDRESS``: run ``matte`` and ``info`` through a daemon, via the client only.

Kept apart from ``matte.py`` and ``info.py`` so those stay about local work;
the client is imported lazily, when a command is actually sent to a daemon.
Client errors become ``VideoMamaError`` so ``main`` prints them on one line
and exits 1, as for local errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from ..errors import VideoMamaError
from ..matting.engine import MatteProgress
from .progress import ProgressBar


def add_server_arguments(parser: argparse.ArgumentParser, job_options: bool = False) -> None:
    parser.add_argument("--server", metavar="ADDRESS", help="send the work to the daemon at HOST:PORT (see `videomama serve`)")
    parser.add_argument(
        "--token", default=os.environ.get("VIDEOMAMA_TOKEN"),
        help="the daemon's token (default: $VIDEOMAMA_TOKEN)",
    )
    if job_options:
        parser.add_argument(
            "--detach", action="store_true",
            help="with --server: the job keeps running if this command is interrupted (farm use)",
        )


def _client(args: argparse.Namespace):
    from videomama_client import Client

    return Client(args.server, token=args.token)


def _progress_adapter(bar: ProgressBar):
    """Feed the daemon's progress events to the same bar a local job uses."""
    from videomama_client import Progress

    def on_event(event) -> None:
        if isinstance(event, Progress):
            bar(MatteProgress(
                event.frames_done, event.frames_total, event.window, event.windows_total,
                event.elapsed_s, event.eta_s, event.frame,
            ))

    return on_event


def _range(frames) -> tuple[int, int] | None:
    return None if frames is None else (frames.first, frames.last)


def run_matte(args: argparse.Namespace) -> int:
    from videomama_client import DaemonError, MatteSettings

    settings = MatteSettings(
        backend=args.backend, window=args.window, overlap=args.overlap,
        colorspace=args.colorspace, options=dict(args.option),
    )
    bar = None if args.quiet else ProgressBar("matte")
    try:
        with _client(args) as client:
            # The daemon does not share this shell's working folder.
            job = client.submit_matte(
                os.path.abspath(args.plate), os.path.abspath(args.mask), os.path.abspath(args.out),
                frames=_range(args.frames), shot=_range(args.shot), settings=settings,
                plate_layer=args.plate_layer, mask_channel=args.mask_channel, compression=args.compression,
                write_rgba=args.rgba, force=args.force, detach=args.detach,
            )
            try:
                finished = job.wait(on_event=_progress_adapter(bar) if bar else None)
            except KeyboardInterrupt:
                if args.detach and job.job_id:
                    print(f"videomama: job {job.job_id} keeps running on {args.server}", file=sys.stderr)
                raise  # without --detach, leaving the stream cancels the job on the daemon
    except DaemonError as error:
        raise VideoMamaError(str(error)) from None
    finally:
        if bar:
            bar.close()
    print(
        f"{finished.output}: {finished.frames_written} frames written, "
        f"{finished.frames_skipped} already up to date (backend {finished.backend}, daemon {args.server})"
    )
    return 0


def _gib(count: int) -> str:
    return f"{count / 2**30:.1f} GiB"


def run_info(args: argparse.Namespace) -> int:
    from videomama_client import DaemonError

    try:
        with _client(args) as client:
            info = client.info()
    except DaemonError as error:
        raise VideoMamaError(str(error)) from None
    if args.json:
        print(json.dumps(dataclasses.asdict(info), indent=2))
        return 0
    limits = info.limits
    print(f"videomama daemon {info.server_version} at {info.address} ({info.protocol})")
    for device in info.devices:
        free = f", {_gib(device.memory_free_bytes)} free" if device.memory_free_bytes else ""
        print(f"  {device.kind:<4} {device.name}: {_gib(device.memory_total_bytes)}{free}")
    for backend in info.backends:
        state = "available" if backend.available else f"unavailable: {backend.reason}"
        print(f"  {backend.name:<10} {backend.display_name} [{backend.device}]\n  {'':<10} {state}")
    roots = ", ".join(limits.output_roots) or "anywhere"
    print(
        f"  limits: frames up to {limits.max_frame_pixels} pixels, messages up to "
        f"{limits.max_message_bytes // 2**20} MiB, {limits.cpu_workers} CPU / {limits.gpu_workers} GPU "
        f"workers, token {'required' if limits.token_required else 'not required'}, outputs {roots}"
    )
    return 0
