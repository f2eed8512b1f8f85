"""By-reference jobs: the daemon reads the plates and writes the same files as the CLI."""

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from videomama_client import Client, Finished, FrameResult, Queued, Started
from videomama_client.info import daemon_info_from_proto
from videomama_proto.v1 import videomama_pb2 as pb

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


def test_get_info_lists_trackers_and_the_prompts_each_takes(client, monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path / "no-models"))  # the daemon runs in this process
    trackers = {t.name: t for t in client.info().trackers}
    assert set(trackers) == {"flow", "sam2"}
    flow, sam2 = trackers["flow"], trackers["sam2"]
    assert flow.available and flow.chosen_by_auto and flow.needs_mask_keyframe and not flow.takes_points_and_boxes
    assert sam2.takes_points_and_boxes and not sam2.needs_mask_keyframe
    assert not sam2.available and not sam2.chosen_by_auto and "videomama models fetch sam2" in sam2.reason
    assert sam2.display_name and flow.display_name != sam2.display_name


def test_info_from_a_daemon_that_predates_tracker_reports_has_none():
    older = pb.GetInfoResponse(
        server_version="0.0.9", protocol="videomama.v1", backends=[pb.BackendInfo(name="classic", available=True)]
    )
    info = daemon_info_from_proto(pb.GetInfoResponse.FromString(older.SerializeToString()), "host:1")
    assert info.trackers == () and [b.name for b in info.backends] == ["classic"]


def test_health_service_answers_serving(daemon):
    with grpc.insecure_channel(daemon.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "videomama.v1.VideoMaMa"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
