"""One progress figure and one line of status text for a whole Compute.

A Compute has two stages of very different cost: Blender renders the inputs
(fast, a fraction of a second a frame) and the daemon mattes them (most of
the time), after tracking the masks when it tracks them.  They share one bar
so it never jumps backwards: rendering fills the first ``RENDER_SHARE`` of
it, the daemon's job the rest (split between its phases by
``videomama_hosts.phases``).  The functions take plain numbers (the task
unpacks the client's events), so the mapping is tested without the client
or Blender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from videomama_hosts.durations import format_eta
from videomama_hosts.phases import MATTE, TRACK, job_fraction, percent as whole_percent

RENDER_SHARE = 0.15


@dataclass(frozen=True)
class Snapshot:
    fraction: float  # 0..1 over the whole Compute
    text: str  # for the status bar and the panel, without the "VideoMaMa: " prefix

    @property
    def percent(self) -> int:
        return whole_percent(self.fraction)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def checking(address: str) -> Snapshot:
    return Snapshot(0.0, f"checking the daemon at {address}")


def rendering(done: int, total: int) -> Snapshot:
    share = RENDER_SHARE * (done / total if total else 1.0)
    return Snapshot(_clamp(share), f"rendering inputs {done}/{total}")


def submitted() -> Snapshot:
    return Snapshot(RENDER_SHARE, "sending the job to the daemon")


def queued(position: int) -> Snapshot:
    ahead = f"{position - 1} job{'s' if position != 2 else ''} ahead" if position > 1 else "next"
    return Snapshot(RENDER_SHARE, f"queued ({ahead})")


def started(backend: str, device: str, tracking: bool = False) -> Snapshot:
    first = "tracking, then " if tracking else ""
    return Snapshot(RENDER_SHARE, f"{first}matting with the {backend} backend on {device.upper()}")


def working(phase: str, done: int, total: int, eta_s: float | None = None, tracking: bool = False) -> Snapshot:
    """The daemon's progress in ``phase`` ("track" or "matte"); ``tracking``: the job has both."""
    fraction = RENDER_SHARE + (1.0 - RENDER_SHARE) * job_fraction(phase, done, total, tracking)
    verb = "tracking" if phase == TRACK else "matting"
    eta = format_eta(eta_s)
    return Snapshot(_clamp(fraction), f"{verb} {done}/{total} frames" + (f", {eta}" if eta else ""))


def matting(done: int, total: int, eta_s: float | None = None) -> Snapshot:
    return working(MATTE, done, total, eta_s)


def finished(written: int, skipped: int, backend: str, frames: tuple[int, int], tracker: str = "") -> Snapshot:
    reused = f", {skipped} already done" if skipped else ""
    tracked = f"masks tracked with {tracker}, " if tracker else ""
    return Snapshot(
        1.0, f"matte of frames {frames[0]}-{frames[1]} ready ({tracked}{backend}, {written} computed{reused})"
    )


def cached(frames: tuple[int, int]) -> Snapshot:
    return Snapshot(1.0, f"matte of frames {frames[0]}-{frames[1]} is up to date (cached)")


def line_printer(prefix: str, write: Callable[[str], None] = lambda line: print(line, flush=True)):
    """A progress callback for logs (farm, ``-b``): one line each time the text changes."""
    last: list[str | None] = [None]

    def show(snapshot: Snapshot) -> None:
        if snapshot.text != last[0]:
            last[0] = snapshot.text
            write(f"{prefix}{snapshot.percent:3d}% {snapshot.text}")

    return show
