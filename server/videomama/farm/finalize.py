"""The job's last task: check that every frame is there and consistent, and write the manifest.

Matte tasks write each frame atomically, so a frame on disk is complete; what
only the end of the job can see is whether *all* frames are there and whether
they came from one setup (the same backend, model and version).  A frame that
is missing, unreadable, not a videomama matte, or from another setup fails
the job, naming the frames compactly so a wrangler knows which chunks to
re-run.  On success a JSON manifest records frames, backend, model, version,
the job's settings and, per frame, its settings hash and content hash; it is
written atomically too, so its presence means the job is complete.

Temporary files left by a writer that was killed outright (the engine's
atomic writes clean up after every error they see, not after SIGKILL) are
removed first: by the time finalize runs, no task of the job writes any more.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping

from .. import __version__
from ..errors import InputError, MissingInputError
from ..matting.engine import HASH_KEY
from ..sequences.image_read import read_metadata
from ..sequences.pattern import FrameRange, SequencePattern, format_frame_list

MANIFEST_FORMAT = "videomama-manifest/1"
_IDENTITY_KEYS = ("videomama:backend", "videomama:model", "videomama:version")
# Temporary names of the atomic writes (``image_write._temp_path``):
# ``.<stem>.tmp-<pid>-<hex><extension>`` next to the final file.
_TEMP_RE = re.compile(r"^\.(?P<stem>.+)\.tmp-\d+-[0-9a-f]+(?P<extension>\.[^.]*)$")


@dataclass
class FinalizeResult:
    manifest: str
    frames: FrameRange
    backend: str
    model: str
    version: str
    removed_temporaries: list[str] = field(default_factory=list)


def default_manifest_path(output: SequencePattern) -> str:
    """``matte.####.exr`` -> ``matte.manifest.json`` beside the frames.

    Named after the sequence rather than a bare ``manifest.json`` so that two
    mattes of one shot written to the same folder keep separate manifests.
    """
    stem = output.prefix.rstrip("._- ")
    return os.path.join(output.directory, f"{stem}.manifest.json" if stem else "manifest.json")


def finalize(
    output: str,
    frames: FrameRange,
    manifest: str | None = None,
    settings: Mapping[str, str] | None = None,
) -> FinalizeResult:
    pattern = SequencePattern.parse(os.path.abspath(output))
    # 1. Temporaries of killed writers.
    removed = _remove_temporaries(pattern, frames)
    # 2. Every frame present.
    missing = pattern.missing(frames)
    if missing:
        raise MissingInputError(
            f"{pattern.display} is missing {_frames_text(missing)} ({len(missing)} of {len(frames)}): "
            "re-run the matte tasks for those frames, then finalize again"
        )
    # 3. Every frame a videomama matte, all from one setup.
    metadata = {frame: read_metadata(pattern.path(frame)) for frame in frames}
    foreign = [frame for frame, meta in metadata.items() if not meta.get(HASH_KEY)]
    if foreign:
        raise InputError(
            f"{pattern.display}: {_frames_text(foreign)} unreadable or not written by videomama; "
            "re-run the matte tasks for those frames (with --force), then finalize again"
        )
    setups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for frame, meta in metadata.items():
        setups[tuple(meta.get(key, "") for key in _IDENTITY_KEYS)].append(frame)
    if len(setups) > 1:
        described = "; ".join(
            f"{'/'.join(part or '-' for part in setup)} for {_frames_text(frames_of)}"
            for setup, frames_of in sorted(setups.items(), key=lambda item: item[1][0])
        )
        raise InputError(
            f"{pattern.display} mixes frames from different backends, models or versions "
            f"(backend/model/version: {described}); re-run the odd frames with --force"
        )
    (backend, model, version), = setups
    # 4. The manifest.
    path = os.path.abspath(manifest or default_manifest_path(pattern))
    document = {
        "format": MANIFEST_FORMAT,
        "output": pattern.display,
        "frames": str(frames),
        "frame_count": len(frames),
        "backend": backend,
        "model": model,
        "version": version,
        "settings": dict(settings or {}),
        "finalized": {
            "videomama": __version__,
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
        "files": [
            {
                "frame": frame,
                "path": os.path.relpath(pattern.path(frame), os.path.dirname(path)),
                "settings_hash": metadata[frame][HASH_KEY],
                "sha256": _sha256(pattern.path(frame)),
            }
            for frame in frames
        ],
    }
    _write_json_atomically(path, document)
    return FinalizeResult(path, frames, backend, model, version, removed)


def _frames_text(frames: list[int]) -> str:
    noun = "frame" if len(frames) == 1 else "frames"
    return f"{noun} {format_frame_list(frames, max_runs=12)}"


def _remove_temporaries(pattern: SequencePattern, frames: FrameRange) -> list[str]:
    finals = {os.path.basename(pattern.path(frame)) for frame in frames}
    folder = pattern.directory or "."
    try:
        entries = os.listdir(folder)
    except FileNotFoundError:
        return []
    removed = []
    for entry in entries:
        match = _TEMP_RE.match(entry)
        if match and match["stem"] + match["extension"] in finals:
            os.remove(os.path.join(folder, entry))
            removed.append(entry)
    return sorted(removed)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json_atomically(path: str, document: dict) -> None:
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{os.path.basename(path)}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    # os.open with 0o666 lets the umask decide, like any file the studio writes.
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
