"""Reads and writes overlap the backend, and change nothing else: order, errors, cancelling."""

import threading

import numpy as np
import pytest

from videomama.backends.base import StopToken
from videomama.errors import CancelledError
from videomama.matting import engine
from videomama.matting.engine import run_matte
from videomama.matting.frame_io import BackgroundWriter, PrefetchingReader
from videomama.matting.request import MatteRequest
from videomama.sequences.pattern import FrameRange

from .test_engine import MaskPassthrough, listing

WAIT_S = 20.0  # generous: only a broken overlap ever waits this long


class Scripted(MaskPassthrough):
    """Calls ``on_window(index)`` as each window starts, then passes the mask through; computes
    'on a GPU' (``reads_ahead``) unless told otherwise."""

    reads_ahead = True

    def __init__(self, on_window):
        self.on_window, self.windows = on_window, 0

    def matte(self, window, stop):
        self.on_window(self.windows)
        self.windows += 1
        return super().matte(window, stop)


def test_the_next_windows_frames_are_read_while_the_backend_computes(small_clip, tmp_path, monkeypatch):
    # Windows of 4, overlap 1: the second window's new frames start at 1005.
    next_window_read = threading.Event()
    read_frame = engine._read_frame

    def watching_read(job, frame):
        if frame == 1005:
            next_window_read.set()
        return read_frame(job, frame)

    def first_window_waits_for_the_read_ahead(index):
        # Reading in line would only start after this returns: it would time out.
        if index == 0:
            assert next_window_read.wait(WAIT_S), "the next window was not read while the backend computed"

    monkeypatch.setattr(engine, "_read_frame", watching_read)
    request = MatteRequest(small_clip.plate, small_clip.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1001, 1008), window=4, overlap=1)
    inline = run_matte(request, backend=Scripted(first_window_waits_for_the_read_ahead))
    assert inline.written == list(range(1001, 1009))


def test_finished_frames_are_written_while_the_next_window_computes(small_clip, tmp_path, monkeypatch):
    second_window_started = threading.Event()
    write_frame = engine._write_frame

    def write_waits_for_the_second_window(job, frame, *rest):
        # Writing in line would happen before the second window starts: it would time out.
        if frame == 1001:
            assert second_window_started.wait(WAIT_S), "frames were not written while the backend computed"
        write_frame(job, frame, *rest)

    monkeypatch.setattr(engine, "_write_frame", write_waits_for_the_second_window)
    progress = []
    request = MatteRequest(small_clip.plate, small_clip.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1001, 1008), window=4, overlap=1)
    result = run_matte(request, on_progress=progress.append, backend=Scripted(lambda i: i == 1 and second_window_started.set()))
    assert result.written == list(range(1001, 1009)) == [p.frame for p in progress if p.frame is not None]
    # Reported in order, each once its file is in place; counts only climb.
    assert [p.frames_done for p in progress] == sorted(p.frames_done for p in progress)
    assert all(p.path is None or p.path.endswith(f".{p.frame}.exr") for p in progress)


def test_a_failed_write_fails_the_job_and_later_frames_are_not_claimed(small_clip, tmp_path, monkeypatch):
    write_frame = engine._write_frame

    def disk_full_on_1003(job, frame, *rest):
        if frame == 1003:
            raise OSError(28, "No space left on device")
        write_frame(job, frame, *rest)

    monkeypatch.setattr(engine, "_write_frame", disk_full_on_1003)
    progress = []
    request = MatteRequest(small_clip.plate, small_clip.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1001, 1008), window=4, overlap=1)
    with pytest.raises(OSError, match="No space left"):
        run_matte(request, on_progress=progress.append, backend=MaskPassthrough())
    reported = [p.frame for p in progress if p.frame is not None]
    assert reported == [1001, 1002]  # nothing after the failure was reported as written
    assert {"m.1001.exr", "m.1002.exr"} <= set(listing(tmp_path)) and "m.1003.exr" not in listing(tmp_path)


def test_a_stop_drops_queued_writes_and_the_job_reports_the_cancel():
    stop = StopToken()
    written = []
    writer = BackgroundWriter(max_pending=8, stop=stop)
    gate = threading.Event()
    writer.submit(lambda: (gate.wait(WAIT_S), written.append(1)))
    writer.submit(lambda: written.append(2))
    stop.stop()
    gate.set()
    with pytest.raises(CancelledError):
        writer.finish()
    assert written == [1]  # the write under way completes; the queued one never starts


def test_a_stop_after_the_last_write_is_not_a_cancel():
    stop = StopToken()
    writer = BackgroundWriter(max_pending=2, stop=stop)
    done = threading.Event()
    writer.submit(done.set)
    assert done.wait(WAIT_S)
    stop.stop()
    writer.finish()  # everything was written: nothing to report


def test_the_writer_holds_at_most_max_pending_frames():
    stop = StopToken()
    writer = BackgroundWriter(max_pending=2, stop=stop)
    gate, started = threading.Event(), threading.Event()
    writer.submit(lambda: (started.set(), gate.wait(WAIT_S)))
    assert started.wait(WAIT_S)
    writer.submit(lambda: None)  # second pending: returns at once
    blocked = threading.Thread(target=writer.submit, args=(lambda: None,))
    blocked.start()
    blocked.join(0.2)
    assert blocked.is_alive()  # a third waits for the first to finish
    gate.set()
    blocked.join(WAIT_S)
    assert not blocked.is_alive()
    writer.finish()


def test_the_reader_keeps_only_the_window_it_is_given_and_the_one_read_ahead():
    reads = []
    reader = PrefetchingReader(lambda frame: reads.append(frame) or np.full(2, frame), threads=2)
    try:
        assert [int(v[0]) for v in reader.take([1, 2, 3])] == [1, 2, 3]
        reader.prefetch([3, 4, 5])
        assert [int(v[0]) for v in reader.take([3, 4, 5])] == [3, 4, 5]
        assert sorted(reads) == [1, 2, 3, 4, 5]  # frame 3 was read once for both windows
        with pytest.raises(KeyError):
            reader.get(1)  # dropped with its window
    finally:
        reader.close()


def test_a_failed_read_ahead_raises_when_its_window_needs_it():
    def read(frame):
        if frame == 4:
            raise FileNotFoundError("plate.0004.exr")
        return frame

    reader = PrefetchingReader(read, threads=1)
    try:
        reader.take([1, 2])
        reader.prefetch([3, 4])  # fails in the background, silently for now
        with pytest.raises(FileNotFoundError, match="plate.0004"):
            reader.take([3, 4])
    finally:
        reader.close()


def test_frames_finished_before_a_plate_fails_to_read_are_still_written(small_clip, tmp_path, monkeypatch):
    read_frame = engine._read_frame

    def broken_1006(job, frame):
        if frame == 1006:
            raise OSError("cannot read pixels of plate.1006.exr")
        return read_frame(job, frame)

    monkeypatch.setattr(engine, "_read_frame", broken_1006)
    # Windows 1001-1004, 1004-1007: 1001-1003 are finished by the first window.
    request = MatteRequest(small_clip.plate, small_clip.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1001, 1008), window=4, overlap=1)
    with pytest.raises(OSError, match="plate.1006"):
        run_matte(request, backend=MaskPassthrough())
    assert listing(tmp_path) == ["m.1001.exr", "m.1002.exr", "m.1003.exr"]


def test_a_backend_that_keeps_the_cpu_busy_is_not_read_ahead_of(small_clip, tmp_path, monkeypatch):
    reads = []
    read_frame = engine._read_frame
    monkeypatch.setattr(engine, "_read_frame", lambda job, frame: reads.append(frame) or read_frame(job, frame))

    class CpuBound(Scripted):
        reads_ahead = False

    def first_window_sees_only_its_own_frames_read(index):
        if index == 0:
            assert max(reads) == 1004  # the next window's frames (1005-) are read after this one

    request = MatteRequest(small_clip.plate, small_clip.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1001, 1008), window=4, overlap=1)
    assert run_matte(request, backend=CpuBound(first_window_sees_only_its_own_frames_read)).written == list(range(1001, 1009))


def test_every_window_is_stacked_into_the_same_arrays(small_clip, tmp_path):
    # Fresh arrays per window cost page faults (~1 s per 1080p window here), refilling costs a copy.
    seen = []

    class Recording(MaskPassthrough):
        def matte(self, window, stop):
            seen.append((window.plates.__array_interface__["data"][0], window.masks.__array_interface__["data"][0]))
            return super().matte(window, stop)

    # (That refilling changes no pixel is what test_engine's window and resume tests check.)
    request = MatteRequest(small_clip.plate, small_clip.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1001, 1012), window=4, overlap=1)
    assert run_matte(request, backend=Recording()).written == list(range(1001, 1013))
    assert len(seen) >= 3 and len(set(seen)) == 1
