"""Blender tests: real ``bpy`` (from PyPI) headless, a real daemon, generated clips.

They run in ``.venv-blender`` (bpy, grpcio, protobuf, numpy < 2, the thin
client; see setup.sh) — what a user's Blender has.  In the main environment,
which has no bpy, the folder is not collected (a line in the summary says
so), whether pytest is pointed at it or at the whole suite.  Nothing here
imports the server package: the daemon and the synthetic clip come from the
main environment's executables, run as subprocesses.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAIN_VENV = REPO / ".venv"
PLUGIN = REPO / "plugin_blender"

HAVE_BPY = importlib.util.find_spec("bpy") is not None
if not HAVE_BPY:
    # Not a module-level importorskip: that aborts the whole run when this
    # folder is pytest's root (its pytest.ini makes it one).
    collect_ignore_glob = ["test_*.py"]
else:
    for folder in (REPO / "client", REPO / "proto", PLUGIN, REPO / "tests"):
        # The .pth file setup.sh writes does this (the first three); repeated
        # here so the tests also run in an environment set up by hand.
        # tests/ (appended, after this folder) for fixtures shared with the
        # main environment's tests.
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
    from host_daemons import started_daemons  # noqa: F401 - a fixture


def pytest_terminal_summary(terminalreporter):
    if not HAVE_BPY:
        terminalreporter.write_line(
            "tests/blender skipped: no bpy here; they run with .venv-blender/bin/python -m pytest tests/blender"
        )


CLIP_FIRST, CLIP_LAST = 1001, 1006
CLIP_WIDTH, CLIP_HEIGHT = 96, 64


def main_env_tool(name: str) -> Path:
    path = MAIN_VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the Blender tests need the main environment too (run ./setup.sh --test)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    """A 96x64 synthetic plate, frames 1001-1006, rendered by the main environment."""
    folder = tmp_path_factory.mktemp("clip")
    code = (
        "import sys; from videomama.synthetic import ClipSpec, write_clip; "
        f"write_clip(ClipSpec(width={CLIP_WIDTH}, height={CLIP_HEIGHT}, frames={CLIP_LAST - CLIP_FIRST + 1}, "
        f"first_frame={CLIP_FIRST}, hair_strands=40, motion_blur_samples=2, mask_defects=False), sys.argv[1])"
    )
    subprocess.run([str(main_env_tool("python")), "-c", code, str(folder)], check=True, timeout=120)
    return folder


@pytest.fixture(scope="session")
def daemon(tmp_path_factory):
    """``videomama serve`` on a free loopback port; yields its address, SIGTERMs it at the end."""
    from videomama_client import Client, DaemonError

    address = f"127.0.0.1:{free_port()}"
    log_path = tmp_path_factory.mktemp("daemon") / "daemon.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(main_env_tool("videomama")), "serve", "--listen", address], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        with Client(address, timeout=2.0, retries=0) as client:
            while True:
                try:
                    client.info()
                    break
                except DaemonError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the daemon did not start: {log_path.read_text()[-2000:]}") from None
                    time.sleep(0.2)
        yield address
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def addon():
    """The add-on registered for the session, unregistered at the end.

    Unregistering matters: Blender 4.5 hangs at exit while some node classes
    are still registered.
    """
    import videomama_blender

    videomama_blender.register()
    yield videomama_blender
    videomama_blender.unregister()


@pytest.fixture
def fresh_file(addon):
    """An empty .blend (one scene), so tests do not see each other's datablocks."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    return bpy.context.scene


def run_blender_python(
    script: str, *args: str, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh bpy process of this environment (Blender's state is per process)."""
    return subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
