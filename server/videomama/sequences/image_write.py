"""Writing mattes and images with OpenImageIO: half-float EXR, the plate's windows, atomic renames.

Every file is written to a temporary name beside its destination and renamed
into place, so a reader never sees half a frame and an interrupted job leaves none.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence

import numpy as np
import OpenImageIO as oiio

from ..errors import InputError
from .images import ImageWindows, one_line


_EXR_COMPRESSIONS = frozenset(
    {"none", "rle", "zips", "zip", "piz", "pxr24", "b44", "b44a", "dwaa", "dwab"}
)
# Compressions whose strength can be given as "name:level".
_EXR_LEVELLED = frozenset({"zip", "zips", "dwaa", "dwab"})
_PIXEL_TYPES = {
    "half": oiio.HALF,
    "float": oiio.FLOAT,
    "uint8": oiio.UINT8,
    "uint16": oiio.UINT16,
}
# Formats that cannot hold floats: allowed integer types, the first is used
# when a float type was asked for.
_INTEGER_ONLY_FORMATS = {
    ".png": ("uint8", "uint16"),
    ".jpg": ("uint8",),
    ".jpeg": ("uint8",),
}


def _as_hwc(pixels: np.ndarray, path: str) -> np.ndarray:
    """Pixels as contiguous float (H, W, C); a 2D array is one channel.

    float16 stays float16: OIIO writes it to a half file as is, where a
    float32 round trip would cost a conversion each way (inline daemon jobs
    write every received half frame through here).
    """
    array = np.asarray(pixels)
    if array.dtype != np.float16:
        array = array.astype(np.float32, copy=False)
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    if array.ndim != 3 or 0 in array.shape:
        raise InputError(
            f"cannot write '{path}': pixels must be height x width x channels, "
            f"got shape {tuple(np.shape(pixels))}"
        )
    return np.ascontiguousarray(array)


def _exr_compression(compression: str, path: str) -> str:
    """Validate an EXR compression such as 'zip', 'piz' or 'dwaa:45'."""
    name, _, level = compression.lower().partition(":")
    valid_level = not level or (level.isdigit() and name in _EXR_LEVELLED)
    if name not in _EXR_COMPRESSIONS or not valid_level:
        raise InputError(
            f"cannot write '{path}': unknown EXR compression '{compression}'; "
            "use zip, piz, dwaa, dwaa:<level>, dwab or none"
        )
    return compression.lower()


def _pixel_format(extension: str, pixel_type: str, path: str) -> oiio.TypeDesc:
    """The stored pixel type for a file format, given what the caller asked for."""
    if pixel_type not in _PIXEL_TYPES:
        raise InputError(
            f"cannot write '{path}': unknown pixel type '{pixel_type}'; "
            f"use {', '.join(_PIXEL_TYPES)}"
        )
    allowed = _INTEGER_ONLY_FORMATS.get(extension)
    if allowed is not None:
        if pixel_type in allowed:
            return _PIXEL_TYPES[pixel_type]
        if pixel_type in ("half", "float"):
            return _PIXEL_TYPES[allowed[0]]
        raise InputError(
            f"cannot write '{path}': {extension} files hold {' or '.join(allowed)}"
        )
    if extension == ".exr" and pixel_type not in ("half", "float"):
        raise InputError(f"cannot write '{path}': EXR files hold half or float pixels")
    return _PIXEL_TYPES[pixel_type]


def _output_spec(
    path: str,
    array: np.ndarray,
    channel_names: tuple[str, ...],
    windows: ImageWindows,
    metadata: Mapping[str, str] | None,
    compression: str,
    pixel_type: str,
) -> oiio.ImageSpec:
    extension = os.path.splitext(path)[1].lower()
    height, width, channels = array.shape
    spec = oiio.ImageSpec(width, height, channels, _pixel_format(extension, pixel_type, path))
    spec.channelnames = channel_names
    spec.x, spec.y = windows.data.x, windows.data.y
    spec.full_x, spec.full_y = windows.display.x, windows.display.y
    spec.full_width, spec.full_height = windows.display.width, windows.display.height
    if "A" in channel_names:
        spec.alpha_channel = channel_names.index("A")
    for key, value in (metadata or {}).items():
        spec.attribute(str(key), str(value))
    # Write colour exactly as given; PNG/TIFF would otherwise unpremultiply.
    spec.attribute("oiio:UnassociatedAlpha", 1)
    if extension == ".exr":
        spec.attribute("compression", _exr_compression(compression, path))
    return spec


def _temp_path(path: str) -> str:
    """A hidden sibling name that keeps the real extension last (OIIO picks by it)."""
    directory, name = os.path.split(path)
    stem, extension = os.path.splitext(name)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return os.path.join(directory, f".{stem}.tmp-{token}{extension}")


def _write_file(path: str, spec: oiio.ImageSpec, array: np.ndarray) -> None:
    """Write one image to ``path`` with OIIO; OSError naming the file on failure."""
    out = oiio.ImageOutput.create(path)
    if out is None:
        raise InputError(
            f"cannot write '{path}': {one_line(oiio.geterror())}"
        )
    opened = out.open(path, spec)
    written = opened and out.write_image(array)
    closed = out.close() if opened else False
    if not (opened and written and closed):
        raise OSError(f"could not write '{path}': {one_line(out.geterror())}")


def _write_atomically(path: str, spec: oiio.ImageSpec, array: np.ndarray) -> None:
    """Write to a temp name then rename, so ``path`` is never half-written."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    temp = _temp_path(path)
    try:
        _write_file(temp, spec, array)
        os.replace(temp, path)
    except BaseException:
        if os.path.lexists(temp):
            os.remove(temp)
        raise


def write_image(
    path: str,
    pixels: np.ndarray,
    channel_names: Sequence[str],
    windows: ImageWindows | None = None,
    metadata: Mapping[str, str] | None = None,
    compression: str = "zip",
    pixel_type: str = "half",
) -> None:
    """Write float pixels (H, W, C) covering ``windows.data``, atomically.

    EXR: ``pixel_type`` half or float, ``compression`` zip/piz/dwaa[:level]/...,
    data and display windows kept.  PNG and JPEG hold integers: a float pixel
    type becomes uint8 (PNG may ask for uint16).  Other formats use their own
    compression.  ``metadata`` is written as string attributes, keys as given.
    Invalid arguments raise InputError; failing I/O raises OSError.
    """
    array = _as_hwc(pixels, path)
    names = tuple(channel_names)
    height, width, channels = array.shape
    if len(names) != channels:
        raise InputError(
            f"cannot write '{path}': {channels} channels of pixels but "
            f"{len(names)} channel names ({', '.join(names)})"
        )
    windows = windows or ImageWindows.full_frame(width, height)
    if (windows.data.width, windows.data.height) != (width, height):
        raise InputError(
            f"cannot write '{path}': pixels are {width}x{height} but the data "
            f"window is {windows.data.size_text}"
        )
    spec = _output_spec(path, array, names, windows, metadata, compression, pixel_type)
    _write_atomically(path, spec, array)


def write_alpha(
    path: str,
    alpha: np.ndarray,
    windows: ImageWindows,
    metadata: Mapping[str, str] | None = None,
    compression: str = "zip",
    premultiplied_rgb: np.ndarray | None = None,
) -> None:
    """Write a matte as half-float ``A`` with the plate's windows.

    With ``premultiplied_rgb`` (the plate's H x W x 3 colour), writes a preview
    RGBA instead, colour premultiplied by the matte as compositors expect.
    """
    matte = np.asarray(alpha, dtype=np.float32)
    if matte.ndim != 2:
        raise InputError(
            f"cannot write '{path}': alpha must be height x width, got shape {matte.shape}"
        )
    if premultiplied_rgb is None:
        write_image(path, matte, ("A",), windows, metadata, compression, "half")
        return
    rgb = np.asarray(premultiplied_rgb, dtype=np.float32)
    if rgb.shape != (*matte.shape, 3):
        raise InputError(
            f"cannot write '{path}': colour has shape {rgb.shape} but the "
            f"alpha is {matte.shape[1]}x{matte.shape[0]}; need height x width x 3"
        )
    rgba = np.concatenate([rgb * matte[:, :, np.newaxis], matte[:, :, np.newaxis]], axis=2)
    write_image(path, rgba, ("R", "G", "B", "A"), windows, metadata, compression, "half")
