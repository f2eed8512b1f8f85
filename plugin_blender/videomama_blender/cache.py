"""The on-disk cache of a VideoMaMa Matte node group, named by content.

Compute renders the matte's inputs (the source and the rasterised mask) to
EXR in a staging folder, then names the result by a hash of those files'
bytes plus the settings that change the matte (backend, windows, colour
space, options, frame range).  A result is therefore reused exactly when the
daemon would produce the same pixels, whatever changed in the .blend to get
there: a Mask datablock edited and edited back, a clip relinked to a copy of
the same files, a renamed node.  Rendering the inputs again on every Compute
is cheap next to matting them, and it is the only way to see everything that
feeds a Blender Mask (animation, feather, parenting to tracks).

Blender's EXR writer is deterministic once the render stamps (date, render
time) are off, which ``render_inputs`` does; a stray difference would only
cost a recompute, never a wrong result.

Layout of ``<cache root>/<key>/``: ``source.####.exr``, ``mask.####.exr``
(what the daemon reads), ``matte.####.exr`` (what it writes) and
``videomama.json``, written last, so a folder without a complete manifest is
never taken for a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass

from .sequences import frame_path

# Bump when the layout or what feeds the key changes meaning, so old caches
# are ignored instead of misread.
FORMAT_VERSION = 1
KEY_CHARS = 20  # hex characters of the key used as the folder name (80 bits)
CACHE_FOLDER_NAME = "videomama_cache"
MANIFEST_NAME = "videomama.json"
SOURCE_NAME = "source.####.exr"
MASK_NAME = "mask.####.exr"
MATTE_NAME = "matte.####.exr"
STAGING_PREFIX = ".staging-"
_CHUNK = 1 << 20


def default_cache_root(blend_path: str, temp_dir: str | None = None) -> str:
    """``videomama_cache`` beside the saved .blend, else in the temp folder.

    Beside the .blend is usually shared storage, so a farm render of the file
    finds the artist's matte; an unsaved file has nowhere better than temp.
    """
    if blend_path:
        return os.path.join(os.path.dirname(os.path.abspath(blend_path)), CACHE_FOLDER_NAME)
    return os.path.join(temp_dir or tempfile.gettempdir(), CACHE_FOLDER_NAME)


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def inputs_digest(folder: str, frames: tuple[int, int]) -> str:
    """One hash over every source and mask frame rendered into ``folder``."""
    digest = hashlib.sha256()
    for frame in range(frames[0], frames[1] + 1):
        for name in (SOURCE_NAME, MASK_NAME):
            digest.update(f"{frame}:{name}:".encode())
            digest.update(file_digest(frame_path(os.path.join(folder, name), frame)).encode())
    return digest.hexdigest()


def cache_key(inputs: str, frames: tuple[int, int], settings: Mapping[str, object]) -> str:
    """The full key (hex SHA-256); ``CacheEntry`` names its folder by a prefix."""
    text = json.dumps(
        {"format": FORMAT_VERSION, "inputs": inputs, "frames": list(frames), "settings": dict(settings)},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    """One result folder: the inputs rendered for the daemon and its matte."""

    root: str
    key: str

    @property
    def folder(self) -> str:
        return os.path.join(self.root, self.key[:KEY_CHARS])

    @property
    def source(self) -> str:
        return os.path.join(self.folder, SOURCE_NAME)

    @property
    def mask(self) -> str:
        return os.path.join(self.folder, MASK_NAME)

    @property
    def matte(self) -> str:
        return os.path.join(self.folder, MATTE_NAME)

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.folder, MANIFEST_NAME)

    def manifest(self) -> dict:
        try:
            with open(self.manifest_path, encoding="utf-8") as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION or data.get("key") != self.key:
            return {}
        return data

    def _has_frames(self, pattern: str, frames: tuple[int, int]) -> bool:
        return all(os.path.isfile(frame_path(pattern, f)) for f in range(frames[0], frames[1] + 1))

    def inputs_complete(self, frames: tuple[int, int]) -> bool:
        stage = self.manifest().get("inputs")
        return (
            isinstance(stage, dict) and stage.get("frames") == list(frames)
            and self._has_frames(self.source, frames) and self._has_frames(self.mask, frames)
        )

    def result_complete(self, frames: tuple[int, int]) -> bool:
        """The daemon finished the job and every matte frame is still there."""
        stage = self.manifest().get("result")
        return isinstance(stage, dict) and stage.get("frames") == list(frames) and self._has_frames(self.matte, frames)

    def record(self, stage: str, frames: tuple[int, int], **details: object) -> None:
        """Mark ``stage`` ("inputs" or "result") done, atomically."""
        data = self.manifest() or {"format": FORMAT_VERSION, "key": self.key}
        data[stage] = {"frames": list(frames), "time": time.time(), **details}
        os.makedirs(self.folder, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".videomama.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=2, sort_keys=True)
            os.replace(temp, self.manifest_path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise


def new_staging(root: str) -> str:
    """A fresh folder under ``root`` for one Compute's inputs (hidden, unique)."""
    os.makedirs(root, exist_ok=True)
    return tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root)


def adopt_staging(staging: str, entry: CacheEntry, frames: tuple[int, int]) -> None:
    """Make the staged inputs the entry's, or drop them if it already has identical ones.

    Identical key means identical bytes, so an entry with complete inputs
    keeps its own (and the daemon's resume skips the matte frames already
    written); otherwise the staged files are moved in, replacing leftovers of
    an interrupted Compute.
    """
    if not entry.inputs_complete(frames):
        os.makedirs(entry.folder, exist_ok=True)
        for frame in range(frames[0], frames[1] + 1):
            for name in (SOURCE_NAME, MASK_NAME):
                os.replace(frame_path(os.path.join(staging, name), frame),
                           frame_path(os.path.join(entry.folder, name), frame))
        entry.record("inputs", frames)
    discard_staging(staging)


def discard_staging(staging: str) -> None:
    """Remove a staging folder; only ever one that ``new_staging`` made."""
    if os.path.basename(os.path.normpath(staging)).startswith(STAGING_PREFIX):
        shutil.rmtree(staging, ignore_errors=True)


# Frames, their hidden temp files (the daemon's and ours), the manifest.
_OURS = re.compile(r"^(videomama\.json|\.videomama\..*|\.?(source|mask|matte)\..*)$")


def clear(entry: CacheEntry) -> bool:
    """Delete an entry's folder; False if there was none.

    Only a folder that looks like ours is removed, so a mistyped cache
    folder can never cost the artist unrelated files.
    """
    if not os.path.isdir(entry.folder):
        return False
    strangers = [name for name in os.listdir(entry.folder) if not _OURS.match(name)]
    if strangers:
        raise OSError(f"{entry.folder} holds files VideoMaMa did not write ({strangers[0]}); not deleting it")
    shutil.rmtree(entry.folder)
    return True
