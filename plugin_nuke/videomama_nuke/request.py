"""The node's knob values, checked, and turned into a daemon job.

``NodeSettings`` is what the binding reads off the node, as plain values, so
every rule about them (frame range, windows, what joins the cache key, what
goes to the daemon) is tested without Nuke.  Defaults the daemon owns (window
length, overlap, colour space by file type) are sent as "unset" unless the
artist overrides them, so the node never has a second copy of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from videomama_hosts import job
from videomama_hosts.frames import parse_frame_list
from videomama_hosts.tracking import Box, Click, TrackPrompts

from .errors import PluginError

BACKENDS = ("auto", "videomama", "classic")
RANGE_MODES = ("input", "custom")  # the Source input's range, or the knobs'
# The EXR the internal Write renders holds Nuke's working space; this says
# which one that is.  "default" leaves it to the daemon (scene-linear
# Rec.709 for float files), right for Nuke's default colour management.
COLORSPACES = ("default", "lin_rec709", "ACEScg", "ACES2065-1", "sRGB", "raw")
# The internal Copy moves the chosen mask channel into alpha and the mask
# Write writes alpha only, which an EXR names "A".
MASK_EXR_CHANNEL = "A"
ADDRESS_ENV = "VIDEOMAMA_ADDRESS"
TOKEN_ENV = "VIDEOMAMA_TOKEN"


@dataclass(frozen=True)
class NodeSettings:
    """The node's knobs, as plain values (see ``binding.read_settings``)."""

    address: str = ""  # empty: $VIDEOMAMA_ADDRESS, else the client's default
    backend: str = "auto"
    range_mode: str = "input"
    range_first: int = 1
    range_last: int = 1
    custom_windows: bool = False
    window: int = 16  # used only with custom_windows
    overlap: int = 4
    colorspace: str = "default"
    mask_channel: str = "rgba.alpha"
    cache_dir: str = ""  # empty: cache.default_cache_root
    # On: the daemon tracks the masks from the point and box knobs' keys and the
    # Mask input rendered on ``mask_keyframes`` only (see ``track_prompts``).
    use_points: bool = False
    mask_keyframes: str = ""  # "1001 1025"
    tracker: str = "auto"
    soft_masks: bool = False


def resolve_address(settings: NodeSettings, default: str, environ: Mapping[str, str] = os.environ) -> str:
    """The knob, else $VIDEOMAMA_ADDRESS (a farm sets it per machine), else ``default``."""
    return settings.address.strip() or environ.get(ADDRESS_ENV, "").strip() or default


def resolve_token(environ: Mapping[str, str] = os.environ) -> str | None:
    """The daemon's token comes from the environment only: never saved in a script."""
    return environ.get(TOKEN_ENV) or None


def resolve_frames(settings: NodeSettings, input_range: tuple[int, int] | None) -> tuple[int, int]:
    """The frames to matte: the Source input's range, or the custom range."""
    if settings.range_mode == "input":
        if input_range is None:
            raise PluginError("connect a plate to the Source input")
        first, last = input_range
    elif settings.range_mode == "custom":
        first, last = settings.range_first, settings.range_last
    else:
        raise PluginError(f"unknown frame range mode '{settings.range_mode}'; choose input or custom")
    if first > last:
        raise PluginError(f"frame range {first}-{last} is reversed: the first frame must not come after the last")
    return int(first), int(last)


def check_settings(settings: NodeSettings) -> None:
    """Raise PluginError for values the daemon would refuse, before rendering anything."""
    if settings.backend not in BACKENDS:
        raise PluginError(f"unknown backend '{settings.backend}'; choose one of {', '.join(BACKENDS)}")
    if settings.colorspace not in COLORSPACES:
        raise PluginError(
            f"unknown source colourspace '{settings.colorspace}'; choose one of {', '.join(COLORSPACES)}"
        )
    if settings.custom_windows:
        if settings.window < 2:
            raise PluginError(f"window must be at least 2 frames, got {settings.window}")
        if not 0 <= settings.overlap < settings.window:
            raise PluginError(
                f"overlap must be from 0 to {settings.window - 1} frames (less than the window), "
                f"got {settings.overlap}"
            )


# Where an artist gives what to track, for "nothing to track".
NOTHING_TO_TRACK = (
    "key a positive point or a box on the subject in the viewer (Tracking tab), or list mask keyframes: "
    "frames where the Mask input outlines the subject"
)


def track_prompts(settings: NodeSettings, clicks: tuple[Click, ...], frames: tuple[int, int],
                  mask_connected: bool, boxes: tuple[Box, ...] = ()) -> TrackPrompts:
    """The prompts of a node with 'track' on, checked; PluginError says what to fix.

    The rule for the Mask input: with 'track' on it is rendered on the frames
    listed in 'mask keyframes' only, and not used at all when none are listed.
    """
    keyframes = parse_frame_list(settings.mask_keyframes, "mask keyframes")
    if keyframes and not mask_connected:
        raise PluginError(
            "'mask keyframes' lists frames but nothing is connected to the Mask input: connect the Roto "
            "that outlines the subject on those frames, or clear the list"
        )
    prompts = TrackPrompts(clicks, keyframes, settings.tracker, settings.soft_masks, boxes)
    prompts.check(frames, NOTHING_TO_TRACK)
    return prompts


def _windows(settings: NodeSettings) -> tuple[int | None, int | None]:
    return (settings.window, settings.overlap) if settings.custom_windows else (None, None)


def _colorspace(settings: NodeSettings) -> str | None:
    return None if settings.colorspace == "default" else settings.colorspace


def key_settings(settings: NodeSettings, prompts: TrackPrompts | None = None) -> dict:
    """The node's own values that change the matte, for the cache key (``prompts`` when tracking)."""
    window, overlap = _windows(settings)
    values: dict = {
        "backend": settings.backend,
        "window": window,
        "overlap": overlap,
        "colorspace": _colorspace(settings),
    }
    if prompts is None or prompts.keyframes:  # the Mask input is read (on every frame, or on keyframes)
        values["mask_channel"] = settings.mask_channel
    if prompts is not None:
        values["prompts"] = prompts.key()
    return values


@dataclass(frozen=True)
class MatteJob(job.MatteJob):
    """The shared by-reference job (``videomama_hosts.job``), reading the mask EXR's alpha."""

    mask_channel: str | None = MASK_EXR_CHANNEL


def build_job(settings: NodeSettings, source: str, mask: str, output: str, frames: tuple[int, int]) -> MatteJob:
    window, overlap = _windows(settings)
    return MatteJob(
        plate=source, mask=mask, output=output, frames=frames, backend=settings.backend,
        window=window, overlap=overlap, colorspace=_colorspace(settings),
    )
