import os

import numpy as np
import OpenImageIO as oiio
import pytest

from videomama.backends.base import StopToken
from videomama.errors import CancelledError, InputError, MissingInputError, OutputConflictError
from videomama.matting.engine import HASH_KEY, run_matte
from videomama.matting.request import MatteRequest
from videomama.sequences.image_read import read_mask, read_metadata, read_windows
from videomama.sequences.image_write import write_image
from videomama.sequences.images import Box, ImageWindows
from videomama.sequences.pattern import FrameRange


class MaskPassthrough:
    """Returns the mask untouched: shows what the engine itself does to values."""

    identifier = "passthrough"
    display_name = "test passthrough"
    options = ()

    def describe(self):
        return {"backend": self.identifier, "model": "none", "version": "test"}

    def matte(self, window, stop):
        return window.masks.copy()


class WindowMean(MaskPassthrough):
    """Every frame gets the window's mean mask: a result that depends on the window."""

    identifier = "window-mean"

    def matte(self, window, stop):
        return np.repeat(window.masks.mean(axis=0, keepdims=True), len(window.frames), axis=0)


def frame_path(pattern, frame):
    return pattern.replace("####", f"{frame:04d}")


def read_alpha(pattern, frame):
    return read_mask(frame_path(pattern, frame)).pixels[..., 0]


def listing(directory):
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def test_classic_backend_writes_half_alpha_that_lines_up_with_the_plate(small_clip, tmp_path):
    out = str(tmp_path / "matte.####.exr")
    result = run_matte(MatteRequest(small_clip.plate, small_clip.mask, out, frames=FrameRange(1001, 1004), backend="classic", window=4, overlap=1))
    assert result.written == [1001, 1002, 1003, 1004]
    spec = oiio.ImageInput.open(frame_path(out, 1002)).spec()
    assert tuple(spec.channelnames) == ("A",) and spec.format == oiio.HALF
    assert read_windows(frame_path(out, 1002)) == read_windows(frame_path(small_clip.plate, 1002))
    meta = read_metadata(frame_path(out, 1002))
    assert meta["videomama:backend"] == "classic" and len(meta[HASH_KEY]) == 64
    alpha = read_alpha(out, 1002)
    assert 0.0 <= alpha.min() and alpha.max() <= 1.0
    assert ((alpha > 0.02) & (alpha < 0.98)).any(), "a matte has soft edges, not a copy of a binary mask"


def _overscan_clip(directory, frames=range(1, 7)):
    """Plates with a data window larger than the frame, soft float masks at display size."""
    display = Box(0, 0, 64, 40)
    data = Box(-6, -4, 76, 48)
    rng = np.random.default_rng(0)
    for f in frames:
        plate = rng.random((data.height, data.width, 3), dtype=np.float32)
        write_image(f"{directory}/plate.{f:04d}.exr", plate, ("R", "G", "B"), windows=ImageWindows(data, display))
        mask = np.zeros((display.height, display.width), np.float32)
        mask[10:30, 20:44] = 0.123456 + 0.001 * f  # soft values a 8-bit step would destroy
        write_image(f"{directory}/mask.{f:04d}.exr", mask, ("A",), pixel_type="float")
    return f"{directory}/plate.####.exr", f"{directory}/mask.####.exr"


def test_overscan_windows_are_kept_and_soft_values_stay_float(tmp_path):
    plate, mask = _overscan_clip(tmp_path)
    out = str(tmp_path / "out" / "matte.####.exr")
    run_matte(MatteRequest(plate, mask, out, window=3, overlap=1), backend=MaskPassthrough())
    windows = read_windows(frame_path(out, 3))
    assert windows == read_windows(frame_path(plate, 3))
    alpha = read_alpha(out, 3)
    assert alpha.shape == (48, 76)
    # Display pixel (x=20, y=10) is data pixel (26, 14); overscan outside the mask is 0.
    assert alpha[14, 26] == pytest.approx(0.123456 + 0.003, abs=1e-3)  # half precision, not 1/255 steps
    assert alpha[0, 0] == 0.0


def test_a_sub_range_gives_the_same_frames_as_the_whole_shot(small_clip, tmp_path):
    whole, part = str(tmp_path / "whole" / "m.####.exr"), str(tmp_path / "part" / "m.####.exr")
    run_matte(MatteRequest(small_clip.plate, small_clip.mask, whole, window=5, overlap=2), backend=WindowMean())
    run_matte(MatteRequest(small_clip.plate, small_clip.mask, part, frames=FrameRange(1005, 1007), window=5, overlap=2), backend=WindowMean())
    assert listing(tmp_path / "part") == ["m.1005.exr", "m.1006.exr", "m.1007.exr"]
    for f in (1005, 1006, 1007):
        np.testing.assert_array_equal(read_alpha(part, f), read_alpha(whole, f))


def test_resume_skips_up_to_date_frames_and_force_recomputes(small_clip, tmp_path):
    out = str(tmp_path / "m.####.exr")
    request = MatteRequest(small_clip.plate, small_clip.mask, out, frames=FrameRange(1001, 1006), window=4, overlap=1)
    assert run_matte(request, backend=MaskPassthrough()).written == list(range(1001, 1007))
    again = run_matte(request, backend=MaskPassthrough())
    assert again.written == [] and again.skipped == list(range(1001, 1007))
    changed = MatteRequest(**{**request.__dict__, "overlap": 2})
    assert run_matte(changed, backend=MaskPassthrough()).written == list(range(1001, 1007))
    forced = MatteRequest(**{**changed.__dict__, "force": True})
    assert run_matte(forced, backend=MaskPassthrough()).written == list(range(1001, 1007))


def test_an_interrupted_job_rerun_does_only_the_missing_frames(small_clip, tmp_path):
    out = str(tmp_path / "m.####.exr")
    request = MatteRequest(small_clip.plate, small_clip.mask, out, window=4, overlap=1)
    stop = StopToken()

    def stop_after_three(progress):
        if progress.frames_done == 3:
            stop.stop()

    with pytest.raises(CancelledError):
        run_matte(request, on_progress=stop_after_three, stop=stop, backend=MaskPassthrough())
    assert listing(tmp_path) == ["m.1001.exr", "m.1002.exr", "m.1003.exr"]  # complete frames only
    rerun = run_matte(request, backend=MaskPassthrough())
    assert rerun.skipped == [1001, 1002, 1003] and rerun.written == list(range(1004, 1013))


def test_missing_frames_are_named_and_nothing_is_written(small_clip, tmp_path):
    out = str(tmp_path / "out" / "m.####.exr")
    with pytest.raises(MissingInputError, match="1013-1020"):
        run_matte(MatteRequest(small_clip.plate, small_clip.mask, out, frames=FrameRange(1010, 1020)), backend=MaskPassthrough())
    assert listing(tmp_path / "out") == []


def test_output_onto_an_input_is_refused(small_clip):
    with pytest.raises(OutputConflictError, match="overwrite"):
        run_matte(MatteRequest(small_clip.plate, small_clip.mask, small_clip.mask), backend=MaskPassthrough())


def test_mask_of_another_aspect_is_refused_before_writing(tmp_path):
    plate, _ = _overscan_clip(tmp_path)
    for f in range(1, 7):
        write_image(f"{tmp_path}/square.{f:04d}.png", np.ones((40, 40), np.float32), ("Y",), pixel_type="uint8")
    out = str(tmp_path / "out" / "m.####.exr")
    with pytest.raises(InputError, match="aspect"):
        run_matte(MatteRequest(plate, str(tmp_path / "square.####.png"), out), backend=MaskPassthrough())
    assert listing(tmp_path / "out") == []


def test_a_corrupt_plate_is_named_before_anything_is_written(tmp_path):
    plate, mask = _overscan_clip(tmp_path)
    with open(frame_path(plate, 5), "wb") as f:
        f.write(b"not an exr at all")
    out = str(tmp_path / "out" / "m.####.exr")
    with pytest.raises(InputError, match="plate.0005.exr"):
        run_matte(MatteRequest(plate, mask, out), backend=MaskPassthrough())
    assert listing(tmp_path / "out") == []


def test_unknown_backend_and_option_are_clear_errors(small_clip, tmp_path):
    out = str(tmp_path / "m.####.exr")
    with pytest.raises(InputError, match="unknown backend 'nope'"):
        run_matte(MatteRequest(small_clip.plate, small_clip.mask, out, backend="nope"))
    with pytest.raises(InputError, match="no option bandwidth"):
        run_matte(MatteRequest(small_clip.plate, small_clip.mask, out, backend="classic", options={"bandwidth": "3"}))
