"""The on-disk cache of a VideoMaMa Matte node group, named by content.

Compute renders the matte's inputs (the source and the rasterised mask) to
EXR in a staging folder, then names the result by a hash of those files'
bytes plus the settings that change the matte (backend, windows, colour
space, options, frame range; a track's clicks, keyframes and tracker).  A
result is therefore reused exactly when the daemon would produce the same
pixels, whatever changed in the .blend to get there: a Mask datablock edited
and edited back, a clip relinked to a copy of the same files, a renamed
node.  Rendering the inputs again on every Compute is cheap next to matting
them, and it is the only way to see everything that feeds a Blender Mask
(animation, feather, parenting to tracks).

Blender's EXR writer is deterministic once the render stamps (date, render
time) are off, which ``render_inputs`` does; a stray difference would only
cost a recompute, never a wrong result.

Layout of ``<cache root>/<key>/``: ``source.####.exr``, ``mask.####.exr``
(what the daemon reads; a track's mask on its keyframes only),
``matte.####.exr`` and ``tracked.####.exr`` (what it writes) and
``videomama.json``, written last, so a folder without a complete manifest is
never taken for a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping

from videomama_hosts import manifest

# Re-exported: the add-on's names for the layout.
from videomama_hosts.manifest import CACHE_FOLDER_NAME, FORMAT_VERSION, KEY_CHARS  # noqa: F401
from videomama_hosts.manifest import MANIFEST_NAME, MASK_NAME, MATTE_NAME, SOURCE_NAME  # noqa: F401

from .sequences import frame_path

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


def input_files(frames: tuple[int, int], mask_frames: Iterable[int] | None = None) -> list[tuple[int, str]]:
    """(frame, pattern name) of each input the daemon reads: the source on every frame, the
    mask on ``mask_frames`` (None: every frame; a track's keyframes; none for clicks only)."""
    masked = set(range(frames[0], frames[1] + 1) if mask_frames is None else mask_frames)
    return [
        (frame, name)
        for frame in range(frames[0], frames[1] + 1)
        for name in (SOURCE_NAME, MASK_NAME)
        if name == SOURCE_NAME or frame in masked
    ]


def inputs_digest(folder: str, frames: tuple[int, int], mask_frames: Iterable[int] | None = None) -> str:
    """One hash over every input frame rendered into ``folder`` (see ``input_files``)."""
    digest = hashlib.sha256()
    for frame, name in input_files(frames, mask_frames):
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


class CacheEntry(manifest.CacheEntry):
    """One result folder (see ``videomama_hosts.manifest``), with Blender's frame numbering."""

    frame_path = staticmethod(frame_path)


def new_staging(root: str) -> str:
    """A fresh folder under ``root`` for one Compute's inputs (hidden, unique)."""
    os.makedirs(root, exist_ok=True)
    return tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root)


def adopt_staging(staging: str, entry: CacheEntry, frames: tuple[int, int],
                  mask_frames: Iterable[int] | None = None) -> None:
    """Make the staged inputs the entry's, or drop them if it already has identical ones.

    Identical key means identical bytes, so an entry with complete inputs
    keeps its own (and the daemon's resume skips the matte frames already
    written); otherwise the staged files are moved in, replacing leftovers of
    an interrupted Compute.  Staged files that are not inputs (a track's
    masks between its keyframes) go with the staging folder.
    """
    if not entry.inputs_complete(frames, mask_frames):
        os.makedirs(entry.folder, exist_ok=True)
        for frame, name in input_files(frames, mask_frames):
            os.replace(frame_path(os.path.join(staging, name), frame),
                       frame_path(os.path.join(entry.folder, name), frame))
        entry.record("inputs", frames)
    discard_staging(staging)


def discard_staging(staging: str) -> None:
    """Remove a staging folder; only ever one that ``new_staging`` made."""
    if os.path.basename(os.path.normpath(staging)).startswith(STAGING_PREFIX):
        shutil.rmtree(staging, ignore_errors=True)


def clear(entry: CacheEntry) -> bool:
    """Delete an entry's folder; False if there was none.

    Only a folder that looks like ours is removed, so a mistyped cache
    folder can never cost the artist unrelated files.
    """
    if not os.path.isdir(entry.folder):
        return False
    strangers = [name for name in os.listdir(entry.folder) if not manifest.OUR_FILES.match(name)]
    if strangers:
        raise OSError(f"{entry.folder} holds files VideoMaMa did not write ({strangers[0]}); not deleting it")
    shutil.rmtree(entry.folder)
    return True
