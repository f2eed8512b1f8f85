"""The gRPC servicer: log, call the job manager, build the response.

Decisions live in the domain (``videomama.jobs``); conversions in ``convert``;
error codes in ``status``.  What is left here is the RPC plumbing: following a
job's event log while the stream is open, and cancelling a job whose client
went away unless it asked to be detached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import grpc
from videomama_proto.v1 import videomama_pb2 as pb
from videomama_proto.v1 import videomama_pb2_grpc as pb_grpc

from ..errors import CancelledError
from ..jobs.events import FrameDone
from ..jobs.inline import Chunk, End
from ..jobs.job import Job
from ..jobs.manager import JobManager
from . import convert
from .status import guarded

log = logging.getLogger(__name__)


def _first_message(requests: Iterator[pb.SubmitMatteInlineRequest]) -> pb.SubmitMatteInlineRequest | None:
    try:
        return next(requests, None)
    except grpc.RpcError:  # the client left before saying anything
        raise CancelledError("the client closed the inline stream") from None


def _inline_parts(requests: Iterator[pb.SubmitMatteInlineRequest]) -> Iterator[Chunk | End]:
    """The client's upload as domain parts; a broken stream reads as a cancel."""
    try:
        for message in requests:
            yield convert.inline_part(message)
    except grpc.RpcError:
        raise CancelledError("the client closed the inline stream") from None


class VideoMaMaServicer(pb_grpc.VideoMaMaServicer):
    def __init__(self, manager: JobManager) -> None:
        self._manager = manager

    @guarded
    def GetInfo(self, request, context):
        return convert.capabilities(self._manager.capabilities(), pb.DESCRIPTOR.package)

    @guarded
    def SubmitMatte(self, request, context):
        job = self._manager.submit_matte(convert.matte_request(request), detached=request.detach)
        yield from self._submitted(job, context, request.detach, pb.SubmitMatteResponse)

    @guarded
    def SubmitTrack(self, request, context):
        job = self._manager.submit_track(convert.track_request(request), detached=request.detach)
        yield from self._submitted(job, context, request.detach, pb.SubmitTrackResponse)

    @guarded
    def SubmitMatteInline(self, request_iterator, context):
        spec = convert.inline_spec(_first_message(request_iterator))
        upload = self._manager.open_inline(spec, _inline_parts(request_iterator))
        log.info("inline job %s opened by %s: %s", upload.job.id, context.peer(), upload.job.description)
        chunk_bytes = self._manager.config.chunk_bytes
        for event in self._follow(upload.job, context, cancel_on_disconnect=True):
            if isinstance(event.payload, FrameDone):
                # The frame's alpha goes first, so its FrameResult means "complete".
                alpha = upload.outbox.take(event.payload.frame)
                for chunk in convert.alpha_chunks(event.payload.frame, alpha, chunk_bytes):
                    yield pb.SubmitMatteInlineResponse(alpha=chunk)
            yield pb.SubmitMatteInlineResponse(event=convert.job_event(event))

    @guarded
    def WatchJob(self, request, context):
        job = self._manager.get(request.job_id)
        for event in self._follow(job, context, cancel_on_disconnect=False, after=request.after_sequence):
            yield pb.WatchJobResponse(event=convert.job_event(event))

    @guarded
    def CancelJob(self, request, context):
        cancelled = self._manager.cancel(request.job_id)
        log.info("job %s cancel requested by %s", request.job_id, context.peer())
        state = self._manager.get(request.job_id).state
        return pb.CancelJobResponse(cancelled=cancelled, state=convert.job_state(state))

    @guarded
    def ListJobs(self, request, context):
        jobs = self._manager.jobs(include_ended=request.include_finished)
        return pb.ListJobsResponse(jobs=[convert.job_summary(job) for job in jobs])

    def _submitted(self, job: Job, context, detached: bool, response):
        """A by-reference job's events as ``response`` messages, from the start."""
        log.info("%s job %s submitted by %s: %s", job.kind.value, job.id, context.peer(), job.description)
        for event in self._follow(job, context, cancel_on_disconnect=not detached):
            yield response(event=convert.job_event(event))

    def _follow(self, job: Job, context, cancel_on_disconnect: bool, after: int = 0):
        """The job's events for as long as the RPC lives.

        When the RPC ends for any reason the callback runs: the follower stops
        waiting and, for a job bound to this client, the job is cancelled (a
        no-op if it already ended).
        """
        rpc_over = threading.Event()

        def on_rpc_end() -> None:
            rpc_over.set()
            job.log.wake()
            if cancel_on_disconnect and self._manager.cancel_job(job):
                log.info("job %s cancelled: its client went away", job.id)

        if not context.add_callback(on_rpc_end):
            on_rpc_end()  # the RPC had already ended
        return job.log.follow(after=after, abandon=rpc_over)
