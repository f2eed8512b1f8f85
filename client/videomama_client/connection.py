"""Channels, credentials and the retry rule.

Retry rule: only UNAVAILABLE is retried (the daemon is starting, restarting or
briefly unreachable), a bounded number of times with exponential backoff, and
only for unary calls, which are safe to repeat.  A job stream is never
retried once started: repeating a submission could run the job twice.
Before starting one the client waits, bounded, for the channel to connect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import grpc

from .errors import DaemonUnavailable, from_rpc_error, not_running_message

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # matches the daemon's default limit
T = TypeVar("T")


def open_channel(address: str, tls: bool | str | None) -> grpc.Channel:
    """``tls``: None/False plain, True with the system's CAs, or a CA bundle path (self-signed daemons)."""
    options = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ]
    if not tls:
        return grpc.insecure_channel(address, options=options)
    root_certificates = None
    if isinstance(tls, str):
        with open(tls, "rb") as stream:
            root_certificates = stream.read()
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates), options=options)


def token_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),) if token else ()


def call_with_retries(
    call: Callable[[], T],
    address: str,
    retries: int,
    backoff_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run a unary call, retrying UNAVAILABLE ``retries`` times; raise a DaemonError."""
    for attempt in range(retries + 1):
        try:
            return call()
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.UNAVAILABLE or attempt == retries:
                raise from_rpc_error(error, address) from None
        sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable")


# The standard health check, called with raw bytes so the client needs no
# health-checking package: an empty request asks about the whole server.
_HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def wait_until_connected(channel: grpc.Channel, address: str, timeout_s: float) -> None:
    """Wait (bounded) until the daemon answers; DaemonUnavailable if it does not.

    A health call with ``wait_for_ready`` rides out a daemon that is still
    starting, without a connectivity-polling thread that would outlive the
    channel.
    """
    ping = channel.unary_unary(_HEALTH_CHECK)
    try:
        ping(b"", timeout=timeout_s, wait_for_ready=True)
    except grpc.RpcError as error:
        if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise DaemonUnavailable(not_running_message(address), grpc.StatusCode.UNAVAILABLE) from None
        raise from_rpc_error(error, address) from None
