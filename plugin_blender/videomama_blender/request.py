"""A matte's settings as plain values, checked, and turned into a daemon job.

``MatteConfig`` is what ``properties.read_config`` takes off a matte node
group, so every rule about those values (frame range, windows, colour space,
daemon address, tracking prompts, what the daemon is asked) is tested
without Blender.
Defaults the daemon owns (window length, overlap) are sent as "unset" unless
the artist overrides them, so the add-on never keeps a second copy of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from videomama_hosts.frames import parse_frame_list
from videomama_hosts.job import MatteJob  # re-exported: the by-reference job both plugins send
from videomama_hosts.tracking import TrackPrompts, box_from_bottom_left, click_from_bottom_left

from .errors import PluginError

BACKENDS = ("auto", "videomama", "classic")
SOURCE_KINDS = ("MOVIE_CLIP", "IMAGE_SEQUENCE", "RENDER_RESULT")
# "SAM2": the daemon tracks the masks from clicks, boxes and mask keyframes.
MASK_KINDS = ("MASK", "IMAGE_SEQUENCE", "SAM2")
NOTHING_TO_TRACK = (
    "add a click or a box on the subject (Mask: Track, in the sidebar), or list mask keyframes: "
    "frames where the Mask datablock outlines the subject"
)
MASK_IMAGE_CHANNELS = ("LUMINANCE", "ALPHA")
# "AUTO" follows Blender's working colour space (the space of every EXR the
# compositor writes); the rest are names the daemon's OCIO config knows.
COLORSPACES = ("AUTO", "lin_rec709", "lin_rec2020", "ACEScg", "ACES2065-1", "raw")
ADDRESS_ENV = "VIDEOMAMA_ADDRESS"
TOKEN_ENV = "VIDEOMAMA_TOKEN"

# Blender's working spaces (5.x lists them in bpy.data.colorspace; 4.x is
# fixed to its config's scene_linear role, Linear Rec.709 in the stock
# config) and the daemon's names for them.
_WORKING_SPACES = {
    "Linear Rec.709": "lin_rec709",
    "Linear Rec.2020": "lin_rec2020",
    "ACEScg": "ACEScg",
}
BLENDER_4_WORKING_SPACE = "Linear Rec.709"


@dataclass(frozen=True)
class MatteConfig:
    """A matte node group's settings (see ``properties.MatteSettings``), as plain values."""

    backend: str = "auto"
    use_scene_range: bool = True
    frame_first: int = 1
    frame_last: int = 250
    custom_windows: bool = False
    window: int = 16  # used only with custom_windows
    overlap: int = 4
    colorspace: str = "AUTO"
    source_kind: str = "IMAGE_SEQUENCE"
    mask_kind: str = "MASK"
    mask_image_channel: str = "LUMINANCE"
    cache_dir: str = ""  # empty: cache.default_cache_root
    options: Mapping[str, str] = field(default_factory=dict)  # backend options, NAME -> VALUE
    # mask_kind "SAM2": (frame, x, y, positive), x and y from 0 to 1 from the
    # source's bottom-left corner, as the click properties store them.
    clicks: tuple[tuple[int, float, float, bool], ...] = ()
    # (frame, left, bottom, right, top), 0 to 1 from the bottom-left corner, as the box properties store them.
    boxes: tuple[tuple[int, float, float, float, float], ...] = ()
    mask_keyframes: str = ""  # "1001 1025": frames the Mask datablock is rendered on for the tracker
    tracker: str = "auto"
    soft_masks: bool = False

    @property
    def tracking(self) -> bool:
        return self.mask_kind == "SAM2"


def check_config(config: MatteConfig) -> None:
    """Raise PluginError for values the daemon would refuse, before anything is rendered."""
    for value, allowed, what in (
        (config.backend, BACKENDS, "backend"),
        (config.source_kind, SOURCE_KINDS, "source"),
        (config.mask_kind, MASK_KINDS, "mask source"),
        (config.mask_image_channel, MASK_IMAGE_CHANNELS, "mask channel"),
        (config.colorspace, COLORSPACES, "source colour space"),
    ):
        if value not in allowed:
            raise PluginError(f"unknown {what} '{value}'; choose one of {', '.join(allowed)}")
    mask_frames(config)  # a typo in the keyframes is told before anything is rendered
    if config.custom_windows:
        if config.window < 2:
            raise PluginError(f"window must be at least 2 frames, got {config.window}")
        if not 0 <= config.overlap < config.window:
            raise PluginError(
                f"overlap must be from 0 to {config.window - 1} frames (less than the window), got {config.overlap}"
            )


def mask_frames(config: MatteConfig) -> tuple[int, ...] | None:
    """The frames the mask is rendered on: None for every frame; the mask keyframes when tracking."""
    if not config.tracking:
        return None
    return parse_frame_list(config.mask_keyframes, "Mask Keyframes")


def track_prompts(config: MatteConfig, size: tuple[int, int], frames: tuple[int, int]) -> TrackPrompts | None:
    """What the daemon tracks the masks from (None: the mask is an input of every frame), checked.

    A click's 0-1 location from the bottom-left corner becomes source pixels
    (``x * width``, ``y * height`` up from the bottom), then the daemon's rows
    from the top: ``height - y * height`` (``videomama_hosts.tracking``).  A
    box's corners likewise, its top edge becoming the daemon's y0.
    """
    if not config.tracking:
        return None
    width, height = size
    clicks = tuple(
        click_from_bottom_left(frame, x * width, y * height, height, positive)
        for frame, x, y, positive in config.clicks
    )
    boxes = tuple(
        box_from_bottom_left(frame, left * width, bottom * height, right * width, top * height, height)
        for frame, left, bottom, right, top in config.boxes
    )
    prompts = TrackPrompts(clicks, mask_frames(config), config.tracker, config.soft_masks, boxes)
    prompts.check(frames, NOTHING_TO_TRACK)
    return prompts


def resolve_frames(config: MatteConfig, scene_range: tuple[int, int]) -> tuple[int, int]:
    """The frames to matte: the scene's range, or the custom one."""
    first, last = scene_range if config.use_scene_range else (config.frame_first, config.frame_last)
    if first > last:
        where = "the scene's frame range" if config.use_scene_range else "the custom frame range"
        raise PluginError(f"{where} {first}-{last} is reversed: the first frame must not come after the last")
    return int(first), int(last)


def resolve_colorspace(config: MatteConfig, working_space: str | None) -> str:
    """The source EXRs' colour space in the daemon's words.

    The compositor writes EXRs in Blender's working space, so "AUTO" maps
    that; ``working_space`` is None on Blender 4.x, whose stock config fixes
    it to Linear Rec.709.  A studio config with another scene_linear role
    needs the explicit setting, which the error says.
    """
    if config.colorspace != "AUTO":
        return config.colorspace
    space = working_space or BLENDER_4_WORKING_SPACE
    try:
        return _WORKING_SPACES[space]
    except KeyError:
        raise PluginError(
            f"Blender's working colour space '{space}' has no daemon equivalent: "
            f"set the source colour space to one of {', '.join(COLORSPACES[1:])}"
        ) from None


def resolve_address(explicit: str, preference: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    """The operator's or script's address, else the add-on preference, else
    ``$VIDEOMAMA_ADDRESS`` (a farm sets it per machine), else ``default``."""
    for candidate in (explicit, preference, environ.get(ADDRESS_ENV, "")):
        if candidate and candidate.strip():
            return candidate.strip()
    return default


def resolve_token(environ: Mapping[str, str] = os.environ) -> str | None:
    """The daemon's token comes from the environment only: never saved in a .blend."""
    return environ.get(TOKEN_ENV) or None


def check_backend(backends: Sequence, name: str) -> None:
    """Refuse a backend the daemon lacks or cannot run now, with its reason.

    ``backends`` are the client's ``Backend`` records (name, available,
    reason).  "auto" is the daemon's choice and always accepted.
    """
    if name == "auto":
        return
    by_name = {backend.name: backend for backend in backends}
    if name not in by_name:
        raise PluginError(
            f"the daemon has no backend '{name}'; it offers {', '.join(sorted(by_name)) or 'none'}"
        )
    backend = by_name[name]
    if not backend.available:
        raise PluginError(f"the daemon cannot run the {name} backend: {backend.reason or 'unavailable'}")


def key_settings(config: MatteConfig, colorspace: str, prompts: TrackPrompts | None = None) -> dict:
    """The values besides the inputs that change the matte, for the cache key (``prompts`` when tracking)."""
    window, overlap = _windows(config)
    values = {
        "backend": config.backend,
        "window": window,
        "overlap": overlap,
        "colorspace": colorspace,
        "options": dict(sorted(config.options.items())),
    }
    if prompts is not None:
        values["prompts"] = prompts.key()
    return values


def _windows(config: MatteConfig) -> tuple[int | None, int | None]:
    return (config.window, config.overlap) if config.custom_windows else (None, None)


def build_job(config: MatteConfig, colorspace: str, plate: str, mask: str, output: str,
              frames: tuple[int, int]) -> MatteJob:
    for what, path in (("source", plate), ("mask", mask), ("output", output)):
        if not os.path.isabs(path):
            raise PluginError(f"the {what} path '{path}' is not absolute; the daemon needs absolute paths")
    window, overlap = _windows(config)
    return MatteJob(
        plate=plate, mask=mask, output=output, frames=frames, backend=config.backend,
        window=window, overlap=overlap, colorspace=colorspace, options=dict(config.options),
    )
