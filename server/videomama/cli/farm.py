"""``videomama farm``: describe matte jobs for OpenJD / Deadline Cloud and OpenCue, and their task commands.

    farm openjd    print the OpenJD template, or write it (--template FILE) or a Deadline Cloud bundle (--bundle DIR)
    farm opencue   write the OpenCue job XML (stdout, --xml FILE) or submit it (--submit)
    farm matte     a Matte task: `videomama matte`, through the session's worker when one runs
    farm finalize  check every frame of a finished job and write its manifest
    farm worker    start / stop a session's matting worker (OpenJD step environment)

The farm modules are imported by each command, so ``videomama matte`` never
loads YAML, PyOutline or the daemon.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from ..tracking.then_matte import OBJECT_TOKEN, output_for_object
from . import matte
from .arguments import frame_range


def add_parser(commands) -> None:
    parser = commands.add_parser("farm", help="describe matte jobs for farm managers (OpenJD, Deadline Cloud, OpenCue)")
    farm = parser.add_subparsers(dest="farm_command", required=True, metavar="FARM_COMMAND")
    _add_openjd(farm)
    _add_opencue(farm)
    _add_matte_task(farm)
    _add_finalize(farm)
    _add_worker(farm)


# ---------------------------------------------------------------------------
# Describing a job
# ---------------------------------------------------------------------------


def _add_job_arguments(parser: argparse.ArgumentParser) -> None:
    """What every task's `videomama matte` gets, and how the frames are cut into tasks.

    Prompts instead of ``--mask`` add a Track task before the Matte tasks.
    """
    matte.add_request_arguments(parser, mask_or_prompts=True)
    matte.add_tracking_arguments(parser)
    parser.add_argument("--chunk", type=int, default=16, help="frames per matte task (default 16); the farm may rebalance")
    parser.add_argument("--name", help="job name (default: output name and frames)")
    parser.add_argument("--gpus", type=int, help="GPUs per matte task (default: 1 for the videomama backend, else 0)")
    parser.add_argument("--videomama", metavar="PATH", help="the videomama command on the workers (default: the one running now)")
    parser.add_argument("--no-check", dest="check", action="store_false", help="do not read the inputs now (they are not visible from this machine); needs --frames")
    parser.set_defaults(force=False)  # farm tasks resume; delete outputs to recompute


def _job(args: argparse.Namespace):
    from ..farm.job import build_job

    prompts = matte.tracking_prompts(args)
    request = matte.request_from_args(args) if prompts is None else matte.track_then_matte_from_args(args, prompts)
    return build_job(request, args.chunk, name=args.name, executable=args.videomama, gpus=args.gpus, check=args.check)


def _describe(job, balanced: bool = True) -> str:
    chunks = job.chunks(balanced)
    shown = ", ".join(str(chunk) for chunk in chunks[:6]) + (", ..." if len(chunks) > 6 else "")
    track = f"track shot {job.shot} into {job.request.mask}, then " if job.track else ""
    each = f" for each object ({', '.join(job.objects)})" if job.objects else ""
    return (
        f"{track}matte frames {job.frames} of shot {job.shot} in {len(chunks)} task(s) of up to "
        f"{job.chunk} frames ({shown}){each}, then finalize"
    )


def _add_openjd(farm) -> None:
    parser = farm.add_parser("openjd", help="write an Open Job Description template or a Deadline Cloud job bundle")
    _add_job_arguments(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--bundle", metavar="DIR", help="write a Deadline Cloud job bundle: DIR/template.yaml and DIR/parameter_values.yaml")
    where.add_argument("--template", metavar="FILE", help="write only the OpenJD template (default: print it)")
    parser.set_defaults(run=_run_openjd)


def _run_openjd(args: argparse.Namespace) -> int:
    from ..farm import openjd

    job = _job(args)
    if not (args.template or args.bundle):
        sys.stdout.write(openjd.to_yaml(openjd.job_template(job)))
        print(f"videomama: {_describe(job)}", file=sys.stderr)
        return 0
    if args.template:
        template_path = openjd.write_template(job, args.template)
        print(f"wrote the OpenJD template {template_path}: {_describe(job)}")
    else:
        template_path, _ = openjd.write_bundle(job, args.bundle)
        print(f"wrote the job bundle {args.bundle}: {_describe(job)}")
        print(f"  submit it:   deadline bundle submit {args.bundle}")
    print(f"  run it here: openjd run {template_path} --step {openjd.FINALIZE_STEP} --run-dependencies")
    return 0


def _add_opencue(farm) -> None:
    parser = farm.add_parser("opencue", help="write the OpenCue job XML, or submit it to Cuebot (CUEBOT_HOSTS)")
    _add_job_arguments(parser)
    parser.add_argument("--server", metavar="ADDRESS", help="tasks send their chunk to a videomama daemon at this address on each render node (e.g. 127.0.0.1:50051) instead of loading the model per chunk")
    parser.add_argument("--show", help="OpenCue show (default: PyOutline's)")
    parser.add_argument("--cue-shot", help="OpenCue shot name (default: PyOutline's)")
    parser.add_argument("--user", help="OpenCue user (default: you)")
    parser.add_argument("--service", help="OpenCue service of the matte layer (default: shell)")
    parser.add_argument("--gpu-memory", help="GPU memory per matte task, e.g. 12g")
    parser.add_argument("--xml", metavar="FILE", help="write the job XML to FILE instead of stdout")
    parser.add_argument("--submit", action="store_true", help="submit to the Cuebot named by CUEBOT_HOSTS")
    parser.set_defaults(run=_run_opencue)


def _run_opencue(args: argparse.Namespace) -> int:
    from ..farm import opencue

    job = _job(args)
    options = opencue.CueOptions(
        show=args.show, shot=args.cue_shot, user=args.user, service=args.service,
        gpu_memory=args.gpu_memory, server=args.server,
    )
    if args.submit:
        names = opencue.submit(job, options)
        print(f"submitted {', '.join(names)}: {_describe(job, balanced=False)}")
        return 0
    xml = opencue.serialize(job, options)
    if args.xml:
        with open(args.xml, "w", encoding="utf-8") as stream:
            stream.write(xml)
        print(f"wrote {args.xml}: {_describe(job, balanced=False)}")
    else:
        sys.stdout.write(xml)
    return 0


# ---------------------------------------------------------------------------
# Task commands
# ---------------------------------------------------------------------------


class _WithHelp:
    """Sub-command registry that gives the next sub-command another help line."""

    def __init__(self, commands, help: str) -> None:
        self._commands, self._help = commands, help

    def add_parser(self, name, **kwargs):
        return self._commands.add_parser(name, **{**kwargs, "help": self._help, "description": self._help})


def _add_matte_task(farm) -> None:
    # Exactly `videomama matte`'s arguments (one definition), plus the session.
    matte.add_parser(_WithHelp(farm, "a Matte task: `videomama matte`, through the session's worker when one runs"))
    parser = farm.choices["matte"]
    parser.add_argument(
        "--session-dir", metavar="DIR",
        help="the farm session's folder: use the matting worker `farm worker start` left there, if any",
    )
    parser.set_defaults(run=_run_matte_task)


def _run_matte_task(args: argparse.Namespace) -> int:
    from ..farm.job import refuse_tracking
    from ..farm.session_worker import read_worker

    if matte.tracking_prompts(args) is not None:
        # Every chunk would track the whole shot into the same masks.
        refuse_tracking()
    worker = read_worker(args.session_dir) if args.session_dir else None
    if worker is not None:
        if args.server:
            raise InputError("give --server or --session-dir with a running worker, not both")
        args.server, args.token = worker.address, worker.token
    elif args.session_dir:
        print(f"videomama: no matting worker in {args.session_dir}: matting in this process", file=sys.stderr)
    return matte.run(args)


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name, value


def _add_finalize(farm) -> None:
    parser = farm.add_parser("finalize", help="check that every frame of a job exists and is consistent; write its manifest")
    parser.add_argument("--out", required=True, help="the job's output sequence")
    parser.add_argument("--frames", required=True, type=frame_range, help="the job's frames, A-B")
    parser.add_argument("--manifest", metavar="PATH", help="where to write the manifest (default: <output name>.manifest.json beside the frames)")
    parser.add_argument("--setting", action="append", type=_setting, default=[], metavar="NAME=VALUE", help="a job setting to record in the manifest (repeatable)")
    parser.add_argument("--object", metavar="NAME", help="one object's matte of a job with one per object: its name replaces {object} in --out")
    parser.set_defaults(run=_run_finalize)


def _run_finalize(args: argparse.Namespace) -> int:
    from ..farm.finalize import finalize

    if args.object and OBJECT_TOKEN not in args.out:
        raise InputError(f"--object {args.object} names an object, but --out has no {OBJECT_TOKEN} to put it in")
    output = output_for_object(args.out, args.object) if args.object else args.out
    result = finalize(output, args.frames, manifest=args.manifest, settings=dict(args.setting))
    if result.removed_temporaries:
        print(f"removed {len(result.removed_temporaries)} temporary file(s) left by killed writers")
    print(
        f"{len(result.frames)} frames {result.frames} complete (backend {result.backend}, "
        f"model {result.model or '-'}, version {result.version}); manifest {result.manifest}"
    )
    return 0


def _add_worker(farm) -> None:
    parser = farm.add_parser("worker", help="start or stop a farm session's matting worker")
    verbs = parser.add_subparsers(dest="worker_command", required=True, metavar="start|stop")
    start = verbs.add_parser("start", help="start the worker and wait until it answers")
    start.add_argument("--session-dir", required=True, metavar="DIR", help="the farm session's working folder")
    start.add_argument("--config", metavar="FILE", help="daemon settings file (see `videomama serve --config`)")
    start.add_argument("--timeout", type=float, default=None, help="seconds to wait for it (default 120)")
    start.set_defaults(run=_run_worker_start)
    stop = verbs.add_parser("stop", help="stop the worker (running jobs are cancelled) and print its log")
    stop.add_argument("--session-dir", required=True, metavar="DIR", help="the farm session's working folder")
    stop.add_argument("--timeout", type=float, default=None, help="seconds before it is killed (default 60)")
    stop.set_defaults(run=_run_worker_stop)


def _run_worker_start(args: argparse.Namespace) -> int:
    from ..farm import session_worker

    timeout = args.timeout if args.timeout is not None else session_worker.START_TIMEOUT_S
    worker = session_worker.start_worker(args.session_dir, args.config, timeout_s=timeout)
    print(f"matting worker (pid {worker.pid}) serving on {worker.address}; log {worker.log}")
    return 0


def _run_worker_stop(args: argparse.Namespace) -> int:
    from ..farm import session_worker

    timeout = args.timeout if args.timeout is not None else session_worker.STOP_TIMEOUT_S
    session_worker.stop_worker(args.session_dir, timeout_s=timeout)
    return 0
