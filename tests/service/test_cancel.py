"""Cancelling, clients that vanish, and shutdown: no partial frame is ever left."""

import subprocess
import sys
import textwrap

import pytest
from videomama_client import Cancelled, Client, Failed, Finished, FrameResult, Started

from .support import SETTINGS, assert_no_partial_frames, slow_backends, wait_for

# Each window waits this long first, so a job of the long clip (4 windows)
# runs for well over a second: long enough to be interrupted mid-way.
DELAY_S = 0.4


@pytest.fixture
def slow_daemon(start_daemon):
    return start_daemon(slow_backends(DELAY_S))


def final_event(address: str, job_id: str):
    with Client(address) as watcher:
        return list(watcher.watch(job_id))[-1]


def test_cancel_mid_job(long_clip, slow_daemon, tmp_path):
    output = tmp_path / "out"
    with Client(slow_daemon.address) as client:
        job = client.submit_matte(long_clip.plate, long_clip.mask, str(output / "matte.####.exr"), settings=SETTINGS)
        next(event for event in job if isinstance(event, FrameResult))
        job.cancel()
        last = final_event(slow_daemon.address, job.job_id)
        assert isinstance(last, Failed) and isinstance(last.error, Cancelled)
        assert client.info().server_version  # still serving
    written = sorted(output.glob("matte.*.exr"))
    assert 0 < len(written) < len(long_clip.frames)
    assert_no_partial_frames(output)


def test_cancel_a_queued_job(long_clip, start_daemon, tmp_path):
    daemon = start_daemon(slow_backends(DELAY_S), cpu_workers=1)
    with Client(daemon.address) as client:
        running = client.submit_matte(long_clip.plate, long_clip.mask, str(tmp_path / "a" / "m.####.exr"), settings=SETTINGS)
        next(event for event in running if isinstance(event, Started))  # the only worker is busy
        queued = client.submit_matte(long_clip.plate, long_clip.mask, str(tmp_path / "b" / "m.####.exr"), settings=SETTINGS)
        first = next(queued)
        assert first.position == 1
        assert client.cancel(first.job_id)
        with pytest.raises(Cancelled, match="before it started"):
            queued.wait()
        assert not client.cancel(first.job_id)  # already ended: harmless
        running.cancel()
    assert not (tmp_path / "b").exists()


CLIENT_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from videomama_client import Client, MatteSettings

    address, plate, mask, out = sys.argv[1:]
    client = Client(address)
    settings = MatteSettings(backend="classic", window=4, overlap=1)
    bound = client.submit_matte(plate, mask, out + "/bound/m.####.exr", settings=settings)
    detached = client.submit_matte(plate, mask, out + "/detached/m.####.exr", settings=settings, detach=True)
    print(next(bound).job_id, next(detached).job_id, flush=True)
    time.sleep(60)  # killed long before this
    """
)


def test_a_killed_client_cancels_its_job_but_not_a_detached_one(long_clip, slow_daemon, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", CLIENT_SCRIPT, slow_daemon.address, long_clip.plate, long_clip.mask, str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        bound_id, detached_id = process.stdout.readline().split()
    finally:
        process.kill()
        process.wait()
    bound, detached = final_event(slow_daemon.address, bound_id), final_event(slow_daemon.address, detached_id)
    assert isinstance(bound, Failed) and isinstance(bound.error, Cancelled)
    assert isinstance(detached, Finished) and detached.frames_written == len(long_clip.frames)
    assert_no_partial_frames(tmp_path / "bound")


def test_shutdown_cancels_running_jobs_cleanly(long_clip, slow_daemon, tmp_path):
    output = tmp_path / "out"
    with Client(slow_daemon.address) as client:
        job = client.submit_matte(long_clip.plate, long_clip.mask, str(output / "matte.####.exr"), settings=SETTINGS)
        next(event for event in job if isinstance(event, FrameResult))
        slow_daemon.daemon.stop(grace_s=1.0)
        with pytest.raises(Cancelled):
            job.wait()
    assert_no_partial_frames(output)
    wait_for(lambda: slow_daemon.daemon.manager.jobs() == [], what="no job left running")
