"""Daemon job events -> a percentage and a one-line message for the progress bar.

Imported only once the client is known to load (see ``libs.load_client``).
"""

from __future__ import annotations

from dataclasses import dataclass

import videomama_client as vc
from videomama_hosts.durations import format_duration
from videomama_hosts.phases import TRACK, job_fraction, percent


@dataclass(frozen=True)
class Report:
    percent: int  # 0..100, what nuke.ProgressTask.setProgress takes
    message: str


class ProgressTracker:
    """Folds a job's events into reports; remembers warnings for the final status.

    ``tracking``: the job tracks its masks before matting them, and one bar
    covers both phases (``videomama_hosts.phases``).
    """

    def __init__(self, tracking: bool = False) -> None:
        self.tracking = tracking
        self.percent = 0
        self.warnings: list[str] = []
        self.jump_frames: list[int] = []  # where the tracked mask jumps
        self._last: Report | None = None

    def update(self, event: vc.JobEvent) -> Report | None:
        """The report to show after ``event``, or None if nothing visible changed."""
        report = self._report(event)
        if report is None or report == self._last:
            return None
        self._last = report
        return report

    def _report(self, event: vc.JobEvent) -> Report | None:
        if isinstance(event, vc.Queued):
            return Report(self.percent, f"waiting for the daemon (position {event.position} in its queue)")
        if isinstance(event, vc.Started):
            tracking = "tracking, then " if self.tracking else ""
            return Report(self.percent, f"{tracking}matting with {event.backend} on {event.device.upper()}")
        if isinstance(event, vc.Progress):
            if event.frames_total:
                fraction = job_fraction(event.phase, event.frames_done, event.frames_total, self.tracking)
                # Never go backwards: a resumed job reports frames already done first.
                self.percent = max(self.percent, min(99, percent(fraction)))
            message = f"frame {event.frames_done}/{event.frames_total}"
            if self.tracking:
                message = f"{'tracking' if event.phase == TRACK else 'matting'} {message}"
            if event.windows_total:
                message += f", window {event.window + 1}/{event.windows_total}"
            if event.eta_s is not None:
                message += f", {format_duration(event.eta_s)} left"
            return Report(self.percent, message)
        if isinstance(event, vc.JobWarning):
            self.warnings.append(event.message)
            if self.tracking and event.frame is not None:  # the daemon's jump warnings name their frame
                self.jump_frames.append(event.frame)
            return Report(self.percent, f"warning: {event.message}")
        if isinstance(event, vc.Finished):
            self.percent = 100
            return Report(100, finished_message(event))
        return None  # frame results, upload progress: the next Progress says it


def finished_message(event: vc.Finished) -> str:
    tracked = f"masks tracked with {event.tracker}, matted " if event.tracker else ""
    message = f"done: {tracked}with {event.backend}, " if tracked else f"done with {event.backend}: "
    message += f"{event.frames_written} frames written"
    if event.frames_skipped:
        message += f", {event.frames_skipped} already up to date"
    return message
