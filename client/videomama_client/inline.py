"""Inline jobs on the client side: frames out as float16 chunks, alpha back.

Frames are read from the caller's iterables one at a time while they are
sent, so a host can stream a long shot without holding it in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from videomama_proto.v1 import planes
from videomama_proto.v1 import videomama_pb2 as pb

from . import events
from .errors import InvalidRequest
from .settings import MatteSettings


def _plate_shape(plate: np.ndarray, frame: int) -> tuple[int, int]:
    if plate.ndim != 3 or plate.shape[2] != 3:
        raise InvalidRequest(f"plate of frame {frame} must be height x width x 3 (RGB), got shape {plate.shape}")
    return plate.shape[0], plate.shape[1]


def _mask_plane(mask: np.ndarray, frame: int) -> np.ndarray:
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2:
        raise InvalidRequest(f"mask of frame {frame} must be height x width, got shape {mask.shape}")
    return mask


def _consecutive(frames: Sequence[int]) -> tuple[int, int]:
    frames = list(frames)
    if not frames or frames != list(range(frames[0], frames[0] + len(frames))):
        raise InvalidRequest("inline frames must be consecutive and ascending, e.g. range(1001, 1049)")
    return frames[0], frames[-1]


class InlineUpload:
    """The request stream of one inline job: header, chunks of every frame, end marker.

    A problem with the caller's arrays found mid-stream is kept in ``error``;
    the stream then stops without its end marker, the daemon fails the job,
    and the client reports ``error`` instead of the daemon's generic message.
    """

    def __init__(
        self,
        plates: Iterable[np.ndarray],
        masks: Iterable[np.ndarray],
        frames: Sequence[int],
        settings: MatteSettings,
        chunk_bytes: int = planes.DEFAULT_CHUNK_BYTES,
    ) -> None:
        first, last = _consecutive(frames)
        self._frames = range(first, last + 1)
        self._plates, self._masks = iter(plates), iter(masks)
        # Peek at the first frame for the geometry the header announces.
        try:
            first_plate, first_mask = next(self._plates), next(self._masks)
        except StopIteration:
            raise InvalidRequest("no plate or no mask was given") from None
        self.height, self.width = _plate_shape(first_plate, first)
        self.mask_height, self.mask_width = _mask_plane(first_mask, first).shape
        self._plates = itertools.chain([first_plate], self._plates)
        self._masks = itertools.chain([first_mask], self._masks)
        self._settings = settings
        self._chunk_bytes = chunk_bytes
        self.error: InvalidRequest | None = None

    def header(self) -> pb.SubmitMatteInlineRequest:
        return pb.SubmitMatteInlineRequest(
            header=pb.InlineHeader(
                settings=self._settings.to_proto(),
                frames=pb.FrameRange(first=self._frames.start, last=self._frames.stop - 1),
                width=self.width,
                height=self.height,
                mask_width=self.mask_width,
                mask_height=self.mask_height,
            )
        )

    def messages(self) -> Iterator[pb.SubmitMatteInlineRequest]:
        yield self.header()
        try:
            for frame in self._frames:
                plate, mask = next(self._plates, None), next(self._masks, None)
                if plate is None or mask is None:
                    raise InvalidRequest(f"frames stop at {frame - 1}, but {self._frames.stop - 1} was announced")
                if _plate_shape(plate, frame) != (self.height, self.width):
                    raise InvalidRequest(f"plate of frame {frame} is not {self.width}x{self.height} like the first")
                mask = _mask_plane(mask, frame)
                if mask.shape != (self.mask_height, self.mask_width):
                    raise InvalidRequest(f"mask of frame {frame} is not {self.mask_width}x{self.mask_height} like the first")
                for chunk in planes.plane_chunks(frame, pb.PLANE_PLATE, plate, self._chunk_bytes):
                    yield pb.SubmitMatteInlineRequest(chunk=chunk)
                for chunk in planes.plane_chunks(frame, pb.PLANE_MASK, mask, self._chunk_bytes):
                    yield pb.SubmitMatteInlineRequest(chunk=chunk)
        except InvalidRequest as error:
            self.error = error
            return
        yield pb.SubmitMatteInlineRequest(end=pb.InlineEnd())


class AlphaAssembler:
    """Turns the inline response stream into events, alpha attached to frame results."""

    def __init__(self, width: int, height: int, address: str) -> None:
        self._shape = (height, width)
        self._address = address
        self._planes: dict[int, bytearray] = {}

    def decode(self, response: pb.SubmitMatteInlineResponse) -> events.JobEvent | None:
        if response.WhichOneof("part") == "alpha":
            self._add(response.alpha)
            return None
        event = response.event
        alpha = None
        if event.WhichOneof("kind") == "frame_result":
            alpha = self._complete(event.frame_result.frame)
        return events.from_proto(event, self._address, alpha)

    def _add(self, chunk: pb.PlaneChunk) -> None:
        buffer = self._planes.setdefault(chunk.frame, bytearray())
        if chunk.offset != len(buffer) or chunk.offset + len(chunk.data) > chunk.total_bytes:
            raise InvalidRequest(f"the daemon sent alpha of frame {chunk.frame} out of order")
        buffer += chunk.data

    def _complete(self, frame: int) -> np.ndarray:
        data = self._planes.pop(frame, b"")
        expected = self._shape[0] * self._shape[1] * planes.WIRE_DTYPE.itemsize
        if len(data) != expected:
            raise InvalidRequest(f"the daemon sent {len(data)} bytes of alpha for frame {frame}, expected {expected}")
        return np.frombuffer(data, planes.WIRE_DTYPE).reshape(self._shape)
