"""VideoMaMa for Nuke: the "VideoMaMa Matte" node.

Only ``binding`` imports ``nuke``.  Everything else (cache naming, knob values
to a job, progress and error messages, tracking prompts, following a daemon
job) is plain Python, tested without Nuke, and never imports torch, CUDA,
OpenImageIO or the server: the daemon does the compute, the node only needs
grpcio and protobuf (through ``videomama_client``).

Modules here must stay importable by the Python of every supported Nuke
(3.10 in Nuke 15, 3.11 in Nuke 16/17), hence ``from __future__ import
annotations`` wherever annotations use ``X | None``.
"""

__version__ = "0.1.0"

# The shared package (cache manifest, job, durations) is imported by the
# modules below at load, before init.py appends the library folders.
from . import libs as _libs

_libs.find_hosts()
