"""Finalize: every frame there, all from one setup, a manifest written atomically."""

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from videomama.cli.main import main
from videomama.errors import InputError, MissingInputError
from videomama.farm.finalize import MANIFEST_FORMAT, finalize
from videomama.sequences import image_write
from videomama.sequences.image_read import read_mask, read_metadata
from videomama.sequences.image_write import write_image
from videomama.sequences.pattern import FrameRange

from .support import leftovers

FRAMES = FrameRange(1001, 1012)


@pytest.fixture
def job_output(reference_dir, tmp_path):
    """Twelve finished frames of the reference run, in a folder of their own."""
    folder = tmp_path / "out"
    folder.mkdir()
    for frame in FRAMES:
        shutil.copy(reference_dir.replace("####", str(frame)), folder)
    return str(folder / "matte.####.exr")


def frame_file(pattern: str, frame: int) -> str:
    return pattern.replace("####", str(frame))


def rewrite(pattern: str, frame: int, **metadata: str) -> None:
    """Rewrite a frame with the same pixels and changed (or no) videomama metadata."""
    path = frame_file(pattern, frame)
    kept = {k: v for k, v in read_metadata(path).items() if k.startswith("videomama:")}
    kept = {**kept, **metadata} if metadata else {}
    write_image(path, read_mask(path).pixels, ("A",), metadata=kept)


def test_the_manifest_records_frames_setup_settings_and_hashes(job_output):
    result = finalize(job_output, FRAMES, settings={"window": "8", "shot": "1001-1048"})
    assert result.manifest == str(Path(job_output).parent / "matte.manifest.json")
    manifest = json.loads(Path(result.manifest).read_text())
    assert manifest["format"] == MANIFEST_FORMAT
    assert (manifest["frames"], manifest["frame_count"], manifest["backend"]) == ("1001-1012", 12, "classic")
    assert manifest["model"] and manifest["version"]
    assert manifest["settings"] == {"window": "8", "shot": "1001-1048"}
    first = manifest["files"][0]
    assert first["frame"] == 1001 and first["path"] == "matte.1001.exr"
    assert first["settings_hash"] == read_metadata(frame_file(job_output, 1001))["videomama:settings_hash"]
    assert first["sha256"] == hashlib.sha256(Path(frame_file(job_output, 1001)).read_bytes()).hexdigest()
    assert leftovers(Path(job_output).parent) == []


def test_missing_frames_are_named_compactly(job_output):
    for frame in (1003, 1010, 1011):
        os.remove(frame_file(job_output, frame))
    with pytest.raises(MissingInputError) as error:
        finalize(job_output, FRAMES)
    assert "is missing frames 1003, 1010-1011 (3 of 12): re-run the matte tasks for those frames" in str(error.value)
    assert not (Path(job_output).parent / "matte.manifest.json").exists()


def test_a_frame_videomama_did_not_write_is_refused(job_output):
    rewrite(job_output, 1005)
    Path(frame_file(job_output, 1006)).write_bytes(b"not an image")
    with pytest.raises(InputError, match=r"frames 1005-1006 unreadable or not written by videomama"):
        finalize(job_output, FRAMES)


def test_frames_from_another_setup_are_refused(job_output):
    for frame in (1004, 1005):
        rewrite(job_output, frame, **{"videomama:backend": "videomama", "videomama:model": "svd"})
    with pytest.raises(InputError) as error:
        finalize(job_output, FRAMES)
    message = str(error.value)
    assert "mixes frames from different backends, models or versions" in message
    assert "for frames 1001-1003, 1006-1012" in message and "videomama/svd/" in message and "for frames 1004-1005" in message


def test_temporaries_of_killed_writers_are_removed(job_output):
    folder = Path(job_output).parent
    # The very names the atomic writer uses; a writer killed outright leaves one behind.
    orphan = Path(image_write._temp_path(frame_file(job_output, 1005)))
    orphan.write_bytes(b"half a frame")
    unrelated = folder / ".other.1005.tmp-1-abcd.exr"
    unrelated.write_bytes(b"")
    result = finalize(job_output, FRAMES)
    assert result.removed_temporaries == [orphan.name]
    assert not orphan.exists() and unrelated.exists()


def test_farm_finalize_command(job_output, tmp_path, capsys):
    manifest = tmp_path / "reports" / "sh010.json"
    assert main([
        "farm", "finalize", "--out", job_output, "--frames", "1001-1012", "--manifest", str(manifest),
        "--setting", "window=8", "--setting", "plate=/shots/p.####.exr",
    ]) == 0
    assert "12 frames 1001-1012 complete (backend classic" in capsys.readouterr().out
    assert json.loads(manifest.read_text())["settings"] == {"window": "8", "plate": "/shots/p.####.exr"}
    os.remove(frame_file(job_output, 1012))
    assert main(["farm", "finalize", "--out", job_output, "--frames", "1001-1012"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("videomama: error: ") and error.count("\n") == 1 and "missing frame 1012 (1 of 12)" in error


def test_farm_finalize_object_needs_the_token_in_the_output(job_output, capsys):
    assert main(["farm", "finalize", "--out", job_output, "--frames", "1001-1012", "--object", "hero"]) == 1
    assert "--object hero names an object, but --out has no {object} to put it in" in capsys.readouterr().err
