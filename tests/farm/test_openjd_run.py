"""Whole jobs run by OpenJD's own runner: every chunking gives the single local run's frames."""

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from videomama.farm.chunks import chunk_ranges
from videomama.sequences.pattern import FrameRange

from .support import assert_same_alphas, leftovers, run_openjd, write_bundle


def worker_pids(log: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"matting worker \(pid (\d+)\) serving", log)]


@pytest.mark.parametrize("chunk", [7, 16, 48])
def test_openjd_run_of_the_whole_job_equals_a_single_local_run(shot, reference, tmp_path, chunk):
    out = str(tmp_path / "out" / "matte.####.exr")
    template = write_bundle(shot, out, tmp_path / "bundle", chunk)

    result = run_openjd(template, "--step", "Finalize", "--run-dependencies")

    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert_same_alphas(out, reference)
    # One worker for the session, and every chunk went to it: the model is loaded once.
    tasks = chunk_ranges(FrameRange(shot.first, shot.last), chunk)
    for task in tasks:
        assert f"Frames(CHUNK[INT]) = {task}" in log
    daemons = re.findall(r"frames written, \d+ already up to date \(backend classic, daemon (\S+)\)", log)
    assert len(daemons) == len(tasks) and len(set(daemons)) == 1
    (pid,) = worker_pids(log)
    assert "videomama daemon stopped" in log  # onExit printed the worker's log
    assert not os.path.exists(f"/proc/{pid}") or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    # Finalize's manifest.
    manifest = json.loads((tmp_path / "out" / "matte.manifest.json").read_text())
    assert manifest["frames"] == "1001-1048" and len(manifest["files"]) == 48
    assert manifest["backend"] == "classic"
    assert manifest["settings"]["window"] == "8" and manifest["settings"]["shot"] == "1001-1048"
    assert leftovers(tmp_path / "out") == []


def resolve(arguments: list[str], values: dict[str, str]) -> list[str]:
    """Substitute ``{{Name}}`` expressions as OpenJD would (the template only uses plain references)."""
    return [re.sub(r"{{\s*([\w.]+)\s*}}", lambda m: values[m[1]], argument) for argument in arguments]


def test_matte_tasks_as_parallel_processes_then_finalize(shot, reference, tmp_path):
    """The template's own task command, one process per chunk, all at once, as a farm runs them."""
    out = str(tmp_path / "out" / "matte.####.exr")
    template = yaml.safe_load(write_bundle(shot, out, tmp_path / "bundle", 16).read_text())
    values = {f"Param.{p['name']}": str(p["default"]) for p in template["parameterDefinitions"]}
    matte_step, finalize_step = template["steps"]
    run = matte_step["script"]["actions"]["onRun"]

    tasks = chunk_ranges(FrameRange(shot.first, shot.last), 16)
    processes = []
    for index, task in enumerate(tasks):
        # A session folder without a worker: each task mattes in its own process.
        task_values = {**values, "Task.Param.Frames": str(task), "Session.WorkingDirectory": str(tmp_path / f"s{index}")}
        command = resolve([run["command"], *run["args"]], task_values)
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    logs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), "\n".join(logs)
    assert all("16 frames written, 0 already up to date (backend classic)" in log for log in logs)

    finalize = finalize_step["script"]["actions"]["onRun"]
    result = subprocess.run(resolve([finalize["command"], *finalize["args"]], values), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "48 frames 1001-1048 complete (backend classic" in result.stdout
    assert_same_alphas(out, reference)
    assert leftovers(tmp_path / "out") == []


def matte_locally_and_by_openjd(shot, tmp_path, name: str, prompts: list[str]) -> tuple[str, str]:
    """`videomama matte` with ``prompts`` into local/NAME, and the same job run by OpenJD into out/NAME."""
    from videomama.cli.main import main

    from .support import SETTINGS

    local, out = str(tmp_path / "local" / name), str(tmp_path / "out" / name)
    assert main(["matte", "--plate", shot.plate, "--out", local, *SETTINGS, *prompts, "--quiet"]) == 0
    assert main([
        "farm", "openjd", "--plate", shot.plate, "--out", out, "--chunk", "16", *SETTINGS, *prompts,
        "--bundle", str(tmp_path / "bundle"),
    ]) == 0
    result = run_openjd(tmp_path / "bundle" / "template.yaml", "--step", "Finalize", "--run-dependencies", timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leftovers(tmp_path / "out") == []
    return local, out


def test_a_tracked_job_run_by_openjd_equals_matte_with_the_same_prompts_locally(shot, tmp_path):
    """Track task, then Matte chunks reading its masks: the files of one local `matte --mask-keyframe`."""
    from videomama.sequences.pattern import SequencePattern

    from .support import read_alphas

    keyframe = f"--mask-keyframe=1001={SequencePattern.parse(shot.mask).path(shot.first)}"
    prompts = [keyframe, "--tracker", "flow", "--frames", f"{shot.first}-{shot.last}"]
    local, out = matte_locally_and_by_openjd(shot, tmp_path, "matte.####.exr", prompts)
    frames = range(shot.first, shot.last + 1)
    assert_same_alphas(out, read_alphas(local, frames))
    masks = lambda folder: read_alphas(str(tmp_path / folder / "matte_masks.####.exr"), frames)  # noqa: E731
    assert all(np.array_equal(a, b) for a, b in zip(masks("out").values(), masks("local").values()))


def test_a_job_with_one_matte_per_object_run_by_openjd_equals_matte_locally(shot, tmp_path):
    """Track once, then Matte chunks and Finalize per object (an Object task parameter)."""
    from videomama.sequences.image_write import write_image
    from videomama.sequences.pattern import SequencePattern

    from .support import read_alphas

    prop = np.zeros((64, 96), np.float32)
    prop[4:20, 4:30] = 1.0   # a corner of the frame the subject does not cover
    write_image(str(tmp_path / "prop.exr"), prop, ("A",))
    prompts = [
        f"--mask-keyframe=hero:1001={SequencePattern.parse(shot.mask).path(shot.first)}",
        f"--mask-keyframe=prop:1001={tmp_path / 'prop.exr'}",
        "--tracker", "flow", "--frames", f"{shot.first}-{shot.last}", "--objects", "layers",
    ]
    local, out = matte_locally_and_by_openjd(shot, tmp_path, "matte.{object}.####.exr", prompts)
    frames = range(shot.first, shot.last + 1)
    for name in ("hero", "prop"):
        assert_same_alphas(out.replace("{object}", name), read_alphas(local.replace("{object}", name), frames))
        assert (tmp_path / "out" / f"matte.{name}.manifest.json").exists()
