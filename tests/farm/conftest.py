"""A 48-frame shot and its single local matte, the reference every farm run must equal."""

from __future__ import annotations

import pytest

from videomama.matting.engine import run_matte
from videomama.matting.request import MatteRequest
from videomama.synthetic import ClipSpec, write_clip

from .support import OVERLAP, WINDOW, read_alphas


@pytest.fixture(scope="session")
def shot(tmp_path_factory):
    return write_clip(ClipSpec(width=96, height=64, frames=48, seed=8), tmp_path_factory.mktemp("shot"))


@pytest.fixture(scope="session")
def reference_dir(shot, tmp_path_factory):
    """One `videomama matte` run over the whole shot, same window and overlap."""
    out = str(tmp_path_factory.mktemp("reference") / "matte.####.exr")
    run_matte(MatteRequest(shot.plate, shot.mask, out, backend="classic", window=WINDOW, overlap=OVERLAP))
    return out


@pytest.fixture(scope="session")
def reference(shot, reference_dir):
    return read_alphas(reference_dir, range(shot.first, shot.last + 1))
