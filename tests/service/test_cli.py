"""``videomama serve``, and ``matte``/``info`` with ``--server``."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
from videomama_client import Client

from videomama.cli.main import main
from videomama.sequences.image_write import write_image

from .support import assert_same_frames

MATTE_SETTINGS = ["--backend", "classic", "--window", "4", "--overlap", "1", "--quiet"]


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("VIDEOMAMA_")}


def test_info_prints_the_daemons_info(daemon, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOMAMA_MODELS", str(tmp_path / "no-models"))
    assert main(["info", "--server", daemon.address]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"videomama daemon 0.1.0 at {daemon.address} (videomama.v1)")
    assert "classic" in out and "token not required" in out
    trackers = out[out.index(" trackers:\n"):].splitlines()
    assert trackers[1].split()[0] == "flow" and trackers[1].endswith("takes mask keyframes only")
    assert trackers[2].strip() == "available"
    assert trackers[3].split()[0] == "sam2" and trackers[3].endswith("takes points, boxes and mask keyframes")
    assert trackers[4].strip().startswith("unavailable: SAM2 weights are not installed")


def test_info_lists_the_models_the_daemon_keeps_loaded(clip, daemon, tmp_path, capsys):
    assert main(["info", "--server", daemon.address]) == 0
    assert " loaded:" not in capsys.readouterr().out  # nothing loaded before the first job
    inputs = ["--plate", clip.plate, "--mask", clip.mask, *MATTE_SETTINGS, "--server", daemon.address]
    assert main(["matte", *inputs, "--out", str(tmp_path / "matte.####.exr"), "-q"]) == 0
    capsys.readouterr()
    assert main(["info", "--server", daemon.address, "--json"]) == 0
    (loaded,) = json.loads(capsys.readouterr().out)["loaded_models"]
    assert (loaded["kind"], loaded["name"], loaded["in_use"]) == ("backend", "classic", False)
    assert main(["info", "--server", daemon.address]) == 0
    out = capsys.readouterr().out
    assert " loaded:\n  backend classic" in out and ": idle " in out


def test_info_json(daemon, capsys):
    assert main(["info", "--server", daemon.address, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {backend["name"] for backend in report["backends"]} >= {"classic", "videomama"}
    assert [tracker["name"] for tracker in report["trackers"]] == ["flow", "sam2"]


def test_matte_through_the_daemon_writes_what_a_local_run_writes(clip, daemon, tmp_path, monkeypatch, capsys):
    inputs = ["--plate", clip.plate, "--mask", clip.mask, *MATTE_SETTINGS]
    assert main(["matte", *inputs, "--out", str(tmp_path / "local" / "matte.####.exr")]) == 0
    monkeypatch.chdir(tmp_path)  # a relative output is made absolute for the daemon
    assert main(["matte", *inputs, "--out", "daemon/matte.####.exr", "--server", daemon.address]) == 0
    assert_same_frames(tmp_path / "local", tmp_path / "daemon")
    assert f"8 frames written, 0 already up to date (backend classic, daemon {daemon.address})" in capsys.readouterr().out


def test_track_and_matte_with_prompts_through_the_daemon(clip, daemon, tmp_path, monkeypatch, capsys):
    prompts = ["--plate", clip.plate, "--frames", f"{clip.first}-{clip.last}",
               "--mask-keyframe", f"{clip.first}={clip.folder / f'alpha.{clip.first}.exr'}", "--quiet"]
    assert main(["track", *prompts, "--out", str(tmp_path / "local" / "masks.####.exr")]) == 0
    assert main(["track", *prompts, "--out", str(tmp_path / "daemon" / "masks.####.exr"), "--server", daemon.address]) == 0
    assert_same_frames(tmp_path / "local", tmp_path / "daemon", name="masks")
    assert f"8 masks written (tracker flow, daemon {daemon.address})" in capsys.readouterr().out

    monkeypatch.chdir(tmp_path)  # relative outputs are made absolute for the daemon
    matte = ["matte", *prompts, *MATTE_SETTINGS, "--server", daemon.address]
    assert main([*matte, "--out", "shot/matte.####.exr"]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'shot' / 'matte_masks.####.exr'}: masks tracked (tracker flow)" in out
    assert "8 frames written, 0 already up to date (backend classic" in out
    assert sorted(p.name for p in (tmp_path / "shot").iterdir()) == sorted(
        [f"matte.{f}.exr" for f in clip.frames] + [f"matte_masks.{f}.exr" for f in clip.frames]
    )
    assert main([*matte, "--out", "shot/matte.####.exr", "--mask", clip.mask]) == 1
    assert "not both" in capsys.readouterr().err

    # One matte per object: --objects reaches the daemon; the object's name goes into the output.
    named = ["matte", *[p.replace(f"{clip.first}=", f"hero:{clip.first}=") for p in prompts], *MATTE_SETTINGS,
             "--server", daemon.address, "--objects", "layers"]
    assert main([*named, "--out", "objects/matte.{object}.####.exr"]) == 0
    assert f"{tmp_path / 'objects' / 'matte.{object}.####.exr'}: 8 frames written" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "objects").glob("matte.hero.*")) == [f"matte.hero.{f}.exr" for f in clip.frames]


def test_a_failed_job_is_one_line_and_exit_status_1(clip, daemon, tmp_path, capsys):
    status = main([
        "matte", "--plate", clip.plate, "--mask", clip.mask, "--out", str(tmp_path / "m.####.exr"),
        "--frames", "1001-1020", "--server", daemon.address, *MATTE_SETTINGS,
    ])
    error = capsys.readouterr().err
    assert status == 1
    assert error.startswith("videomama: error: ") and error.count("\n") == 1
    assert "missing frames 1009-1020" in error


def test_no_daemon_says_how_to_start_one(capsys):
    assert main(["info", "--server", "127.0.0.1:1"]) == 1
    assert capsys.readouterr().err == (
        "videomama: error: daemon not running at 127.0.0.1:1 — start it with `videomama serve`\n"
    )


def test_serve_runs_until_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "videomama.cli.main", "serve", "--listen", "127.0.0.1:0", "--log-level", "WARNING"],
        stdout=subprocess.PIPE, text=True, env=clean_environment(),
    )
    try:
        address = process.stdout.readline().split()[-1]
        with Client(address) as client:
            assert client.info().protocol == "videomama.v1"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_refuses_a_public_address_without_a_token():
    result = subprocess.run(
        [sys.executable, "-m", "videomama.cli.main", "serve", "--listen", "0.0.0.0:0"],
        capture_output=True, text=True, env=clean_environment(), timeout=60,
    )
    assert result.returncode == 1
    assert "refusing to listen on 0.0.0.0:0 without a token" in result.stderr


def test_track_with_named_objects_through_the_daemon(clip, daemon, tmp_path, capsys):
    prop = tmp_path / "prop.exr"
    write_image(str(prop), np.pad(np.ones((16, 28), np.float32), ((4, 44), (62, 6))), ("A",))
    prompts = ["--plate", clip.plate, "--frames", f"{clip.first}-{clip.last}", "--quiet", "--objects", "merged",
               "--mask-keyframe", f"hero:{clip.first}={clip.folder / f'alpha.{clip.first}.exr'}",
               "--mask-keyframe", f"prop:{clip.first}={prop}"]
    assert main(["track", *prompts, "--out", str(tmp_path / "local" / "masks.####.exr")]) == 0
    assert main(["track", *prompts, "--out", str(tmp_path / "daemon" / "masks.####.exr"), "--server", daemon.address]) == 0
    # Same pixels and settings hash: the daemon got both objects and the layout.
    assert_same_frames(tmp_path / "local", tmp_path / "daemon", name="masks")
    assert f"8 masks written (tracker flow, daemon {daemon.address})" in capsys.readouterr().out
