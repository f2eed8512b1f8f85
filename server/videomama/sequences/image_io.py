"""Reading plates and masks, writing mattes: OpenImageIO with VFX conventions.

Compositing images carry two windows: the *data window* (the pixels actually
stored, which may be larger than the frame for overscan or smaller for a crop)
and the *display window* (the frame the shot is framed to).  Every array here
covers the data window, and the windows travel with it so a matte is written
back exactly where the plate was.

Plates are converted to display-referred sRGB because that is what the matting
models were trained on; masks are data and are never colour converted.
Values are never clipped: super-whites and negatives survive the trip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import OpenImageIO as oiio

from videomama.errors import InputError, MissingInputError

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


# ---------------------------------------------------------------------------
# Data types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A pixel rectangle: origin (x, y), top-left, and size."""

    x: int
    y: int
    width: int
    height: int

    @property
    def size_text(self) -> str:
        return f"{self.width}x{self.height}"

    @staticmethod
    def union(boxes: Iterable[Box]) -> Box:
        """The smallest box holding all of ``boxes``."""
        boxes = list(boxes)
        x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
        x1 = max(b.x + b.width for b in boxes)
        y1 = max(b.y + b.height for b in boxes)
        return Box(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class ImageWindows:
    """Data window (pixels stored) and display window (the frame)."""

    data: Box
    display: Box

    @classmethod
    def full_frame(cls, width: int, height: int) -> ImageWindows:
        """Both windows equal to a plain width x height frame at the origin."""
        box = Box(0, 0, width, height)
        return cls(data=box, display=box)


@dataclass
class ImageData:
    """Pixels of one image's data window, with the windows and where it came from."""

    pixels: np.ndarray  # float32, (H, W, C), H x W = the data window
    channel_names: tuple[str, ...]
    windows: ImageWindows
    path: str


# ---------------------------------------------------------------------------
# Opening files
# ---------------------------------------------------------------------------


def _one_line(message: str) -> str:
    """OIIO errors may span lines; our errors are printed on one."""
    return " ".join(message.split()) or "unknown error"


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
            f"cannot read image '{path}': {_one_line(oiio.geterror())}"
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
            f"{_one_line(inp.geterror())}"
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
            f"{_one_line(converted.geterror())}"
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


# ---------------------------------------------------------------------------
# Conforming a mask to a plate
# ---------------------------------------------------------------------------


def place(src: np.ndarray, src_box: Box, dst_box: Box) -> np.ndarray:
    """Copy ``src`` (positioned at ``src_box``) into a zero image covering ``dst_box``.

    Works both ways: a data window onto a larger canvas, or a canvas cut back
    to a data window.  Extra trailing axes (channels) are carried along.
    """
    if src_box == dst_box:
        return src
    out = np.zeros((dst_box.height, dst_box.width) + src.shape[2:], dtype=src.dtype)
    x0 = max(src_box.x, dst_box.x)
    y0 = max(src_box.y, dst_box.y)
    x1 = min(src_box.x + src_box.width, dst_box.x + dst_box.width)
    y1 = min(src_box.y + src_box.height, dst_box.y + dst_box.height)
    if x0 < x1 and y0 < y1:
        out[y0 - dst_box.y : y1 - dst_box.y, x0 - dst_box.x : x1 - dst_box.x] = src[
            y0 - src_box.y : y1 - src_box.y, x0 - src_box.x : x1 - src_box.x
        ]
    return out


def check_mask_fits(mask: ImageWindows, mask_path: str, plate: ImageWindows, plate_path: str) -> None:
    """Masks at another resolution must frame the same picture (aspect within 1%).

    Takes windows, not pixels, so a job can check every frame from headers
    alone before it reads or writes anything.
    """
    m, p = mask.display, plate.display
    if m == p:
        return
    if min(m.width, m.height, p.width, p.height) <= 0:
        raise InputError(
            f"mask '{mask_path}' ({m.size_text}) or plate '{plate_path}' "
            f"({p.size_text}) has an empty display window"
        )
    mask_aspect, plate_aspect = m.width / m.height, p.width / p.height
    if abs(mask_aspect / plate_aspect - 1.0) > 0.01:
        raise InputError(
            f"mask '{mask_path}' is {m.size_text} (aspect {mask_aspect:.3f}) but "
            f"plate '{plate_path}' is {p.size_text} (aspect {plate_aspect:.3f}); "
            "a mask at another resolution must have the same aspect ratio"
        )


def _resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixel-centre-aligned resize: area average when shrinking, bilinear otherwise."""
    shrinking = width < image.shape[1] and height < image.shape[0]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def conform_mask(mask: ImageData, plate: ImageData) -> np.ndarray:
    """The mask as float32 (H, W), pixel-aligned to the plate's data window.

    Same display window: pixels are placed by their absolute coordinates.
    Different display window (a mask exported at proxy resolution): the mask's
    display frame is scaled onto the plate's display frame.  In that case mask
    pixels outside its display window are not used.  Zero where the mask has
    no data.
    """
    values = mask.pixels[:, :, 0] if mask.pixels.ndim == 3 else mask.pixels
    values = np.asarray(values, dtype=np.float32)
    m_win, p_win = mask.windows, plate.windows
    if m_win.display == p_win.display:
        return place(values, m_win.data, p_win.data)
    check_mask_fits(m_win, mask.path, p_win, plate.path)
    framed = place(values, m_win.data, m_win.display)
    scaled = _resize(framed, p_win.display.width, p_win.display.height)
    return place(scaled, p_win.display, p_win.data)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


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
            f"cannot write '{path}': {_one_line(oiio.geterror())}"
        )
    opened = out.open(path, spec)
    written = opened and out.write_image(array)
    closed = out.close() if opened else False
    if not (opened and written and closed):
        raise OSError(f"could not write '{path}': {_one_line(out.geterror())}")


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
