"""Content-addressed cache entries (no bpy)."""

from __future__ import annotations

import json
import os

import pytest
from videomama_blender import cache

FRAMES = (1001, 1003)


def stage(root, content=b"x"):
    staging = cache.new_staging(str(root))
    for frame in range(FRAMES[0], FRAMES[1] + 1):
        for name in ("source", "mask"):
            with open(os.path.join(staging, f"{name}.{frame}.exr"), "wb") as stream:
                stream.write(content + f"{name}{frame}".encode())
    return staging


def test_default_root_is_beside_the_blend_else_temp(tmp_path):
    assert cache.default_cache_root(str(tmp_path / "shot.blend")) == str(tmp_path / "videomama_cache")
    assert cache.default_cache_root("", "/scratch") == os.path.join("/scratch", "videomama_cache")


def test_key_follows_input_bytes_frames_and_settings(tmp_path):
    settings = {"backend": "classic", "window": None}
    digest = cache.inputs_digest(stage(tmp_path / "a"), FRAMES)
    assert digest == cache.inputs_digest(stage(tmp_path / "b"), FRAMES)  # same bytes elsewhere: same digest
    assert digest != cache.inputs_digest(stage(tmp_path / "c", b"y"), FRAMES)
    key = cache.cache_key(digest, FRAMES, settings)
    assert key == cache.cache_key(digest, FRAMES, dict(reversed(list(settings.items()))))  # order-free
    assert key != cache.cache_key(digest, (1001, 1002), settings)
    assert key != cache.cache_key(digest, FRAMES, {**settings, "backend": "videomama"})
    assert len(key) == 64


def test_missing_staged_frame_is_an_error(tmp_path):
    staging = stage(tmp_path)
    os.remove(os.path.join(staging, "mask.1002.exr"))
    with pytest.raises(FileNotFoundError):
        cache.inputs_digest(staging, FRAMES)


def test_adopting_staged_inputs_then_recording_the_result(tmp_path):
    staging = stage(tmp_path)
    entry = cache.CacheEntry(str(tmp_path), "ab" * 32)
    assert entry.folder == str(tmp_path / ("ab" * 10))
    assert not entry.inputs_complete(FRAMES) and not entry.result_complete(FRAMES)
    cache.adopt_staging(staging, entry, FRAMES)
    assert not os.path.exists(staging)
    assert entry.inputs_complete(FRAMES)
    assert not entry.result_complete(FRAMES)
    for frame in range(FRAMES[0], FRAMES[1] + 1):
        open(os.path.join(entry.folder, f"matte.{frame}.exr"), "wb").close()
    assert not entry.result_complete(FRAMES)  # the daemon has not said it finished
    entry.record("result", FRAMES, backend="classic")
    assert entry.result_complete(FRAMES)
    assert not entry.result_complete((1001, 1004))
    os.remove(os.path.join(entry.folder, "matte.1002.exr"))
    assert not entry.result_complete(FRAMES)  # a frame deleted by hand: recompute


def test_a_track_keeps_the_mask_of_its_keyframes_only(tmp_path):
    staging = stage(tmp_path)
    digest = cache.inputs_digest(staging, FRAMES, mask_frames=(1002,))
    # Masks between keyframes are not inputs: their bytes do not count, nor need they exist.
    os.remove(os.path.join(staging, "mask.1001.exr"))
    assert cache.inputs_digest(staging, FRAMES, mask_frames=(1002,)) == digest
    assert cache.inputs_digest(staging, FRAMES, mask_frames=()) != digest  # clicks only: no mask at all
    entry = cache.CacheEntry(str(tmp_path), "9a" * 32)
    cache.adopt_staging(staging, entry, FRAMES, mask_frames=(1002,))
    assert sorted(os.listdir(entry.folder)) == [
        "mask.1002.exr", "source.1001.exr", "source.1002.exr", "source.1003.exr", "videomama.json"
    ]
    assert entry.inputs_complete(FRAMES, (1002,)) and not entry.inputs_complete(FRAMES)
    assert entry.keyframe_files((1002,)) == {1002: os.path.join(entry.folder, "mask.1002.exr")}
    open(os.path.join(entry.folder, "tracked.1001.exr"), "wb").close()  # the daemon's tracked masks
    assert cache.clear(entry) is True


def test_identical_inputs_keep_the_entrys_own_files(tmp_path):
    entry = cache.CacheEntry(str(tmp_path), "cd" * 32)
    cache.adopt_staging(stage(tmp_path), entry, FRAMES)
    before = os.stat(os.path.join(entry.folder, "source.1001.exr")).st_mtime_ns
    second = stage(tmp_path)
    cache.adopt_staging(second, entry, FRAMES)
    assert not os.path.exists(second)
    assert os.stat(os.path.join(entry.folder, "source.1001.exr")).st_mtime_ns == before


def test_manifest_of_another_key_or_format_is_ignored(tmp_path):
    entry = cache.CacheEntry(str(tmp_path), "ef" * 32)
    entry.record("inputs", FRAMES)
    data = json.loads(open(entry.manifest_path).read())
    assert data["format"] == cache.FORMAT_VERSION and data["key"] == entry.key
    data["format"] = 999
    with open(entry.manifest_path, "w") as stream:
        json.dump(data, stream)
    assert entry.manifest() == {}
    with open(entry.manifest_path, "w") as stream:
        stream.write("{not json")
    assert entry.manifest() == {}


def test_clear_removes_only_folders_that_look_like_ours(tmp_path):
    entry = cache.CacheEntry(str(tmp_path), "12" * 32)
    assert cache.clear(entry) is False
    cache.adopt_staging(stage(tmp_path), entry, FRAMES)
    open(os.path.join(entry.folder, ".matte.1001.exr.tmp"), "wb").close()
    assert cache.clear(entry) is True and not os.path.exists(entry.folder)
    cache.adopt_staging(stage(tmp_path), entry, FRAMES)
    open(os.path.join(entry.folder, "notes.txt"), "w").close()
    with pytest.raises(OSError, match="did not write"):
        cache.clear(entry)
    assert os.path.exists(os.path.join(entry.folder, "notes.txt"))


def test_discard_staging_refuses_other_folders(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    cache.discard_staging(str(precious))
    assert precious.exists()
