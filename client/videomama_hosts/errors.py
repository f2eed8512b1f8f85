"""The error both plugins raise for what the artist can fix.

One class for both, so that code shared here (frame lists, tracking prompts)
raises what each plugin already reports as a plain line: the Nuke node's
status and message box, Blender's operator report.
"""

from __future__ import annotations


class PluginError(Exception):
    """A problem the user can fix (bad range, nothing connected, missing client...).

    ``str(error)`` is the one line shown to the user.
    """
