"""The code both host plugins share: cache manifest, by-reference jobs, durations.

Tracking prompts, job phases and frame lists are in test_tracking.py.
"""

import json
import math
import os
from dataclasses import FrozenInstanceError
from types import SimpleNamespace

import pytest

from videomama_hosts import durations, job, manifest


class Entry(manifest.CacheEntry):
    frame_path = staticmethod(lambda pattern, frame: pattern.replace("####", f"{frame:04d}"))


class SlashEntry(Entry):
    def join(self, *parts):
        return "/".join(parts)


def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").close()


def test_paths_follow_the_layout_and_the_join_hook(tmp_path):
    entry = Entry(str(tmp_path), "ab" * 32)
    assert entry.folder == os.path.join(str(tmp_path), "ab" * 10)
    assert entry.source == os.path.join(entry.folder, "source.####.exr")
    assert entry.mask == os.path.join(entry.folder, "mask.####.exr")
    assert entry.matte == os.path.join(entry.folder, "matte.####.exr")
    assert entry.manifest_path == os.path.join(entry.folder, "videomama.json")
    slash = SlashEntry("C:/shots", "cd" * 32)
    assert slash.folder == "C:/shots/" + "cd" * 10 and slash.matte == slash.folder + "/matte.####.exr"
    with pytest.raises(FrozenInstanceError):
        entry.key = "other"


def test_the_base_entry_needs_a_frame_syntax(tmp_path):
    with pytest.raises(NotImplementedError):
        manifest.CacheEntry(str(tmp_path), "0" * 64).frame_path("a.####.exr", 1)


def test_record_then_complete_only_with_every_frame(tmp_path):
    entry = Entry(str(tmp_path), "12" * 32)
    frames = (1, 3)
    assert entry.manifest() == {} and not entry.inputs_complete(frames) and not entry.result_complete(frames)
    for frame in range(1, 4):
        touch(entry.frame_path(entry.source, frame))
    entry.record("inputs", frames)
    assert not entry.inputs_complete(frames)  # the mask frames are missing
    assert entry.inputs_complete(frames, mask_frames=())  # a track from clicks only reads no mask
    assert not entry.inputs_complete(frames, mask_frames=(2,))  # a track's keyframe
    touch(entry.frame_path(entry.mask, 2))
    assert entry.inputs_complete(frames, mask_frames=(2,)) and not entry.inputs_complete(frames)
    for frame in range(1, 4):
        touch(entry.frame_path(entry.mask, frame))
    assert entry.inputs_complete(frames) and not entry.inputs_complete((1, 4))
    for frame in range(1, 4):
        touch(entry.frame_path(entry.matte, frame))
    assert not entry.result_complete(frames)  # written, but the daemon has not said it finished
    entry.record("result", frames, backend="classic")
    assert entry.result_complete(frames)
    data = entry.manifest()
    assert data["format"] == manifest.FORMAT_VERSION and data["key"] == entry.key
    assert data["result"]["backend"] == "classic" and data["inputs"]["frames"] == [1, 3]
    assert sorted(os.listdir(entry.folder)) == sorted(
        [f"{kind}.{frame:04d}.exr" for kind in ("source", "mask", "matte") for frame in (1, 2, 3)]
        + ["videomama.json"]
    )  # no temp file left behind
    os.unlink(entry.frame_path(entry.matte, 2))
    assert not entry.result_complete(frames)


def test_a_manifest_of_another_key_or_format_is_ignored(tmp_path):
    entry = Entry(str(tmp_path), "34" * 32)
    os.makedirs(entry.folder)
    for data in ({"format": manifest.FORMAT_VERSION, "key": "other"}, {"format": 0, "key": entry.key}, [1]):
        with open(entry.manifest_path, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        assert entry.manifest() == {}
    with open(entry.manifest_path, "w", encoding="utf-8") as stream:
        stream.write("{not json")
    assert entry.manifest() == {}


class FakeClient:
    def __init__(self):
        self.calls = []

    def submit_matte(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return "events"


CLIENT_MODULE = SimpleNamespace(MatteSettings=lambda **kwargs: kwargs)


def test_a_job_without_a_mask_channel_leaves_it_to_the_daemon():
    matte = job.MatteJob("/p.####.exr", "/m.####.exr", "/o.####.exr", (5, 9), backend="classic", window=8,
                         overlap=2, colorspace="ACEScg", options={"k": "v"})
    client = FakeClient()
    assert matte.submit(client, CLIENT_MODULE) == "events"
    assert client.calls == [(
        ("/p.####.exr", "/m.####.exr", "/o.####.exr"),
        {"frames": (5, 9), "shot": (5, 9), "settings": {
            "backend": "classic", "window": 8, "overlap": 2, "colorspace": "ACEScg", "options": {"k": "v"}}},
    )]


def test_a_job_with_a_mask_channel_names_it():
    matte = job.MatteJob("/p", "/m", "/o", (1, 2), mask_channel="A")
    client = FakeClient()
    matte.submit(client, CLIENT_MODULE)
    (_, kwargs), = client.calls
    assert kwargs["mask_channel"] == "A"
    assert kwargs["settings"] == {"backend": "auto", "window": None, "overlap": None, "colorspace": None,
                                  "options": {}}


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (-5, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (3599, "59 min 59 s"),
    (3600, "1 h 00 min"), (3 * 3600 + 65, "3 h 01 min"),
])
def test_format_duration(seconds, text):
    assert durations.format_duration(seconds) == text


@pytest.mark.parametrize("seconds, text", [
    (None, ""), (-1, ""), (math.inf, ""), (math.nan, ""), (42, "42 s left"), (125, "2 min 05 s left"),
    (3 * 3600 + 65, "3 h 01 min left"),
])
def test_format_eta(seconds, text):
    assert durations.format_eta(seconds) == text
