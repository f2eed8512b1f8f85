"""Every request counts as use of the daemon, for ``exit_after_idle_s``.

The health service does not: orchestrators probing it are not using the
daemon, and must not keep one alive that nobody else talks to.
"""

from __future__ import annotations

from collections.abc import Callable

import grpc

from .auth import HEALTH_PREFIX


class ActivityInterceptor(grpc.ServerInterceptor):
    def __init__(self, on_request: Callable[[], None]) -> None:
        self._on_request = on_request

    def intercept_service(self, continuation, handler_call_details):
        if not handler_call_details.method.startswith(HEALTH_PREFIX):
            self._on_request()
        return continuation(handler_call_details)
