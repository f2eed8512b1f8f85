"""Track and track-then-matte jobs through a real daemon: the CLI's files, events, errors, cancel."""

from dataclasses import replace

import numpy as np
import pytest
from videomama_client import (
    Box,
    Cancelled,
    Client,
    Failed,
    Finished,
    FrameResult,
    InvalidRequest,
    JobWarning,
    MaskKeyframe,
    PermissionDenied,
    Point,
    Progress,
    Queued,
    Started,
    TrackSettings,
)

from videomama.cli.main import main
from videomama.jobs import lanes
from videomama.sequences.image_read import read_mask, read_metadata
from videomama.sequences.image_write import write_image
from videomama.sequences.pattern import FrameRange
from videomama.tracking import prompts as core
from videomama.tracking.runner import TrackRequest, run_track

from .support import SETTINGS, alpha, assert_no_partial_frames, assert_same_frames, slow_trackers

CLI_MATTE = ["--backend", "classic", "--window", "4", "--overlap", "1", "-q"]


def keyframe(clip, frame: int | None = None) -> str:
    """The clip's exact alpha of one frame: a roto keyframe as a host would rasterise it."""
    return str(clip.folder / f"alpha.{frame or clip.first}.exr")


def test_a_track_job_writes_what_videomama_track_writes(clip, client, tmp_path):
    key = keyframe(clip)
    frames = FrameRange(clip.first, clip.last)
    run_track(TrackRequest(clip.plate, str(tmp_path / "local" / "masks.####.exr"), frames, core.Prompts(masks=[core.MaskKeyframe(clip.first, key)])))
    output = str(tmp_path / "daemon" / "masks.####.exr")
    events = list(client.submit_track(clip.plate, output, (clip.first, clip.last), TrackSettings(mask_keyframes={clip.first: key})))

    assert_same_frames(tmp_path / "local", tmp_path / "daemon", name="masks")
    assert isinstance(events[0], Queued) and isinstance(events[1], Started)
    assert (events[1].backend, events[1].device) == ("flow", "cpu")
    progress = [e for e in events if isinstance(e, Progress)]
    assert {e.phase for e in progress} == {"track"} and progress[-1].frames_done == len(clip.frames)
    assert [(e.frame, e.path) for e in events if isinstance(e, FrameResult)] == [
        (f, output.replace("####", str(f))) for f in clip.frames
    ]
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert (finished.tracker, finished.frames_written, finished.output) == ("flow", len(clip.frames), output)
    [summary] = client.list_jobs(include_finished=True)
    assert summary.kind == "track" and "tracker flow" in summary.description

    # The same track again is kept, untouched.
    again = client.submit_track(clip.plate, output, (clip.first, clip.last), TrackSettings(mask_keyframes={clip.first: key}))
    assert (again.wait().frames_written, again.last.frames_skipped) == (0, len(clip.frames))


def test_a_track_then_matte_job_writes_what_the_cli_writes(clip, client, tmp_path):
    key = keyframe(clip)
    prompts = ["--mask-keyframe", f"{clip.first}={key}", "--frames", f"{clip.first}-{clip.last}"]
    assert main(["matte", "--plate", clip.plate, *prompts, *CLI_MATTE, "--out", str(tmp_path / "local" / "matte.####.exr")]) == 0
    output = str(tmp_path / "daemon" / "matte.####.exr")
    job = client.submit_matte(
        clip.plate, TrackSettings(mask_keyframes={clip.first: key}), output,
        frames=(clip.first, clip.last), settings=SETTINGS,
    )
    events = list(job)

    assert_same_frames(tmp_path / "local", tmp_path / "daemon", name="matte_masks")
    for frame in clip.frames:
        # Same pixels; the settings hashes differ only because each names its own mask files.
        name = f"matte.{frame}.exr"
        np.testing.assert_array_equal(alpha(tmp_path / "local" / name), alpha(tmp_path / "daemon" / name))
    phases = [e.phase for e in events if isinstance(e, Progress)]
    assert phases[0] == "track" and phases[-1] == "matte" and phases == sorted(phases, reverse=True)
    # The masks are an intermediate: frame results are the alpha frames only.
    assert [e.path for e in events if isinstance(e, FrameResult)] == [output.replace("####", str(f)) for f in clip.frames]
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert (finished.backend, finished.tracker, finished.frames_written) == ("classic", "flow", len(clip.frames))
    assert finished.masks == str(tmp_path / "daemon" / "matte_masks.####.exr")
    assert client.list_jobs(include_finished=True)[0].kind == "track_then_matte"


def test_jump_warnings_are_warning_events_before_the_matte_starts(clip, client, tmp_path):
    # A last keyframe that outlines something else: the track jumps there.
    elsewhere = np.zeros((64, 96), np.float32)
    elsewhere[2:14, 2:20] = 1.0
    wrong = str(tmp_path / "wrong.exr")
    write_image(wrong, elsewhere, ("A",))
    settings = TrackSettings(mask_keyframes={1001: keyframe(clip), 1004: wrong})
    events = list(client.submit_matte(
        clip.plate, settings, str(tmp_path / "matte.####.exr"), frames=(1001, 1004), settings=SETTINGS
    ))
    warnings = [i for i, e in enumerate(events) if isinstance(e, JobWarning)]
    assert warnings
    first_matte = next(i for i, e in enumerate(events) if isinstance(e, Progress) and e.phase == "matte")
    assert max(warnings) < first_matte
    jump = events[warnings[0]]
    assert jump.frame in (1003, 1004) and jump.message.startswith(f"frame {jump.frame}: the mask jumps")


@pytest.fixture(scope="module")
def second_object(tmp_path_factory) -> str:
    """A roto keyframe of a second object: a patch of the clip's background."""
    mask = np.zeros((64, 96), np.float32)
    mask[4:20, 62:90] = 1.0
    path = str(tmp_path_factory.mktemp("prop") / "prop.1001.exr")
    write_image(path, mask, ("A",))
    return path


def test_a_track_job_with_two_objects_writes_their_layers(clip, client, second_object, tmp_path):
    hero, prop = (keyframe(clip), "hero"), (second_object, "prop")
    frames = FrameRange(clip.first, clip.last)
    local = str(tmp_path / "local" / "masks.####.exr")
    run_track(TrackRequest(clip.plate, local, frames, core.Prompts(masks=[core.MaskKeyframe(clip.first, *hero), core.MaskKeyframe(clip.first, *prop)])))
    settings = TrackSettings(mask_keyframes=[MaskKeyframe(clip.first, *hero), MaskKeyframe(clip.first, *prop)])
    output = str(tmp_path / "daemon" / "masks.####.exr")
    finished = client.submit_track(clip.plate, output, (clip.first, clip.last), settings).wait()
    assert finished.frames_written == len(clip.frames)
    for frame in clip.frames:
        ours, theirs = local.replace("####", str(frame)), output.replace("####", str(frame))
        assert read_metadata(ours)["videomama:settings_hash"] == read_metadata(theirs)["videomama:settings_hash"]
        for channel in ("hero.A", "prop.A"):
            np.testing.assert_array_equal(read_mask(ours, channel).pixels, read_mask(theirs, channel).pixels)
        assert read_mask(theirs, "prop.A").pixels.any() and read_mask(theirs, "hero.A").pixels.any()

    # Merged: one A, the union.
    merged = str(tmp_path / "merged" / "masks.####.exr")
    client.submit_track(clip.plate, merged, (clip.first, clip.last), replace(settings, object_output="merged")).wait()
    first = merged.replace("####", str(clip.first))
    union = np.maximum(*(read_mask(local.replace("####", str(clip.first)), c).pixels for c in ("hero.A", "prop.A")))
    np.testing.assert_array_equal(read_mask(first, "A").pixels, union)

    # A track-then-matte job mattes the union by default.
    done = client.submit_matte(clip.plate, settings, str(tmp_path / "tm" / "matte.####.exr"), frames=(1001, 1004), settings=SETTINGS).wait()
    np.testing.assert_array_equal(read_mask(done.masks.replace("####", str(clip.first)), "A").pixels, union)


def test_a_track_then_matte_job_can_matte_each_object(clip, client, second_object, tmp_path):
    settings = TrackSettings(mask_keyframes=[MaskKeyframe(clip.first, keyframe(clip), "hero"),
                                             MaskKeyframe(clip.first, second_object, "prop")], object_output="layers")
    output = str(tmp_path / "daemon" / "matte.{object}.####.exr")
    written = []
    finished = client.submit_matte(clip.plate, settings, output, frames=(1001, 1004), settings=SETTINGS).wait(
        lambda event: written.append(event.path) if isinstance(event, FrameResult) else None)
    assert (finished.output, finished.frames_written) == (output, 8)
    assert finished.masks == str(tmp_path / "daemon" / "matte_masks.####.exr")
    expected = [output.replace("{object}", name).replace("####", str(frame))
                for name in ("hero", "prop") for frame in range(1001, 1005)]
    assert sorted(written) == sorted(expected)
    # The same as the CLI run locally with the same prompts.
    local = str(tmp_path / "local" / "matte.{object}.####.exr")
    keys = ["--mask-keyframe", f"hero:{clip.first}={keyframe(clip)}", "--mask-keyframe", f"prop:{clip.first}={second_object}"]
    assert main(["matte", "--plate", clip.plate, "--frames", "1001-1004", *keys, *CLI_MATTE, "--objects", "layers", "--out", local]) == 0
    for name in expected:   # same pixels; the hashes differ only because each names its own mask files
        local_name = name.replace(str(tmp_path / "daemon"), str(tmp_path / "local"))
        np.testing.assert_array_equal(alpha(name), alpha(local_name))
    with pytest.raises(InvalidRequest, match="one matte per object needs {object} in the output path"):
        client.submit_matte(clip.plate, settings, str(tmp_path / "x" / "m.####.exr"), frames=(1001, 1004), settings=SETTINGS).wait()


@pytest.mark.parametrize("settings,words", [
    (TrackSettings(points=[Point(1001, 10, 10, object="1hero")]), "object name '1hero' is not valid"),
    (TrackSettings(mask_keyframes=[MaskKeyframe(1001, "/a.exr", "hero"), MaskKeyframe(1001, "/b.exr", "hero")]),
     "frame hero:1001 has two mask keyframes"),
    (TrackSettings(mask_keyframes={1001: "/a.exr"}, object_output="stacked"), "unknown objects output 'stacked'"),
])
def test_bad_objects_are_invalid_arguments(settings, words, clip, client, tmp_path):
    with pytest.raises(InvalidRequest, match=words):
        client.submit_track(clip.plate, str(tmp_path / "m.####.exr"), (1001, 1004), settings).wait()


@pytest.fixture(scope="module")
def empty_keyframe(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("empty") / "empty.exr")
    write_image(path, np.zeros((64, 96), np.float32), ("A",))
    return path


# name -> given (keyframe, empty keyframe): (the `videomama track` prompt
# arguments, the same prompts as TrackSettings fields; words of the message)
BAD_PROMPTS = {
    "point outside the frame": (
        lambda key, empty: (["--points", "1001:200,10,+"], {"points": [Point(1001, 200, 10)]}), "outside the 96x64 frame"
    ),
    "keyframe outside the range": (
        lambda key, empty: (["--mask-keyframe", f"1020={key}"], {"mask_keyframes": {1020: key}}), "outside the tracked frames"
    ),
    "empty keyframe mask": (
        lambda key, empty: (["--mask-keyframe", f"1001={empty}"], {"mask_keyframes": {1001: empty}}), "is empty"
    ),
    "unknown tracker": (
        lambda key, empty: (["--mask-keyframe", f"1001={key}", "--tracker", "nope"], {"mask_keyframes": {1001: key}, "tracker": "nope"}),
        "unknown tracker 'nope'",
    ),
    "reversed box": (lambda key, empty: (["--box", "1001:30,40,1,2"], {"boxes": [Box(1001, 30, 40, 1, 2)]}), "reversed"),
}


@pytest.mark.parametrize("name", BAD_PROMPTS)
def test_bad_prompts_are_invalid_arguments_with_the_clis_message(name, clip, empty_keyframe, client, tmp_path, capsys):
    make, words = BAD_PROMPTS[name]
    arguments, fields = make(keyframe(clip), empty_keyframe)
    output = tmp_path / "out" / "masks.####.exr"
    assert main(["track", "--plate", clip.plate, "--frames", "1001-1008", "--out", str(output), *arguments, "-q"]) == 1
    cli_message = capsys.readouterr().err.strip().removeprefix("videomama: error: ")
    assert words in cli_message

    with pytest.raises(InvalidRequest) as track_error:
        client.submit_track(clip.plate, str(output), (1001, 1008), TrackSettings(**fields)).wait()
    with pytest.raises(InvalidRequest) as track_then_matte_error:
        client.submit_matte(
            clip.plate, TrackSettings(**fields), str(tmp_path / "out" / "matte.####.exr"),
            frames=(1001, 1008), settings=SETTINGS,
        ).wait()
    assert str(track_error.value) == str(track_then_matte_error.value) == cli_message
    assert not output.parent.exists()
    assert client.list_jobs(include_finished=True) == []


def test_track_paths_follow_the_matte_jobs_rules(clip, client, tmp_path):
    output = str(tmp_path / "out" / "m.####.exr")
    with pytest.raises(InvalidRequest, match="mask keyframe 1001 'roto.1001.exr' must be an absolute path"):
        client.submit_track(clip.plate, output, (1001, 1008), TrackSettings(mask_keyframes={1001: "roto.1001.exr"})).wait()
    with pytest.raises(InvalidRequest, match="needs the frames to track"):
        client.submit_matte(clip.plate, TrackSettings(mask_keyframes={1001: keyframe(clip)}), output, settings=SETTINGS).wait()
    assert not (tmp_path / "out").exists()


def test_every_output_of_a_track_stays_inside_the_output_roots(clip, start_daemon, tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    daemon = start_daemon(output_roots=(str(allowed),))
    track = TrackSettings(mask_keyframes={clip.first: keyframe(clip)})
    with Client(daemon.address) as client:
        with pytest.raises(PermissionDenied, match="outside the daemon's output roots"):
            client.submit_track(clip.plate, str(tmp_path / "elsewhere" / "m.####.exr"), (1001, 1004), track).wait()
        with pytest.raises(PermissionDenied, match="outside the daemon's output roots"):
            client.submit_matte(
                clip.plate, track, str(allowed / "matte.####.exr"), frames=(1001, 1004), settings=SETTINGS,
                track_output=str(tmp_path / "elsewhere" / "masks.####.exr"),
            ).wait()
        finished = client.submit_matte(clip.plate, track, str(allowed / "matte.####.exr"), frames=(1001, 1004), settings=SETTINGS).wait()
    assert finished.masks == str(allowed / "matte_masks.####.exr")
    assert not (tmp_path / "elsewhere").exists()


def final_event(address: str, job_id: str):
    with Client(address) as watcher:
        return list(watcher.watch(job_id))[-1]


def test_cancelling_a_track_job_stops_it_and_leaves_only_complete_masks(long_clip, start_daemon, tmp_path):
    daemon = start_daemon(slow_trackers(0.2))
    output = tmp_path / "out" / "masks.####.exr"
    settings = TrackSettings(mask_keyframes={long_clip.first: keyframe(long_clip)})
    with Client(daemon.address) as client:
        job = client.submit_track(long_clip.plate, str(output), (long_clip.first, long_clip.last), settings)
        next(event for event in job if isinstance(event, FrameResult))
        job.cancel()
        last = final_event(daemon.address, job.job_id)
    assert isinstance(last, Failed) and isinstance(last.error, Cancelled)
    written = sorted(output.parent.glob("masks.*.exr"))
    assert 0 < len(written) < len(long_clip.frames)
    assert_no_partial_frames(output.parent)
    # A partial track is never taken for a finished one: the next run tracks every frame.
    frames = FrameRange(long_clip.first, long_clip.last)
    rerun = run_track(TrackRequest(long_clip.plate, str(output), frames, core.Prompts(masks=[core.MaskKeyframe(long_clip.first, keyframe(long_clip))])))
    assert rerun.written == list(frames) and rerun.skipped == []


def test_cancelling_a_track_then_matte_job_while_it_tracks(long_clip, start_daemon, tmp_path):
    daemon = start_daemon(slow_trackers(0.2))
    settings = TrackSettings(mask_keyframes={long_clip.first: keyframe(long_clip)})
    with Client(daemon.address) as client:
        job = client.submit_matte(
            long_clip.plate, settings, str(tmp_path / "matte.####.exr"),
            frames=(long_clip.first, long_clip.last), settings=SETTINGS,
        )
        next(event for event in job if isinstance(event, Progress))  # tracking has written a mask
        job.cancel()
        last = final_event(daemon.address, job.job_id)
    assert isinstance(last, Failed) and isinstance(last.error, Cancelled)
    assert list(tmp_path.glob("matte.*.exr")) == []  # the matte never started
    assert_no_partial_frames(tmp_path)


def test_trackers_pick_their_lane(monkeypatch):
    assert lanes.device_for_tracker("flow") == lanes.CPU
    monkeypatch.setattr(lanes, "cuda_probably_present", lambda: True)
    assert lanes.device_for_tracker("sam2") == lanes.GPU
    monkeypatch.setattr(lanes, "cuda_probably_present", lambda: False)
    assert lanes.device_for_tracker("sam2") == lanes.CPU


def test_the_daemon_keeps_its_tracker_loaded_between_tracks(clip, start_daemon, tmp_path):
    from videomama.jobs.model_cache import ModelCache
    from videomama.tracking import registry as tracking_registry

    built = []
    models = ModelCache(600.0, create_tracker=lambda name: built.append(name) or tracking_registry.create(name))
    daemon = start_daemon(models)
    settings = TrackSettings(mask_keyframes={clip.first: keyframe(clip)})
    with Client(daemon.address) as client:
        for take in ("a", "b"):  # an artist tracking again (here: into a new folder)
            finished = client.submit_track(clip.plate, str(tmp_path / take / "masks.####.exr"), (clip.first, clip.last), settings).wait()
            assert finished.frames_written == len(clip.frames)
    assert built == ["flow"]
    assert_same_frames(tmp_path / "a", tmp_path / "b", name="masks")
