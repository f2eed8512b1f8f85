"""Backends by identifier, and what ``auto`` means.

Entries name a module and a class instead of importing them, so listing the
backends (``videomama info``, the daemon's GetInfo) never imports torch.
Third-party backends register through the ``videomama.backends`` entry-point
group with the same ``module:Class`` form.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from collections.abc import Mapping
from typing import Any

from ..errors import InputError, NotAvailableError
from .base import Availability, MattingBackend, resolve_options

_BUILTIN = {
    "videomama": "videomama.backends.videomama.backend:VideoMamaBackend",
    "classic": "videomama.backends.classic.backend:ClassicBackend",
}
# ``auto`` takes the first available: the learned model when its weights and a
# GPU are present, else the CPU backend that always runs.
AUTO_PREFERENCE = ("videomama", "classic")


def _targets() -> dict[str, str]:
    targets = dict(_BUILTIN)
    for entry in entry_points(group="videomama.backends"):
        targets.setdefault(entry.name, entry.value)
    return targets


def names() -> list[str]:
    return list(_targets())


def backend_class(identifier: str) -> type[MattingBackend]:
    targets = _targets()
    if identifier not in targets:
        raise InputError(
            f"unknown backend '{identifier}'; choose auto or one of: {', '.join(targets)}"
        )
    module_name, _, class_name = targets[identifier].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def resolve(identifier: str, options: Mapping[str, Any] | None = None) -> str:
    """Turn ``auto`` into a concrete backend; check an explicit one can run here.

    ``options`` (the job's, unchecked) reach each candidate's availability:
    ``-o models=DIR`` makes weights in DIR count.
    """
    if identifier == "auto":
        for candidate in AUTO_PREFERENCE:
            availability = backend_class(candidate).availability(options)
            if availability.available and availability.auto:
                return candidate
        raise NotAvailableError("no matting backend can run on this machine")
    availability = backend_class(identifier).availability(options)
    if not availability.available:
        raise NotAvailableError(f"backend '{identifier}' cannot run here: {availability.reason}")
    return identifier


def create(identifier: str, options: dict[str, Any] | None = None) -> MattingBackend:
    """Instantiate a backend (``auto`` allowed) with validated options."""
    name = resolve(identifier, options)
    cls = backend_class(name)
    return cls(**resolve_options(cls.options, options or {}, name))


def report() -> list[dict[str, Any]]:
    """Every backend, whether it can run here and why not, and its options."""
    rows = []
    for name in names():
        cls = backend_class(name)
        availability: Availability = cls.availability()
        rows.append(
            {
                "name": name,
                "display_name": cls.display_name,
                "available": availability.available,
                "reason": availability.reason,
                "options": {o.name: {"default": o.default, "help": o.help} for o in cls.options},
            }
        )
    return rows
