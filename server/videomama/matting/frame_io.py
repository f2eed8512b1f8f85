"""Reading and writing frames beside the backend, so files and the model take turns less.

Reading a 1080p EXR plate and its mask takes ~0.17 s a frame on two cores
(decode, OCIO conversion), writing an alpha ~0.05 s: as long as the learned
backend needs per frame on a GPU.  Done in between windows, the GPU waits
for every read and write.  Here they overlap the model instead:

* ``PrefetchingReader`` reads a window's frames on a few threads and, for a
  backend that computes on a GPU (``reads_ahead``), starts reading the next
  window's as soon as the current one is handed to the backend.  It holds at
  most the current window and the next one's new frames, so memory stays
  flat with shot length (about twice a window of frames instead of once).
* ``BackgroundWriter`` writes finished frames on one thread, in order, while
  the next window computes.  Each frame still goes to a temporary name and
  is renamed; the job reports a frame only once its file is in place (its
  progress is reported from the writer's thread, in order), waits for every
  queued write before it returns, and a failed write fails the job.  A
  cancelled job writes no frame after the stop.

Neither changes a pixel: the same frames are read and written, only earlier.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from ..backends.base import StopToken

Frame = TypeVar("Frame")

# Frame reads in flight: OpenImageIO and OCIO release the GIL, so a few
# threads read a window's frames side by side.
READ_THREADS = min(4, os.cpu_count() or 1)


class PrefetchingReader(Generic[Frame]):
    """Frames read by ``read(frame)`` on worker threads, kept while a window needs them."""

    def __init__(self, read: Callable[[int], Frame], threads: int | None = None) -> None:
        self._read = read
        self._pool = ThreadPoolExecutor(threads or READ_THREADS, thread_name_prefix="videomama-read")
        self._frames: dict[int, Future[Frame]] = {}

    def take(self, frames: Iterable[int]) -> list[Frame]:
        """``frames`` read (waiting for any still in flight); frames outside them are dropped.

        A read that failed raises here, when its window needs it, as a read in
        line would have.
        """
        frames = list(frames)
        self._frames = {f: future for f, future in self._frames.items() if f in frames}
        self._start(frames)
        return [self._frames[f].result() for f in frames]

    def prefetch(self, frames: Iterable[int]) -> None:
        """Start reading ``frames`` (the next window's) that are not read or being read yet."""
        self._start(frames)

    def _start(self, frames: Iterable[int]) -> None:
        for frame in frames:
            if frame not in self._frames:
                self._frames[frame] = self._pool.submit(self._read, frame)

    def get(self, frame: int) -> Frame:
        """A frame of the current window."""
        return self._frames[frame].result()

    def close(self) -> None:
        """Drop what was read and stop reading ahead (reads already running finish)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._frames = {}


class BackgroundWriter:
    """Runs write tasks on one thread, in submission order, with at most ``max_pending`` queued.

    Once ``stop`` is set, writes not yet started are dropped: a cancelled job
    stops writing at once, and what it wrote is complete frames only.  After
    a write fails (a full disk), the later ones are dropped too.  A job that
    fails otherwise (a plate that does not read) still writes the frames it
    finished, as it would have in line: the farm then re-runs less.
    """

    def __init__(self, max_pending: int, stop: StopToken) -> None:
        self._max_pending = max(1, max_pending)
        self._stop = stop
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="videomama-write")
        self._pending: deque[Future[None]] = deque()
        self._dropped = False  # by a stop
        self._failed = False

    def submit(self, write: Callable[[], None]) -> None:
        """Queue ``write``; raises the error of an earlier write that failed.

        Waits for the oldest write when ``max_pending`` are queued, so a
        backend faster than the disk cannot pile finished frames up in memory.
        """
        self._settle(keep=self._max_pending - 1)
        self._pending.append(self._pool.submit(self._run, write))

    def finish(self) -> None:
        """Wait for every queued write; raises the first error among them, or
        ``CancelledError`` if a stop dropped any."""
        try:
            self._settle(keep=0)
        finally:
            self.close()
        if self._dropped:
            self._stop.check()

    def close(self) -> None:
        """Let the queued writes run (or be dropped, as above), without raising their errors.

        For a job that is already failing or cancelled: its own error is the
        one to report.
        """
        self._pool.shutdown(wait=True)
        self._pending.clear()

    def _run(self, write: Callable[[], None]) -> None:
        if self._stop.stopped:
            self._dropped = True
            return
        if self._failed:
            return
        try:
            write()
        except BaseException:
            self._failed = True
            raise

    def _settle(self, keep: int) -> None:
        # Oldest first: the order writes were submitted in is the order they ran.
        while len(self._pending) > keep or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()
