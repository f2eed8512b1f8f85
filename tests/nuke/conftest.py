"""Fixtures for the Nuke plugin: the stand-in ``nuke`` module, a tiny clip, a daemon.

The plugin folder is put on ``sys.path`` as NUKE_PATH would; ``videomama_nuke``
then imports exactly as inside Nuke.  No ``__init__.py`` here on purpose: a
package named after this folder would be called ``nuke`` and shadow the
stand-in.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

# tests/nuke is on sys.path (pytest's prepend import mode), so these import by name.
import fake_nuke
from nuke_support import PLUGIN_ROOT, Clip


@pytest.fixture(scope="session")
def nuke_clip(tmp_path_factory) -> Clip:
    """8 frames of 96x64 with rough 8-bit grey masks at plate size (like a Roto render)."""
    from videomama.synthetic import ClipSpec, write_clip

    folder = tmp_path_factory.mktemp("nuke_clip")
    spec = ClipSpec(
        width=96, height=64, frames=8, seed=2, hair_strands=40, motion_blur_samples=2,
        mask_scale=1.0, mask_defects=False,
    )
    paths = write_clip(spec, folder)
    return Clip(folder, paths.plate, paths.mask, paths.first, paths.last, spec.width, spec.height)


@pytest.fixture
def nuke(monkeypatch):
    """A fresh stand-in session installed as ``nuke``; terminal mode unless a test says GUI."""
    fake_nuke.reset()
    monkeypatch.setitem(sys.modules, "nuke", fake_nuke)
    monkeypatch.delenv("VIDEOMAMA_ADDRESS", raising=False)
    monkeypatch.delenv("VIDEOMAMA_TOKEN", raising=False)
    no_daemon_starts_unless_asked(monkeypatch)
    yield fake_nuke
    fake_nuke.reset()


def _start_session(binding_module, monkeypatch):
    from videomama_nuke.jobs import ActiveJobs

    monkeypatch.setattr(binding_module, "_active", ActiveJobs())
    for startup_file in ("init.py", "menu.py"):  # what Nuke runs from each NUKE_PATH folder
        exec((PLUGIN_ROOT / startup_file).read_text(), {})
    return binding_module


@pytest.fixture
def binding(nuke, monkeypatch):
    """A terminal session (``nuke -t`` / ``-x``, a farm): init.py and menu.py ran, no UI."""
    import videomama_nuke.binding

    return _start_session(videomama_nuke.binding, monkeypatch)


@pytest.fixture
def gui_binding(nuke, monkeypatch):
    """An interactive session: menus, knobChanged, message boxes, background Computes."""
    import videomama_nuke.binding

    nuke.GUI = True
    return _start_session(videomama_nuke.binding, monkeypatch)


@pytest.fixture
def start_daemon(tmp_path):
    """Start real daemons (CPU backends) on 127.0.0.1:0; stopped at teardown."""
    from videomama.config import ServerConfig
    from videomama.service.server import Daemon

    running = []

    def start(models=None, **overrides):
        scratch = tmp_path / f"daemon_scratch{len(running)}"
        scratch.mkdir()
        config = replace(ServerConfig(listen="127.0.0.1:0", scratch_dir=str(scratch), cpu_workers=1), **overrides)
        daemon = Daemon(config, models).start()
        running.append(daemon)
        return daemon

    yield start
    for daemon in running:
        daemon.stop(grace_s=1.0)


@pytest.fixture
def daemon(start_daemon):
    return start_daemon()


def no_daemon_starts_unless_asked(monkeypatch):
    """A node finding no daemon starts one only where a test sets VIDEOMAMA_SERVE, not
    from a ``videomama`` that happens to be on the PATH of whoever runs the tests."""
    from types import SimpleNamespace

    from videomama_hosts import local_daemon

    monkeypatch.delenv(local_daemon.SERVE_ENV, raising=False)
    monkeypatch.setattr(local_daemon, "shutil", SimpleNamespace(which=lambda name: None))
