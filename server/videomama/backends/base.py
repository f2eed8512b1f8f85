"""The contract between the matting engine and a backend.

A backend gets one window of frames, already read, colour-converted and
aligned (plates in display-referred sRGB float, masks conformed to the plate's
data window) and returns a float alpha per frame.  It never touches files: the
engine owns reading, windowing, blending, resume and writing, so every backend
gets those for free and behaves the same on long shots.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

from ..errors import CancelledError, InputError


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run on this machine, and if not, what to do about it."""

    available: bool
    reason: str = ""
    # Whether ``auto`` may choose it.  A GPU model on a machine without a GPU
    # can still run when asked for by name (slowly, e.g. for tests), but
    # ``auto`` must not pick a backend that would take hours per shot.
    auto: bool = True


@dataclass
class WindowInput:
    """Pixels of one window; every array is aligned to the plate's data window."""

    frames: tuple[int, ...]
    plates: np.ndarray  # (T, H, W, 3) float32, display-referred sRGB (may exceed [0, 1])
    masks: np.ndarray  # (T, H, W) float32 in [0, 1], soft values allowed
    # Only for backends that set ``chains_windows``: the alpha already blended
    # from earlier windows, by frame, for this window's leading overlap frames.
    prior_alphas: dict[int, np.ndarray] = field(default_factory=dict)  # frame -> (H, W) float32

    def __post_init__(self) -> None:
        t, h, w, c = self.plates.shape
        if c != 3 or self.masks.shape != (t, h, w) or len(self.frames) != t:
            raise ValueError(
                f"window arrays disagree: plates {self.plates.shape}, masks {self.masks.shape}, "
                f"{len(self.frames)} frames"
            )
        for frame, alpha in self.prior_alphas.items():
            if frame not in self.frames or alpha.shape != (h, w):
                raise ValueError(f"prior alpha for frame {frame} does not fit the window ({alpha.shape})")


@dataclass(frozen=True)
class BackendOption:
    """One tunable a backend accepts; listed by ``videomama info``."""

    name: str
    default: Any
    help: str


class StopToken:
    """A job's stop flag; backends poll it between expensive steps."""

    def __init__(self, event: threading.Event | None = None) -> None:
        self._event = event or threading.Event()

    def stop(self) -> None:
        self._event.set()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise CancelledError("the job was cancelled")


class MattingBackend(Protocol):
    """What every backend implements (see ``backends.classic`` for the reference one)."""

    identifier: ClassVar[str]
    display_name: ClassVar[str]
    options: ClassVar[tuple[BackendOption, ...]]

    @classmethod
    def availability(cls, options: Mapping[str, Any] | None = None) -> Availability:
        """Cheap check (no model loading) of whether this backend can run here.

        ``options`` are the job's, unchecked (NAME -> value as given): an
        option can decide it, e.g. a models directory given per job.
        """

    def describe(self) -> dict[str, str]:
        """Backend, model and version strings recorded in the output metadata."""

    def matte(self, window: WindowInput, stop: StopToken) -> np.ndarray:
        """Return alpha (T, H, W) float32 in [0, 1] for the window.

        The engine refills the window's arrays for the next window: a
        backend must not keep them (or views of them) after returning.
        """

    # Optional, read with getattr: a backend (class or instance) whose
    # ``chains_windows`` is true conditions each window on the alpha of the
    # one before (``WindowInput.prior_alphas``).  The engine then runs the
    # shot's windows from its first, whatever range was asked for, so a
    # frame's alpha still does not depend on the range.
    #
    # Optional too: a backend whose ``reads_ahead`` is true computes off the
    # CPU (it waits on a GPU); the engine then reads the next window's frames
    # while it computes, which costs a second window of frames in memory.
    # A backend that keeps the CPU busy gains little from that (3.5% for the
    # classic backend at 1080p, for +0.5 GB), so it is off by default.


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(value: Any, default: Any) -> Any:
    """Convert a user value (often a string from a CLI or a knob) to the default's type."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError(value)
    if default is None:
        return value
    return type(default)(value)


def resolve_options(
    declared: tuple[BackendOption, ...], given: dict[str, Any], backend: str
) -> dict[str, Any]:
    """Merge user options over defaults, coercing to the default's type.

    Unknown names are an error rather than silently ignored: a typo in a farm
    template would otherwise change nothing and nobody would notice.
    """
    known = {option.name: option for option in declared}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InputError(
            f"backend '{backend}' has no option {', '.join(unknown)}; "
            f"it accepts: {', '.join(known) or 'none'}"
        )
    resolved = {}
    for name, option in known.items():
        value = given.get(name, option.default)
        try:
            resolved[name] = _coerce(value, option.default)
        except (TypeError, ValueError):
            raise InputError(
                f"option {name}={value!r} for backend '{backend}' is not a valid "
                f"{type(option.default).__name__}"
            ) from None
    return resolved
