"""Tracking tests' fixtures, and a generated clip with two objects."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from videomama.sequences.image_write import write_image


@pytest.fixture(scope="session", autouse=True)
def _release_colour_config():
    # Loading SAM2 (Hydra, torch) changes the interpreter's teardown order so
    # that OpenImageIO's cached ColorConfig outlives its nanobind module,
    # which prints "leaked instance" noise at exit (harmless, but it looks
    # like a failure in CI logs).  Release it while the module is alive.
    yield
    from videomama.sequences import image_read

    image_read._color_config.cache_clear()
    gc.collect()


@dataclass(frozen=True)
class TwoObjects:
    """A clip of two textured shapes moving apart from each other over a panning background."""

    folder: Path
    plates: dict[int, np.ndarray]  # frame -> display-referred RGB, as the trackers see it
    truth: dict[str, dict[int, np.ndarray]]  # object -> frame -> exact mask (bool)

    @property
    def plate(self) -> str:
        return str(self.folder / "plate.####.png")

    @property
    def frames(self) -> list[int]:
        return sorted(self.plates)

    def keyframe(self, name: str, frame: int) -> str:
        """The object's exact mask of one frame as a roto keyframe file (``A``)."""
        path = self.folder / f"{name}.{frame}.exr"
        if not path.exists():
            write_image(str(path), self.truth[name][frame].astype(np.float32), ("A",))
        return str(path)


def _texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Smooth colour noise at a few scales: enough detail everywhere for optical flow."""
    layers = [cv2.GaussianBlur(rng.random((height, width, 3)).astype(np.float32), (0, 0), sigma) for sigma in (1.5, 4, 10)]
    texture = sum(layers) / len(layers)
    return (texture - texture.min()) / (texture.max() - texture.min())


def _shift(image: np.ndarray, dx: float, dy: float) -> np.ndarray:
    height, width = image.shape[:2]
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


# name -> (centre x, centre y, radius x, radius y, dx and dy per frame): "hero"
# crosses the top half rightwards, "prop" the bottom half leftwards.
_SHAPES = {"hero": (45.0, 34.0, 22.0, 14.0, 2.5, 0.3), "prop": (150.0, 92.0, 17.0, 20.0, -2.0, -0.4)}


def render_two_objects(folder: Path, frames: int = 24, width: int = 192, height: int = 128) -> TwoObjects:
    rng = np.random.default_rng(7)
    background = _texture(rng, height, width) * 0.6
    skins = {name: 0.3 + 0.7 * _texture(rng, height, width) for name in _SHAPES}
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    plates, truth = {}, {name: {} for name in _SHAPES}
    for i in range(frames):
        frame = 1001 + i
        plate = _shift(background, 0.7 * i, 0.0)
        for name, (cx, cy, rx, ry, dx, dy) in _SHAPES.items():
            centre_x, centre_y = cx + dx * i, cy + dy * i
            radius = np.hypot((x - centre_x) / rx, (y - centre_y) / ry)
            # A one-pixel soft edge, as a camera would see it; the truth is its half level.
            cover = np.clip((1.0 - radius) * min(rx, ry) + 0.5, 0.0, 1.0)[..., None]
            plate = plate * (1 - cover) + _shift(skins[name], dx * i, dy * i) * cover
            truth[name][frame] = cover[..., 0] > 0.5
        plates[frame] = np.round(np.clip(plate, 0, 1) * 255) / 255  # what the PNG holds
        write_image(str(folder / f"plate.{frame}.png"), plates[frame].astype(np.float32), ("R", "G", "B"), pixel_type="uint8")
    return TwoObjects(folder, plates, truth)


@pytest.fixture(scope="session")
def two_objects(tmp_path_factory) -> TwoObjects:
    return render_two_objects(tmp_path_factory.mktemp("two_objects"))
