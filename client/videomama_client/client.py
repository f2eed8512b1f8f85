"""``Client``: one per daemon address; what plugins, the CLI and farm tasks call."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing

import numpy as np
from videomama_proto.v1 import planes
from videomama_proto.v1 import videomama_pb2 as pb
from videomama_proto.v1 import videomama_pb2_grpc as pb_grpc

from . import events
from .connection import call_with_retries, open_channel, token_metadata, wait_until_connected
from .info import DaemonInfo, JobSummary, daemon_info_from_proto, job_summary_from_proto
from .inline import AlphaAssembler, InlineUpload
from .settings import MatteSettings, TrackSettings
from .stream import JobStream

DEFAULT_ADDRESS = "127.0.0.1:50051"


def _frame_range(frames: tuple[int, int] | None) -> pb.FrameRange | None:
    return None if frames is None else pb.FrameRange(first=frames[0], last=frames[1])


class Client:
    """A connection to one daemon.

    ``timeout`` bounds every unary call (info, cancel, list); job streams run
    as long as their job.  ``connect_timeout`` bounds the wait for the daemon
    before a job stream starts.  ``retries`` UNAVAILABLE retries with
    exponential backoff from ``backoff_s`` apply to unary calls only.
    """

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        token: str | None = None,
        timeout: float = 10.0,
        tls: bool | str | None = None,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff_s: float = 0.2,
    ) -> None:
        self.address = address
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._retries = retries
        self._backoff_s = backoff_s
        self._metadata = token_metadata(token)
        self._channel = open_channel(address, tls)
        self._stub = pb_grpc.VideoMaMaStub(self._channel)

    # -- unary calls ----------------------------------------------------------------

    def _unary(self, method: Callable, request):
        return call_with_retries(
            lambda: method(request, timeout=self._timeout, metadata=self._metadata),
            self.address,
            self._retries,
            self._backoff_s,
        )

    def info(self) -> DaemonInfo:
        return daemon_info_from_proto(self._unary(self._stub.GetInfo, pb.GetInfoRequest()), self.address)

    def cancel(self, job_id: str) -> bool:
        """Cancel a job by id; False if it had already ended."""
        return self._unary(self._stub.CancelJob, pb.CancelJobRequest(job_id=job_id)).cancelled

    def list_jobs(self, include_finished: bool = False) -> list[JobSummary]:
        response = self._unary(self._stub.ListJobs, pb.ListJobsRequest(include_finished=include_finished))
        return [job_summary_from_proto(job) for job in response.jobs]

    # -- job streams ------------------------------------------------------------------

    def _stream(self, method: Callable, request, decode, upload_error=lambda: None) -> JobStream:
        wait_until_connected(self._channel, self.address, self._connect_timeout)
        call = method(request, metadata=self._metadata)
        return JobStream(call, decode, self.address, self.cancel, upload_error)

    def _decode_event(self, response) -> events.JobEvent:
        return events.from_proto(response.event, self.address)

    def submit_matte(
        self,
        plate: str,
        mask: str | TrackSettings,
        output: str,
        *,
        frames: tuple[int, int] | None = None,
        shot: tuple[int, int] | None = None,
        settings: MatteSettings = MatteSettings(),
        plate_layer: str | None = None,
        mask_channel: str | None = None,
        compression: str | None = None,
        write_rgba: bool = False,
        force: bool = False,
        detach: bool = False,
        track_output: str | None = None,
    ) -> JobStream:
        """Matte by reference: sequence patterns as the daemon sees them (absolute paths).

        ``mask`` is the rough mask sequence, or ``TrackSettings`` to track the
        masks from prompts first, in the same job (``frames`` or ``shot`` is
        then required; the masks go to ``track_output``, by default beside
        the output as ``<name>_masks.####.exr``; jump warnings arrive as
        ``JobWarning`` events).  ``detach=True`` keeps the job running if this
        client goes away (farm use); follow it later with ``watch(job_id)``.
        """
        tracked = isinstance(mask, TrackSettings)
        if track_output and not tracked:
            raise ValueError("track_output is where tracked masks go: pass TrackSettings as the mask")
        request = pb.SubmitMatteRequest(
            plate=plate,
            mask=None if tracked else mask,
            track=mask.to_proto() if tracked else None,
            track_output=track_output or "",
            output=output,
            frames=_frame_range(frames),
            shot=_frame_range(shot),
            settings=settings.to_proto(),
            plate_layer=plate_layer or "",
            mask_channel=mask_channel or "",
            compression=compression or "",
            write_rgba=write_rgba,
            force=force,
            detach=detach,
        )
        return self._stream(self._stub.SubmitMatte, request, self._decode_event)

    def submit_track(
        self,
        plate: str,
        output: str,
        frames: tuple[int, int],
        settings: TrackSettings,
        *,
        colorspace: str | None = None,
        plate_layer: str | None = None,
        compression: str | None = None,
        force: bool = False,
        detach: bool = False,
    ) -> JobStream:
        """Track a mask sequence from prompts, by reference (absolute paths).

        Events as for ``submit_matte``: progress (``phase`` "track"), one
        ``FrameResult`` per mask written, ``JobWarning`` for frames where the
        track jumps, then ``Finished`` naming the tracker.  A track already
        up to date (same prompts, plates and settings) is kept unless ``force``.
        """
        request = pb.SubmitTrackRequest(
            plate=plate,
            output=output,
            frames=_frame_range(frames),
            settings=settings.to_proto(),
            colorspace=colorspace or "",
            plate_layer=plate_layer or "",
            compression=compression or "",
            force=force,
            detach=detach,
        )
        return self._stream(self._stub.SubmitTrack, request, self._decode_event)

    def submit_matte_inline(
        self,
        plates: Iterable[np.ndarray],
        masks: Iterable[np.ndarray],
        frames: Sequence[int],
        *,
        settings: MatteSettings = MatteSettings(),
        chunk_bytes: int = planes.DEFAULT_CHUNK_BYTES,
    ) -> JobStream:
        """Matte frames sent from memory; frame results carry ``alpha`` (float16, H x W).

        ``plates``: (H, W, 3) arrays, scene-linear Rec.709 unless
        ``settings.colorspace`` says otherwise; ``masks``: (h, w) arrays, any
        resolution with the plate's aspect ratio; one of each per frame of
        ``frames`` (consecutive).  Arrays are read lazily as they are sent.
        """
        upload = InlineUpload(plates, masks, frames, settings, chunk_bytes)
        assembler = AlphaAssembler(upload.width, upload.height, self.address)
        return self._stream(
            self._stub.SubmitMatteInline, upload.messages(), assembler.decode, lambda: upload.error
        )

    def matte_inline(
        self,
        plates: Iterable[np.ndarray],
        masks: Iterable[np.ndarray],
        frames: Sequence[int],
        *,
        settings: MatteSettings = MatteSettings(),
        on_event: Callable[[events.JobEvent], None] | None = None,
        chunk_bytes: int = planes.DEFAULT_CHUNK_BYTES,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(frame, alpha)`` as frames finish; raise the job's error if it fails.

        Every event (progress, ...) also goes to ``on_event``.  Stopping the
        iteration early cancels the job.
        """
        stream = self.submit_matte_inline(plates, masks, frames, settings=settings, chunk_bytes=chunk_bytes)
        with closing(stream):
            for event in stream:
                if on_event:
                    on_event(event)
                if isinstance(event, events.Failed):
                    raise event.error
                if isinstance(event, events.FrameResult):
                    yield event.frame, event.alpha

    def watch(self, job_id: str, after_sequence: int = 0) -> JobStream:
        """Follow a job submitted earlier; closing this stream never cancels the job."""
        request = pb.WatchJobRequest(job_id=job_id, after_sequence=after_sequence)
        return self._stream(self._stub.WatchJob, request, self._decode_event)

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
