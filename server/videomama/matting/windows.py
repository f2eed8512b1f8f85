"""The window grid: how a shot is cut into overlapping windows for a backend.

Backends look at several frames at once (flow, temporal smoothing, the video
model's temporal attention), so a frame's result depends on which frames share
its window.  To make a frame's result independent of the range a user, a node
cache or a farm chunk asked for, windows are laid on the *shot's* own frame
grid: window ``i`` starts at ``shot.first + i * (size - overlap)``, whatever
sub-range is requested.  The last window is shifted back so that it is full
length and ends on the shot's last frame (a short tail window would see too
little context).  Frames covered by several windows are cross-faded with
weights that depend only on the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..errors import InputError
from ..sequences.pattern import FrameRange


@dataclass(frozen=True)
class Window:
    """One run of consecutive frames handed to a backend in one call."""

    index: int
    first: int
    last: int
    # Frames shared with the previous / next window; they set the cross-fade ramps.
    overlap_before: int
    overlap_after: int

    @property
    def frames(self) -> range:
        return range(self.first, self.last + 1)

    def __len__(self) -> int:
        return self.last - self.first + 1

    def weight(self, frame: int) -> float:
        """Cross-fade weight of this window's result for ``frame`` (before normalising).

        A linear ramp over each overlap, 1 in the interior: the window's own
        edge frames, which see context on one side only, count least.
        """
        if not self.first <= frame <= self.last:
            return 0.0
        ramp_in = (frame - self.first + 1) / (self.overlap_before + 1)
        ramp_out = (self.last - frame + 1) / (self.overlap_after + 1)
        return min(1.0, ramp_in, ramp_out)


@dataclass(frozen=True)
class WindowGrid:
    shot: FrameRange
    size: int
    overlap: int

    def __post_init__(self) -> None:
        if self.size < 1:
            raise InputError(f"window size must be at least 1 frame, got {self.size}")
        if not 0 <= self.overlap < self.size:
            raise InputError(
                f"overlap must be between 0 and window size - 1 ({self.size - 1}), got {self.overlap}"
            )

    @cached_property
    def windows(self) -> list[Window]:
        starts = self._starts()
        ends = [min(start + self.size - 1, self.shot.last) for start in starts]
        windows = []
        for i, (start, end) in enumerate(zip(starts, ends)):
            before = ends[i - 1] - start + 1 if i > 0 else 0
            after = end - starts[i + 1] + 1 if i + 1 < len(starts) else 0
            windows.append(Window(i, start, end, max(before, 0), max(after, 0)))
        return windows

    def _starts(self) -> list[int]:
        step = self.size - self.overlap
        starts = []
        start = self.shot.first
        while start + self.size - 1 < self.shot.last:
            starts.append(start)
            start += step
        # Full-length last window ending on the shot's last frame.
        tail = max(self.shot.first, self.shot.last - self.size + 1)
        if not starts or starts[-1] != tail:
            starts.append(tail)
        return starts

    def windows_touching(self, frames: FrameRange) -> list[Window]:
        """Windows that contribute to any frame of ``frames``."""
        return [w for w in self.windows if w.first <= frames.last and w.last >= frames.first]

    def weights(self, frame: int) -> dict[int, float]:
        """Normalised cross-fade weight of each window index covering ``frame``."""
        raw = {w.index: w.weight(frame) for w in self.windows if w.first <= frame <= w.last}
        total = sum(raw.values())
        return {index: value / total for index, value in raw.items()}
