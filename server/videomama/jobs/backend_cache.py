"""Loaded backends, kept between jobs and unloaded when idle or memory runs out.

Loading a learned model takes seconds and gigabytes, so the daemon creates a
backend on the first job that needs it, lends it to every later job with the
same backend and options, and unloads it after ``idle_s`` without use.  An
instance is lent to one job at a time; a second concurrent job with the same
settings gets its own instance (only CPU jobs run concurrently, and the CPU
backend is cheap to create).  When creating a backend runs out of memory,
every idle instance is unloaded and the creation is tried once more.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..backends import registry
from ..backends.base import MattingBackend

log = logging.getLogger(__name__)

BackendFactory = Callable[[str, dict[str, Any]], MattingBackend]


@dataclass
class _Idle:
    backend: MattingBackend
    since: float


def _key(name: str, options: dict[str, Any]) -> str:
    return json.dumps([name, sorted(options.items())], default=str)


def _unload(backend: MattingBackend) -> None:
    # Backends holding GPU memory free it in close(); the CPU backend has none.
    close = getattr(backend, "close", None)
    if callable(close):
        close()


class BackendCache:
    def __init__(
        self,
        idle_s: float,
        create: BackendFactory = registry.create,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle_s = idle_s
        self._create = create
        self._clock = clock
        self._idle: dict[str, list[_Idle]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self, name: str, options: dict[str, Any]) -> Iterator[MattingBackend]:
        """A backend for ``name`` with ``options``, loaded now or reused."""
        key = _key(name, options)
        backend = self._take_idle(key) or self._load(name, options)
        try:
            yield backend
        finally:
            with self._lock:
                self._idle.setdefault(key, []).append(_Idle(backend, self._clock()))

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

    def _take_idle(self, key: str) -> MattingBackend | None:
        with self._lock:
            entries = self._idle.get(key)
            return entries.pop().backend if entries else None

    def _load(self, name: str, options: dict[str, Any]) -> MattingBackend:
        try:
            return self._create(name, dict(options))
        except MemoryError:
            unloaded = self.unload_idle()
            log.warning("out of memory loading backend %s; unloaded %d idle backends, retrying", name, unloaded)
            return self._create(name, dict(options))

    def _unload_where(self, condition: Callable[[_Idle], bool]) -> int:
        with self._lock:
            doomed = [entry for entries in self._idle.values() for entry in entries if condition(entry)]
            self._idle = {
                key: kept
                for key, entries in self._idle.items()
                if (kept := [entry for entry in entries if not condition(entry)])
            }
        for entry in doomed:  # outside the lock: unloading a model may take a while
            _unload(entry.backend)
        return len(doomed)
