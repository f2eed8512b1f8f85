"""By-reference jobs: the daemon reads the plates and writes the same files as the CLI."""

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from videomama_client import Client, Finished, FrameResult, Queued, Started

from videomama.matting.engine import run_matte
from videomama.matting.request import MatteRequest
from videomama.sequences.pattern import FrameRange

from .support import SETTINGS, assert_same_frames


def in_process(clip, output: str, frames=None) -> None:
    run_matte(
        MatteRequest(
            plate=clip.plate, mask=clip.mask, output=output, frames=frames,
            backend="classic", window=SETTINGS.window, overlap=SETTINGS.overlap,
        )
    )


def test_daemon_job_writes_the_same_files_as_run_matte(clip, client, tmp_path):
    in_process(clip, str(tmp_path / "local" / "matte.####.exr"))
    job = client.submit_matte(clip.plate, clip.mask, str(tmp_path / "daemon" / "matte.####.exr"), settings=SETTINGS)
    events = list(job)

    assert_same_frames(tmp_path / "local", tmp_path / "daemon")
    assert isinstance(events[0], Queued) and isinstance(events[1], Started)
    assert events[1].backend == "classic" and events[1].device == "cpu"
    assert [e.frame for e in events if isinstance(e, FrameResult)] == list(clip.frames)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.frames_written == len(clip.frames)


def test_a_sub_range_matches_too(clip, client, tmp_path):
    in_process(clip, str(tmp_path / "local" / "matte.####.exr"), frames=FrameRange(1003, 1006))
    client.submit_matte(
        clip.plate, clip.mask, str(tmp_path / "daemon" / "matte.####.exr"), frames=(1003, 1006), settings=SETTINGS
    ).wait()
    assert_same_frames(tmp_path / "local", tmp_path / "daemon")


def test_resubmitting_skips_frames_already_up_to_date(clip, client, tmp_path):
    output = str(tmp_path / "matte.####.exr")
    client.submit_matte(clip.plate, clip.mask, output, settings=SETTINGS).wait()
    again = client.submit_matte(clip.plate, clip.mask, output, settings=SETTINGS).wait()
    assert (again.frames_written, again.frames_skipped) == (0, len(clip.frames))


def test_a_watcher_replays_a_detached_job_from_the_start(clip, daemon, tmp_path):
    with Client(daemon.address) as submitter, Client(daemon.address) as watcher:
        job = submitter.submit_matte(
            clip.plate, clip.mask, str(tmp_path / "matte.####.exr"), settings=SETTINGS, detach=True
        )
        first = next(job)
        job.close()  # detached: leaving does not cancel it
        watched = list(watcher.watch(first.job_id))
        jobs = {j.job_id: j for j in watcher.list_jobs(include_finished=True)}
    assert watched[0] == first
    assert isinstance(watched[-1], Finished)
    assert jobs[first.job_id].state == "succeeded" and jobs[first.job_id].detached


def test_get_info_lists_backends_devices_and_limits(client, daemon):
    info = client.info()
    backends = {b.name: b for b in info.backends}
    assert backends["classic"].available and backends["classic"].device == "cpu"
    assert not backends["videomama"].available and backends["videomama"].reason
    assert {o.name for o in backends["classic"].options} >= {"epsilon", "repair_masks"}
    assert any(d.kind == "cpu" for d in info.devices)
    assert info.protocol == "videomama.v1"
    assert info.limits.cpu_workers == daemon.config.cpu_workers and info.limits.gpu_workers == 1
    assert not info.limits.token_required


def test_health_service_answers_serving(daemon):
    with grpc.insecure_channel(daemon.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "videomama.v1.VideoMaMa"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
