"""A job's event stream: iterate it, cancel it, or wait for the result.

Closing the stream (``close()``, leaving a ``with`` block, dropping out of a
loop over ``matte_inline``) ends the call; the daemon then cancels the job
unless it was submitted with ``detach=True``.  ``cancel()`` cancels the job
explicitly, detached or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc

from . import events
from .errors import DaemonError, DaemonInternalError, from_rpc_error

# Turns one response message into an event, or None for messages that only
# carry data for a later event (inline alpha chunks).
Decoder = Callable[[Any], "events.JobEvent | None"]


class JobStream(Iterator[events.JobEvent]):
    def __init__(
        self,
        call: Any,  # the grpc response iterator, also a grpc.Call
        decode: Decoder,
        address: str,
        cancel_job: Callable[[str], Any],
        upload_error: Callable[[], DaemonError | None] = lambda: None,
    ) -> None:
        self._call = call
        self._decode = decode
        self._address = address
        self._cancel_job = cancel_job
        self._upload_error = upload_error
        self.job_id: str | None = None
        self.last: events.JobEvent | None = None
        self._ended = False

    def __iter__(self) -> JobStream:
        return self

    def __next__(self) -> events.JobEvent:
        if self._ended:
            raise StopIteration
        try:
            while True:
                event = self._decode(next(self._call))
                if event is not None:
                    break
        except StopIteration:
            self._ended = True
            if self.last is None or not isinstance(self.last, events.TERMINAL):
                raise DaemonInternalError("the daemon closed the job's stream before the job ended") from None
            raise
        except grpc.RpcError as error:
            self._ended = True
            raise self._upload_error() or from_rpc_error(error, self._address) from None
        self.job_id = event.job_id
        self.last = event
        if isinstance(event, events.Failed) and self._upload_error():
            event = events.Failed(event.job_id, event.sequence, event.time, self._upload_error())
        return event

    def wait(self, on_event: Callable[[events.JobEvent], None] | None = None) -> events.Finished:
        """Follow the job to its end; return ``Finished`` or raise the failure's exception."""
        for event in self:
            if on_event:
                on_event(event)
            if isinstance(event, events.Failed):
                raise event.error
            if isinstance(event, events.Finished):
                return event
        raise DaemonInternalError("the job's stream ended without a result")

    def cancel(self) -> None:
        """Cancel the job (detached or not) and close the stream."""
        if self.job_id is not None and not self._ended:
            try:
                self._cancel_job(self.job_id)
            except DaemonError:
                pass  # it ended or the daemon went away: either way it is not running
        self.close()

    def close(self) -> None:
        """Stop following; a job not submitted with ``detach`` is cancelled by the daemon."""
        self._ended = True
        self._call.cancel()

    def __enter__(self) -> JobStream:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

