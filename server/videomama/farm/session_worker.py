"""One matting worker per farm session: started on entering, used by every task, stopped on leaving.

A farm session runs a sequence of tasks on one worker host.  Loading a model
per chunk would cost more than matting a short chunk, so the OpenJD template
wraps the matte step in a step environment: ``onEnter`` runs
``videomama farm worker start --session-dir {{Session.WorkingDirectory}}``,
each task runs ``videomama farm matte --session-dir ...`` which sends its
chunk to that worker (``--server``), and ``onExit`` runs ``worker stop``.
The worker is the project's own daemon (``videomama serve``), so it keeps
loaded backends between jobs, cancels a job whose client goes away, and
writes frames exactly as a local run does.

This is the pattern of AWS Deadline Cloud's DCC adaptors
(``openjd-adaptor-runtime`` daemon start / run / stop) without their
machinery: the daemon already speaks gRPC, has a health service and cancels
cleanly, so an adaptor would only add a second protocol in front of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import TextIO

from ..errors import NotAvailableError, VideoMamaError
from .worker_host import LOG_FILE, WORKER_FILE

# A cold start is an interpreter, gRPC and the daemon; models load on first use.
START_TIMEOUT_S = 120.0
# The daemon bounds cancelling a running job to 30 s, then closes with 5 s grace.
STOP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Worker:
    pid: int
    address: str
    token: str
    log: str


def worker_file(session_dir: str) -> str:
    return os.path.join(os.path.abspath(session_dir), WORKER_FILE)


def read_worker(session_dir: str) -> Worker | None:
    """The worker serving ``session_dir``, or None when none was started (or it has stopped)."""
    try:
        with open(worker_file(session_dir)) as stream:
            record = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise VideoMamaError(f"cannot read the matting worker's file {worker_file(session_dir)}: {error}") from None
    return Worker(int(record["pid"]), record["address"], record["token"], record["log"])


def _detached() -> dict:
    """Popen arguments that let the worker outlive the action that started it.

    Farm managers end an action's whole process group (or job object) when
    the action ends or is cancelled; the worker must live until ``stop``.
    """
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS}
    return {"start_new_session": True}


def _log_tail(path: str, lines: int = 20) -> str:
    try:
        with open(path, errors="replace") as stream:
            return "".join(stream.readlines()[-lines:])
    except OSError:
        return ""


def _answers(worker: Worker) -> bool:
    from videomama_client import Client, DaemonError

    try:
        with Client(worker.address, token=worker.token, connect_timeout=2.0) as client:
            client.info()
        return True
    except DaemonError:
        return False


def start_worker(
    session_dir: str,
    config_file: str | None = None,
    timeout_s: float = START_TIMEOUT_S,
    err: TextIO | None = None,
) -> Worker:
    """Start the session's worker (or keep the one already serving) and wait until it answers."""
    err = err or sys.stderr
    session_dir = os.path.abspath(session_dir)
    existing = read_worker(session_dir)
    if existing is not None and _answers(existing):
        return existing
    if existing is not None:
        os.remove(worker_file(session_dir))  # left by a worker that died
    os.makedirs(session_dir, exist_ok=True)
    log_path = os.path.join(session_dir, LOG_FILE)
    command = [sys.executable, "-m", "videomama.farm.worker_host", "--session-dir", session_dir]
    if config_file:
        command += ["--config", os.path.abspath(config_file)]
    # Unbuffered, so the log is complete up to the moment anything goes wrong.
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=session_dir, env=environment, **_detached(),
        )
    deadline = time.monotonic() + timeout_s
    while True:
        worker = read_worker(session_dir)
        if worker is not None and worker.pid == process.pid:
            break
        status = process.poll()
        if status is not None:
            err.write(_log_tail(log_path))
            raise NotAvailableError(
                f"the matting worker exited while starting (status {status}); its log is above and in {log_path}"
            )
        if time.monotonic() > deadline:
            process.kill()
            err.write(_log_tail(log_path))
            raise NotAvailableError(f"the matting worker did not start within {timeout_s:.0f} s; see {log_path}")
        time.sleep(0.1)
    if not _answers(worker):
        stop_worker(session_dir, out=err)
        raise NotAvailableError(f"the matting worker at {worker.address} does not answer; see {log_path}")
    return worker


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A stopped worker stays a zombie until its parent (often init) reaps it.
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_worker_process(pid: int) -> bool:
    """Guard against signalling an unrelated process that reused the pid (Linux only)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return b"videomama.farm.worker_host" in stream.read()
    except OSError:
        return True


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_worker(session_dir: str, timeout_s: float = STOP_TIMEOUT_S, out: TextIO | None = None) -> bool:
    """Stop the session's worker and copy its log to ``out`` (the farm's task log).

    Returns False when there was no worker to stop.
    """
    out = out or sys.stdout
    worker = read_worker(session_dir)
    if worker is None:
        out.write(f"no matting worker runs for {os.path.abspath(session_dir)}\n")
        return False
    if os.name == "nt":
        # TerminateProcess: Windows has no polite signal, and no zombie to tell a gone process by.
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGTERM)
    elif _alive(worker.pid) and _is_worker_process(worker.pid):
        os.kill(worker.pid, signal.SIGTERM)
        if not _wait_gone(worker.pid, timeout_s):
            out.write(f"the matting worker (pid {worker.pid}) did not stop within {timeout_s:.0f} s: killing it\n")
            os.kill(worker.pid, signal.SIGKILL)
            _wait_gone(worker.pid, 10.0)
    if os.path.exists(worker_file(session_dir)):
        os.remove(worker_file(session_dir))
    log = _log_tail(worker.log, lines=200)
    if log:
        out.write(f"--- matting worker log ({worker.log}) ---\n{log}--- end of worker log ---\n")
    return True
