"""A one-line progress bar on stderr, quiet when stderr is not a terminal.

Farm logs want one line per update rather than carriage-return animations,
so without a TTY each window's progress is printed as a plain line.
"""

from __future__ import annotations

import sys

from ..matting.engine import MatteProgress


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30) -> None:
        self._label = label
        self._stream = stream or sys.stderr
        self._width = width
        self._tty = self._stream.isatty()

    def __call__(self, progress: MatteProgress) -> None:
        if progress.frame is not None and not self._tty:
            return  # without a terminal, report once per window, not per frame
        total = max(progress.frames_total, 1)
        filled = round(self._width * progress.frames_done / total)
        eta = f" eta {progress.eta_s:4.0f}s" if progress.eta_s is not None else ""
        line = (
            f"{self._label} [{'#' * filled}{'.' * (self._width - filled)}] "
            f"{progress.frames_done}/{progress.frames_total} frames, "
            f"window {progress.window + 1}/{progress.windows_total}{eta}"
        )
        end = "\r" if self._tty else "\n"
        self._stream.write(line + end)
        self._stream.flush()

    def close(self) -> None:
        if self._tty:
            self._stream.write("\n")
