"""VideoMaMa Matte for Blender's compositor.

A node group with an Image input and Image + Alpha outputs whose alpha is
computed by the VideoMaMa daemon from a source (Movie Clip, image sequence
or render) and a rough mask (a Mask datablock or an image sequence), and
cached as an EXR sequence.  See plugin_blender/README.md.

``register()`` delegates to the submodules and ``unregister()`` undoes them
in reverse order.  The submodules that need bpy are imported here, on
register, so the pure ones (cache, request, progress, sequences,
api_compat) can be imported and tested without Blender.
"""

from __future__ import annotations

import importlib
import sys

if "_SUBMODULES" in globals():
    # Re-executed by importlib.reload (Blender's "Reload Scripts", after
    # unregister): forget the submodules too, so register() imports the
    # edited ones instead of the cached ones.
    for _name in [name for name in sys.modules if name.startswith(f"{__name__}.")]:
        del sys.modules[_name]
        # The package keeps each submodule as an attribute, which `from . import`
        # would hand back without importing.
        globals().pop(_name.rpartition(".")[2], None)

# Read by Blender for the legacy add-on zip only; an extension install reads
# blender_manifest.toml instead.
bl_info = {
    "name": "VideoMaMa Matte",
    "author": "VideoMaMa developers",
    "version": (0, 1, 0),
    "blender": (4, 2, 0),
    "location": "Compositor > Sidebar > VideoMaMa; Add > VideoMaMa Matte",
    "description": "Video matting from a plate and a rough mask, computed by the VideoMaMa daemon",
    "category": "Compositing",
}

# The shared package (cache manifest, job, durations) must be importable
# before any submodule: a legacy zip has it in lib/, not yet on sys.path.
from . import libs as _libs  # noqa: E402

_libs.find_hosts()

# In registration order: properties before the operators and the panel that use them.
_SUBMODULES = ("properties", "operators", "placing", "panel")


def _modules():
    return [importlib.import_module(f".{name}", __package__) for name in _SUBMODULES]


def register() -> None:
    done = []
    try:
        for module in _modules():
            module.register()
            done.append(module)
    except BaseException:
        # Leave Blender as it was: a half-registered add-on cannot be enabled again.
        for module in reversed(done):
            module.unregister()
        raise


def unregister() -> None:
    for module in reversed(_modules()):
        module.unregister()
