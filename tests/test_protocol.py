"""The paper's first-frame protocol: binarised first-frame truth -> track -> matte -> scores."""

from __future__ import annotations

import json

import numpy as np

from videomama.cli.main import main
from videomama.sequences.image_read import read_mask
from videomama.sequences.pattern import SequencePattern


def test_first_frame_protocol_tracks_mattes_and_scores_both(quality_clip, tmp_path, capsys):
    work = tmp_path / "protocol"
    frames = f"{quality_clip.first}-{quality_clip.last}"
    assert main([
        "eval", "--gt", quality_clip.alpha, "--first-frame", str(work), "--plate", quality_clip.plate,
        "--frames", frames, "--backend", "classic", "--tracker", "flow", "--window", "5", "--overlap", "1", "-q",
    ]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert (scores["protocol"], scores["frames"], scores["tracker"], scores["backend"]) == ("first-frame", frames, "flow", "classic")
    # The only prompt is the first frame's truth, binarised at 0.5.
    truth = read_mask(SequencePattern.parse(quality_clip.alpha).path(quality_clip.first)).pixels
    prompt = read_mask(str(work / f"prompt.{quality_clip.first}.exr")).pixels
    np.testing.assert_array_equal(prompt, (truth > 0.5).astype(np.float32))
    # Both the tracked masks and the matte are scored on every frame; the matte is the better alpha.
    metrics = {"MAD", "MSE", "Grad", "Conn", "dtSSD", "MAD-T"}
    assert metrics <= set(scores["masks"]) and metrics <= set(scores["matte"])
    assert scores["masks"]["range"] == scores["matte"]["range"] == frames
    assert scores["matte"]["MAD"] < scores["masks"]["MAD"] and scores["matte"]["Grad"] < scores["masks"]["Grad"]


def test_first_frame_protocol_and_a_prediction_are_exclusive(quality_clip, tmp_path, capsys):
    common = ["eval", "--gt", quality_clip.alpha, "--frames", f"{quality_clip.first}-{quality_clip.last}"]
    assert main([*common, "--pred", quality_clip.alpha, "--first-frame", str(tmp_path)]) == 1
    assert "one of the two" in capsys.readouterr().err
    assert main([*common, "--first-frame", str(tmp_path / "w")]) == 1
    assert "needs the plate (--plate)" in capsys.readouterr().err
    missing = str(tmp_path / "plate.####.exr")  # a folder without the frames
    assert main([*common, "--first-frame", str(tmp_path / "w"), "--plate", missing]) == 1
    assert "missing" in capsys.readouterr().err and not (tmp_path / "w").exists()  # nothing written
