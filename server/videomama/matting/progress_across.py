"""One progress over several mattes run one after another (one matte per object)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .engine import MatteProgress


class ProgressAcrossMattes:
    """Each object's matte progress, restated as progress over every object's matte.

    Counts run on from where the mattes before stopped; the mattes still to
    come are expected to be as big and as slow as the current one (with
    resume they may be smaller: a matte already up to date has nothing to do).
    """

    def __init__(self, on_progress: Callable[[MatteProgress], None], count: int) -> None:
        self._on_progress, self._later = on_progress, count - 1
        self._before = (0, 0, 0.0)   # frames, windows and seconds of the mattes before the current one
        self._last: MatteProgress | None = None

    def next_matte(self) -> None:
        frames, windows, seconds = self._before
        if self._last is not None:
            last = self._last
            self._before = (frames + last.frames_done, windows + last.windows_total, seconds + last.elapsed_s)
        self._later -= 1
        self._last = None

    def __call__(self, progress: MatteProgress) -> None:
        self._last = progress
        frames, windows, seconds = self._before
        mattes = self._later + 1
        eta = None if progress.eta_s is None else progress.eta_s + self._later * (progress.elapsed_s + progress.eta_s)
        self._on_progress(replace(
            progress,
            frames_done=frames + progress.frames_done,
            frames_total=frames + mattes * progress.frames_total,
            window=windows + progress.window,
            windows_total=windows + mattes * progress.windows_total,
            elapsed_s=seconds + progress.elapsed_s,
            eta_s=eta,
        ))
