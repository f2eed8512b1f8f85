"""The inline pixel wire format, shared by the client and the daemon.

A plane is float16, little-endian, row-major with the top row first (a plate
interleaves R, G, B), cut into ``PlaneChunk`` messages sent in order.  This
module is hand-written (not generated) because both ends must cut and check
planes the same way; it needs numpy besides the generated stubs.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from . import videomama_pb2 as pb

WIRE_DTYPE = np.dtype("<f2")
# Well under gRPC's 4 MiB default, so a daemon or client that kept the default
# limit still works; large enough that per-message overhead is negligible.
DEFAULT_CHUNK_BYTES = 1024 * 1024


def to_wire(array: np.ndarray) -> memoryview:
    """The plane's bytes in wire order (no copy when already float16 LE and contiguous)."""
    return memoryview(np.ascontiguousarray(array, dtype=WIRE_DTYPE)).cast("B")


def plane_chunks(
    frame: int, plane: int, array: np.ndarray, chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> Iterator[pb.PlaneChunk]:
    """Cut one plane (``plane`` is a ``pb.Plane`` value) into chunks."""
    data = to_wire(array)
    total = len(data)
    for offset in range(0, total, chunk_bytes):
        yield pb.PlaneChunk(
            frame=frame,
            plane=plane,
            offset=offset,
            total_bytes=total,
            data=bytes(data[offset : offset + chunk_bytes]),
        )
