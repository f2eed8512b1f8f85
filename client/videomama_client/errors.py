"""What can go wrong talking to the daemon, as typed exceptions.

One table maps gRPC status codes to exception classes.  It serves both a
failed call and a job's ``failed`` event (whose codes are gRPC's numbers), so
a plugin handles "missing frames" the same way whether the daemon refused the
job up front or found out while running it.
"""

from __future__ import annotations

import grpc


class DaemonError(Exception):
    """Base class; ``str(error)`` is one line a compositor can act on."""

    def __init__(self, message: str, code: grpc.StatusCode = grpc.StatusCode.UNKNOWN) -> None:
        super().__init__(message)
        self.code = code


class DaemonUnavailable(DaemonError):
    """No daemon answers at the address (not started, crashed, wrong address)."""


class InvalidRequest(DaemonError):
    """Bad input: pattern, range, sizes, options, a malformed inline upload."""


class NotFound(DaemonError):
    """Missing frames or files, or an unknown job id."""


class PermissionDenied(DaemonError):
    """The output is outside the daemon's output roots or would overwrite an input."""


class Unauthenticated(DaemonError):
    """The daemon needs a token and none, or a wrong one, was given."""


class NotReady(DaemonError):
    """The request is valid but cannot run now or here (backend unavailable, shutting down)."""


class Cancelled(DaemonError):
    """The job was cancelled, by this client or another."""


class DaemonBusy(DaemonError):
    """The daemon is at its limit of open calls; try again shortly."""


class DeadlineExceeded(DaemonError):
    """The daemon did not answer in time."""


class DaemonInternalError(DaemonError):
    """A bug or an unexpected failure in the daemon; its log has the details."""


_BY_CODE: dict[grpc.StatusCode, type[DaemonError]] = {
    grpc.StatusCode.UNAVAILABLE: DaemonUnavailable,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidRequest,
    grpc.StatusCode.OUT_OF_RANGE: InvalidRequest,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.FAILED_PRECONDITION: NotReady,
    grpc.StatusCode.CANCELLED: Cancelled,
    grpc.StatusCode.RESOURCE_EXHAUSTED: DaemonBusy,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}
_CODE_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def not_running_message(address: str) -> str:
    return f"daemon not running at {address} — start it with `videomama serve`"


def error_for(code: grpc.StatusCode, message: str, address: str) -> DaemonError:
    """The exception for a status code (from a call or a failed event)."""
    error_class = _BY_CODE.get(code, DaemonInternalError)
    if error_class is DaemonUnavailable:
        message = not_running_message(address)
    elif error_class is DeadlineExceeded:
        message = f"the daemon at {address} did not answer in time ({message})"
    return error_class(message or code.name.lower().replace("_", " "), code)


def error_for_number(number: int, message: str, address: str) -> DaemonError:
    return error_for(_CODE_BY_NUMBER.get(number, grpc.StatusCode.UNKNOWN), message, address)


def from_rpc_error(error: grpc.RpcError, address: str) -> DaemonError:
    return error_for(error.code(), error.details() or "", address)
