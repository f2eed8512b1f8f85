"""Run a matte job: stream windows through a backend, blend, write, resume.

Memory stays flat with shot length: only the current window's frames (and,
for a backend that computes on a GPU, the next window's, read ahead while it
computes), the partial blends of overlap frames and a window's worth of
frames waiting to be written are held.  Every output frame is written atomically as soon as all windows
covering it are done, so an interrupted job leaves only complete frames, and a
re-run skips the frames whose metadata carries the same settings hash.

A backend whose ``chains_windows`` is true conditions each window on the
alpha already blended for its overlap frames (``WindowInput.prior_alphas``).
Its windows then run from the shot's first, whatever range was asked for,
so a frame's alpha still does not depend on the range; frames outside the
range are computed for the chain but not written.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable

import numpy as np

from .. import __version__
from ..backends import registry
from ..backends.base import MattingBackend, StopToken, WindowInput
from ..sequences.conform import conform_mask, place
from ..sequences.image_read import read_mask, read_metadata, read_plate
from ..sequences.image_write import write_alpha
from ..sequences.pattern import FrameRange
from .frame_io import BackgroundWriter, PrefetchingReader
from .request import MatteRequest, MattePlan, plan

HASH_KEY = "videomama:settings_hash"


@dataclass(frozen=True)
class MatteProgress:
    frames_done: int
    frames_total: int
    window: int  # index of the window just finished, among the job's windows
    windows_total: int
    elapsed_s: float
    eta_s: float | None
    frame: int | None = None  # the frame just written, if any
    path: str | None = None  # that frame's file


@dataclass
class MatteResult:
    backend: str
    output: str
    written: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # already up to date (resume)


ProgressCallback = Callable[[MatteProgress], None]


def run_matte(
    request: MatteRequest,
    on_progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
    backend: MattingBackend | None = None,
) -> MatteResult:
    """Matte ``request.frames``; pass ``backend`` to reuse a loaded model across jobs."""
    backend = backend or registry.create(request.backend, dict(request.options))
    run = _MatteRun(plan(request), backend, on_progress, stop or StopToken())
    run.skip_up_to_date()
    run.stream_windows()
    return run.result


class _MatteRun:
    """One job while it runs: its settings hashes, the frames and windows left to do, what was written."""

    def __init__(self, job: MattePlan, backend: MattingBackend, on_progress: ProgressCallback | None, stop: StopToken) -> None:
        self.job, self.backend, self.on_progress, self.stop = job, backend, on_progress, stop
        self.description = backend.describe()
        self.result = MatteResult(backend=self.description["backend"], output=job.output.display)
        self.chained = bool(getattr(backend, "chains_windows", False))
        self.reads_ahead = bool(getattr(backend, "reads_ahead", False))  # see MattingBackend
        # What is read: the job's windows, or for a chained backend every frame from the shot's start.
        self.reading = _plan_from_shot_start(job) if self.chained else job
        self.todo = set(job.frames)
        self.windows = list(job.windows)
        self.hashes: dict[int, str] = {}
        self.started = 0.0  # when streaming began: elapsed and ETA count the matting only

    def skip_up_to_date(self) -> None:
        """Resume: leave out frames whose output already carries this job's settings hash.

        Each input file is looked at once: the hashes of neighbouring frames
        share most of their windows, and stat/realpath are slow on network storage.
        """
        job, reading = self.job, self.reading
        span = range(reading.windows[0].first, reading.windows[-1].last + 1)
        records = {f: _input_record(reading, f) for f in span}
        chain_inputs = _chain_input_digests(records) if self.chained else None
        self.hashes = {f: _settings_hash(job, f, self.description, records, chain_inputs) for f in job.frames}
        if not job.request.force:
            self.result.skipped = [
                f for f in job.frames if read_metadata(job.output.path(f)).get(HASH_KEY) == self.hashes[f]
            ]
            self.todo -= set(self.result.skipped)
        self.windows = [w for w in job.windows if any(f in self.todo for f in w.frames)]
        if self.chained and self.windows:
            self.windows = job.grid.windows[: self.windows[-1].index + 1]

    def stream_windows(self) -> None:
        """Each window through the backend; a frame is written once its last covering window is done.

        Finished frames are written, and for a backend that ``reads_ahead``
        the next window's frames read, while the backend computes
        (``frame_io``); progress is reported from the writer, after each
        frame's file is in place.
        """
        job, windows = self.job, self.windows
        self.started = time.monotonic()
        reader = PrefetchingReader(partial(_read_frame, self.reading))
        writer = BackgroundWriter(max_pending=job.request.window, stop=self.stop)
        arrays = _WindowArrays()
        blends: dict[int, tuple[np.ndarray, float]] = {}
        try:
            for position, window in enumerate(windows):
                self.stop.check()
                priors = {f: total / seen for f, (total, seen) in blends.items() if f in window.frames} if self.chained else {}
                plates, masks = zip(*reader.take(window.frames))
                inputs = WindowInput(tuple(window.frames), *arrays.stack(plates, masks), priors)
                if self.reads_ahead and position + 1 < len(windows):
                    reader.prefetch(windows[position + 1].frames)
                alphas = self.backend.matte(inputs, self.stop)
                del inputs, plates, masks
                for alpha, frame in zip(alphas, window.frames):
                    if frame not in self.todo and not self.chained:
                        continue
                    weights = job.grid.weights(frame)
                    total, seen = blends.get(frame, (0.0, 0.0))
                    blends[frame] = (total + weights[window.index] * alpha, seen + weights[window.index])
                    if window.index == max(weights):
                        blended, _ = blends.pop(frame)
                        if frame not in self.todo:
                            continue  # computed only to carry the chain
                        preview = reader.get(frame)[0] if job.request.write_rgba else None
                        writer.submit(partial(self._write, frame, blended, preview, position))
                if self.on_progress:
                    writer.submit(partial(self._report, position, None))
            writer.finish()
        finally:
            writer.close()
            reader.close()

    def _write(self, frame: int, alpha: np.ndarray, preview: np.ndarray | None, position: int) -> None:
        """On the writer's thread: the frame's file, then its progress."""
        _write_frame(self.reading, frame, alpha, preview, self.description, self.hashes[frame])
        self.result.written.append(frame)
        self._report(position, frame)

    def _report(self, position: int, frame: int | None) -> None:
        if not self.on_progress:
            return
        done, total = len(self.result.written), len(self.todo)
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (total - done) if done else None
        path = self.job.output.path(frame) if frame is not None else None
        self.on_progress(MatteProgress(done, total, position, len(self.windows), elapsed, eta, frame, path))


class _WindowArrays:
    """A window's plates and masks stacked into arrays kept from one window to the next.

    Fresh arrays for every window cost more than the copy into them: a
    1080p window's 0.5 GB took 1.1-1.7 s of page faults here (the allocator
    gives blocks that large back to the system when they are freed), against
    0.06 s to refill the same memory.  Backends do not keep a ``WindowInput``
    past ``matte()`` (see ``MattingBackend``).
    """

    def __init__(self) -> None:
        self._plates: np.ndarray | None = None
        self._masks: np.ndarray | None = None

    def stack(self, plates, masks) -> tuple[np.ndarray, np.ndarray]:
        count = len(plates)
        if self._plates is None or not self._fits(self._plates, plates) or not self._fits(self._masks, masks):
            self._plates = np.empty((count, *plates[0].shape), plates[0].dtype)
            self._masks = np.empty((count, *masks[0].shape), masks[0].dtype)
        return np.stack(plates, out=self._plates[:count]), np.stack(masks, out=self._masks[:count])

    @staticmethod
    def _fits(array: np.ndarray, frames) -> bool:
        return len(frames) <= array.shape[0] and array.shape[1:] == frames[0].shape and array.dtype == frames[0].dtype


def _read_frame(job: MattePlan, frame: int) -> tuple[np.ndarray, np.ndarray]:
    """A frame's plate and mask on the job's canvas."""
    request = job.request
    plate = read_plate(job.plate.path(frame), layer=request.plate_layer, colorspace=request.colorspace)
    mask = conform_mask(read_mask(job.mask.path(frame), channel=request.mask_channel), plate)
    box = plate.windows.data
    return place(plate.pixels, box, job.canvas), place(mask, box, job.canvas)


def _write_frame(job, frame, alpha, plate, description, settings_hash) -> None:
    """The frame's alpha (and with ``plate``, the premultiplied preview) cut to its own data window."""
    windows = job.plate_windows[frame]
    alpha = place(alpha, job.canvas, windows.data)
    preview = place(plate, job.canvas, windows.data) if plate is not None else None
    metadata = {
        HASH_KEY: settings_hash,
        "videomama:backend": description["backend"],
        "videomama:model": description.get("model", ""),
        "videomama:version": description.get("version", __version__),
        "videomama:frame": str(frame),
        "videomama:plate": job.plate.path(frame),
    }
    write_alpha(
        job.output.path(frame),
        alpha,
        windows,
        metadata=metadata,
        compression=job.request.compression,
        premultiplied_rgb=preview,
    )


def _plan_from_shot_start(job: MattePlan) -> MattePlan:
    """The job widened to start at the shot's first frame (checked like any request)."""
    shot = job.grid.shot
    if job.frames.first == shot.first:
        return job
    return plan(replace(job.request, frames=FrameRange(shot.first, job.frames.last), shot=shot))


def file_record(path: str) -> tuple[str, int, int]:
    """What identifies an input file's content in a settings hash: where it is, size, modification time."""
    stat = os.stat(path)
    return (os.path.realpath(path), stat.st_size, stat.st_mtime_ns)


def settings_digest(settings: dict) -> str:
    """The settings hash written as ``HASH_KEY``: a digest of JSON-able settings."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


def _input_record(job: MattePlan, frame: int) -> list[tuple[str, int, int]]:
    return [file_record(path) for path in (job.plate.path(frame), job.mask.path(frame))]


def _chain_input_digests(records: dict[int, list[tuple[str, int, int]]]) -> dict[int, str]:
    """Per frame, one digest of the input files of every frame from the shot's start to it.

    A chained frame depends on all earlier windows; a running digest keeps
    the hash linear in shot length instead of listing every file per frame.
    """
    digest = hashlib.sha256()
    digests = {}
    for frame in sorted(records):
        digest.update(json.dumps(records[frame]).encode())
        digests[frame] = digest.hexdigest()
    return digests


def _settings_hash(
    job: MattePlan,
    frame: int,
    description: dict[str, str],
    records: dict[int, list[tuple[str, int, int]]],
    chain_inputs: dict[int, str] | None = None,
) -> str:
    """Everything that decides a frame's alpha: settings, backend and the input files it saw.

    Inputs are identified by path, size and modification time of every plate
    and mask frame in the windows covering the frame (for a chained backend,
    every frame from the shot's start), so re-rendering a plate or re-drawing
    a mask invalidates exactly the frames it can affect.
    """
    request = job.request
    covering = [w for w in job.windows if w.first <= frame <= w.last]
    last = max(w.last for w in covering)
    if chain_inputs is not None:
        inputs = chain_inputs[last]
    else:
        inputs = [record for f in range(min(w.first for w in covering), last + 1) for record in records[f]]
    settings = {
        "backend": description,
        "shot": str(job.grid.shot),
        "window": request.window,
        "overlap": request.overlap,
        "colorspace": request.colorspace,
        "plate_layer": request.plate_layer,
        "mask_channel": request.mask_channel,
        "compression": request.compression,
        "write_rgba": request.write_rgba,
        "options": dict(sorted(request.options.items())),
        "inputs": inputs,
    }
    return settings_digest(settings)
