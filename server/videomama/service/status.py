"""Domain errors -> gRPC status codes: the one table, and the guard that applies it.

Every servicer method is wrapped by ``guarded``: a domain error ends the RPC
with its code and its own one-line message; anything unexpected is logged
with its traceback and ends the RPC with INTERNAL, and the daemon goes on
serving.  Failed job events use ``code_for`` too, so a client sees the same
code whether a job was refused at submission or failed while running.
"""

from __future__ import annotations

import functools
import inspect
import logging

import grpc

from ..errors import (
    CancelledError,
    InputError,
    MissingInputError,
    NotAvailableError,
    OutputConflictError,
    VideoMamaError,
)
from ..jobs.job import failure_message

log = logging.getLogger(__name__)

# First match wins, so subclasses come before their base classes.
_CODES: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (CancelledError, grpc.StatusCode.CANCELLED),
    (OutputConflictError, grpc.StatusCode.PERMISSION_DENIED),
    (MissingInputError, grpc.StatusCode.NOT_FOUND),
    (InputError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotAvailableError, grpc.StatusCode.FAILED_PRECONDITION),
    (VideoMamaError, grpc.StatusCode.UNKNOWN),
)


def code_for(error: BaseException) -> grpc.StatusCode:
    for error_class, code in _CODES:
        if isinstance(error, error_class):
            return code
    return grpc.StatusCode.INTERNAL


def _abort(context: grpc.ServicerContext, error: Exception) -> None:
    code = code_for(error)
    if code is grpc.StatusCode.INTERNAL:
        log.error("unexpected error in %s", type(error).__name__, exc_info=error)
    context.abort(code, failure_message(error))  # raises


def guarded(method):
    """Map exceptions raised by a servicer method (unary or streaming) to statuses."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def streaming(self, request, context):
            try:
                yield from method(self, request, context)
            except Exception as error:
                _abort(context, error)

        return streaming

    @functools.wraps(method)
    def unary(self, request, context):
        try:
            return method(self, request, context)
        except Exception as error:
            _abort(context, error)

    return unary
