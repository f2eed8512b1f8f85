"""Loaded models, kept between jobs and unloaded when idle or memory runs out.

The daemon hosts both kinds of model: matting backends and trackers.
Loading a learned one (VideoMaMa, SAM2) takes seconds and gigabytes, so the
daemon creates it on the first job that needs it, lends it to every later job
with the same name and options, and unloads it after ``idle_s`` without use.
An artist who adds a click and tracks again then waits for the track, not for
SAM2 to load.  An instance is lent to one job at a time; a second concurrent
job with the same settings gets its own instance (only CPU jobs run
concurrently, and the CPU models are cheap to create).  When creating a model
runs out of memory (host or GPU), every idle instance of either kind is
unloaded and the creation is tried once more; a running backend that runs
out of GPU memory has them unloaded too (``memory_pressure``).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .. import memory_pressure
from ..backends import registry as backend_registry
from ..backends.base import MattingBackend
from ..tracking import registry as tracker_registry

log = logging.getLogger(__name__)

BackendFactory = Callable[[str, dict[str, Any]], MattingBackend]
TrackerFactory = Callable[[str], Any]

_BACKEND, _TRACKER = "backend", "tracker"


@dataclass
class _Idle:
    model: Any
    since: float


@dataclass(frozen=True)
class LoadedModel:
    """One loaded instance, as ``videomama info --server`` shows it."""

    kind: str  # "backend" or "tracker"
    name: str
    options: dict[str, str]
    in_use: bool
    idle_s: float  # 0 while in use


def _key(kind: str, name: str, options: dict[str, Any]) -> str:
    return json.dumps([kind, name, sorted(options.items())], default=str)


def _unload(model: Any) -> None:
    # Models holding GPU memory free it in close(); the CPU ones have none.
    close = getattr(model, "close", None)
    if callable(close):
        close()


def _is_out_of_memory(error: BaseException) -> bool:
    """Host memory, or a CUDA allocation (checked only if torch is already loaded: no import for it)."""
    if isinstance(error, MemoryError):
        return True
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(error, torch.cuda.OutOfMemoryError)


class ModelCache:
    def __init__(
        self,
        idle_s: float,
        create_backend: BackendFactory = backend_registry.create,
        create_tracker: TrackerFactory = tracker_registry.create,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle_s = idle_s
        self._create = {_BACKEND: create_backend, _TRACKER: lambda name, _options: create_tracker(name)}
        self._clock = clock
        self._idle: dict[str, list[_Idle]] = {}
        self._lent: dict[int, str] = {}  # id of each instance lent to a job -> its key
        self._lock = threading.Lock()
        memory_pressure.register(self.unload_idle)  # a running model short of GPU memory frees ours

    def backend(self, name: str, options: dict[str, Any]):
        """Lend the matting backend ``name`` with ``options`` (a context manager), loaded now or reused."""
        return self._borrow(_BACKEND, name, options)

    def tracker(self, name: str):
        """Lend the tracker ``name`` (a context manager), loaded now or reused."""
        return self._borrow(_TRACKER, name, {})

    def sweep(self) -> int:
        """Unload instances idle for longer than ``idle_s``; how many were unloaded."""
        deadline = self._clock() - self._idle_s
        return self._unload_where(lambda entry: entry.since <= deadline)

    def unload_idle(self) -> int:
        """Unload every idle instance (memory pressure, shutdown)."""
        return self._unload_where(lambda entry: True)

    def idle_count(self) -> int:
        with self._lock:
            return sum(len(entries) for entries in self._idle.values())

    def loaded(self) -> list[LoadedModel]:
        """Every instance held now, lent or idle, in kind and name order."""
        now = self._clock()
        with self._lock:
            held = [(key, True, 0.0) for key in self._lent.values()]
            held += [(key, False, now - entry.since) for key, entries in self._idle.items() for entry in entries]
        models = []
        for key, in_use, idle_s in held:
            kind, name, options = json.loads(key)
            models.append(LoadedModel(kind, name, {k: str(v) for k, v in options}, in_use, max(0.0, idle_s)))
        return sorted(models, key=lambda m: (m.kind, m.name, m.in_use, m.idle_s))

    @contextmanager
    def _borrow(self, kind: str, name: str, options: dict[str, Any]) -> Iterator[Any]:
        key = _key(kind, name, options)
        model = self._take_idle(key) or self._load(kind, name, options)
        with self._lock:
            self._lent[id(model)] = key
        try:
            yield model
        finally:
            with self._lock:
                del self._lent[id(model)]
                self._idle.setdefault(key, []).append(_Idle(model, self._clock()))

    def _take_idle(self, key: str) -> Any:
        with self._lock:
            entries = self._idle.get(key)
            return entries.pop().model if entries else None

    def _load(self, kind: str, name: str, options: dict[str, Any]) -> Any:
        create = self._create[kind]
        try:
            return create(name, dict(options))
        except Exception as error:  # noqa: BLE001 - only an out-of-memory is retried
            if not _is_out_of_memory(error):
                raise
        # Outside the except block, so the failed attempt's tensors are released.
        unloaded = self.unload_idle()
        log.warning("out of memory loading %s %s; unloaded %d idle model(s), retrying", kind, name, unloaded)
        return create(name, dict(options))

    def _unload_where(self, condition: Callable[[_Idle], bool]) -> int:
        with self._lock:
            doomed = [entry for entries in self._idle.values() for entry in entries if condition(entry)]
            self._idle = {
                key: kept
                for key, entries in self._idle.items()
                if (kept := [entry for entry in entries if not condition(entry)])
            }
        for entry in doomed:  # outside the lock: unloading a model may take a while
            _unload(entry.model)
        return len(doomed)
