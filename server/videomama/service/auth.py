"""Token check on every call: ``authorization: Bearer <token>`` in the metadata.

The comparison is constant-time (``hmac.compare_digest``) so the response
time does not reveal how much of a guessed token was right.  The health
service is exempt: orchestrators and load balancers probe it without
credentials, and it reveals nothing but SERVING / NOT_SERVING.
"""

from __future__ import annotations

import hmac

import grpc

METADATA_KEY = "authorization"
HEALTH_PREFIX = "/grpc.health.v1.Health/"  # every method of the health service
_REFUSAL = "this daemon requires a token: pass --token or set VIDEOMAMA_TOKEN (missing or wrong token)"


def _refuse(request_or_iterator, context):
    context.abort(grpc.StatusCode.UNAUTHENTICATED, _REFUSAL)


def _refusing_handler(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """A handler of the same streaming shape as ``handler`` that refuses the call."""
    factories = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }
    factory = factories[(handler.request_streaming, handler.response_streaming)]
    return factory(
        _refuse,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


class TokenInterceptor(grpc.ServerInterceptor):
    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(HEALTH_PREFIX):
            return handler
        given = dict(handler_call_details.invocation_metadata).get(METADATA_KEY, "")
        if isinstance(given, str):
            given = given.encode()
        if hmac.compare_digest(given, self._expected):
            return handler
        return _refusing_handler(handler)
