"""The session's matting worker: one daemon per farm session, private to it, never left behind."""

import io
import os
import shutil
import stat
import time

import pytest
from videomama_client import Client, Unauthenticated

from videomama.cli.main import main
from videomama.errors import NotAvailableError
from videomama.farm import session_worker
from videomama.farm.session_worker import read_worker, start_worker, stop_worker

from .support import SETTINGS, assert_same_alphas


def gone(pid: int, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while session_worker._alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def session(tmp_path):
    folder = tmp_path / "session"
    folder.mkdir()
    yield str(folder)
    worker = read_worker(str(folder)) if folder.exists() else None
    if worker is not None:  # a failed test must not leave a daemon behind
        stop_worker(str(folder), out=io.StringIO())


def test_start_serve_stop(session, shot, reference, tmp_path, capsys):
    worker = start_worker(session)
    record = os.path.join(session, "videomama-worker.json")
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600  # the token is this user's only
    assert worker.address.startswith("127.0.0.1:")
    with Client(worker.address, token=worker.token) as client:
        assert client.info().limits.token_required
    with Client(worker.address) as client, pytest.raises(Unauthenticated):
        client.info()
    assert start_worker(session) == worker  # entering again keeps the running worker

    out = str(tmp_path / "out" / "matte.####.exr")
    assert main([
        "farm", "matte", "--session-dir", session, "--plate", shot.plate, "--mask", shot.mask, "--out", out,
        *SETTINGS, "--shot", "1001-1048", "--frames", "1010-1020", "-q",
    ]) == 0
    assert f"11 frames written, 0 already up to date (backend classic, daemon {worker.address})" in capsys.readouterr().out
    assert_same_alphas(out, {f: reference[f] for f in range(1010, 1021)})

    log = io.StringIO()
    assert stop_worker(session, out=log)
    assert gone(worker.pid)
    assert read_worker(session) is None
    assert "videomama daemon stopped" in log.getvalue()
    assert not stop_worker(session, out=log)
    assert "no matting worker runs for" in log.getvalue()


def test_a_worker_whose_session_folder_is_deleted_stops_by_itself(session):
    """If the farm ends a session without running onExit, the daemon must not hold the GPU forever."""
    worker = start_worker(session)
    shutil.rmtree(session)
    assert gone(worker.pid)


def test_a_worker_that_cannot_start_is_one_clear_error(session, tmp_path):
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("no_such_setting = 1\n")
    err = io.StringIO()
    with pytest.raises(NotAvailableError, match=r"the matting worker exited while starting \(status 1\)"):
        start_worker(session, config_file=str(bad_config), err=err)
    assert "unknown setting no_such_setting" in err.getvalue()  # its log, for the farm's task log
    assert read_worker(session) is None


def test_farm_worker_commands(session, capsys):
    assert main(["farm", "worker", "start", "--session-dir", session]) == 0
    worker = read_worker(session)
    assert f"matting worker (pid {worker.pid}) serving on {worker.address}" in capsys.readouterr().out
    assert main(["farm", "worker", "stop", "--session-dir", session]) == 0
    assert gone(worker.pid) and "end of worker log" in capsys.readouterr().out
