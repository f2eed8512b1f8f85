"""``videomama jobs``: list, watch and cancel a real daemon's jobs from the command line."""

import json

from videomama_client import Cancelled, Client, Failed, FrameResult, Started

from videomama.cli.main import main

from .support import SETTINGS, slow_backends


def submit(client, clip, out, detach=True):
    return client.submit_matte(clip.plate, clip.mask, str(out / "m.####.exr"), settings=SETTINGS, detach=detach)


def test_the_list_shows_running_and_queued_jobs_then_with_all_the_ended_ones(long_clip, start_daemon, tmp_path, capsys):
    daemon = start_daemon(slow_backends(0.3), cpu_workers=1)
    with Client(daemon.address) as client:
        running = submit(client, long_clip, tmp_path / "a")
        next(event for event in running if isinstance(event, Started))
        queued = submit(client, long_clip, tmp_path / "b")
        queued_id = next(queued).job_id
        assert main(["jobs", "--server", daemon.address]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].split()[:3] == ["ID", "STATE", "KIND"]
        rows = {line.split()[0]: line for line in lines[1:]}
        assert set(rows) == {running.job_id, queued_id}
        assert " running " in rows[running.job_id] and "classic" in rows[running.job_id]
        assert " queued #1 " in rows[queued_id] and f"/{len(long_clip.frames)} " in rows[queued_id]
        client.cancel(queued_id)
        assert main(["jobs", "--server", daemon.address, "--all", "--json"]) == 0
        listed = {job["job_id"]: job["state"] for job in json.loads(capsys.readouterr().out)}
        assert listed[queued_id] == "cancelled" and listed[running.job_id] == "running"
        client.cancel(running.job_id)


def test_cancel_stops_a_detached_job_and_says_when_there_is_nothing_to_cancel(long_clip, start_daemon, tmp_path, capsys):
    daemon = start_daemon(slow_backends(0.3))
    with Client(daemon.address) as client:
        job = submit(client, long_clip, tmp_path)
        next(event for event in job if isinstance(event, FrameResult))
        assert main(["jobs", "cancel", job.job_id, "--server", daemon.address]) == 0
        assert f"job {job.job_id} cancelled" in capsys.readouterr().out
        last = list(client.watch(job.job_id))[-1]
        assert isinstance(last, Failed) and isinstance(last.error, Cancelled)
    assert main(["jobs", "cancel", job.job_id, "--server", daemon.address]) == 1
    assert "had already ended: nothing to cancel" in capsys.readouterr().err
    assert main(["jobs", "cancel", "no-such-job", "--server", daemon.address]) == 1
    assert "no-such-job" in capsys.readouterr().err


def test_watch_follows_a_job_submitted_elsewhere_to_its_end(long_clip, start_daemon, tmp_path, capsys):
    daemon = start_daemon(slow_backends(0.05))
    with Client(daemon.address) as client:
        job = submit(client, long_clip, tmp_path)
        job_id = next(job).job_id
        job.close()  # the submitting client goes away; a detached job runs on
        assert main(["jobs", "watch", job_id, "--server", daemon.address, "-q"]) == 0
    out = capsys.readouterr().out
    assert f"job {job_id} finished: {len(long_clip.frames)} frames written" in out
    assert len(list(tmp_path.glob("m.*.exr"))) == len(long_clip.frames)
