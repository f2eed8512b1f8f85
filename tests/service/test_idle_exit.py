"""A daemon told to (``exit_after_idle_s``) stops itself once nobody has used it for that long."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from videomama_client import Client, FrameResult

from videomama.config import load
from videomama.errors import InputError

from .support import SETTINGS, slow_backends, wait_for

VIDEOMAMA = Path(sys.executable).parent / "videomama"


def test_the_setting_comes_from_the_environment_and_must_not_be_negative():
    assert load(environ={"VIDEOMAMA_EXIT_AFTER_IDLE_S": "3600"}).exit_after_idle_s == 3600.0
    assert load(environ={}).exit_after_idle_s == 0.0  # by default a daemon runs until stopped
    with pytest.raises(InputError, match="exit_after_idle_s must be 0"):
        load(environ={}, exit_after_idle_s=-1)


def test_a_running_job_is_never_idle_and_requests_restart_the_count(long_clip, start_daemon, tmp_path):
    daemon = start_daemon(slow_backends(0.3))
    manager = daemon.daemon.manager
    with Client(daemon.address) as client:
        job = client.submit_matte(long_clip.plate, long_clip.mask, str(tmp_path / "m.####.exr"), settings=SETTINGS)
        next(event for event in job if isinstance(event, FrameResult))
        assert manager.idle_for() is None  # busy, however long the job
        list(job)  # to its end
        wait_for(lambda: manager.idle_for() is not None, what="the job to be recorded as ended")
        before = manager.idle_for()
        wait_for(lambda: manager.idle_for() > before, what="idle time to grow")
        asked = time.monotonic()
        client.info()  # a host asking counts as use: idle since then at most
        assert manager.idle_for() <= time.monotonic() - asked


def test_serve_stops_by_itself_after_the_idle_time():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    process = subprocess.run(
        [str(VIDEOMAMA), "serve", "--listen", address, "--exit-after-idle", "1"],
        capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 0, process.stderr
    assert "videomama daemon stopping: no job and no request for 1 s" in process.stdout
