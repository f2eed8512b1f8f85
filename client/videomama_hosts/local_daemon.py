"""Starting the daemon on the artist's own machine when a node finds none there.

Pressing Compute with no daemon running would end in "daemon not running at
127.0.0.1:50051".  For an address on this machine the host nodes start one
instead, then go on:

* the command is ``$VIDEOMAMA_SERVE`` (a command line, for a ``videomama``
  installed somewhere else) or the ``videomama`` found on PATH, with
  ``serve --listen ADDRESS`` added;
* it runs detached from the host, so it outlives the Nuke or Blender
  session and keeps its models loaded for the next Compute, from any host;
* its output goes to ``videomama-daemon-PORT.log`` in the temporary folder,
  which a failure message names;
* it stops by itself after an hour with no job and no request
  (``VIDEOMAMA_EXIT_AFTER_IDLE_S``, unless the environment sets it), so a
  daemon the artist never started by hand does not hold the GPU forever;
* two hosts starting one at the same moment are fine: the second daemon
  cannot take the port and exits, and both hosts use the first.

Never for another machine's address: a daemon there is its owner's to run.
Farm renders (Nuke with -t, Blender in background) start one only when
``$VIDEOMAMA_SERVE`` says how: a render node should not grow a GPU process
nobody asked for.  Standard library only (Nuke's and Blender's Pythons).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Optional, TypeVar

from .errors import PluginError

SERVE_ENV = "VIDEOMAMA_SERVE"
IDLE_EXIT_ENV = "VIDEOMAMA_EXIT_AFTER_IDLE_S"  # the daemon's exit_after_idle_s setting
IDLE_EXIT_S = 3600
START_WAIT_S = 60.0  # a first start imports the models' libraries, which can take a while on a cold disk
_POLL_S = 0.25
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

T = TypeVar("T")


def is_local(address: str) -> bool:
    """Whether ``HOST:PORT`` (``[::1]:PORT`` for IPv6) names this machine's loopback."""
    host = address.rsplit(":", 1)[0].strip("[]").lower()
    return host in _LOOPBACK_HOSTS


def serve_command(address: str, interactive: bool) -> Optional[list[str]]:
    """The command that starts a daemon at ``address``, or None where the host should not start one."""
    configured = os.environ.get(SERVE_ENV, "").strip()
    if configured:
        base = shlex.split(configured)
    elif interactive and shutil.which("videomama"):
        base = [shutil.which("videomama"), "serve"]
    else:
        return None
    return [*base, "--listen", address]


def log_path(address: str) -> str:
    port = address.rsplit(":", 1)[-1]
    return os.path.join(tempfile.gettempdir(), f"videomama-daemon-{port}.log")


def start(command: list[str], answers: Callable[[], bool], log: str, wait_s: Optional[float] = None) -> subprocess.Popen:
    """Start ``command`` detached and wait (``START_WAIT_S``) until ``answers()``; raises PluginError if it never does."""
    wait_s = START_WAIT_S if wait_s is None else wait_s
    shown = " ".join(shlex.quote(part) for part in command)
    with open(log, "ab") as stream:
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=stream, stderr=subprocess.STDOUT,
                env={IDLE_EXIT_ENV: str(IDLE_EXIT_S), **os.environ}, **_detached(),
            )
        except OSError as error:
            raise PluginError(f"could not start the daemon with `{shown}`: {error.strerror or error}") from None
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        # Asked before looking at the process: if another host's daemon took the
        # port first, ours exits, and theirs answers.
        if answers():
            return process
        if process.poll() is not None:
            raise PluginError(
                f"the daemon started with `{shown}` stopped at once (exit status {process.returncode}): "
                f"{_last_line(log)} (log: {log})"
            )
        time.sleep(_POLL_S)
    # Left running: a first start on a cold disk can be slow, and the next Compute then finds it.
    raise PluginError(
        f"the daemon started with `{shown}` did not answer within {wait_s:.0f} s; it may still be "
        f"starting: press Compute again in a moment (log: {log})"
    )


def connect_or_start(
    connect: Callable[[], T],
    address: str,
    unavailable: type[BaseException],
    interactive: bool,
    on_starting: Callable[[str], None] = lambda message: None,
) -> T:
    """``connect()``; where no daemon answers at a local ``address``, start one and ``connect()`` again.

    ``unavailable`` is the client's "no daemon answers" error; anything else
    (a wrong token, a refused request) is raised as it is.
    """
    try:
        return connect()
    except unavailable as error:
        if not is_local(address):
            raise
        command = serve_command(address, interactive)
        if command is None:
            how = (
                f"put `videomama` on PATH or set {SERVE_ENV} to its serve command, and the node starts it"
                if interactive else f"a farm render or a script starts one only when {SERVE_ENV} names its serve command"
            )
            raise PluginError(f"{error}; {how}") from None
    on_starting(f"No daemon at {address}: starting one")
    connected: list[T] = []

    def answers() -> bool:
        try:
            connected.append(connect())
        except unavailable:
            return False
        return True

    start(command, answers, log_path(address))
    return connected[0]


def _detached() -> dict:
    """Popen options that keep the daemon running when the host quits (and out of its Ctrl-C)."""
    if sys.platform == "win32":
        flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
        return {"creationflags": flags}
    return {"start_new_session": True}


def _last_line(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = [line.strip() for line in stream if line.strip()]
    except OSError:
        return "no output"
    return lines[-1] if lines else "no output"
