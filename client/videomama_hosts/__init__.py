"""Logic both host plugins (Nuke, Blender) share, standard library only.

Why a package of its own rather than part of ``videomama_client``: each
plugin must *load* without the client (grpcio and protobuf may be missing
from the host's Python).  Nuke still opens scripts that contain the node,
Blender still registers the add-on and renders cached mattes, and both check
their caches, all before the client is imported, if it ever is.  So what the
plugins share for that (the cache entry manifest, the by-reference jobs,
tracking prompts and their coordinates, whether the daemon can track them,
progress over a job's phases, frame lists, durations, the error class for
what the artist can fix) lives here, importing nothing beyond the
standard library: no grpc, protobuf, numpy, ``videomama_client``, ``nuke`` or
``bpy``.  Each plugin adapts these pieces in a thin module of its own.

Modules here must stay importable by the Python of every supported host
(3.10 in Nuke 15, 3.11 in Blender and Nuke 16/17).
"""
