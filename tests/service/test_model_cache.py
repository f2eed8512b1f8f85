"""Backends and trackers load lazily, are reused, and unload when idle or memory runs out."""

import pytest
import torch

from videomama.jobs.model_cache import ModelCache


class FakeModel:
    def __init__(self, name, options):
        self.name, self.options, self.closed = name, options, False

    def close(self):
        self.closed = True


class Factory:
    """Creates fake models; the next ``failures`` creations raise ``error`` instead."""

    def __init__(self, failures: int = 0, error: type[BaseException] = MemoryError):
        self.created: list[FakeModel] = []
        self.failures = failures
        self.error = error

    def __call__(self, name, options=None):
        if self.failures:
            self.failures -= 1
            raise self.error("out of memory")
        model = FakeModel(name, options)
        self.created.append(model)
        return model


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_nothing_loads_until_a_job_needs_it_and_then_it_is_reused():
    factory = Factory()
    cache = ModelCache(60, create_backend=factory)
    assert factory.created == []
    with cache.backend("classic", {"epsilon": 1e-7}) as first:
        pass
    with cache.backend("classic", {"epsilon": 1e-7}) as second:
        pass
    assert first is second and len(factory.created) == 1


def test_a_tracker_is_loaded_once_for_every_track_after_it():
    trackers = Factory()
    cache = ModelCache(60, create_tracker=trackers)
    for _ in range(3):
        with cache.tracker("sam2") as tracker:
            assert tracker.name == "sam2"
    assert len(trackers.created) == 1


def test_a_backend_and_a_tracker_of_the_same_name_are_different_models():
    backends, trackers = Factory(), Factory()
    cache = ModelCache(60, create_backend=backends, create_tracker=trackers)
    with cache.backend("same", {}) as backend, cache.tracker("same") as tracker:
        assert backend is not tracker
    assert len(backends.created) == len(trackers.created) == 1 and cache.idle_count() == 2


def test_different_options_or_concurrent_jobs_get_their_own_instance():
    factory = Factory()
    cache = ModelCache(60, create_backend=factory)
    with cache.backend("classic", {"epsilon": 1e-7}) as a, cache.backend("classic", {"epsilon": 1e-7}) as b:
        assert a is not b
    with cache.backend("classic", {"epsilon": 1e-3}) as c:
        assert c not in (a, b)
    assert cache.idle_count() == 3


def test_idle_models_unload_after_the_idle_time():
    clock = Clock()
    backends, trackers = Factory(), Factory()
    cache = ModelCache(60, create_backend=backends, create_tracker=trackers, clock=clock)
    with cache.backend("videomama", {}) as backend:
        clock.now = 1000  # in use: never unloaded, however long the job
        assert cache.sweep() == 0
    with cache.tracker("sam2") as tracker:
        pass
    clock.now = 1059
    assert cache.sweep() == 0 and not backend.closed
    clock.now = 1060
    assert cache.sweep() == 2 and backend.closed and tracker.closed
    with cache.backend("videomama", {}):
        assert len(backends.created) == 2  # loaded again on demand


@pytest.mark.parametrize("error", [MemoryError, torch.cuda.OutOfMemoryError], ids=["host", "gpu"])
def test_out_of_memory_unloads_idle_models_of_either_kind_and_retries_once(error):
    backends, trackers = Factory(error=error), Factory()
    cache = ModelCache(600, create_backend=backends, create_tracker=trackers)
    with cache.backend("videomama", {"size": "big"}) as old_backend, cache.tracker("sam2") as old_tracker:
        pass
    backends.failures = 1
    with cache.backend("videomama", {"size": "other"}):
        assert old_backend.closed and old_tracker.closed
    backends.failures = 2
    with pytest.raises(error), cache.backend("videomama", {"size": "third"}):
        pass


def test_other_errors_while_loading_are_not_retried():
    factory = Factory(failures=1, error=ValueError)
    cache = ModelCache(600, create_backend=factory)
    with pytest.raises(ValueError), cache.backend("videomama", {}):
        pass
    assert factory.failures == 0 and factory.created == []


def test_memory_pressure_from_a_running_model_unloads_the_idle_ones():
    from videomama import memory_pressure

    trackers = Factory()
    cache = ModelCache(600, create_backend=Factory(), create_tracker=trackers)
    with cache.tracker("sam2") as idle_sam2:
        pass
    with cache.backend("videomama", {}) as running:
        assert memory_pressure.relieve() >= 1  # as the backend calls it on a CUDA out-of-memory
        assert idle_sam2.closed and not running.closed
    with cache.tracker("sam2"):
        assert len(trackers.created) == 2  # loaded again when next needed


def test_what_is_loaded_says_which_models_are_lent_and_how_long_the_others_idle():
    clock = Clock()
    cache = ModelCache(600, create_backend=Factory(), create_tracker=Factory(), clock=clock)
    with cache.tracker("sam2"):
        pass
    clock.now = 30
    with cache.backend("videomama", {"chained": True, "seed": 7}):
        loaded = cache.loaded()
    assert [(m.kind, m.name, m.options, m.in_use, m.idle_s) for m in loaded] == [
        ("backend", "videomama", {"chained": "True", "seed": "7"}, True, 0.0),
        ("tracker", "sam2", {}, False, 30.0),
    ]
    clock.now = 45
    assert [(m.name, m.in_use, m.idle_s) for m in cache.loaded()] == [("videomama", False, 15.0), ("sam2", False, 45.0)]
    cache.unload_idle()
    assert cache.loaded() == []
