"""Anything that goes wrong, as one line a compositor can act on.

The node shows these in its status line and, in an interactive session, in a
plain message box; a farm render fails with the same line.  Never a Python
traceback: unexpected errors are logged with their traceback for whoever
debugs the plugin, and the user gets a short line that says so.

This module does not import ``videomama_client`` at import time: it must work
(to say the client is missing) even where the client cannot be imported.
"""

from __future__ import annotations

# Re-exported: one class for both plugins and the code they share
# (videomama_hosts), so its errors read as this node's own.
from videomama_hosts.errors import PluginError


class Cancelled(PluginError):
    """The user cancelled; not an error to alarm anyone about."""


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def _client():
    try:
        import videomama_client
    except Exception:  # the client cannot load: only PluginError can reach us then
        return None
    return videomama_client


def _client_prefixes(vc):
    """(exception class, prefix) for the client's typed errors, most specific first."""
    return (
        # The client already words these two with the address and what to do.
        (vc.DaemonUnavailable, ""),
        (vc.DeadlineExceeded, ""),
        (vc.NotReady, "the daemon cannot run this job now"),
        (vc.InvalidRequest, "the daemon refused the job"),
        (vc.NotFound, "the daemon is missing input frames"),
        (
            vc.PermissionDenied,
            "the daemon may not write the cache directory (set one under its output roots)",
        ),
        (vc.Unauthenticated, "the daemon needs a token: set VIDEOMAMA_TOKEN before starting Nuke"),
        (vc.DaemonBusy, "the daemon is busy, try again shortly"),
        (vc.DaemonInternalError, "the daemon failed (see its log)"),
        (vc.DaemonError, "the daemon reported an error"),
    )


def is_cancellation(error: BaseException) -> bool:
    """The user (or another client) cancelled: report it quietly, not as a failure."""
    if isinstance(error, Cancelled):
        return True
    vc = _client()
    return vc is not None and isinstance(error, vc.Cancelled)


def user_message(error: BaseException) -> str:
    """The line to show for ``error``, prefixed so it is clear where it comes from."""
    if is_cancellation(error):
        return one_line(str(error)) if isinstance(error, Cancelled) else "cancelled"
    if isinstance(error, PluginError):
        return one_line(str(error))
    vc = _client()
    if vc is not None:
        for error_class, prefix in _client_prefixes(vc):
            if isinstance(error, error_class):
                detail = one_line(str(error))
                if not prefix:
                    return detail
                return f"{prefix}: {detail}" if detail else prefix
    return (
        f"unexpected {type(error).__name__}: {one_line(str(error))} "
        "(details in Nuke's terminal output)"
    )
