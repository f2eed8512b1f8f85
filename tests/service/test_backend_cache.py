"""Backends load lazily, are reused, and unload when idle or memory runs out."""

import pytest

from videomama.jobs.backend_cache import BackendCache


class FakeBackend:
    def __init__(self, name, options):
        self.name, self.options, self.closed = name, options, False

    def close(self):
        self.closed = True


class Factory:
    def __init__(self, fail_with_memory_error: int = 0):
        self.created: list[FakeBackend] = []
        self._failures = fail_with_memory_error

    def __call__(self, name, options):
        if self._failures:
            self._failures -= 1
            raise MemoryError
        backend = FakeBackend(name, options)
        self.created.append(backend)
        return backend


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_nothing_loads_until_a_job_needs_it_and_then_it_is_reused():
    factory = Factory()
    cache = BackendCache(60, create=factory)
    assert factory.created == []
    with cache.borrow("classic", {"epsilon": 1e-7}) as first:
        pass
    with cache.borrow("classic", {"epsilon": 1e-7}) as second:
        pass
    assert first is second and len(factory.created) == 1


def test_different_options_or_concurrent_jobs_get_their_own_instance():
    factory = Factory()
    cache = BackendCache(60, create=factory)
    with cache.borrow("classic", {"epsilon": 1e-7}) as a, cache.borrow("classic", {"epsilon": 1e-7}) as b:
        assert a is not b
    with cache.borrow("classic", {"epsilon": 1e-3}) as c:
        assert c not in (a, b)
    assert cache.idle_count() == 3


def test_idle_backends_unload_after_the_idle_time():
    clock = Clock()
    factory = Factory()
    cache = BackendCache(60, create=factory, clock=clock)
    with cache.borrow("videomama", {}) as backend:
        clock.now = 1000  # in use: never unloaded, however long the job
        assert cache.sweep() == 0
    clock.now = 1059
    assert cache.sweep() == 0 and not backend.closed
    clock.now = 1060
    assert cache.sweep() == 1 and backend.closed
    with cache.borrow("videomama", {}):
        assert len(factory.created) == 2  # loaded again on demand


def test_out_of_memory_unloads_idle_backends_and_retries_once():
    factory = Factory()
    cache = BackendCache(600, create=factory)
    with cache.borrow("videomama", {"size": "big"}) as old:
        pass
    factory._failures = 1
    with cache.borrow("videomama", {"size": "other"}):
        assert old.closed
    factory._failures = 2
    with pytest.raises(MemoryError), cache.borrow("videomama", {"size": "third"}):
        pass
