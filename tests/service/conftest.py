"""Fixtures for the daemon tests: clips, and real daemons on free loopback ports."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from videomama_client import Client

from videomama.config import ServerConfig
from videomama.jobs.model_cache import ModelCache
from videomama.service.server import Daemon

from .support import Clip, make_clip


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Clip:
    return make_clip(tmp_path_factory.mktemp("clip"), frames=8)


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory) -> Clip:
    """Enough windows (4) for a slowed-down job to be interrupted in the middle."""
    return make_clip(tmp_path_factory.mktemp("long_clip"), frames=12, seed=1)


@dataclass
class RunningDaemon:
    address: str
    config: ServerConfig
    daemon: Daemon

    def __iter__(self):  # unpacks as (address, config)
        return iter((self.address, self.config))


@pytest.fixture
def start_daemon(tmp_path):
    """Start daemons on 127.0.0.1:0 with config overrides; all stopped at teardown."""
    running: list[Daemon] = []

    def start(models: ModelCache | None = None, **overrides) -> RunningDaemon:
        scratch = tmp_path / f"scratch{len(running)}"
        scratch.mkdir()
        config = replace(ServerConfig(listen="127.0.0.1:0", scratch_dir=str(scratch), cpu_workers=2), **overrides)
        daemon = Daemon(config, models).start()
        running.append(daemon)
        return RunningDaemon(daemon.address, config, daemon)

    yield start
    for daemon in running:
        daemon.stop(grace_s=1.0)


@pytest.fixture
def daemon(start_daemon) -> RunningDaemon:
    return start_daemon()


@pytest.fixture
def client(daemon):
    with Client(daemon.address, timeout=10.0) as connected:
        yield connected
