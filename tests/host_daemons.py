"""A fixture for both test roots (the main environment's and tests/blender's, which is its own)."""

from __future__ import annotations

import signal
import subprocess

import pytest


@pytest.fixture
def started_daemons(monkeypatch):
    """The daemons the host nodes start in a test (``videomama_hosts.local_daemon``), stopped after it."""
    from videomama_hosts import local_daemon

    processes = []
    real_start = local_daemon.start

    def recording_start(*args, **kwargs):
        process = real_start(*args, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(local_daemon, "start", recording_start)
    yield processes
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
