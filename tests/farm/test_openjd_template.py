"""The generated OpenJD template and Deadline Cloud bundle, checked by their own tools."""

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from videomama.cli.main import main
from videomama.farm import openjd
from videomama.farm.job import build_job
from videomama.matting.request import MatteRequest
from videomama.sequences.pattern import SequencePattern

from .support import BIN, openjd_command, write_bundle


def openjd_check(path) -> subprocess.CompletedProcess:
    return subprocess.run([openjd_command(), "check", str(path)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def bundle(shot, tmp_path):
    template = write_bundle(shot, str(tmp_path / "out" / "matte.####.exr"), tmp_path / "bundle", 16)
    return yaml.safe_load(template.read_text()), tmp_path / "bundle"


def test_openjd_check_accepts_the_templates(shot, tmp_path):
    plain = write_bundle(shot, str(tmp_path / "a" / "m.####.exr"), tmp_path / "plain", 7)
    # Every literal setting, GPUs and a sub-range of the shot.
    busy = write_bundle(
        shot, str(tmp_path / "b" / "m.####.exr"), tmp_path / "busy", 5,
        "--frames", "1010-1030", "--colorspace", "lin_rec709", "--compression", "dwaa:45", "--rgba",
        "-o", "edge=2", "--gpus", "1", "--name", "sh010 {matte}",
    )
    for template in (plain, busy):
        result = openjd_check(template)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "passes validation checks" in result.stdout


def test_job_shape_matte_chunks_then_finalize(bundle):
    template, _ = bundle
    assert template["specificationVersion"] == "jobtemplate-2023-09"
    assert template["extensions"] == ["TASK_CHUNKING"]
    matte, finalize = template["steps"]
    assert (matte["name"], finalize["name"]) == ("Matte", "Finalize")
    assert finalize["dependencies"] == [{"dependsOn": "Matte"}]
    (frames,) = matte["parameterSpace"]["taskParameterDefinitions"]
    assert frames == {
        "name": "Frames", "type": "CHUNK[INT]", "range": "{{Param.Frames}}",
        "chunks": {"defaultTaskCount": "{{Param.ChunkSize}}", "rangeConstraint": "CONTIGUOUS"},
    }
    assert "hostRequirements" not in matte  # the CPU backend needs no GPU


def test_every_task_lays_windows_on_the_whole_shot(bundle):
    template, _ = bundle
    args = template["steps"][0]["script"]["actions"]["onRun"]["args"]
    assert args[:4] == ["farm", "matte", "--session-dir", "{{Session.WorkingDirectory}}"]
    # Ranges as --flag=A-B: a negative frame range would otherwise read as an option.
    assert "--shot={{Param.Shot}}" in args and args[-1] == "--frames={{Task.Param.Frames}}"
    assert args[args.index("--window") + 1] == "{{Param.Window}}"
    assert args[args.index("--overlap") + 1] == "{{Param.Overlap}}"


def test_the_session_environment_starts_and_stops_one_worker(bundle):
    template, _ = bundle
    (environment,) = template["steps"][0]["stepEnvironments"]
    actions = environment["script"]["actions"]
    assert actions["onEnter"]["args"] == ["farm", "worker", "start", "--session-dir", "{{Session.WorkingDirectory}}"]
    assert actions["onExit"]["args"] == ["farm", "worker", "stop", "--session-dir", "{{Session.WorkingDirectory}}"]
    assert actions["onEnter"]["command"] == "{{Param.VideomamaExe}}"


def test_parameters_default_to_the_command_line(bundle, shot, tmp_path):
    template, folder = bundle
    defaults = {p["name"]: p["default"] for p in template["parameterDefinitions"]}
    assert defaults == {
        "Plate": shot.plate, "Mask": shot.mask, "Output": str(tmp_path / "out" / "matte.####.exr"),
        "Frames": "1001-1048", "Shot": "1001-1048", "ChunkSize": 16, "Window": 8, "Overlap": 2,
        "Backend": "classic", "VideomamaExe": str(BIN / "videomama"),
    }
    values = yaml.safe_load((folder / "parameter_values.yaml").read_text())["parameterValues"]
    assert {v["name"]: v["value"] for v in values} == defaults


def test_deadline_reads_the_bundle_as_written(bundle):
    deadline = BIN / "deadline"
    if not deadline.exists():
        pytest.skip("the deadline CLI is not installed")
    template, folder = bundle
    result = subprocess.run(
        [str(deadline), "bundle", "info", str(folder), "--output", "json"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["steps"] == ["Matte", "Finalize"]
    shown = {p["name"]: p["_display_value"] for p in info["parameters"]}
    assert shown == {p["name"]: str(p["default"]) for p in template["parameterDefinitions"]}


def test_gpus_become_a_host_requirement(shot, tmp_path):
    job = build_job(MatteRequest(shot.plate, shot.mask, str(tmp_path / "m.####.exr"), backend="videomama"), 16)
    matte = openjd.job_template(job)["steps"][0]
    assert matte["hostRequirements"] == {"amounts": [{"name": "amount.worker.gpu", "min": 1}]}


def test_literal_settings_cannot_smuggle_openjd_expressions(shot, tmp_path, capsys):
    status = main([
        "farm", "openjd", "--plate", shot.plate, "--mask", shot.mask, "--out", str(tmp_path / "m.####.exr"),
        "--colorspace", "{{Param.Plate}}", "--template", str(tmp_path / "t.yaml"),
    ])
    assert status == 1
    assert "colorspace '{{Param.Plate}}' contains '{{' or '}}'" in capsys.readouterr().err
    assert not (tmp_path / "t.yaml").exists()


def test_the_template_alone_or_on_stdout(shot, tmp_path, capsys):
    common = ["farm", "openjd", "--plate", shot.plate, "--mask", shot.mask, "--out", str(tmp_path / "m.####.exr")]
    assert main([*common, "--frames", "1001-1010"]) == 0
    captured = capsys.readouterr()
    assert yaml.safe_load(captured.out)["parameterDefinitions"][3]["default"] == "1001-1010"
    assert "in 1 task(s) of up to 16 frames (1001-1010)" in captured.err
    assert main([*common, "--template", str(tmp_path / "job" / "t.yaml")]) == 0
    assert openjd_check(tmp_path / "job" / "t.yaml").returncode == 0


def test_prompts_instead_of_masks_add_a_track_step_the_matte_waits_for(shot, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(Path(shot.mask).parent)  # a relative keyframe path, made absolute in the job
    keyframe = os.path.basename(SequencePattern.parse(shot.mask).path(shot.first))
    out = str(tmp_path / "out" / "matte.####.exr")
    assert main([
        "farm", "openjd", "--plate", shot.plate, "--out", out, "--frames", "1001-1020", "--shot", "1001-1048",
        "--mask-keyframe", f"1001={keyframe}", "--tracker", "flow", "--template", str(tmp_path / "t.yaml"),
    ]) == 0
    assert "track shot 1001-1048 into" in capsys.readouterr().out
    template = yaml.safe_load((tmp_path / "t.yaml").read_text())
    track, matte, finalize = template["steps"]
    assert (track["name"], matte["dependencies"], "hostRequirements" in track) == ("Track", [{"dependsOn": "Track"}], False)
    masks = str(tmp_path / "out" / "matte_masks.####.exr")
    assert {p["name"]: p["default"] for p in template["parameterDefinitions"]}["Mask"] == masks
    arguments = track["script"]["actions"]["onRun"]["args"]
    assert arguments[:8] == ["track", "--quiet", "--plate", "{{Param.Plate}}", "--out", "{{Param.Mask}}", "--frames={{Param.Shot}}",
                             f"--mask-keyframe=1001={os.path.join(Path(shot.mask).parent, keyframe)}"]
    assert "--mask" in matte["script"]["actions"]["onRun"]["args"]
    assert openjd_check(tmp_path / "t.yaml").returncode == 0


def test_a_bad_prompt_is_refused_before_the_bundle_is_written(shot, tmp_path, capsys):
    status = main([
        "farm", "openjd", "--plate", shot.plate, "--out", str(tmp_path / "m.####.exr"), "--frames", "1001-1010",
        "--points", "1001:5000,10,+", "--bundle", str(tmp_path / "b"),
    ])
    assert status == 1
    assert "is outside the 96x64 frame" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_a_missing_input_is_refused_before_the_bundle_is_written(shot, tmp_path, capsys):
    status = main([
        "farm", "openjd", "--plate", shot.plate, "--mask", shot.mask, "--out", str(tmp_path / "m.####.exr"),
        "--frames", "1001-1060", "--bundle", str(tmp_path / "b"),
    ])
    assert status == 1 and "missing frames 1049-1060" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
