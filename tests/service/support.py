"""Helpers shared by the daemon tests: tiny clips, a slowed-down backend, checks.

Clips are 96x64 and a few frames, so a whole job takes a fraction of a
second on two cores.  Masks are stored as half-float EXR: an inline client
sends float16, so half masks make inline and by-reference jobs see exactly
the same values.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from videomama_client import MatteSettings

from videomama.backends import registry
from videomama.jobs.model_cache import ModelCache
from videomama.sequences.image_read import read_mask, read_metadata
from videomama.sequences.image_write import write_image
from videomama.synthetic import ClipSpec, write_clip
from videomama.tracking import registry as tracking_registry

# Windows of 4 frames overlapping by 1: several windows even on a short clip,
# so a job can be caught between two of them.
SETTINGS = MatteSettings(backend="classic", window=4, overlap=1)


@dataclass(frozen=True)
class Clip:
    folder: Path
    plate: str  # absolute patterns
    mask: str
    first: int
    last: int

    @property
    def frames(self) -> range:
        return range(self.first, self.last + 1)


def make_clip(folder: Path, frames: int, seed: int = 0) -> Clip:
    # No mask defects: an empty mask frame is a matting question, not a daemon one.
    spec = ClipSpec(
        width=96, height=64, frames=frames, seed=seed, hair_strands=40, motion_blur_samples=2, mask_defects=False
    )
    paths = write_clip(spec, folder)
    for frame in range(paths.first, paths.last + 1):
        png = folder / f"mask.{frame:04d}.png"
        write_image(str(folder / f"mask.{frame:04d}.exr"), read_mask(str(png)).pixels, ("A",), pixel_type="half")
        png.unlink()
    return Clip(folder, str(folder / "plate.####.exr"), str(folder / "mask.####.exr"), paths.first, paths.last)


class SlowBackend:
    """A real backend that waits before each window, so tests can act mid-job.

    It polls the stop token while waiting, like a real backend between steps.
    """

    def __init__(self, inner, delay_s: float) -> None:
        self._inner = inner
        self._delay_s = delay_s

    def describe(self) -> dict[str, str]:
        return self._inner.describe()

    def matte(self, window, stop):
        _wait(self._delay_s, stop)
        return self._inner.matte(window, stop)


def slow_backends(delay_s: float) -> ModelCache:
    """A daemon's models whose backends are slowed-down real ones."""
    return ModelCache(600.0, create_backend=lambda name, options: SlowBackend(registry.create(name, options), delay_s))


def _wait(delay_s: float, stop) -> None:
    deadline = time.monotonic() + delay_s
    while time.monotonic() < deadline:
        stop.check()
        time.sleep(0.01)


class SlowTracker:
    """A real tracker that waits before handing over each mask, polling the stop token."""

    def __init__(self, inner, delay_s: float) -> None:
        self._inner = inner
        self._delay_s = delay_s

    def describe(self) -> dict[str, str]:
        return self._inner.describe()

    def track(self, frames, plate, keyframe_masks, stop, prompts=None):
        for frame, mask in self._inner.track(frames, plate, keyframe_masks, stop, prompts=prompts):
            _wait(self._delay_s, stop)
            yield frame, mask


def slow_trackers(delay_s: float) -> ModelCache:
    """A daemon's models whose trackers are slowed-down real ones."""
    return ModelCache(600.0, create_tracker=lambda name: SlowTracker(tracking_registry.create(name), delay_s))


def alpha(path: str | Path) -> np.ndarray:
    return read_mask(str(path), channel="A").pixels[:, :, 0]


def assert_same_frames(expected_folder: Path, actual_folder: Path, name: str = "matte") -> None:
    """Same frames, same alpha pixels and the same settings hash in the metadata."""
    expected = sorted(p.name for p in expected_folder.glob(f"{name}.*.exr"))
    assert expected and expected == sorted(p.name for p in actual_folder.glob(f"{name}.*.exr"))
    for file_name in expected:
        np.testing.assert_array_equal(alpha(expected_folder / file_name), alpha(actual_folder / file_name))
        key = "videomama:settings_hash"
        assert read_metadata(str(expected_folder / file_name))[key] == read_metadata(str(actual_folder / file_name))[key]


def assert_no_partial_frames(folder: Path) -> None:
    """Nothing half-written: no temp files, and every frame present reads completely."""
    if not folder.exists():
        return
    leftovers = [name for name in os.listdir(folder) if name.startswith(".") or ".tmp" in name]
    assert leftovers == []
    for path in folder.glob("*.exr"):
        assert alpha(path).shape == (64, 96)


def wait_for(condition, timeout_s: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
