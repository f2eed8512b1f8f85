"""Naming, checking and clearing the on-disk cache of a VideoMaMa Matte node.

A result is stored under ``<cache root>/<key>/``: the rendered inputs
(``source.####.exr``, ``mask.####.exr``), the daemon's output
(``matte.####.exr``, and ``tracked.####.exr`` when it tracked the masks) and
a manifest (``videomama.json``) written last, so a folder without a complete
manifest is never taken for a result.

The key is a hash of everything that decides the pixels of the result:

* the *script state* of every node upstream of the node's inputs — class,
  knob values as the .nk file stores them, the files behind file knobs (name,
  size, modification time), the wiring, the insides of upstream groups, and
  nodes read through expressions — hashed bottom-up (a Merkle hash), so two
  branches that share nodes hash them once;
* the frame range and the node's own settings that change the matte
  (backend, windows, colour space, mask channel, and when it tracks: the
  keyed points, the mask keyframes, the tracker, soft masks);
* project settings that change what the inputs render to (format, proxy,
  colour management).

Knobs that only change how the node graph *looks* (position, colour, label,
selection) are left out, so tidying a script never invalidates a cache, and
the node's own name is not part of the key, so renaming it does not either.

Known blind spots, documented for users: file paths built with TCL
expressions (``[value ...]``) are hashed as text, not resolved to files; and
anything a plug-in reads from outside the script (environment, databases) is
not seen.  "Clear cache" forces a recompute in those cases.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from videomama_hosts import manifest

# Re-exported: the plugin's names for the layout.
from videomama_hosts.manifest import CACHE_FOLDER_NAME, FORMAT_VERSION, KEY_CHARS  # noqa: F401
from videomama_hosts.manifest import MANIFEST_NAME, MASK_NAME, MATTE_NAME, SOURCE_NAME  # noqa: F401


# Knobs every node has that only affect the node graph's appearance or
# bookkeeping, never pixels.  ``disable`` is deliberately absent: it does.
UI_KNOBS = frozenset(
    {
        "name", "label", "selected", "xpos", "ypos", "tile_color", "gl_color", "note_font",
        "note_font_size", "note_font_color", "hide_input", "postage_stamp", "postage_stamp_frame",
        "bookmark", "icon", "indicators", "help", "dope_sheet", "cached", "panel", "onCreate",
        "onDestroy", "knobChanged", "updateUI", "autolabel", "lock_connections", "tooltip",
        "lifetimeStart", "lifetimeEnd", "useLifetime",
    }
)
# Knob classes that hold no value: tabs, labels, buttons.
UI_KNOB_CLASSES = frozenset(
    {
        "Tab_Knob", "Text_Knob", "PyScript_Knob", "Script_Knob", "Help_Knob", "Obsolete_Knob",
        "BeginTabGroup_Knob", "EndTabGroup_Knob", "PyCustom_Knob",
    }
)
# Project (root) knobs that change what upstream nodes render to.  A whitelist:
# the root also holds the current frame, the script name and timeline
# settings, which must not invalidate anything.
PROJECT_KNOBS = (
    "format", "proxy", "proxy_type", "proxy_format", "proxy_scale", "proxySetting",
    "colorManagement", "OCIO_config", "customOCIOConfigPath", "workingSpaceLUT",
    "int8Lut", "int16Lut", "logLut", "floatLut", "views",
)


# ---------------------------------------------------------------------------
# What the binding reads from the script
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KnobRecord:
    name: str
    knob_class: str
    script: str  # the value as the .nk file stores it (Knob.toScript())
    # For file knobs: the path pattern (File_Knob.value()); its files' sizes
    # and modification times join the hash, so a re-rendered plate counts.
    file_pattern: str | None = None


@dataclass(frozen=True)
class NodeRecord:
    node_class: str
    knobs: tuple[KnobRecord, ...]
    inputs: tuple[str | None, ...] = ()  # ids of the nodes on input 0, 1, ...
    references: tuple[str, ...] = ()  # ids of nodes read through expressions
    children: tuple[tuple[str, str], ...] = ()  # (name, id) of the nodes inside a group


def relevant_knobs(knobs: Iterable[KnobRecord]) -> list[KnobRecord]:
    """The knobs that can change pixels, sorted by name."""
    kept = [k for k in knobs if k.name not in UI_KNOBS and k.knob_class not in UI_KNOB_CLASSES]
    return sorted(kept, key=lambda k: k.name)


# ---------------------------------------------------------------------------
# Files behind a sequence pattern
# ---------------------------------------------------------------------------

# ####, %04d / %d, $F4 / $F: the frame-number spellings Nuke accepts.
_FRAME_TOKEN = re.compile(r"#+|%0?\d*d|\$F\d*")


def sequence_fingerprint(pattern: str) -> list[tuple[str, int, int]]:
    """(file name, size, mtime in ns) of every file of a sequence, or of the one file.

    Patterns Python cannot resolve (relative, or built with TCL expressions)
    give an empty list: they are hashed as text only.
    """
    if not pattern or "[" in pattern or not os.path.isabs(pattern):
        return []
    folder, name = os.path.split(pattern)
    if not _FRAME_TOKEN.search(name):
        return _stats(folder, [name])
    parts = _FRAME_TOKEN.split(name)
    regex = re.compile(r"-?\d+".join(re.escape(part) for part in parts) + r"\Z")
    try:
        names = [entry for entry in os.listdir(folder) if regex.match(entry)]
    except OSError:
        return []
    return _stats(folder, sorted(names))


def _stats(folder: str, names: Sequence[str]) -> list[tuple[str, int, int]]:
    found = []
    for name in names:
        try:
            stat = os.stat(os.path.join(folder, name))
        except OSError:
            continue
        found.append((name, stat.st_size, stat.st_mtime_ns))
    return found


def frame_path(pattern: str, frame: int) -> str:
    """The file of ``frame``: ``####`` padded to its length, a minus sign first."""
    def number(match: re.Match) -> str:
        token = match.group(0)
        digits = re.sub(r"\D", "", token) if not token.startswith("#") else ""
        width = len(token) if token.startswith("#") else int(digits or 0)
        return f"-{abs(frame):0{width}d}" if frame < 0 else f"{frame:0{width}d}"

    return _FRAME_TOKEN.sub(number, pattern, count=1)


# ---------------------------------------------------------------------------
# The key
# ---------------------------------------------------------------------------


def _sha256(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _node_payload(record: NodeRecord, digest_of) -> list:
    return [
        record.node_class,
        [
            [k.name, k.knob_class, k.script, sequence_fingerprint(k.file_pattern) if k.file_pattern else None]
            for k in relevant_knobs(record.knobs)
        ],
        [digest_of(node_id) for node_id in record.inputs],
        sorted(digest_of(node_id) for node_id in record.references),
        sorted([name, digest_of(node_id)] for name, node_id in record.children),
    ]


def graph_digests(records: Mapping[str, NodeRecord], roots: Sequence[str | None]) -> list[str | None]:
    """A digest per root node covering everything upstream of it (None for an empty input).

    Iterative, because comp scripts can be thousands of nodes deep.  Nuke's
    pipes cannot form cycles but expressions can; a node met again while its
    own digest is still being computed stands in by its class alone.
    """
    digests: dict[str, str] = {}
    in_progress: set[str] = set()

    def known(node_id: str | None) -> str | None:
        if node_id is None:
            return None
        if node_id in digests:
            return digests[node_id]
        if node_id in in_progress or node_id not in records:
            return _sha256(["unresolved", records[node_id].node_class if node_id in records else None])
        raise LookupError(node_id)

    for root in roots:
        if root is None:
            continue
        stack = [root]
        while stack:
            node_id = stack[-1]
            if node_id in digests:
                stack.pop()
                continue
            record = records[node_id]
            in_progress.add(node_id)
            pending = [
                dep
                for dep in (*record.inputs, *record.references, *(child for _, child in record.children))
                if dep is not None and dep in records and dep not in digests and dep not in in_progress
            ]
            if pending:
                stack.extend(pending)
                continue
            digests[node_id] = _sha256(_node_payload(record, known))
            in_progress.discard(node_id)
            stack.pop()
    return [digests[root] if root is not None else None for root in roots]


def cache_key(
    inputs: Sequence[str | None],
    frames: tuple[int, int],
    settings: Mapping[str, object],
    project: Mapping[str, str],
) -> str:
    """The full key (hex SHA-256); ``CacheEntry`` uses its first KEY_CHARS characters."""
    return _sha256(
        {
            "format": FORMAT_VERSION,
            "inputs": list(inputs),
            "frames": list(frames),
            "settings": dict(settings),
            "project": {name: project[name] for name in PROJECT_KNOBS if name in project},
        }
    )


# ---------------------------------------------------------------------------
# Where the cache lives
# ---------------------------------------------------------------------------


def default_cache_root(project_dir: str | None, script_path: str | None, temp_dir: str | None) -> str:
    """``videomama_cache`` under the project directory, else beside the saved
    script, else in Nuke's temp folder (``NUKE_TEMP_DIR``).

    The first two are usually on shared storage, so a farm render finds the
    artist's result; a temp-folder cache is local, and a farm machine will
    compute its own.
    """
    for base in (project_dir, os.path.dirname(script_path) if script_path else None):
        if base and os.path.isabs(base):
            return _nuke_path(os.path.join(base, CACHE_FOLDER_NAME))
    base = temp_dir or os.path.join(tempfile.gettempdir(), "nuke")
    return _nuke_path(os.path.join(base, CACHE_FOLDER_NAME))


def _nuke_path(path: str) -> str:
    # Nuke writes forward slashes on every platform; keeping them makes the
    # paths in knobs and manifests identical across Windows and Linux.
    return path.replace("\\", "/")


class CacheEntry(manifest.CacheEntry):
    """One result folder (see ``videomama_hosts.manifest``), with Nuke's paths: forward slashes."""

    frame_path = staticmethod(frame_path)

    def join(self, *parts: str) -> str:
        return _nuke_path(os.path.join(*parts))

    def clear(self) -> bool:
        """Delete this entry's folder; False if there was none.

        Only a folder that looks like ours (a manifest or our file names in
        it) is removed, so a mistyped cache directory can never cost the user
        unrelated files.
        """
        if not os.path.isdir(self.folder):
            return False
        names = os.listdir(self.folder)
        if any(not manifest.OUR_FILES.match(name) for name in names):
            raise OSError(f"{self.folder} holds files the VideoMaMa node did not write; not deleting it")
        shutil.rmtree(self.folder)
        return True
