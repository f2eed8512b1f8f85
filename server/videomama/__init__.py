"""VideoMaMa for compositors: mask-guided video matting.

The package is the server-side core. Arrows point one way:
``sequences`` (frame patterns, image I/O) -> ``matting`` (requests, window grid,
engine) -> ``backends`` (classic CPU, learned) -> ``cli``.  Nothing here imports
gRPC; the daemon's service layer is the only server code that will.
"""

__version__ = "0.1.0"
