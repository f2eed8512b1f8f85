"""Shared fixtures: small generated clips with exact ground truth; daemons the host nodes start."""

from __future__ import annotations

import pytest
from host_daemons import started_daemons  # noqa: F401 - a fixture, shared with tests/blender

from videomama.synthetic import ClipSpec, write_clip


@pytest.fixture(scope="session")
def small_clip(tmp_path_factory):
    """A 12-frame 160x96 clip (frames 1001-1012) with rough, defective masks."""
    return write_clip(ClipSpec(width=160, height=96, frames=12, seed=3), tmp_path_factory.mktemp("clip"))


@pytest.fixture(scope="session")
def quality_clip(tmp_path_factory):
    """Large enough for matting quality to be measurable (hair a few pixels long)."""
    return write_clip(ClipSpec(width=480, height=270, frames=10, seed=5), tmp_path_factory.mktemp("qclip"))

