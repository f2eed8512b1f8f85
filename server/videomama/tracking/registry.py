"""Trackers by identifier, like the matting backends: ``module:Class`` imported on demand.

Listing trackers and checking ``availability()`` never imports torch (``report``
feeds ``videomama info`` and the daemon's GetInfo).  A tracker class says
which prompts it takes (``takes_points_and_boxes``, ``needs_mask_keyframe``)
and has ``fingerprint()`` (what decides its masks, for the track's settings
hash, without loading a model); instances have ``describe()`` and ``track()``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import InputError, NotAvailableError
from .prompts import DEFAULT_OBJECT, Prompts

_BUILTIN = {
    "flow": "videomama.tracking.flow_tracker:FlowTracker",
    "sam2": "videomama.tracking.sam2_tracker:Sam2Tracker",
}
# Refusals reach the command line and, through the daemon, the host nodes
# (whose "tracker" knob takes the same names): each names the concept first,
# then the command line's flag in parentheses.
SAM2_FOR_POINTS = "points and boxes need the SAM2 tracker (--tracker sam2)"
FLOW_NEEDS_MASK = f"the flow tracker needs a mask keyframe (--mask-keyframe FRAME=FILE); {SAM2_FOR_POINTS}"


def names() -> list[str]:
    return list(_BUILTIN)


def tracker_class(identifier: str):
    if identifier not in _BUILTIN:
        raise InputError(f"unknown tracker '{identifier}'; choose auto or one of: {', '.join(_BUILTIN)}")
    module_name, _, class_name = _BUILTIN[identifier].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def create(identifier: str):
    """A ready tracker (SAM2 loads its network here, on the device it picks)."""
    return tracker_class(identifier)()


@contextmanager
def built(identifier: str) -> Iterator[Any]:
    """A tracker for one run, freed after it (the command line's lender; the daemon keeps its own)."""
    tracker = create(identifier)
    try:
        yield tracker
    finally:
        close = getattr(tracker, "close", None)
        if callable(close):
            close()


def resolve(identifier: str, prompts: Prompts) -> str:
    """Pick the tracker: ``auto`` prefers SAM2 when it can run, else the flow tracker."""
    if identifier == "auto":
        availability = tracker_class("sam2").availability()
        if availability.available and availability.auto:
            return "sam2"
        _check_flow_prompts(prompts, f"; SAM2 cannot run here: {availability.reason}")
        return "flow"
    availability = tracker_class(identifier).availability()
    if not availability.available:
        raise NotAvailableError(f"the {identifier} tracker cannot run here: {availability.reason}")
    if identifier == "flow":
        _check_flow_prompts(prompts)
    return identifier


def _check_flow_prompts(prompts: Prompts, why_not_sam2: str = "") -> None:
    """The flow tracker carries masks only: every object needs one of its own."""
    objects = prompts.objects or [DEFAULT_OBJECT]
    for name in objects:
        if not prompts.keyframes(name):
            if len(objects) == 1:
                raise InputError(f"{FLOW_NEEDS_MASK}{why_not_sam2}")
            raise InputError(
                f"the flow tracker needs a mask keyframe for every object; object '{name}' has none "
                f"(--mask-keyframe {name}:FRAME=FILE); {SAM2_FOR_POINTS}{why_not_sam2}"
            )
    if prompts.points or prompts.boxes:
        # Silently ignoring clicks would leave the artist wondering why they did nothing.
        raise InputError(f"the flow tracker uses mask keyframes only; {SAM2_FOR_POINTS}")


def report() -> list[dict[str, Any]]:
    """Every tracker, whether it can run here and why not, and which prompts it takes."""
    rows = []
    for name in names():
        cls = tracker_class(name)
        availability = cls.availability()
        rows.append(
            {
                "name": name,
                "display_name": cls.display_name,
                "available": availability.available,
                "reason": availability.reason,
                # ``auto`` picks it (SAM2 without a CUDA GPU runs only when named).
                "chosen_by_auto": availability.available and availability.auto,
                "takes_points_and_boxes": cls.takes_points_and_boxes,
                "needs_mask_keyframe": cls.needs_mask_keyframe,
            }
        )
    return rows
