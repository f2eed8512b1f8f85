"""The farm job: validation on the submitting machine, and the task command it implies."""

import dataclasses
import os

import pytest

from videomama.cli import matte
from videomama.cli.main import build_parser
from videomama.errors import InputError, MissingInputError, NotAvailableError
from videomama.farm.job import build_job, matte_arguments, refuse_tracking, settings
from videomama.matting.request import MatteRequest
from videomama.sequences.pattern import FrameRange

EVERY_FIELD = MatteRequest(
    plate="/shots/sh010/plate.####.exr", mask="/shots/sh010/roto.%04d.png", output="/out/matte.$F4.exr",
    frames=FrameRange(1010, 1020), shot=FrameRange(1001, 1100), backend="classic", window=12, overlap=3,
    colorspace="ACEScg", plate_layer="beauty", mask_channel="R", compression="dwaa:45",
    write_rgba=True, force=True, options={"edge": "2", "band": "wide"},
)


def test_the_test_request_sets_every_field():
    defaults = MatteRequest("a.####.exr", "b.####.exr", "c.####.exr")
    unset = [f.name for f in dataclasses.fields(MatteRequest) if getattr(EVERY_FIELD, f.name) == getattr(defaults, f.name)]
    assert unset == []


def test_matte_arguments_reproduce_the_request_exactly():
    """A new MatteRequest field that the farm does not pass on fails here."""
    argv = ["matte", *matte_arguments(EVERY_FIELD), "--frames=1010-1020"]
    assert matte.request_from_args(build_parser().parse_args(argv)) == EVERY_FIELD


def test_negative_frame_ranges_survive_the_command_line():
    request = dataclasses.replace(EVERY_FIELD, frames=FrameRange(-10, -5), shot=FrameRange(-20, 20))
    argv = ["matte", *matte_arguments(request), f"--frames={request.frames}"]
    assert matte.request_from_args(build_parser().parse_args(argv)) == request


def test_overrides_put_farm_expressions_in_place_of_values():
    arguments = matte_arguments(EVERY_FIELD, window="{{Param.Window}}", shot="{{Param.Shot}}")
    assert arguments[arguments.index("--window") + 1] == "{{Param.Window}}"
    assert "--shot={{Param.Shot}}" in arguments
    assert "--frames" not in arguments


def test_settings_record_what_decides_the_result():
    recorded = settings(EVERY_FIELD)
    assert recorded["shot"] == "1001-1100" and recorded["window"] == "12" and recorded["write_rgba"] == "true"
    assert recorded["option.band"] == "wide" and "force" not in recorded and "frames" not in recorded


def test_build_job_resolves_the_shot_and_makes_paths_absolute(shot, tmp_path, monkeypatch):
    monkeypatch.chdir(os.path.dirname(shot.plate))
    job = build_job(MatteRequest("plate.####.exr", "mask.####.png", "out/matte.####.exr", frames=FrameRange(1010, 1020)), 16)
    assert job.frames == FrameRange(1010, 1020) and job.shot == FrameRange(shot.first, shot.last)
    assert job.request.plate == shot.plate and os.path.isabs(job.request.output)
    assert job.gpus == 0 and job.name == "videomama matte.####.exr 1010-1020"
    assert os.path.isfile(job.executable) or job.executable == "videomama"


def test_the_learned_backend_asks_for_a_gpu(shot, tmp_path):
    request = MatteRequest(shot.plate, shot.mask, str(tmp_path / "m.####.exr"), backend="videomama")
    assert build_job(request, 8).gpus == 1
    assert build_job(request, 8, gpus=2).gpus == 2


@pytest.mark.parametrize("tracker,backend,gpus", [
    ("flow", "videomama", 0), ("sam2", "classic", 1), ("sam2", "videomama", 1), ("auto", "classic", 0), ("auto", "videomama", 1),
])
def test_the_track_task_asks_for_a_gpu_when_its_tracker_may_use_one(tmp_path, tracker, backend, gpus):
    from videomama.tracking.prompts import MaskKeyframe, Prompts
    from videomama.tracking.then_matte import TrackThenMatteRequest

    matte_request = MatteRequest("/nowhere/p.####.exr", "", str(tmp_path / "o.####.exr"), frames=FrameRange(1, 50), backend=backend)
    request = TrackThenMatteRequest(matte_request, Prompts(masks=[MaskKeyframe(1, "/nowhere/roto.exr")]), tracker=tracker)
    job = build_job(request, 16, check=False)  # inputs this machine cannot see
    assert (job.track_gpus, job.track.tracker, job.track.output) == (gpus, tracker, str(tmp_path / "o_masks.####.exr"))
    assert job.request.mask == job.track.output and job.track.frames == FrameRange(1, 50)


def test_one_matte_per_object_runs_each_chunk_and_the_check_per_object(tmp_path):
    from videomama.farm.openjd import job_template
    from videomama.tracking.prompts import MaskKeyframe, Prompts
    from videomama.tracking.then_matte import TrackThenMatteRequest

    matte_request = MatteRequest("/nowhere/p.####.exr", "", str(tmp_path / "o.{object}.####.exr"), frames=FrameRange(1, 50))
    keys = [MaskKeyframe(1, "/nowhere/roto.exr", "hero"), MaskKeyframe(1, "/nowhere/prop.exr", "prop")]
    request = TrackThenMatteRequest(matte_request, Prompts(masks=keys), object_output="layers")
    job = build_job(request, 16, check=False)
    assert job.objects == ("hero", "prop") and job.track.object_output == "layers"
    track, matte_step, finalize = job_template(job)["steps"]
    object_parameter = {"name": "Object", "type": "STRING", "range": ["hero", "prop"]}
    assert object_parameter in matte_step["parameterSpace"]["taskParameterDefinitions"]
    assert "--mask-channel {{Task.Param.Object}}.A" in " ".join(matte_step["script"]["actions"]["onRun"]["args"])
    assert finalize["parameterSpace"]["taskParameterDefinitions"] == [object_parameter]
    assert "--object {{Task.Param.Object}}" in " ".join(finalize["script"]["actions"]["onRun"]["args"])
    # Without the token in the output the request is refused, checked or not.
    with pytest.raises(InputError, match="one matte per object needs {object} in the output path"):
        build_job(dataclasses.replace(request, matte=dataclasses.replace(matte_request, output=str(tmp_path / "o.####.exr"))),
                  16, check=False)


def test_bad_inputs_fail_before_anything_reaches_the_farm(shot, tmp_path):
    request = MatteRequest(shot.plate, shot.mask, str(tmp_path / "m.####.exr"), frames=FrameRange(1040, 1060))
    with pytest.raises(MissingInputError, match="missing frames 1049-1060"):
        build_job(request, 16)


def test_without_checking_the_frames_must_be_given(tmp_path):
    request = MatteRequest("/nowhere/p.####.exr", "/nowhere/m.####.exr", str(tmp_path / "o.####.exr"))
    with pytest.raises(InputError, match="give the frames"):
        build_job(request, 16, check=False)
    job = build_job(dataclasses.replace(request, frames=FrameRange(1, 50)), 16, check=False)
    assert job.shot == FrameRange(1, 50)
    with pytest.raises(InputError, match="overlap must be between 0 and window size - 1"):
        build_job(dataclasses.replace(request, frames=FrameRange(1, 50), overlap=16), 16, check=False)


def test_a_matte_task_sends_prompts_to_the_job_description():
    with pytest.raises(NotAvailableError, match="^a farm Matte task reads masks.*adds a Track task"):
        refuse_tracking()
