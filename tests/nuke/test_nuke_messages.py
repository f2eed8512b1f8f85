"""Progress mapping, error lines and the library path: pure Python, no Nuke."""

from __future__ import annotations

import grpc
import pytest
import videomama_client as vc
from videomama_nuke import errors, libs
from videomama_nuke.progress import ProgressTracker, Report, format_duration


def event(cls, *fields):
    return cls("job-1", 1, 0.0, *fields)


def test_progress_events_map_to_a_percentage_and_a_line():
    tracker = ProgressTracker()
    assert tracker.update(event(vc.Queued, 2)) == Report(0, "waiting for the daemon (position 2 in its queue)")
    assert tracker.update(event(vc.Started, "classic", "cpu")) == Report(0, "matting with classic on CPU")
    report = tracker.update(event(vc.Progress, 3, 8, 0, 3, 1.5, 95.0, 1003))
    assert report == Report(37, "frame 3/8, window 1/3, 1 min 35 s left")
    assert tracker.update(event(vc.FrameResult, 1003, "/c/matte.1003.exr")) is None
    assert tracker.update(event(vc.JobWarning, "mask empty on 1004")).message == "warning: mask empty on 1004"
    assert tracker.warnings == ["mask empty on 1004"]
    done = tracker.update(event(vc.Finished, "/c/matte.####.exr", "classic", 6, 2))
    assert done == Report(100, "done with classic: 6 frames written, 2 already up to date")


def test_progress_never_goes_backwards_nor_reaches_100_before_the_end():
    tracker = ProgressTracker()
    tracker.update(event(vc.Progress, 6, 8, 1, 3, 1.0, None, None))
    assert tracker.update(event(vc.Progress, 2, 8, 2, 3, 1.0, None, None)).percent == 75
    assert tracker.update(event(vc.Progress, 2, 8, 2, 3, 1.0, None, None)) is None  # nothing new to show
    assert tracker.update(event(vc.Progress, 8, 8, 2, 3, 1.0, 0.0, None)).percent == 99


def test_a_track_then_matte_job_fills_one_bar_over_both_phases():
    tracker = ProgressTracker(tracking=True)
    assert tracker.update(event(vc.Started, "classic", "cpu")).message == "tracking, then matting with classic on CPU"
    # Tracking fills the first fifth of the bar (videomama_hosts.phases), matting the rest.
    assert tracker.update(event(vc.Progress, 4, 8, 0, 0, 0.5, None, 1004, "track")) == Report(10, "tracking frame 4/8")
    assert tracker.update(event(vc.Progress, 8, 8, 0, 0, 1.0, None, 1008, "track")).percent == 20
    jump = tracker.update(event(vc.JobWarning, "frame 1006: the mask jumps (IoU 0.41)", 1006))
    assert jump == Report(20, "warning: frame 1006: the mask jumps (IoU 0.41)")
    matting = tracker.update(event(vc.Progress, 2, 8, 0, 2, 3.0, 9.0, 1002, "matte"))
    assert matting == Report(40, "matting frame 2/8, window 1/2, 9 s left")
    assert tracker.update(event(vc.Progress, 8, 8, 1, 2, 6.0, 0.0, 1008, "matte")).percent == 99
    done = tracker.update(event(vc.Finished, "/c/matte.####.exr", "classic", 8, 0, "flow", "/c/tracked.####.exr"))
    assert done == Report(100, "done: masks tracked with flow, matted with classic, 8 frames written")
    assert tracker.jump_frames == [1006] and tracker.warnings == ["frame 1006: the mask jumps (IoU 0.41)"]


def test_warnings_with_a_frame_are_jumps_only_in_tracking_jobs():
    tracker = ProgressTracker()
    tracker.update(event(vc.JobWarning, "frame 1003: something else", 1003))
    assert tracker.jump_frames == [] and tracker.warnings == ["frame 1003: something else"]


def test_the_final_status_puts_jumps_before_other_warnings():
    from videomama_nuke.jobs import JobResult

    done = "done: masks tracked with flow, matted with classic, 8 frames written"
    plain = JobResult(8, 0, "classic", done)
    assert plain.status((1001, 1008)) == f"Computed frames 1001-1008: {done}"
    warned = JobResult(8, 0, "classic", done, ["frame 1004: the mask jumps", "frame 1005: the mask jumps"], [1004, 1005])
    assert warned.status((1001, 1008)) == (
        f"Computed frames 1001-1008: {done}; the tracked mask jumps on frames 1004-1005: "
        "check the matte there and add a click or a mask keyframe"
    )
    other = JobResult(8, 0, "classic", done, ["mask empty on 1004"])
    assert other.status((1001, 1008)) == f"Computed frames 1001-1008: {done}; 1 warning(s): mask empty on 1004"


@pytest.mark.parametrize(("seconds", "text"), [(0.4, "0 s"), (59, "59 s"), (61, "1 min 01 s"), (7322, "2 h 02 min")])
def test_durations(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (errors.PluginError("connect a plate\n to the Source input"), "connect a plate to the Source input"),
        (vc.DaemonUnavailable(vc.errors.not_running_message("127.0.0.1:9")),
         "daemon not running at 127.0.0.1:9 — start it with `videomama serve`"),
        (vc.NotReady("backend 'videomama' is not available: weights not installed"),
         "the daemon cannot run this job now: backend 'videomama' is not available: weights not installed"),
        (vc.InvalidRequest("frames 1-9 lie outside the shot 1-8"), "the daemon refused the job: frames 1-9 lie outside the shot 1-8"),
        (vc.NotFound("missing frames 3-4"), "the daemon is missing input frames: missing frames 3-4"),
        (vc.PermissionDenied("/x is outside the output roots"),
         "the daemon may not write the cache directory (set one under its output roots): /x is outside the output roots"),
        (vc.Unauthenticated(""), "the daemon needs a token: set VIDEOMAMA_TOKEN before starting Nuke"),
        (vc.DaemonInternalError("boom"), "the daemon failed (see its log): boom"),
        (vc.Cancelled("cancelled by client"), "cancelled"),
        (ValueError("bad\nthing"), "unexpected ValueError: bad thing (details in Nuke's terminal output)"),
    ],
)
def test_every_error_is_one_line_saying_where_it_comes_from(error, line):
    assert errors.user_message(error) == line


def test_cancellations_are_recognised_from_both_sides():
    assert errors.is_cancellation(errors.Cancelled("cancelled while rendering"))
    assert errors.is_cancellation(vc.Cancelled("x", grpc.StatusCode.CANCELLED))
    assert not errors.is_cancellation(vc.NotFound("x"))


def test_library_dirs_are_appended_never_prepended(tmp_path):
    plugin = tmp_path / "checkout" / "plugin_nuke"
    (plugin / "lib").mkdir(parents=True)
    (tmp_path / "checkout" / "client" / "videomama_client").mkdir(parents=True)
    (tmp_path / "checkout" / "proto").mkdir()
    (plugin / "lib" / "py311").mkdir()
    (plugin / "lib" / "py310").mkdir()
    path = ["/nuke/site-packages"]
    added = libs.add_library_dirs(path, str(plugin), version=(3, 11))
    assert path[0] == "/nuke/site-packages"
    assert added == [
        str(plugin / "lib" / "py311"),  # this Python's wheels, then the shared pure-Python packages
        str(plugin / "lib"),
        str(tmp_path / "checkout" / "client"),
        str(tmp_path / "checkout" / "proto"),
    ]
    assert libs.add_library_dirs(path, str(plugin), version=(3, 11)) == []  # idempotent: init.py may run twice


def test_an_installed_plugin_without_a_checkout_only_adds_lib(tmp_path):
    plugin = tmp_path / "plugin_nuke"
    (plugin / "lib").mkdir(parents=True)
    assert libs.library_dirs(str(plugin)) == [str(plugin / "lib")]
    assert libs.library_dirs(str(tmp_path / "empty")) == []


def test_a_missing_client_is_reported_with_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_client(name, *args, **kwargs):
        if name == "videomama_client":
            raise ImportError("No module named 'grpc'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_client)
    with pytest.raises(errors.PluginError) as caught:
        libs.load_client()
    message = str(caught.value)
    assert "No module named 'grpc'" in message and "grpcio, protobuf and numpy" in message
    assert "README" in message and "\n" not in message
