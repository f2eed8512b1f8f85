"""Several objects per shot, end to end: named layers or one merged ``A``, per-object warnings, matte of a layer."""

from __future__ import annotations

import re

import numpy as np
import OpenImageIO as oiio
import pytest

from videomama.cli.main import main
from videomama.errors import InputError
from videomama.matting.request import MatteRequest
from videomama.sequences.image_read import read_mask, read_metadata
from videomama.sequences.image_write import write_image
from videomama.sequences.pattern import FrameRange
from videomama.tracking.prompts import Prompts, parse_mask_keyframes
from videomama.tracking.then_matte import TrackThenMatteRequest, prepare_track_then_matte

FRAMES = range(1001, 1009)
MATTE = ["--backend", "classic", "--window", "4", "--overlap", "1", "-q"]


def at(pattern: str, frame: int) -> str:
    return pattern.replace("####", str(frame))


def channels(path: str) -> list[str]:
    image = oiio.ImageInput.open(path)
    try:
        return list(image.spec().channelnames)
    finally:
        image.close()


def track(clip, out: str, *extra: str) -> int:
    keys = ["--mask-keyframe", f"hero:1001={clip.keyframe('hero', 1001)}", "--mask-keyframe", f"prop:1001={clip.keyframe('prop', 1001)}"]
    return main(["track", "--plate", clip.plate, "--frames", "1001-1008", *keys, "--out", out, "-q", *extra])


def test_two_objects_are_two_layers_of_one_exr(two_objects, tmp_path, capsys):
    out = str(tmp_path / "masks.####.exr")
    assert track(two_objects, out) == 0
    assert "8 masks written (tracker flow; layers hero.A, prop.A), 0 jump warnings" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"masks.{f}.exr" for f in FRAMES]  # no temp files left
    for frame in FRAMES:
        path = at(out, frame)
        assert channels(path) == ["hero.A", "prop.A"]
        for name in ("hero", "prop"):
            mask = read_mask(path, channel=f"{name}.A").pixels[..., 0] > 0.5
            truth = two_objects.truth[name][frame]
            assert (mask & truth).sum() / (mask | truth).sum() >= 0.93, (frame, name)
            other = two_objects.truth["prop" if name == "hero" else "hero"][frame]
            assert not (mask & other).any()
    # The same track again is kept; another layout is another track.
    assert track(two_objects, out) == 0 and "8 masks already up to date" in capsys.readouterr().out
    assert track(two_objects, out, "--objects", "merged") == 0 and "8 masks written" in capsys.readouterr().out


def test_merged_is_the_union_of_the_layers(two_objects, tmp_path, capsys):
    # Soft masks, so the maximum is over values, not just over 0/1.
    layers, merged = str(tmp_path / "layers.####.exr"), str(tmp_path / "merged.####.exr")
    assert track(two_objects, layers, "--soft") == 0 and track(two_objects, merged, "--objects", "merged", "--soft") == 0
    assert "merged.####.exr: 8 masks written (tracker flow), 0 jump warnings" in capsys.readouterr().out
    levels = set()
    for frame in FRAMES:
        assert channels(at(merged, frame)) == ["A"]
        hero, prop = (read_mask(at(layers, frame), f"{n}.A").pixels for n in ("hero", "prop"))
        np.testing.assert_array_equal(read_mask(at(merged, frame)).pixels, np.maximum(hero, prop))
        assert hero.max() == prop.max() == 1.0  # both objects are in the union
        levels.update(np.unique(hero))
    assert len(levels) > 2


def test_one_object_is_one_a_unless_layers_are_asked_for(two_objects, tmp_path, capsys):
    key = two_objects.keyframe("hero", 1001)
    arguments = ["track", "--plate", two_objects.plate, "--frames", "1001-1003", "-q"]
    assert main([*arguments, "--mask-keyframe", f"1001={key}", "--out", str(tmp_path / "a.####.exr")]) == 0
    assert main([*arguments, "--mask-keyframe", f"hero:1001={key}", "--out", str(tmp_path / "b.####.exr")]) == 0
    assert main([*arguments, "--mask-keyframe", f"hero:1001={key}", "--objects", "layers", "--out", str(tmp_path / "c.####.exr")]) == 0
    assert channels(str(tmp_path / "a.1002.exr")) == channels(str(tmp_path / "b.1002.exr")) == ["A"]
    assert channels(str(tmp_path / "c.1002.exr")) == ["hero.A"]
    np.testing.assert_array_equal(read_mask(str(tmp_path / "a.1002.exr")).pixels, read_mask(str(tmp_path / "c.1002.exr")).pixels)
    capsys.readouterr()
    assert main([*arguments, "--mask-keyframe", f"1001={key}", "--objects", "nope", "--out", str(tmp_path / "d.####.exr")]) == 1
    assert "unknown objects output 'nope'; choose auto, layers, merged" in capsys.readouterr().err


def test_matte_one_object_by_its_mask_channel(two_objects, tmp_path, capsys):
    layers = str(tmp_path / "masks.####.exr")
    assert track(two_objects, layers) == 0
    hero = str(tmp_path / "hero.####.exr")
    assert main(["track", "--plate", two_objects.plate, "--frames", "1001-1008", "-q", "--out", hero,
                 "--mask-keyframe", f"1001={two_objects.keyframe('hero', 1001)}"]) == 0
    matte = ["matte", "--plate", two_objects.plate, "--frames", "1001-1008", *MATTE]
    assert main([*matte, "--mask", layers, "--mask-channel", "hero.A", "--out", str(tmp_path / "from_layer.####.exr")]) == 0
    assert main([*matte, "--mask", hero, "--out", str(tmp_path / "alone.####.exr")]) == 0
    for frame in FRAMES:
        alpha = read_mask(str(tmp_path / f"from_layer.{frame}.exr")).pixels
        np.testing.assert_array_equal(alpha, read_mask(str(tmp_path / f"alone.{frame}.exr")).pixels)
        assert not (alpha[..., 0] > 0.5)[two_objects.truth["prop"][frame]].any()  # the other object is not matted
    # Without a channel, a file of several layers is not guessed at.
    capsys.readouterr()
    assert main([*matte, "--mask", layers, "--out", str(tmp_path / "guess.####.exr")]) == 1
    assert "has several alpha layers (hero.A, prop.A) and no main alpha" in capsys.readouterr().err
    assert not list(tmp_path.glob("guess.*"))


def test_jump_warnings_name_their_object_and_are_kept(two_objects, tmp_path, capsys):
    # "prop" is keyed on the wrong thing at its last frame: only its track jumps.
    wrong = str(tmp_path / "wrong.exr")
    write_image(wrong, two_objects.truth["hero"][1004].astype(np.float32), ("A",))
    arguments = ["track", "--plate", two_objects.plate, "--frames", "1001-1004", "-q", "--out", str(tmp_path / "j.####.exr"),
                 "--mask-keyframe", f"hero:1001={two_objects.keyframe('hero', 1001)}",
                 "--mask-keyframe", f"prop:1001={two_objects.keyframe('prop', 1001)}", "--mask-keyframe", f"prop:1004={wrong}"]
    assert main(arguments) == 0
    first = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert first and all(re.match(r"videomama: warning: frame 100[234] \(prop\): the mask", line) for line in first)
    assert any(key.startswith("videomama:jump:prop") for f in (1003, 1004) for key in read_metadata(str(tmp_path / f"j.{f}.exr")))
    assert main(arguments) == 0  # kept: the same warnings, read back from the masks
    captured = capsys.readouterr()
    assert "already up to date" in captured.out
    assert first == [line for line in captured.err.splitlines() if "warning" in line]


def test_matte_with_several_objects_mattes_their_union(two_objects, tmp_path, capsys):
    keys = ["--mask-keyframe", f"hero:1001={two_objects.keyframe('hero', 1001)}",
            "--mask-keyframe", f"prop:1001={two_objects.keyframe('prop', 1001)}"]
    out = str(tmp_path / "alpha.####.exr")
    assert main(["matte", "--plate", two_objects.plate, "--frames", "1001-1004", *keys, *MATTE, "--out", out]) == 0
    assert "alpha_masks.####.exr: 4 masks written (tracker flow), 0 jump warnings" in capsys.readouterr().out
    layers = str(tmp_path / "layers" / "m.####.exr")
    assert main(["track", "--plate", two_objects.plate, "--frames", "1001-1004", *keys, "-q", "--out", layers]) == 0
    for frame in range(1001, 1005):
        masks = str(tmp_path / f"alpha_masks.{frame}.exr")
        assert channels(masks) == ["A"]
        union = np.maximum(*(read_mask(at(layers, frame), f"{n}.A").pixels for n in ("hero", "prop")))
        np.testing.assert_array_equal(read_mask(masks).pixels, union)
        alpha = read_mask(at(out, frame)).pixels[..., 0]
        for name in ("hero", "prop"):  # both objects are in the matte
            assert alpha[two_objects.truth[name][frame]].mean() > 0.9


def test_one_matte_per_object_each_from_its_own_layer(two_objects, tmp_path, capsys):
    keys = ["--mask-keyframe", f"hero:1001={two_objects.keyframe('hero', 1001)}",
            "--mask-keyframe", f"prop:1001={two_objects.keyframe('prop', 1001)}"]
    out = str(tmp_path / "alpha.{object}.####.exr")
    arguments = ["matte", "--plate", two_objects.plate, "--frames", "1001-1004", *keys, *MATTE, "--out", out, "--objects", "layers"]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert "alpha_masks.####.exr: 4 masks written (tracker flow; layers hero.A, prop.A)" in printed
    for name in ("hero", "prop"):
        assert f"alpha.{name}.####.exr: 4 frames written" in printed
    # Each matte equals matting that object's layer with its mask channel.
    masks = str(tmp_path / "alpha_masks.####.exr")
    for name, other in (("hero", "prop"), ("prop", "hero")):
        alone = str(tmp_path / f"alone_{name}.####.exr")
        assert main(["matte", "--plate", two_objects.plate, "--mask", masks, "--mask-channel", f"{name}.A",
                     "--frames", "1001-1004", "--shot", "1001-1004", *MATTE, "--out", alone]) == 0
        for frame in range(1001, 1005):
            alpha = read_mask(at(out.replace("{object}", name), frame)).pixels[..., 0]
            np.testing.assert_array_equal(alpha, read_mask(at(alone, frame)).pixels[..., 0])
            assert alpha[two_objects.truth[name][frame]].mean() > 0.9
            assert alpha[two_objects.truth[other][frame]].mean() < 0.1
    assert main(arguments) == 0   # a re-run keeps the track and every object's matte
    assert capsys.readouterr().out.count("0 frames written, 4 already up to date") == 2


@pytest.mark.parametrize("output,objects,words", [
    ("alpha.####.exr", "layers", "one matte per object needs {object} in the output path"),
    ("alpha.{object}.####.exr", "merged", "the output names {object} but the matte is of the objects' union"),
])
def test_the_object_token_and_one_matte_per_object_go_together(two_objects, tmp_path, output, objects, words):
    request = TrackThenMatteRequest(
        MatteRequest(two_objects.plate, "", str(tmp_path / output), frames=FrameRange(1001, 1004), backend="classic"),
        Prompts(masks=parse_mask_keyframes([f"hero:1001={two_objects.keyframe('hero', 1001)}"])),
        object_output=objects,
    )
    with pytest.raises(InputError, match=re.escape(words)):
        prepare_track_then_matte(request)
    assert not list(tmp_path.glob("alpha*"))

def test_progress_runs_once_over_every_object_matte(two_objects, tmp_path):
    from videomama.matting.engine import MatteProgress
    from videomama.tracking.then_matte import run_track_then_matte

    seen = []
    keys = [f"hero:1001={two_objects.keyframe('hero', 1001)}", f"prop:1001={two_objects.keyframe('prop', 1001)}"]
    request = TrackThenMatteRequest(
        MatteRequest(two_objects.plate, "", str(tmp_path / "alpha.{object}.####.exr"), frames=FrameRange(1001, 1004),
                     backend="classic", window=4, overlap=1),
        Prompts(masks=parse_mask_keyframes(keys)),
        object_output="layers",
    )
    result = run_track_then_matte(request, on_progress=seen.append)
    matting = [p for p in seen if isinstance(p, MatteProgress)]
    done = [p.frames_done for p in matting]
    assert done == sorted(done) and done[-1] == 8 and {p.frames_total for p in matting} == {8}
    elapsed = [p.elapsed_s for p in matting]
    assert elapsed == sorted(elapsed)
    assert list(result.mattes) == ["hero", "prop"] and all(r.written == [1001, 1002, 1003, 1004] for r in result.mattes.values())
    # A re-run after losing two of one object's frames: progress still only climbs, to its total.
    for frame in (1003, 1004):
        (tmp_path / f"alpha.prop.{frame}.exr").unlink()
    seen.clear()
    result = run_track_then_matte(request, on_progress=seen.append)
    matting = [p for p in seen if isinstance(p, MatteProgress)]
    done = [p.frames_done for p in matting]
    assert done == sorted(done) and done[-1] == matting[-1].frames_total
    assert result.mattes["prop"].written == [1003, 1004] and result.mattes["hero"].written == []


def test_matte_of_one_layer_puts_the_object_name_in_the_output(two_objects, tmp_path, capsys):
    layers = str(tmp_path / "masks.####.exr")
    assert track(two_objects, layers) == 0
    matte = ["matte", "--plate", two_objects.plate, "--mask", layers, "--frames", "1001-1004", "--shot", "1001-1008", *MATTE]
    out = str(tmp_path / "alpha.{object}.####.exr")
    assert main([*matte, "--mask-channel", "prop.A", "--out", out]) == 0
    assert sorted(p.name for p in tmp_path.glob("alpha.*")) == [f"alpha.prop.{f}.exr" for f in range(1001, 1005)]
    capsys.readouterr()
    assert main([*matte, "--mask-channel", "A", "--out", out]) == 1
    assert "the output names {object}: take the mask from one object's layer" in capsys.readouterr().err
