"""A chunk that fails: a clear message, no half-written frame, and only that chunk to re-run."""

import shutil
import subprocess

from videomama.farm.chunks import chunk_ranges
from videomama.sequences.pattern import FrameRange

from .support import assert_same_alphas, copy_clip, leftovers, openjd_command, run_openjd, write_bundle

# With 16-frame chunks and windows of 8 overlapping by 2, frame 1024 is read
# by the middle chunk only (1017-1032 reads 1013-1038).
BROKEN = 1024


def break_plate(clip, tmp_path):
    """Cut the plate's pixel data short: its header still reads, its pixels do not."""
    plate = clip.plate.replace("####", str(BROKEN))
    shutil.copy(plate, tmp_path / "plate.good")
    data = open(plate, "rb").read()
    with open(plate, "wb") as stream:
        stream.write(data[: len(data) * 2 // 3])
    return plate


def test_a_failing_chunk_fails_the_job_with_a_clear_message(shot, tmp_path):
    clip = copy_clip(shot, tmp_path / "clip")
    plate = break_plate(clip, tmp_path)
    out = tmp_path / "out"
    template = write_bundle(clip, str(out / "matte.####.exr"), tmp_path / "bundle", 16)

    result = run_openjd(template, "--step", "Finalize", "--run-dependencies")

    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"videomama: error: cannot read pixels of '{plate}'" in log
    assert "Running step 'Finalize'" not in log and not (out / "matte.manifest.json").exists()
    assert "videomama daemon stopped" in log  # the session's worker was stopped all the same
    assert leftovers(out) == []


def test_re_running_only_the_failed_chunk_then_finalize_completes_the_job(shot, reference, tmp_path):
    clip = copy_clip(shot, tmp_path / "clip")
    plate = break_plate(clip, tmp_path)
    out = tmp_path / "out"
    pattern = str(out / "matte.####.exr")
    template = write_bundle(clip, pattern, tmp_path / "bundle", 16)
    first, middle, last = chunk_ranges(FrameRange(clip.first, clip.last), 16)

    def start_chunk(chunk):
        return subprocess.Popen(
            [openjd_command(), "run", str(template), "--step", "Matte", "--task-param", f"Frames={chunk}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    # The farm runs every chunk, in parallel; only the one that reads the broken plate fails.
    processes = {chunk: start_chunk(chunk) for chunk in (first, middle, last)}
    logs = {chunk: process.communicate(timeout=120)[0] for chunk, process in processes.items()}
    assert processes[first].returncode == 0 and processes[last].returncode == 0
    assert processes[middle].returncode != 0 and f"cannot read pixels of '{plate}'" in logs[middle]
    assert leftovers(out) == []  # frames before the failure are complete, the rest absent

    refused = run_openjd(template, "--step", "Finalize")
    assert refused.returncode != 0
    assert "videomama: error: " in refused.stdout and "is missing frames 1019-1032 (14 of 48)" in refused.stdout

    shutil.copy(tmp_path / "plate.good", plate)
    rerun = run_openjd(template, "--step", "Matte", "--task-param", f"Frames={middle}")
    assert rerun.returncode == 0, rerun.stdout
    assert "14 frames written, 2 already up to date" in rerun.stdout  # resumed, not redone
    finished = run_openjd(template, "--step", "Finalize")
    assert finished.returncode == 0, finished.stdout
    assert_same_alphas(pattern, reference)
    assert leftovers(out) == []


def test_farm_matte_without_a_session_worker_mattes_in_process(shot, reference, tmp_path):
    """A task run by hand (or where the environment was stripped) still works, and says how."""
    out = str(tmp_path / "matte.####.exr")
    result = subprocess.run(
        [openjd_command().replace("openjd", "videomama"), "farm", "matte", "--session-dir", str(tmp_path / "nothing"),
         "--plate", shot.plate, "--mask", shot.mask, "--out", out, "--backend", "classic", "--window", "8",
         "--overlap", "2", "--shot", "1001-1048", "--frames", "1030-1040", "-q"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no matting worker in" in result.stderr and "(backend classic)" in result.stdout
    assert_same_alphas(out, {f: reference[f] for f in range(1030, 1041)})
