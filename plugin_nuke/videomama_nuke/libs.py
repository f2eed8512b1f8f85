"""Finding ``videomama_client`` and its dependencies from inside Nuke.

Nuke's Python has neither grpcio nor protobuf, so they are installed with
``pip install --target`` into ``<plugin>/lib`` (see README), next to copies of
the ``videomama_client`` and ``videomama_proto`` packages.  In a checkout of
the repository the two packages are also found in ``client/`` and ``proto/``
beside ``plugin_nuke/``, so developers need no copy.

The folders are *appended* to ``sys.path``: a package Nuke or the studio
already provides keeps precedence, so this plugin never shadows what other
tools in the same session were built against.  When that leaves an unusable
version in front, ``load_client`` says which one and where it came from.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableSequence

PLUGIN_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB_FOLDER = "lib"


def library_dirs(plugin_root: str = PLUGIN_ROOT, version: tuple[int, int] = sys.version_info[:2]) -> list[str]:
    """Folders that may hold the client and its dependencies, in search order.

    ``lib/py311`` (for this Python) comes before ``lib``: one plugin folder
    can then serve several Nuke versions, whose Pythons need different
    grpcio and protobuf wheels, with the pure-Python client packages shared
    in ``lib``.
    """
    lib = os.path.join(plugin_root, LIB_FOLDER)
    candidates = [os.path.join(lib, f"py{version[0]}{version[1]}"), lib]
    checkout = os.path.dirname(plugin_root)
    if os.path.isdir(os.path.join(checkout, "client", "videomama_client")):
        candidates += [os.path.join(checkout, "client"), os.path.join(checkout, "proto")]
    return [folder for folder in candidates if os.path.isdir(folder)]


def add_library_dirs(
    path: MutableSequence[str] | None = None,
    plugin_root: str = PLUGIN_ROOT,
    version: tuple[int, int] = sys.version_info[:2],
) -> list[str]:
    """Append the library folders missing from ``path`` (``sys.path``); return those added."""
    path = sys.path if path is None else path
    added = [folder for folder in library_dirs(plugin_root, version) if folder not in path]
    path.extend(added)
    return added


def find_hosts() -> None:
    """``videomama_hosts`` (code shared with the Blender add-on) is needed as soon
    as the plugin loads, before init.py runs: when Nuke's own ``sys.path``
    lacks it, append the library folders now (``lib``, or ``client/`` in a
    checkout)."""
    try:
        import videomama_hosts  # noqa: F401
    except ImportError:
        add_library_dirs()


def load_client():
    """Import and return ``videomama_client``, or raise PluginError saying how to install it.

    Imported on first use rather than at startup, so a machine without the
    dependencies still opens scripts that contain the node; only Compute
    (and renders that need a result) report the problem.
    """
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
        f"cannot load the VideoMaMa client in Nuke's Python {version} ({detail}); install "
        f"grpcio, protobuf and numpy wheels for Python {version} into {os.path.join(PLUGIN_ROOT, LIB_FOLDER)} "
        "with the client and proto packages (plugin_nuke/README.md)"
    )
