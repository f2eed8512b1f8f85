"""The farm job as an OpenCue outline (PyOutline): serialised to job XML, or submitted to Cuebot.

Two layers: ``matte``, a render layer over the job's frames with the chunk
size, whose frames run ``videomama matte --frames #FRAME_START#-#FRAME_END#``
(Cuebot substitutes the chunk's first and last frame), and ``finalize``, a
single-frame utility layer that depends on the whole ``matte`` layer
(layer-on-layer).  A job described with prompts instead of masks starts with
``track``, a single-frame layer running ``videomama track`` over the whole
shot, which ``matte`` depends on; with one matte per object, each object
gets its own ``matte_<object>`` and ``finalize_<object>`` layers, reading its
layer of the masks.  GPU tasks ask for GPUs through the layer's ``gpus`` and
``gpu_memory``.

OpenCue has no session around a worker's frames, so each chunk either loads
the model itself (fine for the CPU backend and for long chunks), or, with
``server``, sends its chunk to a videomama daemon the studio runs on every
render node (``videomama serve`` as a service), which keeps the model loaded.

PyOutline is imported only here and only when used: the farm extra installs
it (``opencue-pyoutline`` needs ``packaging`` too); without it the commands
say so instead of failing on an import.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import tempfile
from dataclasses import dataclass

from ..errors import NotAvailableError, VideoMamaError
from ..tracking.mask_layout import layer_channel
from .job import FarmJob, matte_arguments, settings, track_arguments

TRACK_LAYER = "track"
MATTE_LAYER = "matte"
FINALIZE_LAYER = "finalize"
CHUNK_FRAMES = "#FRAME_START#-#FRAME_END#"


@dataclass(frozen=True)
class CueOptions:
    show: str | None = None  # None: PyOutline's configuration decides
    shot: str | None = None
    user: str | None = None
    service: str | None = None
    gpu_memory: str | None = None  # e.g. "12g"
    server: str | None = None  # a videomama daemon on each render node


def _pyoutline():
    try:
        import outline
        import outline.cuerun
        import outline.depend
        import outline.modules.shell
    except ImportError as error:
        raise NotAvailableError(
            f"OpenCue support is not available here: PyOutline cannot be imported ({error}); "
            "install the farm extra: pip install 'videomama[farm]'"
        ) from None
    return outline


def job_name(job: FarmJob) -> str:
    """OpenCue job names are letters, digits and underscores (Cuebot adds show-shot-user_)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", job.name).strip("_") or "videomama"


def matte_command(job: FarmJob, options: CueOptions, name: str | None = None) -> str:
    """``name``: the object, for a job with one matte per object."""
    arguments = [job.executable, "matte", *matte_arguments(job.request), f"--frames={CHUNK_FRAMES}"]
    arguments += ["--mask-channel", layer_channel(name)] if name else []
    if options.server:
        arguments += ["--server", options.server]
    # RQD runs the command through a shell: quote every argument.
    return shlex.join(arguments)


def track_command(job: FarmJob) -> str:
    return shlex.join([job.executable, "track", "--quiet", *track_arguments(job.track)])


def finalize_command(job: FarmJob, name: str | None = None) -> str:
    recorded = [part for key, value in settings(job.request).items() for part in ("--setting", f"{key}={value}")]
    return shlex.join([
        job.executable, "farm", "finalize", "--out", job.request.output, f"--frames={job.frames}",
        *(["--object", name] if name else []), *recorded,
    ])


def build_outline(job: FarmJob, options: CueOptions = CueOptions()):
    """The PyOutline ``Outline``: [track ->] matte (chunked) -> finalize (layer-on-layer)."""
    outline = _pyoutline()
    frames = str(job.frames)
    described = {key: value for key, value in (("show", options.show), ("shot", options.shot), ("user", options.user)) if value}
    job_outline = outline.Outline(job_name(job), frame_range=frames, **described)
    layer_args = {"range": frames, "chunk": job.chunk}
    if job.gpus:
        layer_args["gpus"] = job.gpus
        if options.gpu_memory:
            layer_args["gpu_memory"] = options.gpu_memory
    if options.service:
        layer_args["service"] = options.service
    track = None
    if job.track is not None:
        track_args = {"gpus": job.track_gpus} if job.track_gpus else {}
        track = outline.modules.shell.ShellCommand(TRACK_LAYER, command=track_command(job), **track_args)
        job_outline.add_layer(track)
    # One matte -> finalize pair, or one per object.
    for name in job.objects or (None,):
        suffix = f"_{name}" if name else ""
        matte = outline.modules.shell.Shell(MATTE_LAYER + suffix, command=matte_command(job, options, name), **layer_args)
        finalize = outline.modules.shell.ShellCommand(
            FINALIZE_LAYER + suffix, command=finalize_command(job, name), type=outline.constants.LayerType.UTIL,
        )
        if track is not None:
            matte.depend_on(track, outline.depend.DependType.LayerOnLayer)
        job_outline.add_layer(matte)
        job_outline.add_layer(finalize)
        finalize.depend_on(matte, outline.depend.DependType.LayerOnLayer)
    return job_outline


@contextlib.contextmanager
def _throwaway_session():
    """Launching or serialising "sets up" an outline: it creates a session folder and sets $SHOT.

    The session folder is where pycuerun would find the outline on the farm;
    commands here run directly, so neither is wanted and both are confined to
    the call.
    """
    outline = _pyoutline()
    saved_dir = outline.config.get("outline", "session_dir")
    saved_shot = os.environ.get("SHOT")
    with tempfile.TemporaryDirectory(prefix="videomama-outline-") as folder:
        outline.config.set("outline", "session_dir", folder)
        try:
            yield
        finally:
            outline.config.set("outline", "session_dir", saved_dir)
            if saved_shot is None:
                os.environ.pop("SHOT", None)
            else:
                os.environ["SHOT"] = saved_shot


def _launcher(job: FarmJob, options: CueOptions):
    outline = _pyoutline()
    flags = {"user": options.user} if options.user else {}
    return outline.cuerun.OutlineLauncher(build_outline(job, options), **flags)


def serialize(job: FarmJob, options: CueOptions = CueOptions()) -> str:
    """The job XML Cuebot accepts (``launchSpec``), commands run directly (no pycuerun wrapper)."""
    with _throwaway_session():
        return _launcher(job, options).serialize(use_pycuerun=False)


def submit(job: FarmJob, options: CueOptions = CueOptions()) -> list[str]:
    """Submit to the Cuebot that ``CUEBOT_HOSTS`` (or pycue's configuration) names; returns job names."""
    _pyoutline()
    import grpc
    import opencue

    hosts = os.environ.get("CUEBOT_HOSTS")
    try:
        if hosts:  # connects, and checks the connection
            opencue.Cuebot.setHosts([host.strip() for host in hosts.split(",") if host.strip()])
        # Commands run directly (no pycuerun), so the outline session is not needed on the farm.
        with _throwaway_session():
            jobs = _launcher(job, options).launch(use_pycuerun=False)
    except (opencue.exception.CueException, grpc.RpcError) as error:
        where = hosts or "the Cuebot of pycue's configuration"
        raise VideoMamaError(f"could not submit to OpenCue at {where}: {error}") from None
    return [submitted.name() for submitted in jobs]
