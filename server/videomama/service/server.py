"""Building, starting and stopping the daemon: gRPC server, health, job manager.

``build_server`` wires a server around a job manager (tests call it on
``127.0.0.1:0``); ``Daemon`` owns both and stops them in the right order;
``serve`` is ``videomama serve``: run until SIGTERM or Ctrl-C, then shut down
cleanly.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from videomama_proto.v1 import videomama_pb2 as pb
from videomama_proto.v1 import videomama_pb2_grpc as pb_grpc

from ..config import ServerConfig, check, split_address
from ..errors import InputError
from ..jobs.model_cache import ModelCache
from ..jobs.manager import JobManager
from .activity import ActivityInterceptor
from .auth import TokenInterceptor
from .servicer import VideoMaMaServicer

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["VideoMaMa"].full_name
# Backends poll their stop token between frames, so a cancelled job stops
# within about one frame's work; this only bounds a backend that hangs.
JOB_STOP_TIMEOUT_S = 30.0


def _credentials(config: ServerConfig) -> grpc.ServerCredentials:
    with open(config.tls_key, "rb") as key, open(config.tls_cert, "rb") as cert:
        return grpc.ssl_server_credentials([(key.read(), cert.read())])


def build_server(
    config: ServerConfig, manager: JobManager
) -> tuple[grpc.Server, int, health.HealthServicer]:
    """A bound, not yet started server around ``manager``; returns it, its port and its health servicer."""
    check(config)
    server = grpc.server(
        ThreadPoolExecutor(config.rpc_threads, thread_name_prefix="videomama-rpc"),
        # Activity first: a refused request (no token) is still someone using the daemon.
        interceptors=[ActivityInterceptor(manager.touch), *([TokenInterceptor(config.token)] if config.token else [])],
        options=[
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            # gRPC sets SO_REUSEPORT on Linux, so a second daemon on a taken port
            # would bind it too and the kernel would share connections between
            # them: two processes loading models on one GPU.  One owner per port.
            ("grpc.so_reuseport", 0),
        ],
        # Each open event stream holds a thread; past that, refuse new calls
        # (RESOURCE_EXHAUSTED) rather than let them hang behind long jobs.
        maximum_concurrent_rpcs=config.rpc_threads,
    )
    pb_grpc.add_VideoMaMaServicer_to_server(VideoMaMaServicer(manager), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if not config.tls_cert and not config.is_loopback:
        log.warning("listening on %s without TLS: the token travels in clear text", config.listen)
    try:
        if config.tls_cert:
            port = server.add_secure_port(config.listen, _credentials(config))
        else:
            port = server.add_insecure_port(config.listen)
    except RuntimeError:  # newer grpcio raises where older ones returned 0
        port = 0
    if not port:
        raise InputError(f"cannot listen on {config.listen}: the address is in use or not on this machine")
    return server, port, health_servicer


class Daemon:
    """A job manager and its server, started and stopped together."""

    def __init__(self, config: ServerConfig, models: ModelCache | None = None) -> None:
        self.config = config
        self.manager = JobManager(config, models)
        self.server, self.port, self._health = build_server(config, self.manager)

    @property
    def address(self) -> str:
        host, _ = split_address(self.config.listen)
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    def start(self) -> Daemon:
        self.manager.start()
        self.server.start()
        for service in ("", SERVICE_NAME):
            self._health.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info("videomama daemon listening on %s", self.address)
        return self

    def stop(self, grace_s: float = 5.0, cancel_running: bool = True) -> None:
        """Stop serving: health says NOT_SERVING, jobs are cancelled (their streams
        get the terminal event), workers exit, then the server closes."""
        self._health.enter_graceful_shutdown()
        if not self.manager.shutdown(cancel_running=cancel_running, timeout=JOB_STOP_TIMEOUT_S):
            log.warning("some jobs were still running when the daemon stopped")
        self.server.stop(grace_s).wait()
        log.info("videomama daemon stopped")


def serve(config: ServerConfig, announce=print) -> int:
    """Run the daemon until SIGTERM/SIGINT, or until idle for ``exit_after_idle_s``; returns the exit status."""
    daemon = Daemon(config).start()
    announce(f"videomama daemon listening on {daemon.address}")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # Waking up regularly keeps the main thread responsive to signals everywhere.
    while not stop.wait(1.0):
        idle = daemon.manager.idle_for()
        if config.exit_after_idle_s and idle is not None and idle >= config.exit_after_idle_s:
            announce(f"videomama daemon stopping: no job and no request for {idle:.0f} s")
            break
    announce("videomama daemon stopping: cancelling running jobs")
    daemon.stop()
    return 0
