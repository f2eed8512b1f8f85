"""Inline matte jobs: frames arrive over the wire, alpha goes back the same way.

The daemon does not grow a second matting path for this.  Received frames are
materialised as half-float EXRs in a private folder, the ordinary by-reference
job runs on that folder, and each alpha it writes is read back and handed to
the stream.  So inline and by-reference results are the same pixels, and the
folder is removed when the job ends, however it ends.

Wire format (see the ``.proto``): float16, little-endian, row-major, top row
first; the plate interleaves R, G, B.  Each plane arrives as consecutive
chunks; anything else is a malformed upload and fails the job with
INVALID_ARGUMENT.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..matting.request import MatteRequest
from ..matting.windows import WindowGrid
from ..sequences.conform import check_mask_fits
from ..sequences.image_read import read_mask
from ..sequences.image_write import write_image
from ..sequences.images import ImageWindows
from ..sequences.pattern import FrameRange, SequencePattern, format_frame_list
from .events import FramesReceived
from .job import Job
from .matte_work import check_frame_size

WIRE_DTYPE = np.dtype("<f2")
# Writing the EXRs, not the network, limits how fast an upload is taken in
# (gRPC alone moves ~1 GB/s on loopback); two writers overlap the encoding.
WRITER_THREADS = 2
# Frames whose EXR is still being written while more arrive; beyond this the
# upload waits, so a fast client cannot pile frames up in the daemon's memory.
MAX_FRAMES_IN_FLIGHT = 4
# The private files are temporary: skip compression, it only costs time.
SCRATCH_COMPRESSION = "none"


class Plane(enum.Enum):
    PLATE = "plate"
    MASK = "mask"
    ALPHA = "alpha"


@dataclass(frozen=True)
class InlineSpec:
    """The header of an inline job."""

    frames: FrameRange
    width: int
    height: int
    mask_width: int = 0  # 0: the plate's size
    mask_height: int = 0
    backend: str = "auto"
    window: int = 16
    overlap: int = 4
    colorspace: str | None = None  # the plates' colour space; None = scene-linear Rec.709
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def mask_size(self) -> tuple[int, int]:
        return (self.mask_width or self.width, self.mask_height or self.height)

    def plane_shape(self, plane: Plane) -> tuple[int, ...]:
        if plane is Plane.PLATE:
            return (self.height, self.width, 3)
        if plane is Plane.MASK:
            return (self.mask_size[1], self.mask_size[0])
        return (self.height, self.width)

    def plane_bytes(self, plane: Plane) -> int:
        return int(np.prod(self.plane_shape(plane))) * WIRE_DTYPE.itemsize

    def check(self, max_frame_pixels: int) -> None:
        """Geometry and windowing, before a single pixel is accepted."""
        if self.width < 1 or self.height < 1:
            raise InputError(f"inline frames must be at least 1x1, got {self.width}x{self.height}")
        if bool(self.mask_width) != bool(self.mask_height):
            raise InputError("give both mask_width and mask_height, or neither (same size as the plate)")
        check_frame_size(self.width, self.height, max_frame_pixels, "the inline plate")
        check_frame_size(*self.mask_size, max_frame_pixels, "the inline mask")
        check_mask_fits(
            ImageWindows.full_frame(*self.mask_size), "inline mask",
            ImageWindows.full_frame(self.width, self.height), "inline plate",
        )
        WindowGrid(self.frames, self.window, self.overlap)


@dataclass(frozen=True)
class Chunk:
    frame: int
    plane: Plane
    offset: int
    total_bytes: int
    data: bytes


class End:
    """The client has sent every frame."""


class AlphaOutbox:
    """Alpha planes read back from the private output, waiting to be streamed."""

    def __init__(self) -> None:
        self._planes: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def collect(self, frame: int, path: str) -> None:
        alpha = read_mask(path, channel="A").pixels[:, :, 0]
        with self._lock:
            self._planes[frame] = alpha.astype(WIRE_DTYPE)

    def take(self, frame: int) -> np.ndarray:
        with self._lock:
            return self._planes.pop(frame)


class _PlaneBuffer:
    def __init__(self, size: int) -> None:
        self.data = bytearray(size)
        self.received = 0

    @property
    def complete(self) -> bool:
        return self.received == len(self.data)


class InlineUpload:
    """Receives one inline job's frames into ``folder`` (owned by the job)."""

    def __init__(self, job: Job, spec: InlineSpec, folder: str) -> None:
        self.job = job
        self.spec = spec
        self.folder = folder
        self.outbox = AlphaOutbox()
        self._plate = SequencePattern.parse(os.path.join(folder, "plate.####.exr"))
        self._mask = SequencePattern.parse(os.path.join(folder, "mask.####.exr"))
        self._buffers: dict[tuple[int, Plane], _PlaneBuffer] = {}
        self._done: set[int] = set()
        self._bytes = 0
        self._writes: list[Future] = []

    def request(self) -> MatteRequest:
        """The by-reference job that mattes the materialised frames."""
        spec = self.spec
        return MatteRequest(
            plate=self._plate.display,
            mask=self._mask.display,
            output=os.path.join(self.folder, "alpha.####.exr"),
            frames=spec.frames,
            shot=spec.frames,
            backend=spec.backend,
            window=spec.window,
            overlap=spec.overlap,
            colorspace=spec.colorspace,
            compression=SCRATCH_COMPRESSION,
            options=dict(spec.options),
        )

    def receive(self, parts: Iterable[Chunk | End]) -> MatteRequest:
        """Consume the client's parts until ``End``; every frame on disk when it returns.

        Raises InputError for a malformed upload and CancelledError when the
        job is cancelled; either way no write is still running afterwards.
        """
        with ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix=f"videomama-inline-{self.job.id}") as writer:
            try:
                for part in parts:
                    self.job.stop.check()
                    if isinstance(part, End):
                        self._finish()
                        return self.request()
                    self._add(part, writer)
                raise InputError("the inline stream ended before its end marker")
            except BaseException:
                for write in self._writes:
                    write.cancel()
                raise

    # -- chunks -------------------------------------------------------------------

    def _add(self, chunk: Chunk, writer: ThreadPoolExecutor) -> None:
        buffer = self._buffer_for(chunk)
        size = len(chunk.data)
        if chunk.offset != buffer.received:
            raise InputError(
                f"malformed inline chunk: {chunk.plane.value} of frame {chunk.frame} continues at byte "
                f"{buffer.received}, but the chunk starts at {chunk.offset} (chunks must be sent in order)"
            )
        if size == 0 or chunk.offset + size > len(buffer.data):
            raise InputError(
                f"malformed inline chunk: {size} bytes at offset {chunk.offset} do not fit the "
                f"{len(buffer.data)}-byte {chunk.plane.value} of frame {chunk.frame}"
            )
        buffer.data[chunk.offset : chunk.offset + size] = chunk.data
        buffer.received += size
        self._bytes += size
        if buffer.complete and self._frame_complete(chunk.frame):
            self._materialise(chunk.frame, writer)

    def _buffer_for(self, chunk: Chunk) -> _PlaneBuffer:
        spec = self.spec
        if chunk.frame not in spec.frames:
            raise InputError(f"malformed inline chunk: frame {chunk.frame} is outside the job's frames {spec.frames}")
        if chunk.plane not in (Plane.PLATE, Plane.MASK):
            raise InputError(f"malformed inline chunk: clients send plate and mask planes, not {chunk.plane.value}")
        if chunk.frame in self._done:
            raise InputError(f"malformed inline chunk: frame {chunk.frame} was already sent")
        expected = spec.plane_bytes(chunk.plane)
        if chunk.total_bytes != expected:
            shape = "x".join(str(n) for n in spec.plane_shape(chunk.plane))
            raise InputError(
                f"malformed inline chunk: the {chunk.plane.value} of frame {chunk.frame} is {shape} "
                f"float16 = {expected} bytes, but the chunk says {chunk.total_bytes}"
            )
        key = (chunk.frame, chunk.plane)
        if key not in self._buffers:
            # A buffer holds a whole plane: cap how many frames may be half-sent.
            open_frames = {frame for frame, _ in self._buffers} | {chunk.frame}
            if len(open_frames) > MAX_FRAMES_IN_FLIGHT:
                raise InputError(
                    f"malformed inline upload: {len(open_frames)} frames started at once; finish a frame's "
                    f"planes before starting more than {MAX_FRAMES_IN_FLIGHT}"
                )
            self._buffers[key] = _PlaneBuffer(expected)
        return self._buffers[key]

    def _frame_complete(self, frame: int) -> bool:
        buffers = [self._buffers.get((frame, plane)) for plane in (Plane.PLATE, Plane.MASK)]
        return all(buffer is not None and buffer.complete for buffer in buffers)

    # -- frames -------------------------------------------------------------------

    def _materialise(self, frame: int, writer: ThreadPoolExecutor) -> None:
        spec = self.spec
        plate = np.frombuffer(self._buffers.pop((frame, Plane.PLATE)).data, WIRE_DTYPE)
        mask = np.frombuffer(self._buffers.pop((frame, Plane.MASK)).data, WIRE_DTYPE)
        self._done.add(frame)
        # Acknowledge receipt now; writing the EXR overlaps with the next frame's upload.
        self.job.publish(FramesReceived(len(self._done), len(spec.frames), self._bytes))
        # Surface a failed write early (result() raises it), forget finished ones.
        pending = []
        for write in self._writes:
            if write.done():
                write.result()
            else:
                pending.append(write)
        while len(pending) >= MAX_FRAMES_IN_FLIGHT:
            pending.pop(0).result()
        self._writes = pending
        self._writes.append(
            writer.submit(
                self._write_frame,
                frame,
                plate.reshape(spec.plane_shape(Plane.PLATE)),
                mask.reshape(spec.plane_shape(Plane.MASK)),
            )
        )

    def _write_frame(self, frame: int, plate: np.ndarray, mask: np.ndarray) -> None:
        write_image(self._plate.path(frame), plate, ("R", "G", "B"), compression=SCRATCH_COMPRESSION)
        write_image(self._mask.path(frame), mask, ("A",), compression=SCRATCH_COMPRESSION)

    def _finish(self) -> None:
        missing = [frame for frame in self.spec.frames if frame not in self._done]
        if missing:
            raise InputError(
                f"malformed inline upload: the end marker came before frames "
                f"{format_frame_list(missing, max_runs=8)} were completely sent"
            )
        for write in self._writes:
            write.result()  # surfaces a failed write (disk full ...) as the job's error
        self._writes.clear()
