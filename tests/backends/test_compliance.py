"""Every backend that can run here honours the same contract."""

import numpy as np
import pytest

from videomama.backends import registry
from videomama.backends.base import StopToken, WindowInput
from videomama.sequences.conform import conform_mask
from videomama.sequences.image_read import read_mask, read_plate

AVAILABLE = [row["name"] for row in registry.report() if row["available"]]


@pytest.fixture(scope="module")
def window(small_clip):
    frames = (1001, 1002, 1003, 1004)
    plates, masks = [], []
    for f in frames:
        plate = read_plate(small_clip.plate.replace("####", str(f)))
        plates.append(plate.pixels)
        masks.append(conform_mask(read_mask(small_clip.mask.replace("####", str(f))), plate))
    return WindowInput(frames, np.stack(plates), np.stack(masks))


def test_classic_is_always_available():
    assert "classic" in AVAILABLE


@pytest.mark.parametrize("name", AVAILABLE)
def test_backend_returns_float_alpha_of_the_window_shape(name, window):
    backend = registry.create(name)
    alpha = backend.matte(window, StopToken())
    assert alpha.shape == window.masks.shape
    assert alpha.dtype == np.float32
    assert np.isfinite(alpha).all() and alpha.min() >= 0.0 and alpha.max() <= 1.0
    assert {"backend", "model", "version"} <= set(backend.describe())


@pytest.mark.parametrize("name", AVAILABLE)
def test_backend_is_deterministic(name, window):
    first = registry.create(name).matte(window, StopToken())
    second = registry.create(name).matte(window, StopToken())
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("name", registry.names())
def test_every_backend_explains_itself(name):
    cls = registry.backend_class(name)
    availability = cls.availability()
    assert availability.available or availability.reason
    assert cls.display_name and isinstance(cls.options, tuple)
