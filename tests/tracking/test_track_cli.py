"""``videomama track`` end to end on a written clip: EXR masks with the plate's windows."""

from __future__ import annotations

import re

import numpy as np

from videomama.cli.main import main
from videomama.sequences.image_read import read_mask, read_metadata, read_windows
from videomama.sequences.image_write import write_image


def test_track_writes_masks_from_a_keyframe(small_clip, tmp_path, capsys):
    out = str(tmp_path / "masks.####.exr")
    key = small_clip.alpha.replace("####", "1001")
    assert main(["track", "--plate", small_clip.plate, "--frames", "1001-1006", "--mask-keyframe", f"1001={key}",
                 "--out", out, "-q"]) == 0
    assert "6 masks written (tracker flow)" in capsys.readouterr().out
    for frame in range(1001, 1007):
        path = out.replace("####", str(frame))
        mask = read_mask(path).pixels[..., 0]
        truth = read_mask(small_clip.alpha.replace("####", str(frame))).pixels[..., 0] > 0.5
        assert set(np.unique(mask)) <= {0.0, 1.0}  # hard by default
        iou = ((mask > 0.5) & truth).sum() / ((mask > 0.5) | truth).sum()
        assert iou > 0.85, (frame, iou)
        assert read_windows(path) == read_windows(small_clip.plate.replace("####", str(frame)))
        assert read_metadata(path)["videomama:tracker"] == "flow"


def test_track_soft_and_bad_keyframes(small_clip, tmp_path, capsys):
    out = str(tmp_path / "soft.####.exr")
    key = small_clip.alpha.replace("####", "1003")
    assert main(["track", "--plate", small_clip.plate, "--frames", "1001-1004", "--mask-keyframe", f"1003={key}",
                 "--out", out, "--soft", "-q"]) == 0
    assert len(list(tmp_path.iterdir())) == 4
    # An empty keyframe mask and a keyframe outside the range are one-line errors.
    empty = str(tmp_path / "empty.exr")
    write_image(empty, np.zeros((96, 160), np.float32), ("A",))
    capsys.readouterr()
    assert main(["track", "--plate", small_clip.plate, "--frames", "1001-1004", "--mask-keyframe", f"1001={empty}",
                 "--out", str(tmp_path / "x.####.exr"), "-q"]) == 1
    assert "is empty" in capsys.readouterr().err
    assert main(["track", "--plate", small_clip.plate, "--frames", "1001-1004", "--mask-keyframe", f"1009={key}",
                 "--out", str(tmp_path / "x.####.exr"), "-q"]) == 1
    assert "outside the tracked frames" in capsys.readouterr().err


def test_track_warns_where_the_mask_jumps(small_clip, tmp_path, capsys):
    # A second keyframe that outlines something else: the track must jump
    # there, and the CLI says which frames to look at.
    key = small_clip.alpha.replace("####", "1001")
    elsewhere = np.zeros((96, 160), np.float32)
    elsewhere[5:25, 5:35] = 1.0
    wrong = str(tmp_path / "wrong.exr")
    write_image(wrong, elsewhere, ("A",))
    assert main(["track", "--plate", small_clip.plate, "--frames", "1001-1004", "--mask-keyframe", f"1001={key}",
                 "--mask-keyframe", f"1004={wrong}", "--out", str(tmp_path / "j.####.exr"), "-q"]) == 0
    captured = capsys.readouterr()
    # Between the keyframes the blend crosses over from one mask to the
    # other; the jump is reported where it does (1003 here) or at 1004.
    assert re.search(r"videomama: warning: frame 100[34]: the mask jumps", captured.err)
    assert "jump warnings" in captured.out


def test_plates_whose_data_window_changes_are_tracked_on_one_canvas(small_clip, tmp_path, capsys):
    from videomama.sequences.conform import place
    from videomama.sequences.image_read import read_plate
    from videomama.sequences.images import Box, ImageWindows

    # The same plates, cropped to a bounding box on some frames and with overscan on another.
    display = Box(0, 0, 160, 96)
    data = {1001: display, 1002: Box(6, 3, 148, 90), 1003: Box(-8, -4, 176, 104), 1004: Box(0, 10, 150, 86)}
    plate = str(tmp_path / "plate" / "plate.####.exr")
    for frame, box in data.items():
        pixels = read_plate(small_clip.plate.replace("####", str(frame)), colorspace="raw").pixels
        padded = np.pad(pixels, ((8, 8), (8, 8), (0, 0)), mode="edge")  # room for the overscan
        cut = padded[box.y + 8 : box.y + 8 + box.height, box.x + 8 : box.x + 8 + box.width]
        write_image(plate.replace("####", str(frame)), cut, ("R", "G", "B"), ImageWindows(box, display))
    key = small_clip.alpha.replace("####", "1001")
    common = ["--mask-keyframe", f"1001={key}", "--frames", "1001-1004", "-q"]
    cropped, full = str(tmp_path / "cropped.####.exr"), str(tmp_path / "full.####.exr")
    assert main(["track", "--plate", plate, "--out", cropped, *common]) == 0
    assert main(["track", "--plate", small_clip.plate, "--out", full, *common]) == 0
    for frame, box in data.items():
        path = cropped.replace("####", str(frame))
        # Each mask carries its own plate's windows, so it lines up with that frame...
        assert read_windows(path) == ImageWindows(box, display)
        mask = place(read_mask(path).pixels[..., 0], box, display) > 0.5
        # ...and tracks the subject as the uncropped plates do.
        reference = read_mask(full.replace("####", str(frame))).pixels[..., 0] > 0.5
        assert (mask & reference).sum() / (mask | reference).sum() > 0.95, frame
    # Another format (display window) in the range is refused.
    write_image(plate.replace("####", "1005"), np.zeros((48, 80, 3), np.float32), ("R", "G", "B"))
    capsys.readouterr()
    assert main(["track", "--plate", plate, "--out", str(tmp_path / "x.####.exr"), *common[:2], "--frames", "1001-1005", "-q"]) == 1
    assert "a track needs one format (display window) for the whole range" in capsys.readouterr().err
