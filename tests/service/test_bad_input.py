"""Every kind of bad by-reference request gets its status and a readable message,
nothing is written, and the daemon keeps serving."""

import shutil

import numpy as np
import pytest
from videomama_client import Client, InvalidRequest, MatteSettings, NotFound, NotReady

from videomama.sequences.image_write import write_image

from .support import SETTINGS


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, clip):
    """Folders with one defect each, made from the shared clip."""
    root = tmp_path_factory.mktemp("bad_inputs")
    corrupt = root / "corrupt"
    shutil.copytree(clip.folder, corrupt)
    (corrupt / "plate.1003.exr").write_bytes(b"this is not an EXR file")
    wide_masks = root / "wide_masks"
    wide_masks.mkdir()
    for frame in clip.frames:  # 100x20: not the plate's aspect ratio
        write_image(str(wide_masks / f"mask.{frame}.exr"), np.zeros((20, 100), np.float32), ("A",))
    return {"corrupt": corrupt, "wide_masks": wide_masks}


# name -> (changes to a good request, given the clip and the defect folders;
#          the exception expected; words its message must contain)
CASES = {
    "unknown backend": (lambda clip, bad: {"settings": MatteSettings(backend="nope")}, InvalidRequest, "unknown backend 'nope'"),
    "unavailable backend": (lambda clip, bad: {"settings": MatteSettings(backend="videomama")}, NotReady, "cannot run here"),
    "unknown option": (
        lambda clip, bad: {"settings": MatteSettings(backend="classic", options={"epsilom": "1"})},
        InvalidRequest, "no option epsilom",
    ),
    "bad option value": (
        lambda clip, bad: {"settings": MatteSettings(backend="classic", options={"epsilon": "lots"})},
        InvalidRequest, "epsilon='lots'",
    ),
    "bad window": (
        lambda clip, bad: {"settings": MatteSettings(backend="classic", window=4, overlap=4)}, InvalidRequest, "overlap"
    ),
    "bad pattern": (lambda clip, bad: {"plate": clip.plate.replace("####", "0001")}, InvalidRequest, "no frame number"),
    "relative path": (lambda clip, bad: {"output": "renders/matte.####.exr"}, InvalidRequest, "must be an absolute path"),
    "bad compression": (lambda clip, bad: {"compression": "jpeg"}, InvalidRequest, "unknown compression 'jpeg'"),
    "missing frames": (lambda clip, bad: {"frames": (1001, 1020)}, NotFound, "missing frames 1009-1020"),
    "missing folder": (
        lambda clip, bad: {"plate": "/no/such/folder/plate.####.exr", "frames": (1001, 1008)},
        NotFound, "folder '/no/such/folder' for /no/such/folder/plate.####.exr does not exist",
    ),
    "no frames at all": (lambda clip, bad: {"plate": "/no/such/folder/plate.####.exr"}, NotFound, "no frame has both"),
    "negative range": (lambda clip, bad: {"frames": (-5, -1)}, NotFound, "missing frames -5--1"),
    "reversed range": (lambda clip, bad: {"frames": (1005, 1001)}, InvalidRequest, "reversed"),
    "mismatched sizes": (lambda clip, bad: {"mask": str(bad["wide_masks"] / "mask.####.exr")}, InvalidRequest, "aspect"),
    "corrupt file": (lambda clip, bad: {"plate": str(bad["corrupt"] / "plate.####.exr")}, InvalidRequest, "plate.1003.exr"),
}


def request(clip, bad, name, output):
    changes, error_class, words = CASES[name]
    arguments = dict(plate=clip.plate, mask=clip.mask, output=output, settings=SETTINGS)
    arguments.update(changes(clip, bad))
    return arguments, error_class, words


@pytest.mark.parametrize("name", CASES)
def test_bad_requests_are_refused_before_a_job_exists(name, clip, bad_inputs, client, tmp_path):
    output = tmp_path / "out" / "matte.####.exr"
    arguments, error_class, words = request(clip, bad_inputs, name, str(output))
    with pytest.raises(error_class) as raised:
        client.submit_matte(**arguments).wait()
    assert words in str(raised.value)
    assert "\n" not in str(raised.value)
    assert not output.parent.exists()
    assert client.list_jobs(include_finished=True) == []


def test_oversized_frames_are_refused(clip, start_daemon, tmp_path):
    daemon = start_daemon(max_frame_pixels=1000)
    with Client(daemon.address) as client, pytest.raises(InvalidRequest, match="96x64 = 6144 pixels"):
        client.submit_matte(clip.plate, clip.mask, str(tmp_path / "matte.####.exr"), settings=SETTINGS).wait()


def test_the_daemon_keeps_serving_after_bad_requests(clip, bad_inputs, client, tmp_path):
    for name in CASES:
        arguments, error_class, _ = request(clip, bad_inputs, name, str(tmp_path / "bad" / "m.####.exr"))
        with pytest.raises(error_class):
            client.submit_matte(**arguments).wait()
    finished = client.submit_matte(clip.plate, clip.mask, str(tmp_path / "matte.####.exr"), settings=SETTINGS).wait()
    assert finished.frames_written == len(clip.frames)


def test_unknown_job_ids_are_not_found(client):
    with pytest.raises(NotFound, match="no job 'nope'"):
        client.cancel("nope")
    with pytest.raises(NotFound):
        list(client.watch("nope"))
