"""Where by-reference jobs may write: the daemon's output roots.

Policy (documented in ``videomama.config``):

* Paths sent to the daemon must be absolute: its working folder means
  nothing to a client, least of all one on another machine.
* With output roots configured, an output's folder must resolve (symlinks and
  ``..`` followed, as the filesystem would) inside one of them.  Frame files
  are written as a temp file renamed over the final name, so a symlink
  planted at a frame's name is replaced, never followed.
* Without output roots (only allowed on loopback) any folder is accepted: the
  local daemon writes for the user who started it, like ``videomama matte``.
* Overwriting a plate or mask frame is refused by the matting core itself
  (``OutputConflictError``), with roots or without.

Every refusal is an ``OutputConflictError``, reported as PERMISSION_DENIED,
and happens before anything is created on disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..errors import InputError, OutputConflictError
from ..sequences.pattern import SequencePattern


def require_absolute(what: str, pattern: str) -> None:
    if not os.path.isabs(pattern):
        raise InputError(
            f"{what} '{pattern}' must be an absolute path: the daemon does not share your working folder"
        )


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


class OutputPolicy:
    def __init__(self, roots: Sequence[str]) -> None:
        self.roots = tuple(os.path.realpath(root) for root in roots)

    def check(self, output: str) -> None:
        """Raise OutputConflictError if the output sequence may not be written."""
        if not self.roots:
            return
        folder = SequencePattern.parse(output).directory
        resolved = os.path.realpath(folder)
        if not any(_inside(resolved, root) for root in self.roots):
            shown = folder if resolved == os.path.normpath(folder) else f"{folder} (resolves to {resolved})"
            raise OutputConflictError(
                f"output folder {shown} is outside the daemon's output roots "
                f"({', '.join(self.roots)}); write under one of them"
            )


def check_paths(policy: OutputPolicy | None, inputs: Iterable[tuple[str, str]], outputs: Iterable[tuple[str, str]]) -> None:
    """Every (what, path) absolute, and every output where the daemon may write.

    ``policy`` None skips the rules (inline jobs write in a private folder).
    """
    if policy is None:
        return
    outputs = list(outputs)
    for what, path in [*inputs, *outputs]:
        require_absolute(what, path)
    for _, path in outputs:
        policy.check(path)
