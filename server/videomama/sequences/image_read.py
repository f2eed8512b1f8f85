"""Reading plates and masks with OpenImageIO: channels, layers, colour, windows.

Plates are converted to display-referred sRGB because that is what the matting
models were trained on; masks are data and are never colour converted.
Values are never clipped: super-whites and negatives survive the trip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import OpenImageIO as oiio

from ..errors import InputError, MissingInputError
from .images import Box, ImageData, ImageWindows, one_line


#: What the models see: display-referred sRGB (OCIO name or alias).
DISPLAY_SPACE = "sRGB"
#: Assumed colourspace of float/half files (EXR) when the user names none.
DEFAULT_LINEAR_SPACE = "lin_rec709"
#: Colourspace of integer files (JPEG, PNG, 8/16-bit TIFF, DPX) by default.
DEFAULT_INTEGER_SPACE = "sRGB"
#: User spellings that mean "leave the values alone".
_NO_CONVERSION = frozenset({"raw", "none"})

_FLOAT_BASETYPES = (oiio.BASETYPE.HALF, oiio.BASETYPE.FLOAT, oiio.BASETYPE.DOUBLE)
_ALPHA_NAMES = ("A", "alpha", "Alpha")
_ALPHA_SUFFIXES = (".A", ".alpha", ".Alpha")


# ---------------------------------------------------------------------------
# Opening files
# ---------------------------------------------------------------------------


@contextmanager
def _open_image(path: str) -> Iterator[oiio.ImageInput]:
    """Open an image for reading, closing it afterwards; errors name the file."""
    if not os.path.exists(path):
        raise MissingInputError(f"image '{path}' does not exist")
    # Keep unassociated alpha as stored (PNG, TIFF): OIIO would otherwise
    # premultiply colour on read, changing the plate the user gave us.
    config = oiio.ImageSpec()
    config.attribute("oiio:UnassociatedAlpha", 1)
    inp = oiio.ImageInput.open(path, config)
    if inp is None:
        raise InputError(
            f"cannot read image '{path}': {one_line(oiio.geterror())}"
        )
    try:
        yield inp
    finally:
        inp.close()


def _subimage_specs(inp: oiio.ImageInput) -> list[oiio.ImageSpec]:
    """Specs of every subimage (EXR parts); most files have exactly one."""
    specs = [inp.spec()]
    while inp.seek_subimage(len(specs), 0):
        specs.append(inp.spec())
    inp.geterror()  # the failed seek past the last part is not an error
    return specs


def _windows_from_spec(spec: oiio.ImageSpec) -> ImageWindows:
    return ImageWindows(
        data=Box(spec.x, spec.y, spec.width, spec.height),
        display=Box(spec.full_x, spec.full_y, spec.full_width, spec.full_height),
    )


def _read_channels(
    inp: oiio.ImageInput, path: str, subimage: int, spec: oiio.ImageSpec,
    indices: Sequence[int],
) -> np.ndarray:
    """Read the given channels of one subimage as float32 (H, W, len(indices))."""
    if spec.deep:
        raise InputError(f"'{path}' is a deep image; flat images are needed")
    if spec.depth > 1:
        raise InputError(f"'{path}' is a volume image; flat 2D images are needed")
    # Read only the span of channels we need; EXRs can hold dozens of AOVs.
    begin, end = min(indices), max(indices) + 1
    pixels = inp.read_image(subimage, 0, begin, end, oiio.FLOAT)
    if pixels is None:
        raise InputError(
            f"cannot read pixels of '{path}' (truncated or corrupt?): "
            f"{one_line(inp.geterror())}"
        )
    pixels = np.asarray(pixels, dtype=np.float32).reshape(
        spec.height, spec.width, end - begin
    )
    picked = [index - begin for index in indices]
    return np.ascontiguousarray(pixels[:, :, picked])


def _is_float_channel(spec: oiio.ImageSpec, index: int) -> bool:
    return spec.channelformat(index).basetype in _FLOAT_BASETYPES


# ---------------------------------------------------------------------------
# Channel selection
# ---------------------------------------------------------------------------

# A channel is addressed as (subimage, index within that subimage).
_Channel = tuple[int, int]


def _find_channels(
    specs: Sequence[oiio.ImageSpec], names: Sequence[str]
) -> tuple[int, list[int]] | None:
    """The first subimage holding all ``names``, with their indices."""
    for subimage, spec in enumerate(specs):
        present = list(spec.channelnames)
        if all(name in present for name in names):
            return subimage, [present.index(name) for name in names]
    return None


def _all_channel_names(specs: Sequence[oiio.ImageSpec]) -> list[str]:
    names: list[str] = []
    for spec in specs:
        names.extend(name for name in spec.channelnames if name not in names)
    return names


def _layers_text(specs: Sequence[oiio.ImageSpec]) -> str:
    """Layer names for an error message: 'plate, matte' plus the main layer."""
    names = _all_channel_names(specs)
    layers = sorted({name.rsplit(".", 1)[0] for name in names if "." in name})
    main = [name for name in names if "." not in name]
    parts = layers + ([f"main layer ({', '.join(main)})"] if main else [])
    return ", ".join(parts) or "none"


def _plate_channels(
    specs: Sequence[oiio.ImageSpec], layer: str | None, path: str
) -> tuple[int, list[int]]:
    """Which subimage and channels hold the plate's R, G, B."""
    if layer:
        found = _find_channels(specs, [f"{layer}.R", f"{layer}.G", f"{layer}.B"])
        if found is not None:
            return found
        # Nuke calls the main layer "rgba"; accept that name for it.
        if layer.lower() not in ("rgb", "rgba"):
            raise InputError(
                f"'{path}' has no layer '{layer}' with R, G, B channels; "
                f"layers present: {_layers_text(specs)}"
            )
    found = _find_channels(specs, ["R", "G", "B"])
    if found is not None:
        return found
    count = len(specs[0].channelnames)
    if count >= 3:
        return 0, [0, 1, 2]
    # Greyscale (Y, or Y + A): the first channel stands for all three.
    return 0, [0, 0, 0]


def _mask_channel(
    specs: Sequence[oiio.ImageSpec], channel: str | None, path: str
) -> _Channel:
    """Which channel holds the mask: the named one, else alpha, else grey/red."""
    if channel:
        found = _find_channels(specs, [channel])
        if found is None:
            raise InputError(
                f"'{path}' has no channel '{channel}'; channels present: "
                f"{', '.join(_all_channel_names(specs))}"
            )
        return found[0], found[1][0]
    channels = [
        (subimage, index, name) for subimage, spec in enumerate(specs) for index, name in enumerate(spec.channelnames)
    ]
    main = [(subimage, index) for subimage, index, name in channels if name in _ALPHA_NAMES]
    if main:
        return main[0]
    layers = [(subimage, index, name) for subimage, index, name in channels if name.endswith(_ALPHA_SUFFIXES)]
    if len(layers) > 1:
        # Several layers' alphas and no main one (e.g. one layer per tracked
        # object): taking the first would silently pick one object.
        raise InputError(
            f"'{path}' has several alpha layers ({', '.join(name for _, _, name in layers)}) and no main "
            f"alpha; name the one to use as the mask channel (e.g. {layers[0][2]})"
        )
    if layers:
        return layers[0][0], layers[0][1]
    names = list(specs[0].channelnames)
    if len(names) > 1 and "R" in names:
        return 0, names.index("R")
    return 0, 0


# ---------------------------------------------------------------------------
# Colour
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _color_config() -> oiio.ColorConfig:
    """OIIO's colour config: $OCIO when set, else OIIO's built-in config."""
    return oiio.ColorConfig()


def _check_colorspace(name: str, what: str) -> None:
    if _color_config().getColorSpaceIndex(name) < 0:
        raise InputError(
            f"unknown {what} colourspace '{name}'; try lin_rec709, ACEScg, "
            "scene_linear, sRGB or raw"
        )


def _source_space(colorspace: str | None, is_float: bool) -> str:
    if colorspace:
        return colorspace
    return DEFAULT_LINEAR_SPACE if is_float else DEFAULT_INTEGER_SPACE


def _convert_colour(pixels: np.ndarray, source: str, target: str, path: str) -> np.ndarray:
    """Convert (H, W, 3) float32 from ``source`` to ``target``, without clipping."""
    if source.lower() in _NO_CONVERSION:
        return pixels
    _check_colorspace(source, "source")
    _check_colorspace(target, "display")
    if _color_config().equivalent(source, target):
        return pixels
    height, width, channels = pixels.shape
    buf = oiio.ImageBuf(oiio.ImageSpec(width, height, channels, oiio.FLOAT))
    buf.set_pixels(buf.roi, pixels)
    # unpremult=False: plates have no alpha here, and we never divide by one.
    converted = oiio.ImageBufAlgo.colorconvert(buf, source, target, False)
    if converted.has_error:
        raise InputError(
            f"cannot convert '{path}' from {source} to {target}: "
            f"{one_line(converted.geterror())}"
        )
    result = converted.get_pixels(oiio.FLOAT)
    return np.ascontiguousarray(result, dtype=np.float32).reshape(height, width, channels)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_plate(
    path: str,
    layer: str | None = None,
    colorspace: str | None = None,
    display_space: str = DISPLAY_SPACE,
) -> ImageData:
    """Read a plate as R, G, B float32 in display-referred sRGB.

    ``layer`` picks ``layer.R/G/B`` from a multi-layer EXR.  ``colorspace`` is
    the file's colourspace; by default float files are taken as scene-linear
    Rec.709 and integer files as sRGB already.  ``raw``/``none`` skips conversion.
    """
    with _open_image(path) as inp:
        specs = _subimage_specs(inp)
        subimage, indices = _plate_channels(specs, layer, path)
        spec = specs[subimage]
        pixels = _read_channels(inp, path, subimage, spec, indices)
        is_float = _is_float_channel(spec, indices[0])
    source = _source_space(colorspace, is_float)
    pixels = _convert_colour(pixels, source, display_space, path)
    return ImageData(
        pixels=pixels,
        channel_names=("R", "G", "B"),
        windows=_windows_from_spec(spec),
        path=path,
    )


def read_mask(path: str, channel: str | None = None) -> ImageData:
    """Read one mask channel as float32 (H, W, 1), soft values kept.

    By default the alpha channel (``A`` or ``layer.A``), else the only channel
    of a greyscale image, else ``R``.  Integer files map to 0..1 (255 -> 1.0).
    """
    with _open_image(path) as inp:
        specs = _subimage_specs(inp)
        subimage, index = _mask_channel(specs, channel, path)
        spec = specs[subimage]
        pixels = _read_channels(inp, path, subimage, spec, [index])
    return ImageData(
        pixels=pixels,
        channel_names=(spec.channelnames[index],),
        windows=_windows_from_spec(spec),
        path=path,
    )


def read_windows(path: str) -> ImageWindows:
    """Data and display windows of an image, from its header only (no pixels).

    Lets a request check every frame's geometry up front, cheaply.  Multi-part
    files report their first part.
    """
    with _open_image(path) as inp:
        return _windows_from_spec(inp.spec())


def read_metadata(path: str) -> dict[str, str]:
    """String attributes of an image; ``{}`` if it is absent or unreadable.

    Used on resume to decide whether a frame already written can be kept, so
    a broken file simply reads as "nothing recorded" and gets redone.
    """
    try:
        with _open_image(path) as inp:
            spec = inp.spec()
    except InputError:
        oiio.geterror()
        return {}
    return {
        attrib.name: attrib.value
        for attrib in spec.extra_attribs
        if attrib.type == oiio.TypeString
    }


