"""Tracking tests' fixtures."""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(scope="session", autouse=True)
def _release_colour_config():
    # Loading SAM2 (Hydra, torch) changes the interpreter's teardown order so
    # that OpenImageIO's cached ColorConfig outlives its nanobind module,
    # which prints "leaked instance" noise at exit (harmless, but it looks
    # like a failure in CI logs).  Release it while the module is alive.
    yield
    from videomama.sequences import image_io

    image_io._color_config.cache_clear()
    gc.collect()
