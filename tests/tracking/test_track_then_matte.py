"""``videomama matte`` with tracking prompts: track then matte in one run, checked first, resumable."""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
import pytest

from videomama.cli.main import main
from videomama.matting.engine import HASH_KEY, MatteProgress, run_matte
from videomama.matting.request import MatteRequest
from videomama.sequences.image_read import read_mask, read_metadata, read_windows
from videomama.sequences.image_write import write_image
from videomama.sequences.pattern import FrameRange
from videomama.tracking.prompts import MaskKeyframe, Prompts
from videomama.tracking.runner import TrackProgress
from videomama.tracking.then_matte import TrackThenMatteRequest, default_masks, run_track_then_matte

FRAMES = range(1001, 1007)
MATTE = ["--backend", "classic", "--window", "4", "--overlap", "1", "-q"]


def frame_path(pattern: str, frame: int) -> str:
    return pattern.replace("####", str(frame))


@pytest.fixture
def roto(small_clip, tmp_path) -> str:
    """A roto keyframe for frame 1001 (the clip's exact alpha), in this test's folder."""
    path = str(tmp_path / "roto.1001.exr")
    shutil.copy(frame_path(small_clip.alpha, 1001), path)
    return path


def matte_with_prompts(clip, out: str, *extra: str) -> int:
    return main(["matte", "--plate", clip.plate, "--frames", "1001-1006", "--out", out, *MATTE, *extra])


def test_matte_with_a_mask_keyframe_tracks_then_mattes(small_clip, roto, tmp_path, capsys):
    out = str(tmp_path / "shot" / "alpha.####.exr")
    assert matte_with_prompts(small_clip, out, "--mask-keyframe", f"1001={roto}") == 0
    printed = capsys.readouterr().out
    masks = str(tmp_path / "shot" / "alpha_masks.####.exr")
    assert f"{masks}: 6 masks written (tracker flow), 0 jump warnings" in printed
    assert f"{out}: 6 frames written, 0 already up to date (backend classic)" in printed
    for frame in FRAMES:
        assert read_metadata(frame_path(masks, frame))["videomama:tracker"] == "flow"
        assert read_windows(frame_path(out, frame)) == read_windows(frame_path(small_clip.plate, frame))
    # Exactly what matting the tracked masks by hand gives.
    by_hand = str(tmp_path / "by_hand" / "alpha.####.exr")
    run_matte(MatteRequest(small_clip.plate, masks, by_hand, frames=FrameRange(1001, 1006), shot=FrameRange(1001, 1006),
                           backend="classic", window=4, overlap=1))
    for frame in FRAMES:
        np.testing.assert_array_equal(read_mask(frame_path(out, frame)).pixels, read_mask(frame_path(by_hand, frame)).pixels)
        assert read_metadata(frame_path(out, frame))[HASH_KEY] == read_metadata(frame_path(by_hand, frame))[HASH_KEY]


def test_a_second_run_keeps_the_track_and_the_matte(small_clip, roto, tmp_path, capsys):
    out = str(tmp_path / "shot" / "alpha.####.exr")
    assert matte_with_prompts(small_clip, out, "--mask-keyframe", f"1001={roto}") == 0
    stamps = {path: path.stat().st_mtime_ns for path in (tmp_path / "shot").iterdir()}
    capsys.readouterr()

    assert matte_with_prompts(small_clip, out, "--mask-keyframe", f"1001={roto}") == 0
    printed = capsys.readouterr().out
    assert "6 masks already up to date (tracker flow)" in printed and "0 frames written, 6 already up to date" in printed
    assert {path: path.stat().st_mtime_ns for path in (tmp_path / "shot").iterdir()} == stamps

    # A re-drawn keyframe re-tracks, and the matte follows its new masks.
    write_image(roto, read_mask(roto).pixels, ("A",), pixel_type="half")
    assert matte_with_prompts(small_clip, out, "--mask-keyframe", f"1001={roto}") == 0
    printed = capsys.readouterr().out
    assert "6 masks written" in printed and "6 frames written, 0 already up to date" in printed

    assert matte_with_prompts(small_clip, out, "--mask-keyframe", f"1001={roto}", "--force") == 0
    printed = capsys.readouterr().out
    assert "6 masks written" in printed and "6 frames written" in printed


def test_jump_warnings_are_printed_and_kept_with_the_masks(small_clip, roto, tmp_path, capsys):
    elsewhere = np.zeros((96, 160), np.float32)
    elsewhere[5:25, 5:35] = 1.0
    wrong = str(tmp_path / "wrong.exr")
    write_image(wrong, elsewhere, ("A",))
    arguments = ["--frames", "1001-1004", "--mask-keyframe", f"1001={roto}", "--mask-keyframe", f"1004={wrong}"]
    out = str(tmp_path / "alpha.####.exr")
    assert main(["matte", "--plate", small_clip.plate, "--out", out, *MATTE, *arguments]) == 0
    first = capsys.readouterr()
    assert re.search(r"videomama: warning: frame 100[34]: the mask jumps", first.err)
    # A kept track reports the same warnings as the run that made it.
    assert main(["matte", "--plate", small_clip.plate, "--out", out, *MATTE, *arguments]) == 0
    second = capsys.readouterr()
    assert "masks already up to date" in second.out
    warnings = [line for line in first.err.splitlines() if "warning" in line]
    assert warnings == [line for line in second.err.splitlines() if "warning" in line]


def test_one_progress_callback_sees_the_track_then_the_matte(small_clip, roto, tmp_path):
    seen = []
    request = TrackThenMatteRequest(
        MatteRequest(small_clip.plate, "", str(tmp_path / "alpha.####.exr"), frames=FrameRange(1001, 1004),
                     backend="classic", window=4, overlap=1),
        Prompts(masks=[MaskKeyframe(1001, roto)]),
    )
    result = run_track_then_matte(request, on_progress=seen.append)
    tracking = [p for p in seen if isinstance(p, TrackProgress)]
    matting = [p for p in seen if isinstance(p, MatteProgress)]
    assert seen == tracking + matting
    assert [p.frame for p in tracking] == [1001, 1002, 1003, 1004] and tracking[-1].frames_done == 4
    assert matting[-1].frames_done == 4
    assert result.track.output == str(tmp_path / "alpha_masks.####.exr") and result.matte.written == [1001, 1002, 1003, 1004]


@pytest.mark.parametrize("arguments,words", [
    (["--mask", "{mask}", "--mask-keyframe", "1001={roto}"], "give the rough masks (--mask) or prompts to track them from (--mask-keyframe, --points, --box), not both"),
    ([], "give the rough masks (--mask) or prompts to track them from"),
    (["--mask", "{mask}", "--tracker", "flow"], "are for masks tracked from prompts, not for --mask"),
])
def test_mask_or_prompts_exactly_one(arguments, words, small_clip, roto, tmp_path, capsys):
    arguments = [a.format(mask=small_clip.mask, roto=roto) for a in arguments]
    assert matte_with_prompts(small_clip, str(tmp_path / "out" / "m.####.exr"), *arguments) == 1
    err = capsys.readouterr().err
    assert err.startswith("videomama: error: ") and err.count("\n") == 1 and words in err
    assert not (tmp_path / "out").exists()


# The whole request is checked before the first mask is written.
@pytest.mark.parametrize("arguments,words", [
    (["--out", "{tmp}/roto.####.exr"], "would overwrite input frames 1001"),  # the alpha over the roto keyframe
    (["--masks-out", "{plate}"], "would overwrite input frames 1001-1006"),
    (["--masks-out", "{tmp}/out/alpha.####.exr"], "would overwrite input frames 1001-1006"),  # masks = alpha
    (["--masks-out", "{tmp}/roto.####.exr"], "would overwrite input frames 1001"),  # masks over the roto keyframe
    (["--mask-keyframe", "1009={roto}"], "keyframe 1009 is outside the tracked frames 1001-1006"),
    (["--points", "1001:500,10,+", "--tracker", "flow"], "outside the 160x96 frame"),
    (["--backend", "nope"], "unknown backend 'nope'"),
    (["--mask-channel", "R"], "a mask channel applies to a mask sequence"),
    (["--frames", "1001-1030"], "missing frames 1013-1030"),
])
def test_nothing_is_written_when_any_part_is_wrong(arguments, words, small_clip, roto, tmp_path, capsys):
    arguments = [a.format(tmp=tmp_path, plate=small_clip.plate, roto=roto) for a in arguments]
    before = sorted(os.listdir(tmp_path))
    code = main(["matte", "--plate", small_clip.plate, "--frames", "1001-1006", "--mask-keyframe", f"1001={roto}",
                 "--out", str(tmp_path / "out" / "alpha.####.exr"), *MATTE, *arguments])
    err = capsys.readouterr().err
    assert code == 1 and words in err and err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("output,masks", [
    ("shot/alpha.####.exr", "shot/alpha_masks.####.exr"),
    ("matte_%04d.exr", "matte_masks_####.exr"),
    ("/show/sh010/matte.$F4_v2.exr", "/show/sh010/matte_masks.####_v2.exr"),
    ("####.exr", "masks.####.exr"),
    ("shot/alpha.{object}.####.exr", "shot/alpha_masks.####.exr"),
    ("shot/{object}_alpha.####.exr", "shot/alpha_masks.####.exr"),
])
def test_masks_go_beside_the_alpha_by_default(output, masks):
    assert default_masks(output) == masks


def test_track_keeps_an_up_to_date_track(small_clip, roto, tmp_path, capsys):
    arguments = ["track", "--plate", small_clip.plate, "--frames", "1001-1004", "--mask-keyframe", f"1001={roto}",
                 "--out", str(tmp_path / "masks.####.exr"), "-q"]
    assert main(arguments) == 0 and "4 masks written" in capsys.readouterr().out
    assert main(arguments) == 0 and "4 masks already up to date" in capsys.readouterr().out
    assert main([*arguments, "--force"]) == 0 and "4 masks written" in capsys.readouterr().out


def test_farm_matte_tasks_refuse_prompts(small_clip, roto, tmp_path, capsys):
    # Every chunk would track the whole shot into the same masks.
    assert main(["farm", "matte", "--plate", small_clip.plate, "--frames", "1001-1004", "--mask-keyframe", f"1001={roto}",
                 "--out", str(tmp_path / "out" / "alpha.####.exr"), "-q"]) == 1
    assert "a farm Matte task reads masks (--mask)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
