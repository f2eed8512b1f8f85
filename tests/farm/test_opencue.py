"""The OpenCue outline: its job XML (golden file), its commands run as RQD would, submission to Cuebot."""

import os
import re
import shlex
import subprocess
import sys
import xml.dom.minidom
from concurrent import futures
from pathlib import Path
from xml.etree import ElementTree

import grpc
import pytest

from videomama.cli.main import main
from videomama.farm.chunks import fixed_chunk_ranges
from videomama.sequences.pattern import SequencePattern, parse_frame_range

from .support import SETTINGS, assert_same_alphas, leftovers

pytest.importorskip("outline", reason="PyOutline is not installed (pip install -e '.[test]')")

GOLDEN = Path(__file__).parent / "golden" / "opencue_job.xml"
CUE = ["--user", "farm", "--show", "testing", "--cue-shot", "sh010"]


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch, tmp_path):
    """No site settings leak in, and nothing is written to the home folder."""
    for name in ("FACILITY", "RENDER_TO", "OL_OS", "OL_TAG_OVERRIDE", "SHOT", "CUEBOT_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def job_xml(shot, out: str, xml_file: Path, *extra: str) -> str:
    assert main([
        "farm", "opencue", "--plate", shot.plate, "--mask", shot.mask, "--out", out, "--chunk", "16",
        *SETTINGS, *CUE, *extra, "--xml", str(xml_file),
    ]) == 0
    return xml_file.read_text()


def normalised(text: str, shot, out_dir: Path) -> str:
    text = text.replace(str(Path(shot.plate).parent), "$SHOT").replace(str(out_dir), "$OUT")
    text = re.sub(r"<uid>\d+</uid>", "<uid>UID</uid>", text)
    return xml.dom.minidom.parseString(text).toprettyxml(indent="  ")


def test_job_xml_matches_the_golden_file(shot, tmp_path):
    text = job_xml(
        shot, str(tmp_path / "out" / "matte.####.exr"), tmp_path / "job.xml",
        "--gpus", "1", "--gpu-memory", "8g", "--videomama", "videomama", "--name", "sh010 matte",
    )
    produced = normalised(text, shot, tmp_path / "out")
    if os.environ.get("VIDEOMAMA_UPDATE_GOLDEN"):
        GOLDEN.write_text(produced)
    assert produced == GOLDEN.read_text()
    assert "SHOT" not in os.environ and not (tmp_path / "home").exists()  # no side effects


def test_layers_chunks_dependencies_and_commands(shot, tmp_path):
    out = str(tmp_path / "out" / "matte.####.exr")
    job = ElementTree.fromstring(job_xml(shot, out, tmp_path / "job.xml", "--gpus", "1"))
    matte, finalize = job.findall("job/layers/layer")
    assert (matte.get("name"), matte.get("type"), finalize.get("name"), finalize.get("type")) == ("matte", "Render", "finalize", "Util")
    assert (matte.findtext("range"), matte.findtext("chunk"), matte.findtext("gpus")) == ("1001-1048", "16", "1")
    assert (finalize.findtext("range"), finalize.findtext("chunk")) == ("1001", "1")
    (depend,) = job.findall("depends/depend")
    assert depend.get("type") == "LAYER_ON_LAYER"
    assert (depend.findtext("deplayer"), depend.findtext("onlayer")) == ("finalize", "matte")
    command = shlex.split(matte.findtext("cmd"))
    assert command[1] == "matte" and "--shot=1001-1048" in command
    assert command[-1] == "--frames=#FRAME_START#-#FRAME_END#"


def test_prompts_add_a_track_layer_the_matte_layer_depends_on(shot, tmp_path):
    keyframe = SequencePattern.parse(shot.mask).path(shot.first)
    out = str(tmp_path / "out" / "matte.####.exr")
    assert main([
        "farm", "opencue", "--plate", shot.plate, "--out", out, "--frames", "1001-1048", "--chunk", "16",
        *SETTINGS, *CUE, f"--mask-keyframe=1001={keyframe}", "--tracker", "flow", "--xml", str(tmp_path / "job.xml"),
    ]) == 0
    job = ElementTree.fromstring((tmp_path / "job.xml").read_text())
    track, matte, _ = job.findall("job/layers/layer")
    assert (track.get("name"), track.findtext("range"), track.findtext("chunk")) == ("track", "1001", "1")
    assert {(d.findtext("deplayer"), d.findtext("onlayer")) for d in job.findall("depends/depend")} == {
        ("matte", "track"), ("finalize", "matte"),
    }
    command = shlex.split(track.findtext("cmd"))
    masks = str(tmp_path / "out" / "matte_masks.####.exr")
    assert command[1:9] == ["track", "--quiet", "--plate", shot.plate, "--out", masks, "--frames=1001-1048", f"--mask-keyframe=1001={keyframe}"]
    assert ["--mask", masks] == shlex.split(matte.findtext("cmd"))[4:6]


def test_one_matte_per_object_is_a_matte_and_finalize_layer_per_object(shot, tmp_path, capsys):
    keyframe = SequencePattern.parse(shot.mask).path(shot.first)
    out = str(tmp_path / "out" / "matte.{object}.####.exr")
    assert main([
        "farm", "opencue", "--plate", shot.plate, "--out", out, "--frames", "1001-1048", "--chunk", "16",
        *SETTINGS, *CUE, f"--mask-keyframe=hero:1001={keyframe}", f"--mask-keyframe=prop:1001={keyframe}",
        "--tracker", "flow", "--objects", "layers", "--xml", str(tmp_path / "job.xml"),
    ]) == 0
    assert "(1001-1016, 1017-1032, 1033-1048) for each object (hero, prop), then finalize" in capsys.readouterr().out
    job = ElementTree.fromstring((tmp_path / "job.xml").read_text())
    layers = {layer.get("name"): layer for layer in job.findall("job/layers/layer")}
    assert list(layers) == ["track", "matte_hero", "finalize_hero", "matte_prop", "finalize_prop"]
    assert {(d.findtext("deplayer"), d.findtext("onlayer")) for d in job.findall("depends/depend")} == {
        ("matte_hero", "track"), ("finalize_hero", "matte_hero"), ("matte_prop", "track"), ("finalize_prop", "matte_prop"),
    }
    for name in ("hero", "prop"):
        matte = shlex.split(layers[f"matte_{name}"].findtext("cmd"))
        assert matte[-2:] == ["--mask-channel", f"{name}.A"] and out in matte
        assert ["--object", name] == [part for part in shlex.split(layers[f"finalize_{name}"].findtext("cmd")) if part in ("--object", name)]


def test_the_commands_run_as_rqd_runs_them(shot, reference, tmp_path):
    """Cuebot's chunking and token substitution, the commands through a shell, then finalize."""
    out = str(tmp_path / "out" / "matte.####.exr")
    job = ElementTree.fromstring(job_xml(shot, out, tmp_path / "job.xml"))
    matte, finalize = job.findall("job/layers/layer")
    chunks = fixed_chunk_ranges(parse_frame_range(matte.findtext("range")), int(matte.findtext("chunk")))
    processes = []
    for chunk in chunks:
        command = matte.findtext("cmd").replace("#FRAME_START#", str(chunk.first)).replace("#FRAME_END#", str(chunk.last))
        processes.append(subprocess.Popen(["/bin/sh", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    logs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), "\n".join(logs)
    result = subprocess.run(["/bin/sh", "-c", finalize.findtext("cmd")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert_same_alphas(out, reference)
    assert leftovers(tmp_path / "out") == []


class StandInCuebot:
    """Cuebot's job interface on a loopback port, built on the opencue_proto stubs: it only records specs."""

    def __init__(self):
        from opencue_proto import cue_pb2, cue_pb2_grpc, job_pb2, job_pb2_grpc

        specs = self.specs = []

        class Cue(cue_pb2_grpc.CueInterfaceServicer):
            def GetSystemStats(self, request, context):  # pycue's connection check
                return cue_pb2.CueGetSystemStatsResponse()

        class Jobs(job_pb2_grpc.JobInterfaceServicer):
            def LaunchSpecAndWait(self, request, context):
                specs.append(request.spec)
                name = ElementTree.fromstring(request.spec).find("job").get("name")
                return job_pb2.JobLaunchSpecAndWaitResponse(jobs=job_pb2.JobSeq(jobs=[job_pb2.Job(name=f"testing-sh010-farm_{name}")]))

        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        job_pb2_grpc.add_JobInterfaceServicer_to_server(Jobs(), self.server)
        cue_pb2_grpc.add_CueInterfaceServicer_to_server(Cue(), self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()


def test_submit_sends_the_same_job_to_cuebot(shot, tmp_path, monkeypatch, capsys):
    cuebot = StandInCuebot()
    try:
        monkeypatch.setenv("CUEBOT_HOSTS", f"127.0.0.1:{cuebot.port}")
        out = str(tmp_path / "out" / "matte.####.exr")
        arguments = ["farm", "opencue", "--plate", shot.plate, "--mask", shot.mask, "--out", out, *SETTINGS, *CUE]
        assert main([*arguments, "--name", "sh010", "--submit"]) == 0
        assert "submitted testing-sh010-farm_sh010: matte frames 1001-1048 of shot 1001-1048 in 3 task(s)" in capsys.readouterr().out
        (spec,) = cuebot.specs
        assert spec == job_xml(shot, out, tmp_path / "job.xml", "--name", "sh010")
    finally:
        cuebot.server.stop(0)


def test_an_unreachable_cuebot_is_one_clear_error(shot, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CUEBOT_HOSTS", "127.0.0.1:1")
    status = main([
        "farm", "opencue", "--plate", shot.plate, "--mask", shot.mask, "--out", str(tmp_path / "m.####.exr"),
        *SETTINGS, *CUE, "--submit",
    ])
    assert status == 1
    error = capsys.readouterr().err
    assert error.startswith("videomama: error: could not submit to OpenCue at 127.0.0.1:1")
    assert error.count("\n") == 1


def test_without_pyoutline_opencue_says_it_is_not_available(shot, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "outline", None)  # makes `import outline` fail
    status = main([
        "farm", "opencue", "--plate", shot.plate, "--mask", shot.mask, "--out", str(tmp_path / "m.####.exr"),
    ])
    assert status == 1
    assert capsys.readouterr().err.startswith(
        "videomama: error: OpenCue support is not available here: PyOutline cannot be imported"
    )
