"""One cache result folder and its manifest, as both plugins lay it out.

``<cache root>/<key>/`` holds the inputs rendered for the daemon
(``source.####.exr``, ``mask.####.exr``: on every frame, or on the mask
keyframes only when the daemon tracks the masks), its output
(``matte.####.exr``, and ``tracked.####.exr``: the masks it tracked) and
``videomama.json``, written last, so a folder without a complete manifest is
never taken for a result.  How the key is made and how paths are
spelt differ per host: a plugin subclasses ``CacheEntry`` and supplies
``frame_path`` (its sequence syntax) and, if needed, ``join``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass

# Bump when the layout or what feeds the key changes meaning, so old caches
# are ignored instead of misread.
FORMAT_VERSION = 1
KEY_CHARS = 20  # hex characters of the key used as the folder name (80 bits)
CACHE_FOLDER_NAME = "videomama_cache"
MANIFEST_NAME = "videomama.json"
SOURCE_NAME = "source.####.exr"
MASK_NAME = "mask.####.exr"
MATTE_NAME = "matte.####.exr"
TRACKED_NAME = "tracked.####.exr"
# What a cache folder may hold: frames, their hidden temporary files (the
# daemon's and the host's) and the manifest.  Clearing refuses a folder with
# anything else, so a mistyped cache directory never costs unrelated files.
OUR_FILES = re.compile(r"^(videomama\.json|\.videomama\..*|\.?(source|mask|matte|tracked)\..*)$")


@dataclass(frozen=True)
class CacheEntry:
    """One result folder: the inputs rendered for the daemon and its matte."""

    root: str
    key: str

    @staticmethod
    def frame_path(pattern: str, frame: int) -> str:
        """The file of ``frame`` in the sequence ``pattern`` (the host's syntax)."""
        raise NotImplementedError

    def join(self, *parts: str) -> str:
        """Paths as the host spells them; ``os.path.join`` unless overridden."""
        return os.path.join(*parts)

    @property
    def folder(self) -> str:
        return self.join(self.root, self.key[:KEY_CHARS])

    @property
    def source(self) -> str:
        return self.join(self.folder, SOURCE_NAME)

    @property
    def mask(self) -> str:
        return self.join(self.folder, MASK_NAME)

    @property
    def matte(self) -> str:
        return self.join(self.folder, MATTE_NAME)

    @property
    def tracked(self) -> str:
        return self.join(self.folder, TRACKED_NAME)

    def keyframe_files(self, frames: Iterable[int]) -> dict[int, str]:
        """The rendered mask of each keyframe, for a track-then-matte job."""
        return {frame: self.frame_path(self.mask, frame) for frame in frames}

    @property
    def manifest_path(self) -> str:
        return self.join(self.folder, MANIFEST_NAME)

    def manifest(self) -> dict:
        try:
            with open(self.manifest_path, encoding="utf-8") as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION or data.get("key") != self.key:
            return {}
        return data

    def _has_files(self, pattern: str, frames: Iterable[int]) -> bool:
        return all(os.path.isfile(self.frame_path(pattern, f)) for f in frames)

    def inputs_complete(self, frames: tuple[int, int], mask_frames: Iterable[int] | None = None) -> bool:
        """The inputs of ``frames`` were rendered completely (a resumed Compute skips them).

        ``mask_frames``: the frames that have a mask (the keyframes of a
        tracked job, none for clicks only); None: every frame.
        """
        every = range(frames[0], frames[1] + 1)
        stage = self.manifest().get("inputs")
        return (
            isinstance(stage, dict)
            and stage.get("frames") == list(frames)
            and self._has_files(self.source, every)
            and self._has_files(self.mask, every if mask_frames is None else mask_frames)
        )

    def result_complete(self, frames: tuple[int, int]) -> bool:
        """The daemon finished the job and every matte frame is still there."""
        stage = self.manifest().get("result")
        every = range(frames[0], frames[1] + 1)
        return isinstance(stage, dict) and stage.get("frames") == list(frames) and self._has_files(self.matte, every)

    def jump_frames(self) -> list[int]:
        """Where the tracked mask of this result jumped, as recorded when it was computed."""
        stage = self.manifest().get("result")
        return list(stage.get("jump_frames") or []) if isinstance(stage, dict) else []

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
