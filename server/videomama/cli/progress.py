"""What a running job prints on stderr: a one-line progress bar, and warnings.

Farm logs want one line per update rather than carriage-return animations,
so without a TTY the matte's progress is printed once per window and a
track's about every tenth of the shot, as plain lines.  A track-then-matte
run shows one bar per step ("track", then the label given).
"""

from __future__ import annotations

import sys

from ..matting.engine import MatteProgress
from ..tracking.runner import TrackProgress

# Without a TTY a track reports about this many times.
_TRACK_LINES = 10


def print_warning(message: str, stream=None) -> None:
    print(f"videomama: warning: {message}", file=stream or sys.stderr)


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30) -> None:
        self._label = label
        self._stream = stream or sys.stderr
        self._width = width
        self._tty = self._stream.isatty()
        self._step: str | None = None  # the label of the bar being drawn

    def __call__(self, progress: MatteProgress | TrackProgress) -> None:
        tracking = isinstance(progress, TrackProgress)
        if not self._tty and not self._worth_a_line(progress, tracking):
            return
        step = "track" if tracking else self._label
        if self._tty and self._step not in (None, step):
            self._stream.write("\n")  # keep the finished step's bar
        self._step = step
        total = max(progress.frames_total, 1)
        filled = round(self._width * progress.frames_done / total)
        eta = f" eta {progress.eta_s:4.0f}s" if progress.eta_s is not None else ""
        window = "" if tracking else f", window {progress.window + 1}/{progress.windows_total}"
        line = (
            f"{step} [{'#' * filled}{'.' * (self._width - filled)}] "
            f"{progress.frames_done}/{progress.frames_total} frames{window}{eta}"
        )
        end = "\r" if self._tty else "\n"
        self._stream.write(line + end)
        self._stream.flush()

    @staticmethod
    def _worth_a_line(progress: MatteProgress | TrackProgress, tracking: bool) -> bool:
        if not tracking:
            return progress.frame is None  # once per window, not per frame
        every = max(1, progress.frames_total // _TRACK_LINES)
        return progress.frames_done % every == 0 or progress.frames_done == progress.frames_total

    def close(self) -> None:
        if self._tty and self._step is not None:
            self._stream.write("\n")
