"""The farm job as an Open Job Description template, and as an AWS Deadline Cloud job bundle.

The template is built as a plain dict and written as YAML; nothing is
hand-written, so the template always matches the command line of this
version.  Its shape:

* job parameters for what a wrangler may change at submission (paths, frames,
  shot, chunk size, window, overlap, backend, the ``videomama`` executable),
  each defaulting to what the command line said, so
  ``openjd run template.yaml --step Finalize --run-dependencies`` runs the
  whole job with no further arguments.  Paths are STRING parameters: OpenJD
  only allows PATH defaults inside the template's own folder (they are meant
  for files shipped in a bundle), and a plate lives elsewhere.  The cost is
  that farm path mapping does not rewrite them: on a farm whose workers mount
  the shot under another path, give the workers' paths as parameter values;
* ``Matte``: one task per chunk, a ``CHUNK[INT]`` task parameter over
  ``Param.Frames`` (extension ``TASK_CHUNKING``; the manager may rebalance
  chunks, tasks accept any range), and a step environment that keeps one
  matting worker per session (see ``session_worker``);
* ``Finalize``: depends on ``Matte``, checks every frame, writes the manifest;
* ``Track``, when the job was described with prompts instead of masks: one
  task running ``videomama track`` over the whole shot into ``Param.Mask``,
  which ``Matte`` depends on (every chunk reads the masks of its windows);
* one matte per object: ``Matte`` and ``Finalize`` get a second task
  parameter, ``Object``, so every chunk and the check run once per object,
  on the object's layer (``--mask-channel <object>.A``, which also puts its
  name in place of ``{object}`` in the output).

The other matte settings (colour space, layer, channels, compression,
backend options) are written into the commands as they are.
"""

from __future__ import annotations

import os

from ..errors import InputError
from ..tracking.mask_layout import layer_channel
from .job import FarmJob, matte_arguments, settings, track_arguments

SPECIFICATION = "jobtemplate-2023-09"
TRACK_STEP = "Track"
MATTE_STEP = "Matte"
FINALIZE_STEP = "Finalize"
WORKER_ENVIRONMENT = "VideoMaMaWorker"
SESSION_DIR = "{{Session.WorkingDirectory}}"
EXECUTABLE = "{{Param.VideomamaExe}}"
TASK_OBJECT = "{{Task.Param.Object}}"   # a per-object job's Object task parameter
# Request fields that are job parameters, and the expression that reads each.
PARAMETER_FIELDS = {
    "plate": "{{Param.Plate}}",
    "mask": "{{Param.Mask}}",
    "output": "{{Param.Output}}",
    "shot": "{{Param.Shot}}",
    "backend": "{{Param.Backend}}",
    "window": "{{Param.Window}}",
    "overlap": "{{Param.Overlap}}",
}
_MASK_HELP = {
    False: "Rough mask sequence, one per plate frame.",
    True: "Mask sequence the Track step writes from the prompts, one per shot frame.",
}
# The Track step's paths and range follow the job parameters.
TRACK_PARAMETERS = {"plate": "{{Param.Plate}}", "output": "{{Param.Mask}}", "frames": "{{Param.Shot}}"}
# OpenJD names: letters, digits and underscores; a job name at most 128 characters.
_MAX_NAME = 128


def _parameters(job: FarmJob) -> list[dict]:
    """Job parameter definitions, defaulting to the job's values."""
    request = job.request

    def parameter(name, kind, value, label, description, group, **extra):
        return {
            "name": name, "type": kind, "default": value, "description": description,
            "userInterface": {"label": label, "groupLabel": group}, **extra,
        }

    inputs, frames, model = "Inputs and output", "Frames", "Matting"
    return [
        parameter("Plate", "STRING", request.plate, "Plate", "Plate sequence (####, %04d or $F4).", inputs),
        parameter("Mask", "STRING", request.mask, "Rough mask", _MASK_HELP[job.track is not None], inputs),
        parameter("Output", "STRING", request.output, "Output", "Alpha sequence to write (half-float EXR).", inputs),
        parameter("Frames", "STRING", str(request.frames), "Frames", "Frames to matte, FIRST-LAST.", frames),
        parameter(
            "Shot", "STRING", str(request.shot), "Shot range",
            "The shot's full range, FIRST-LAST. The model's windows are laid on it, so every chunk "
            "matches a whole-shot run; keep it when changing Frames.", frames,
        ),
        parameter(
            "ChunkSize", "INT", job.chunk, "Frames per task",
            "Frames per Matte task. Each task also reads the window overlap around its frames.", frames,
            minValue=1,
        ),
        parameter("Window", "INT", request.window, "Window", "Frames the model sees at once.", model, minValue=1),
        parameter("Overlap", "INT", request.overlap, "Overlap", "Frames shared by neighbouring windows.", model, minValue=0),
        parameter("Backend", "STRING", request.backend, "Backend", "auto, classic or videomama.", model),
        parameter(
            "VideomamaExe", "STRING", job.executable, "videomama command",
            "The videomama executable on the workers.", "Software",
        ),
    ]


def _worker_environment() -> dict:
    def action(verb):
        return {"command": EXECUTABLE, "args": ["farm", "worker", verb, "--session-dir", SESSION_DIR]}

    return {
        "name": WORKER_ENVIRONMENT,
        "description": "One matting worker per session: the model stays loaded across this session's chunks.",
        "script": {"actions": {"onEnter": action("start"), "onExit": action("stop")}},
    }


def _host_requirements(gpus: int) -> dict:
    return {"hostRequirements": {"amounts": [{"name": "amount.worker.gpu", "min": gpus}]}} if gpus else {}


def _track_step(job: FarmJob) -> dict:
    return {
        "name": TRACK_STEP,
        "description": "Track the masks from the prompts over the whole shot, once, before any Matte task.",
        "script": {
            "actions": {
                "onRun": {
                    "command": EXECUTABLE,
                    "args": ["track", "--quiet", *track_arguments(job.track, **TRACK_PARAMETERS)],
                },
            },
        },
        **_host_requirements(job.track_gpus),
    }


def _object_parameter(job: FarmJob) -> list[dict]:
    """The ``Object`` task parameter of a job with one matte per object (none otherwise)."""
    return [{"name": "Object", "type": "STRING", "range": list(job.objects)}] if job.objects else []


def _object_arguments(job: FarmJob, flag: str, value: str) -> list[str]:
    return [flag, value] if job.objects else []


def _matte_step(job: FarmJob) -> dict:
    arguments = matte_arguments(job.request, **PARAMETER_FIELDS) + _object_arguments(job, "--mask-channel", layer_channel(TASK_OBJECT))
    step = {
        "name": MATTE_STEP,
        "description": "Matte one chunk of frames; each chunk computes the windows that touch it.",
        "parameterSpace": {
            "taskParameterDefinitions": [{
                "name": "Frames",
                "type": "CHUNK[INT]",
                "range": "{{Param.Frames}}",
                "chunks": {"defaultTaskCount": "{{Param.ChunkSize}}", "rangeConstraint": "CONTIGUOUS"},
            }, *_object_parameter(job)],
        },
        "stepEnvironments": [_worker_environment()],
        "script": {
            "actions": {
                "onRun": {
                    "command": EXECUTABLE,
                    "args": [
                        "farm", "matte", "--session-dir", SESSION_DIR,
                        *arguments, "--frames={{Task.Param.Frames}}",
                    ],
                },
            },
        },
    }
    if job.track is not None:
        step["dependencies"] = [{"dependsOn": TRACK_STEP}]
    return {**step, **_host_requirements(job.gpus)}


def _finalize_step(job: FarmJob) -> dict:
    recorded = settings(job.request, **PARAMETER_FIELDS)
    step = {
        "name": FINALIZE_STEP,
        "description": "Check that every frame exists and comes from one setup; write the manifest.",
        "dependencies": [{"dependsOn": MATTE_STEP}],
        "script": {
            "actions": {
                "onRun": {
                    "command": EXECUTABLE,
                    "args": [
                        "farm", "finalize", "--out", "{{Param.Output}}", "--frames={{Param.Frames}}",
                        *_object_arguments(job, "--object", TASK_OBJECT),
                        *(part for name, value in recorded.items() for part in ("--setting", f"{name}={value}")),
                    ],
                },
            },
        },
    }
    if job.objects:
        step["parameterSpace"] = {"taskParameterDefinitions": _object_parameter(job)}
    return step


def _check_literals(job: FarmJob) -> None:
    """Values written into commands as they are must not read as OpenJD expressions."""
    fixed = {key: value for key, value in settings(job.request).items() if key not in PARAMETER_FIELDS}
    if job.track is not None:
        # The Track step's literal values (its paths and range are parameters).
        literals = track_arguments(job.track, **{name: "" for name in TRACK_PARAMETERS})
        fixed["tracking prompt"] = " ".join(literals)
    for name, value in fixed.items():
        if "{{" in value or "}}" in value:
            raise InputError(f"{name} '{value}' contains '{{{{' or '}}}}', which OpenJD reads as an expression")


def job_template(job: FarmJob) -> dict:
    """The OpenJD job template (a dict ready for YAML or JSON)."""
    _check_literals(job)
    name = job.name.replace("{", "(").replace("}", ")")[:_MAX_NAME]
    return {
        "specificationVersion": SPECIFICATION,
        "extensions": ["TASK_CHUNKING"],
        "name": name,
        # Frames and chunking are parameters a wrangler may change: not repeated here.
        "description": f"VideoMaMa matte {os.path.basename(job.request.output)}: alpha from plate and rough mask.",
        "parameterDefinitions": _parameters(job),
        "steps": [*([_track_step(job)] if job.track else []), _matte_step(job), _finalize_step(job)],
    }


def parameter_values(job: FarmJob) -> dict:
    """Deadline Cloud's ``parameter_values.yaml``: every job parameter at its value."""
    return {"parameterValues": [{"name": p["name"], "value": p["default"]} for p in _parameters(job)]}


def to_yaml(document: dict) -> str:
    import yaml  # the farm extra; imported here so the core does not need it

    # Wide lines: long paths stay on one line, so the file reads like the command line.
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True)


def write_template(job: FarmJob, path: str) -> str:
    """Write the template alone (for ``openjd run`` or another OpenJD farm)."""
    path = os.path.abspath(path)
    text = to_yaml(job_template(job))  # checks before anything is written
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)
    return path


def write_bundle(job: FarmJob, directory: str) -> tuple[str, str]:
    """Write a Deadline Cloud job bundle: ``template.yaml`` and ``parameter_values.yaml``."""
    directory = os.path.abspath(directory)
    template = job_template(job)  # checks before anything is written
    os.makedirs(directory, exist_ok=True)
    paths = (os.path.join(directory, "template.yaml"), os.path.join(directory, "parameter_values.yaml"))
    for path, document in zip(paths, (template, parameter_values(job))):
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(to_yaml(document))
    return paths
