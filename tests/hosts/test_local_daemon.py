"""A host node finding no daemon on its own machine starts one: a real ``videomama serve``."""

import os
import shlex
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
from videomama_client import Client, DaemonUnavailable, PermissionDenied

from videomama_hosts import local_daemon
from videomama_hosts.errors import PluginError

VIDEOMAMA = Path(sys.executable).parent / "videomama"


def free_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def ask_info(address):
    def connect():
        with Client(address, timeout=5.0, connect_timeout=1.0, retries=0) as client:
            return client.info()

    return connect


@pytest.mark.parametrize(
    "address, local",
    [("127.0.0.1:50051", True), ("localhost:7000", True), ("[::1]:50051", True),
     ("10.0.0.5:50051", False), ("gpu-box:50051", False), ("[2001:db8::1]:50051", False)],
)
def test_only_this_machines_addresses_are_local(address, local):
    assert local_daemon.is_local(address) is local


def test_the_command_comes_from_the_environment_or_the_path(monkeypatch, tmp_path):
    monkeypatch.setenv(local_daemon.SERVE_ENV, "/opt/vm/bin/videomama serve --config '/etc/video mama.toml'")
    assert local_daemon.serve_command("127.0.0.1:6000", interactive=False) == [
        "/opt/vm/bin/videomama", "serve", "--config", "/etc/video mama.toml", "--listen", "127.0.0.1:6000"]
    monkeypatch.delenv(local_daemon.SERVE_ENV)
    monkeypatch.setenv("PATH", str(VIDEOMAMA.parent))
    assert local_daemon.serve_command("127.0.0.1:6000", interactive=True) == [str(VIDEOMAMA), "serve", "--listen", "127.0.0.1:6000"]
    # A farm render starts nothing unless told how; nor does a machine without videomama.
    assert local_daemon.serve_command("127.0.0.1:6000", interactive=False) is None
    monkeypatch.setenv("PATH", str(tmp_path))
    assert local_daemon.serve_command("127.0.0.1:6000", interactive=True) is None


def test_no_daemon_at_a_local_address_starts_one_and_connects(monkeypatch, started_daemons):
    monkeypatch.setenv(local_daemon.SERVE_ENV, f"{shlex.quote(str(VIDEOMAMA))} serve")
    address = free_address()
    messages = []
    info = local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=True, on_starting=messages.append)
    assert info.backends and messages == [f"No daemon at {address}: starting one"]
    assert len(started_daemons) == 1 and started_daemons[0].poll() is None  # detached, still running for the next Compute
    # The next Compute finds it: nothing more is started.
    local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=True)
    assert len(started_daemons) == 1


def test_a_daemon_that_stops_at_once_says_why(monkeypatch, tmp_path, started_daemons):
    failing = f"{shlex.quote(sys.executable)} -c \"import sys; print('cannot listen: address in use'); sys.exit(3)\""
    monkeypatch.setenv(local_daemon.SERVE_ENV, failing)
    monkeypatch.setattr(local_daemon, "log_path", lambda address: str(tmp_path / "daemon.log"))
    address = free_address()
    with pytest.raises(PluginError, match=r"stopped at once \(exit status 3\): cannot listen: address in use"):
        local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=True)


def test_another_machines_address_or_another_error_starts_nothing(monkeypatch, tmp_path, started_daemons):
    marker = tmp_path / "started"
    monkeypatch.setenv(local_daemon.SERVE_ENV, f"{shlex.quote(sys.executable)} -c \"open({str(marker)!r}, 'w')\"")

    def unavailable():
        raise DaemonUnavailable("no daemon answers")

    def refused():
        raise PermissionDenied("wrong token")

    with pytest.raises(DaemonUnavailable):
        local_daemon.connect_or_start(unavailable, "10.0.0.5:50051", DaemonUnavailable, interactive=True)
    with pytest.raises(PermissionDenied):
        local_daemon.connect_or_start(refused, "127.0.0.1:50051", DaemonUnavailable, interactive=True)
    assert not marker.exists() and started_daemons == []


@pytest.mark.parametrize("interactive, advice", [(True, "put `videomama` on PATH"), (False, "a farm render or a script starts one only when")])
def test_without_a_command_to_start_one_the_message_says_how_to_get_one(monkeypatch, tmp_path, interactive, advice):
    monkeypatch.delenv(local_daemon.SERVE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    address = free_address()
    with pytest.raises(PluginError, match=f"daemon not running at {address}.*{advice}"):
        local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=interactive)


@pytest.mark.parametrize("preset, expected", [(None, "3600"), ("120", "120")])
def test_a_daemon_the_node_starts_stops_after_an_idle_hour_unless_told_otherwise(monkeypatch, tmp_path, preset, expected):
    seen = tmp_path / "seen"
    reporter = f"import os; open({str(seen)!r}, 'w').write(os.environ.get('VIDEOMAMA_EXIT_AFTER_IDLE_S', 'unset'))"
    monkeypatch.setenv(local_daemon.SERVE_ENV, f"{shlex.quote(sys.executable)} -c {shlex.quote(reporter)}")
    if preset is None:
        monkeypatch.delenv(local_daemon.IDLE_EXIT_ENV, raising=False)
    else:
        monkeypatch.setenv(local_daemon.IDLE_EXIT_ENV, preset)
    monkeypatch.setattr(local_daemon, "log_path", lambda address: str(tmp_path / "daemon.log"))
    address = free_address()
    with pytest.raises(PluginError, match="stopped at once"):  # the stand-in command exits at once
        local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=True)
    assert seen.read_text() == expected


def test_two_hosts_starting_a_daemon_at_once_both_use_the_first(monkeypatch, tmp_path, started_daemons):
    monkeypatch.setenv(local_daemon.SERVE_ENV, f"{shlex.quote(str(VIDEOMAMA))} serve")
    address = free_address()
    first = local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=True)
    # The other host found no daemon a moment before and starts its own: it cannot take the
    # port (no sharing it), stops, and the host goes on with the daemon that answers.
    command = local_daemon.serve_command(address, interactive=True)
    answers = lambda: bool(ask_info(address)())  # noqa: E731
    second = local_daemon.start(command, answers, str(tmp_path / "second.log"))
    assert second.wait(timeout=60) != 0
    assert "the address is in use" in (tmp_path / "second.log").read_text()
    assert ask_info(address)().server_version == first.server_version
    assert started_daemons[0].poll() is None  # the first still serves


def test_a_daemon_slow_to_answer_is_left_running_and_the_message_says_to_try_again(monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"
    slow = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    monkeypatch.setenv(local_daemon.SERVE_ENV, f"{shlex.quote(sys.executable)} -c {shlex.quote(slow)}")
    monkeypatch.setattr(local_daemon, "START_WAIT_S", 1.0)
    monkeypatch.setattr(local_daemon, "log_path", lambda address: str(tmp_path / "daemon.log"))
    address = free_address()
    with pytest.raises(PluginError, match="did not answer within 1 s; it may still be starting: press Compute again"):
        local_daemon.connect_or_start(ask_info(address), address, DaemonUnavailable, interactive=True)
    deadline = time.monotonic() + 30  # on a loaded machine the stand-in may not have started yet
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    os.kill(pid, 0)  # still running (raises if not): the next Compute may find it answering
    os.kill(pid, signal.SIGTERM)
