"""Memory held by idle models, given back when a running model runs short.

The daemon keeps idle models loaded for the next job (``jobs.model_cache``):
SAM2 stays loaded after a track while the matting model runs.  A backend that
runs out of GPU memory calls ``relieve`` before it shrinks its canvas (which
costs detail): the idle models are unloaded and the window is tried again at
the same size.  Outside the daemon nothing is registered and ``relieve``
frees nothing.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

_lock = threading.Lock()
# Weak: a cache that is gone (a stopped daemon in the tests) drops out by itself.
_releasers: list[weakref.WeakMethod] = []


def register(release: Callable[[], int]) -> None:
    """Add ``release`` (a bound method returning how many models it unloaded)."""
    with _lock:
        _releasers.append(weakref.WeakMethod(release))


def relieve() -> int:
    """Unload every registered holder's idle models; how many were unloaded."""
    with _lock:
        _releasers[:] = [ref for ref in _releasers if ref() is not None]
        live = [ref() for ref in _releasers]
    return sum(release() for release in live if release is not None)
