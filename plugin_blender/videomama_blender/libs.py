"""Finding ``videomama_client`` (and grpcio, protobuf) from inside Blender.

* Extension install: Blender installs the wheels listed in
  ``blender_manifest.toml`` (grpcio, protobuf, videomama_client,
  videomama_proto) into its extension site-packages; a plain import works and
  nothing here touches ``sys.path``.
* Legacy add-on zip: the same packages are unpacked in ``lib/`` inside the
  add-on folder (see ``plugin_blender/build.py``).
* A checkout of the repository: ``client/`` and ``proto/`` beside
  ``plugin_blender/``, so developers need no copy.

The folders are *appended* to ``sys.path``, so a package Blender or the
studio already provides keeps precedence.  The client is imported on first
use (Compute), never at registration: a Blender without it still loads the
add-on, opens files that use it and renders their cached mattes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableSequence

ADDON_ROOT = os.path.dirname(os.path.abspath(__file__))
LIB_FOLDER = "lib"


def library_dirs(addon_root: str = ADDON_ROOT) -> list[str]:
    """Folders that may hold the client and its dependencies, in search order."""
    candidates = [os.path.join(addon_root, LIB_FOLDER)]
    checkout = os.path.dirname(os.path.dirname(addon_root))  # <repo>/plugin_blender/videomama_blender
    if os.path.isdir(os.path.join(checkout, "client", "videomama_client")):
        candidates += [os.path.join(checkout, "client"), os.path.join(checkout, "proto")]
    return [folder for folder in candidates if os.path.isdir(folder)]


def add_library_dirs(path: MutableSequence[str] | None = None, addon_root: str = ADDON_ROOT) -> list[str]:
    """Append the library folders missing from ``path`` (``sys.path``); return those added."""
    path = sys.path if path is None else path
    added = [folder for folder in library_dirs(addon_root) if folder not in path]
    path.extend(added)
    return added


def find_hosts() -> None:
    """Make ``videomama_hosts`` importable before any submodule is: the legacy
    zip has it only in ``lib/``, which the extension install never needs."""
    try:
        import videomama_hosts  # noqa: F401
    except ImportError:
        add_library_dirs()


def load_client():
    """Import and return ``videomama_client``, or raise PluginError saying how to install it."""
    try:
        import videomama_client
        return videomama_client
    except Exception:  # not installed here, or broken: the bundled copies may do
        pass
    add_library_dirs()
    try:
        import videomama_client
    except Exception as error:  # ImportError, or protobuf's VersionError for too old a runtime
        # Imported here: errors needs videomama_hosts, which this module has to find first.
        from .errors import PluginError

        raise PluginError(missing_client_message(error)) from error
    return videomama_client


def missing_client_message(error: BaseException) -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    detail = " ".join(str(error).split()) or type(error).__name__
    return (
        f"the VideoMaMa client cannot be loaded in Blender's Python {version} ({detail}); "
        "install the VideoMaMa extension build, which bundles grpcio and protobuf for this Blender "
        "(see plugin_blender/README.md)"
    )
