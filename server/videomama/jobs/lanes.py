"""Worker lanes: a FIFO queue and the threads that drain it.

The daemon has two: ``gpu`` with one worker, because jobs on the one
accelerator must run one after another (two models resident at once would
not fit, and interleaving windows helps nobody), and ``cpu`` with up to
``cpu_workers`` threads for the CPU backend, whose jobs can run side by side.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from ..backends import registry
from ..backends.videomama.devices import cuda_probably_present
from .job import Job

log = logging.getLogger(__name__)

CPU = "cpu"
GPU = "gpu"
GPU_WORKERS = 1

# Backends known to need no accelerator.  A backend may also say so itself
# with a ``device = "cpu"`` class attribute; anything else is assumed to use
# the GPU and is serialised, which is the safe mistake to make.
_CPU_BACKENDS = frozenset({"classic"})


def device_for(backend: str) -> str:
    """The lane a concrete backend's jobs run on."""
    declared = getattr(registry.backend_class(backend), "device", None)
    if declared in (CPU, GPU):
        return declared
    return CPU if backend in _CPU_BACKENDS else GPU


def device_for_tracker(tracker: str) -> str:
    """The lane a concrete tracker's jobs run on: SAM2 picks CUDA itself when
    there is a GPU (so it must queue behind other GPU jobs); the flow tracker
    is CPU work."""
    return GPU if tracker == "sam2" and cuda_probably_present() else CPU


class Lane:
    def __init__(self, name: str, workers: int, execute: Callable[[Job], None]) -> None:
        self.name = name
        self.workers = workers
        self._execute = execute
        self._waiting: deque[Job] = deque()
        self._changed = threading.Condition()
        self._closing = False
        self._threads = [
            threading.Thread(target=self._work, name=f"videomama-{name}-{i}", daemon=True)
            for i in range(workers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False if the lane is closing or the job ended (was cancelled) first."""
        with self._changed:
            if self._closing or not job.enter_queue(len(self._waiting) + 1):
                return False
            self._waiting.append(job)
            self._changed.notify()
            return True

    def withdraw(self, job: Job) -> bool:
        """Take a waiting job off the queue; False if it is not waiting here."""
        with self._changed:
            try:
                self._waiting.remove(job)
            except ValueError:
                return False
            self._renumber()
            return True

    def waiting(self) -> list[Job]:
        with self._changed:
            return list(self._waiting)

    def close(self) -> list[Job]:
        """Stop taking jobs; workers exit after their current job.  Returns the jobs left waiting."""
        with self._changed:
            self._closing = True
            left = list(self._waiting)
            self._waiting.clear()
            self._changed.notify_all()
        return left

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the workers to exit; False if any is still busy after ``timeout``."""
        for thread in self._threads:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in self._threads)

    def _renumber(self) -> None:
        # Called with the lock held: tell every job still waiting where it now stands.
        for position, job in enumerate(self._waiting, start=1):
            job.enter_queue(position)

    def _next(self) -> Job | None:
        with self._changed:
            while not self._waiting and not self._closing:
                self._changed.wait()
            if self._closing:
                return None
            job = self._waiting.popleft()
            self._renumber()
            return job

    def _work(self) -> None:
        while (job := self._next()) is not None:
            try:
                self._execute(job)
            except BaseException:  # a worker thread must survive any job
                log.exception("worker %s crashed on job %s", threading.current_thread().name, job.id)
