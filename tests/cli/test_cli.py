"""The command line as a user meets it: exit codes and one-line errors."""

import json
import subprocess
import sys

from videomama.cli.main import main


def test_info_json_lists_every_backend(capsys):
    assert main(["info", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    names = {row["name"]: row for row in report["backends"]}
    assert names["classic"]["available"] is True
    assert {"classic", "videomama"} <= set(names)


def test_info_lists_the_trackers_and_why_sam2_cannot_run(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path / "no-models"))
    assert main(["info", "--json"]) == 0
    trackers = {row["name"]: row for row in json.loads(capsys.readouterr().out)["trackers"]}
    assert set(trackers) == {"flow", "sam2"}
    assert trackers["flow"]["available"] is True and trackers["flow"]["needs_mask_keyframe"] is True
    assert trackers["flow"]["takes_points_and_boxes"] is False
    assert trackers["sam2"]["available"] is False and trackers["sam2"]["takes_points_and_boxes"] is True
    assert str(tmp_path / "no-models") in trackers["sam2"]["reason"]

    assert main(["info"]) == 0
    out = capsys.readouterr().out
    listed = out[out.index(" trackers:\n"):].splitlines()[1:]
    assert listed[0].split()[0] == "flow" and listed[1].strip() == "available"
    assert listed[2].split()[0] == "sam2" and listed[3].strip().startswith("unavailable: SAM2 weights are not installed")


def test_info_never_imports_torch():
    # Listing trackers and backends must stay cheap: torch takes seconds to import.
    code = (
        "import sys, contextlib, io; from videomama.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): assert main(['info', '--json']) == 0\n"
        "print(sorted(m for m in ('torch', 'sam2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_matte_error_is_one_line_and_exit_one(small_clip, tmp_path, capsys):
    code = main(["matte", "--plate", small_clip.plate, "--mask", small_clip.mask,
                 "--out", str(tmp_path / "m.####.exr"), "--frames", "1005-1030", "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("videomama: error:") and "\n" not in err and "1013-1030" in err
    assert list(tmp_path.iterdir()) == []


def test_matte_then_eval_prints_every_metric(small_clip, tmp_path, capsys):
    out = str(tmp_path / "m.####.exr")
    assert main(["matte", "--plate", small_clip.plate, "--mask", small_clip.mask, "--out", out,
                 "--frames", "1001-1004", "--backend", "classic", "--window", "4", "--overlap", "1", "-q"]) == 0
    capsys.readouterr()
    assert main(["eval", "--gt", small_clip.alpha, "--pred", out, "--frames", "1001-1004"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert {"MAD", "MSE", "Grad", "Conn", "dtSSD", "MAD-T"} <= set(scores)
    assert scores["frames"] == 4


def test_track_with_clicks_only_and_no_sam2_weights_is_a_clear_error(small_clip, tmp_path, capsys, monkeypatch):
    # Clicks need SAM2; without its weights the error says so and that the
    # flow tracker needs a mask keyframe instead.
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path / "no-models"))
    code = main(["track", "--plate", small_clip.plate, "--frames", "1001-1004", "--points", "1001:3,4,+",
                 "--out", str(tmp_path / "t.####.exr")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and "\n" not in err
    assert "needs a mask keyframe" in err and "SAM2" in err
    assert list(tmp_path.iterdir()) == []
