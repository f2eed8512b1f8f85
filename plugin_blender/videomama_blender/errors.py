"""What the add-on tells the artist when something goes wrong, as one line.

Operators report through ``self.report`` (the status bar in the UI, stderr
and a RuntimeError for scripts), so every failure is turned into a sentence
that says what to do, never a traceback.  Only genuinely unexpected errors
(bugs) keep their traceback, printed to the system console for a bug report.
"""

from __future__ import annotations

import sys
import traceback

# Re-exported: one class for both plugins and the code they share
# (videomama_hosts), so its errors read as the add-on's own.
from videomama_hosts.errors import PluginError

PREFIX = "VideoMaMa: "


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(error: BaseException) -> str:
    """One line for any exception raised while computing a matte.

    ``PluginError`` and the client's ``DaemonError`` already read as
    instructions.  Files that cannot be written are common on shared
    storage, so they get their own wording; anything else is a bug, whose
    traceback goes to the console so the report stays one line.
    """
    if isinstance(error, PluginError):
        return _one_line(error)
    # The client is imported lazily (the add-on must load without it), so its
    # error class is recognised by where it comes from rather than imported.
    if any(cls.__module__.startswith("videomama_client") for cls in type(error).__mro__):
        return _one_line(error)
    if isinstance(error, ReferenceError):
        # A datablock Compute held was freed under it (an undo, a file loaded).
        return "Blender data used by Compute was removed meanwhile (undo or another file?): compute again"
    if isinstance(error, PermissionError):
        return _one_line(f"no permission to write {error.filename or 'the cache folder'}: choose another cache folder")
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return _one_line(f"file error{where}: {error.strerror or error}")
    traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    return _one_line(f"unexpected error ({type(error).__name__}: {error}); details are in the system console")
