"""``--server ADDRESS``: run ``matte``, ``track`` and ``info`` through a daemon, via the client only.

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
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import VideoMamaError
from ..matting.engine import MatteProgress
from ..tracking.prompts import Prompts
from ..tracking.runner import TrackProgress, TrackRequest
from .listing import print_entry, tracker_title
from .progress import ProgressBar, print_warning


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


@contextmanager
def daemon_client(args: argparse.Namespace) -> Iterator:
    """A client of the daemon at ``args.server``; its errors become one-line ``VideoMamaError``s."""
    from videomama_client import Client, DaemonError

    try:
        with Client(args.server, token=args.token) as client:
            yield client
    except DaemonError as error:
        raise VideoMamaError(str(error)) from None


def on_event(bar: ProgressBar | None, warnings: list[str]):
    """Feed the daemon's progress events to the same bar a local job uses; keep its warnings."""
    from videomama_client import JobWarning, Progress

    def on_event(event) -> None:
        if isinstance(event, JobWarning):
            warnings.append(event.message)
        elif isinstance(event, Progress) and bar:
            if event.phase == "track":
                bar(TrackProgress(event.frames_done, event.frames_total, event.elapsed_s, event.eta_s, event.frame))
            else:
                bar(MatteProgress(
                    event.frames_done, event.frames_total, event.window, event.windows_total,
                    event.elapsed_s, event.eta_s, event.frame,
                ))

    return on_event


def _run_job(args: argparse.Namespace, label: str, submit):
    """Submit with ``submit(client)``, follow the job to its end; its ``Finished`` event.

    Warnings are printed after the bar, as a local run prints them.
    """
    bar = None if args.quiet else ProgressBar(label)
    warnings: list[str] = []
    try:
        with daemon_client(args) as client:
            job = submit(client)
            try:
                finished = job.wait(on_event=on_event(bar, warnings))
            except KeyboardInterrupt:
                if args.detach and job.job_id:
                    print(f"videomama: job {job.job_id} keeps running on {args.server}", file=sys.stderr)
                raise  # without --detach, leaving the stream cancels the job on the daemon
    finally:
        if bar:
            bar.close()
    for message in warnings:
        print_warning(message)
    return finished


def _range(frames) -> tuple[int, int] | None:
    return None if frames is None else (frames.first, frames.last)


def _track_settings(prompts: Prompts, tracker: str, soft: bool, object_output: str = ""):
    """The parsed prompts as the client sends them; the daemon does not share this shell's working folder."""
    from videomama_client import Box, MaskKeyframe, Point, TrackSettings

    return TrackSettings(
        mask_keyframes=[MaskKeyframe(k.frame, os.path.abspath(k.path), k.object) for k in prompts.masks],
        points=[Point(p.frame, p.x, p.y, p.positive, p.object) for p in prompts.points],
        boxes=[Box(b.frame, b.x0, b.y0, b.x1, b.y1, b.object) for b in prompts.boxes],
        tracker=tracker,
        soft=soft,
        object_output=object_output,
    )


def _absolute(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def run_matte(args: argparse.Namespace, output: str, prompts: Prompts | None = None) -> int:
    """``matte --server`` writing ``output``: with ``prompts``, a track-then-matte job."""
    from videomama_client import MatteSettings

    settings = MatteSettings(
        backend=args.backend, window=args.window, overlap=args.overlap,
        colorspace=args.colorspace, options=dict(args.option),
    )
    masks = _absolute(args.mask) if prompts is None else _track_settings(prompts, args.tracker, args.soft, args.object_output)
    finished = _run_job(args, "matte", lambda client: client.submit_matte(
        os.path.abspath(args.plate), masks, os.path.abspath(output),
        frames=_range(args.frames), shot=_range(args.shot), settings=settings,
        plate_layer=args.plate_layer, mask_channel=args.mask_channel, compression=args.compression,
        write_rgba=args.rgba, force=args.force, detach=args.detach,
        track_output=_absolute(args.masks_out),
    ))
    if finished.masks:
        print(f"{finished.masks}: masks tracked (tracker {finished.tracker})")
    print(
        f"{finished.output}: {finished.frames_written} frames written, "
        f"{finished.frames_skipped} already up to date (backend {finished.backend}, daemon {args.server})"
    )
    return 0


def run_track(args: argparse.Namespace, request: TrackRequest) -> int:
    """``track --server``: a track job on the daemon."""
    frames = request.frames
    finished = _run_job(args, "track", lambda client: client.submit_track(
        os.path.abspath(request.plate), os.path.abspath(request.output), (frames.first, frames.last),
        _track_settings(request.prompts, request.tracker, request.soft, request.object_output),
        colorspace=request.colorspace, plate_layer=request.plate_layer, compression=request.compression,
        force=request.force, detach=args.detach,
    ))
    state = f"{finished.frames_skipped} masks already up to date" if finished.frames_skipped else f"{finished.frames_written} masks written"
    print(f"{finished.output}: {state} (tracker {finished.tracker}, daemon {args.server})")
    return 0


def _gib(count: int) -> str:
    return f"{count / 2**30:.1f} GiB"


def run_info(args: argparse.Namespace) -> int:
    with daemon_client(args) as client:
        info = client.info()
    if args.json:
        print(json.dumps(dataclasses.asdict(info), indent=2))
        return 0
    limits = info.limits
    print(f"videomama daemon {info.server_version} at {info.address} ({info.protocol})")
    for device in info.devices:
        free = f", {_gib(device.memory_free_bytes)} free" if device.memory_free_bytes else ""
        print(f"  {device.kind:<4} {device.name}: {_gib(device.memory_total_bytes)}{free}")
    print(" backends:")
    for backend in info.backends:
        print_entry(backend.name, f"{backend.display_name} [{backend.device}]", backend.available, backend.reason)
    if info.trackers:  # an older daemon does not report them
        print(" trackers:")
    for tracker in info.trackers:
        title = tracker_title(tracker.display_name, tracker.takes_points_and_boxes, tracker.needs_mask_keyframe)
        print_entry(tracker.name, title, tracker.available, tracker.reason)
    if info.loaded_models:
        print(" loaded:")
    for model in info.loaded_models:
        state = "in use" if model.in_use else f"idle {model.idle_seconds:.0f} s"
        options = ", ".join(f"{k}={v}" for k, v in sorted(model.options.items()))
        print(f"  {model.kind} {model.name}{f' ({options})' if options else ''}: {state}")
    roots = ", ".join(limits.output_roots) or "anywhere"
    print(
        f"  limits: frames up to {limits.max_frame_pixels} pixels, messages up to "
        f"{limits.max_message_bytes // 2**20} MiB, {limits.cpu_workers} CPU / {limits.gpu_workers} GPU "
        f"workers, token {'required' if limits.token_required else 'not required'}, outputs {roots}"
    )
    return 0
