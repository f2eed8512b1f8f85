"""Image reading and writing through OpenImageIO, with real files in tmp_path.

Source images are written with OIIO directly (``make_image``) so the readers
are checked against files our own writer did not produce.
"""

import os

import numpy as np
import OpenImageIO as oiio
import pytest

from videomama.errors import InputError, MissingInputError
from videomama.sequences import image_write
from videomama.sequences.conform import conform_mask
from videomama.sequences.image_read import read_mask, read_metadata, read_plate, read_windows
from videomama.sequences.image_write import write_alpha, write_image
from videomama.sequences.images import Box, ImageData, ImageWindows

HALF_TOLERANCE = 1e-3  # half floats keep ~3 significant digits

# Overscan: 8x6 frame, data window 12x10 starting at (-2, -2).
OVERSCAN = ImageWindows(data=Box(-2, -2, 12, 10), display=Box(0, 0, 8, 6))
# Crop: only a 3x2 region inside a 8x6 frame is stored.
CROPPED = ImageWindows(data=Box(4, 3, 3, 2), display=Box(0, 0, 8, 6))


def make_image(path, pixels, names, windows=None, fmt="half"):
    """Write an image with plain OIIO, independent of the module under test."""
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    spec = oiio.ImageSpec(width, height, channels, fmt)
    spec.channelnames = tuple(names)
    if windows is not None:
        spec.x, spec.y = windows.data.x, windows.data.y
        spec.full_x, spec.full_y = windows.display.x, windows.display.y
        spec.full_width, spec.full_height = windows.display.width, windows.display.height
    spec.attribute("oiio:UnassociatedAlpha", 1)
    out = oiio.ImageOutput.create(str(path))
    assert out.open(str(path), spec), out.geterror()
    assert out.write_image(pixels), out.geterror()
    assert out.close()
    return str(path)


def ramp(height, width, channels, scale=1.0):
    values = np.arange(height * width * channels, dtype=np.float32)
    return (values.reshape(height, width, channels) / values.size * scale).astype(np.float32)


def plate_data(windows, path="plate.exr"):
    """An ImageData standing in for a plate; only its windows matter to conform_mask."""
    shape = (windows.data.height, windows.data.width, 3)
    return ImageData(np.zeros(shape, np.float32), ("R", "G", "B"), windows, path)


def mask_data(values, windows, path="mask.png"):
    return ImageData(np.asarray(values, np.float32)[:, :, None], ("A",), windows, path)


# -- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("windows", [OVERSCAN, CROPPED], ids=["overscan", "cropped"])
def test_write_then_read_keeps_windows_and_values(tmp_path, windows):
    pixels = ramp(windows.data.height, windows.data.width, 3, scale=4.0) - 0.5
    path = str(tmp_path / "out.exr")
    write_image(path, pixels, ("R", "G", "B"), windows)
    plate = read_plate(path, colorspace="raw")
    assert plate.windows == windows
    assert plate.channel_names == ("R", "G", "B")
    assert plate.pixels.dtype == np.float32
    # Negative and > 1 values survive: nothing is clipped.
    np.testing.assert_allclose(plate.pixels, pixels, atol=HALF_TOLERANCE * 4)
    assert plate.pixels.min() < 0 and plate.pixels.max() > 3


def test_read_windows_reads_header(tmp_path):
    path = make_image(tmp_path / "o.exr", np.zeros((10, 12, 1)), ("A",), OVERSCAN)
    assert read_windows(path) == OVERSCAN
    with pytest.raises(MissingInputError, match="gone.exr"):
        read_windows(str(tmp_path / "gone.exr"))


def test_float_pixel_type_is_exact(tmp_path):
    pixels = ramp(4, 5, 1) + np.float32(1e-5)
    path = str(tmp_path / "f.exr")
    write_image(path, pixels, ("A",), pixel_type="float")
    mask = read_mask(path)
    np.testing.assert_array_equal(mask.pixels, pixels)
    assert mask.windows == ImageWindows.full_frame(5, 4)


@pytest.mark.parametrize("compression", ["zip", "piz", "dwaa:45", "none", "DWAB"])
def test_compressions_write_readable_files(tmp_path, compression):
    path = str(tmp_path / "c.exr")
    write_image(path, ramp(16, 16, 3), ("R", "G", "B"), compression=compression)
    stored = read_metadata(path)["compression"]
    assert stored == compression.lower().split(":")[0]
    if compression == "dwaa:45":  # the level travels too
        inp = oiio.ImageInput.open(path)
        assert inp.spec().getattribute("openexr:dwaCompressionLevel") == 45
        inp.close()


def test_metadata_round_trip_and_absent_files(tmp_path):
    path = str(tmp_path / "m.exr")
    meta = {"videomama:model": "classic", "videomama:request": "abc123"}
    write_image(path, ramp(2, 2, 1), ("A",), metadata=meta)
    found = read_metadata(path)
    assert {k: found[k] for k in meta} == meta
    assert read_metadata(str(tmp_path / "absent.exr")) == {}
    (tmp_path / "broken.exr").write_bytes(b"not an image at all")
    assert read_metadata(str(tmp_path / "broken.exr")) == {}


def test_png_writes_integers(tmp_path):
    pixels = np.full((3, 4, 1), 0.5, np.float32)
    path8 = str(tmp_path / "p8.png")
    path16 = str(tmp_path / "p16.png")
    write_image(path8, pixels, ("Y",))  # default "half" becomes uint8 for PNG
    write_image(path16, pixels, ("Y",), pixel_type="uint16")
    for path, expected_format, step in ((path8, "uint8", 255), (path16, "uint16", 65535)):
        inp = oiio.ImageInput.open(path)
        assert str(inp.spec().format) == expected_format
        inp.close()
        assert abs(read_mask(path).pixels[0, 0, 0] - 0.5) <= 0.5 / step + 1e-6


# -- atomic writing -------------------------------------------------------------------------


def test_write_creates_folder_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "deep" / "folder" / "a.0001.exr"
    write_image(str(path), ramp(2, 3, 1), ("A",))
    write_image(str(path), ramp(2, 3, 1) * 2, ("A",))  # replace in place
    assert os.listdir(path.parent) == ["a.0001.exr"]
    assert read_mask(str(path)).pixels.max() > 1.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(compression="zap"), "compression 'zap'"),
        (dict(compression="piz:3"), "compression 'piz:3'"),
        (dict(pixel_type="uint8"), "half or float"),
        (dict(pixels=np.zeros((2, 3, 2, 1))), "shape"),
        (dict(channel_names=("R", "G")), "2 channel names"),
        (dict(windows=ImageWindows.full_frame(9, 9)), "data window is 9x9"),
    ],
)
def test_failed_write_leaves_nothing(tmp_path, kwargs, message):
    path = str(tmp_path / "bad.exr")
    args = dict(path=path, pixels=ramp(2, 3, 1), channel_names=("A",))
    args.update(kwargs)
    with pytest.raises(InputError, match=message) as caught:
        write_image(**args)
    assert "bad.exr" in str(caught.value)
    assert os.listdir(tmp_path) == []


def test_failure_after_writing_removes_temp_and_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "frame.exr"
    write_image(str(path), np.zeros((2, 2)), ("A",))

    def fail_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(image_write.os, "replace", fail_replace)
    with pytest.raises(OSError, match="disk full"):
        write_image(str(path), np.ones((2, 2)), ("A",))
    assert os.listdir(tmp_path) == ["frame.exr"]
    assert read_mask(str(path)).pixels.max() == 0.0


def test_write_alpha_single_channel_and_preview(tmp_path):
    alpha = np.linspace(0, 1, 12 * 10, dtype=np.float32).reshape(10, 12)
    rgb = np.full((10, 12, 3), 0.8, np.float32)
    matte_path = str(tmp_path / "matte.exr")
    preview_path = str(tmp_path / "preview.exr")
    write_alpha(matte_path, alpha, OVERSCAN, metadata={"videomama:frame": "7"})
    write_alpha(preview_path, alpha, OVERSCAN, premultiplied_rgb=rgb)

    matte = read_mask(matte_path)
    assert matte.channel_names == ("A",) and matte.windows == OVERSCAN
    np.testing.assert_allclose(matte.pixels[:, :, 0], alpha, atol=HALF_TOLERANCE)
    assert read_metadata(matte_path)["videomama:frame"] == "7"

    inp = oiio.ImageInput.open(preview_path)
    assert inp.spec().channelnames == ("R", "G", "B", "A")
    assert str(inp.spec().format) == "half"
    inp.close()
    colour = read_plate(preview_path, colorspace="raw").pixels
    np.testing.assert_allclose(colour[:, :, 1], 0.8 * alpha, atol=HALF_TOLERANCE)


def test_write_alpha_rejects_mismatched_colour(tmp_path):
    with pytest.raises(InputError, match="need height x width x 3"):
        write_alpha(str(tmp_path / "p.exr"), np.zeros((4, 4)), ImageWindows.full_frame(4, 4),
                    premultiplied_rgb=np.zeros((4, 5, 3)))
    assert os.listdir(tmp_path) == []


# -- plates: channels and layers -------------------------------------------------------------


def multilayer_exr(tmp_path):
    """An EXR with an unnamed RGB, a 'plate' layer and a 'matte' alpha, like Nuke writes."""
    pixels = np.zeros((4, 6, 7), np.float32)
    pixels[..., 0:3] = [0.1, 0.2, 0.3]  # R G B
    pixels[..., 3:6] = [0.4, 0.5, 0.6]  # plate.R/G/B
    pixels[..., 6] = 0.75  # matte.A
    names = ("R", "G", "B", "plate.R", "plate.G", "plate.B", "matte.A")
    return make_image(tmp_path / "multi.exr", pixels, names)


def test_read_plate_picks_layer_or_main_rgb(tmp_path):
    path = multilayer_exr(tmp_path)
    main = read_plate(path, colorspace="raw").pixels
    layer = read_plate(path, layer="plate", colorspace="raw").pixels
    nuke_main = read_plate(path, layer="rgba", colorspace="raw").pixels
    np.testing.assert_allclose(main[0, 0], [0.1, 0.2, 0.3], atol=HALF_TOLERANCE)
    np.testing.assert_allclose(layer[0, 0], [0.4, 0.5, 0.6], atol=HALF_TOLERANCE)
    np.testing.assert_array_equal(nuke_main, main)


def test_read_plate_unknown_layer_lists_layers(tmp_path):
    path = multilayer_exr(tmp_path)
    with pytest.raises(InputError, match=r"multi\.exr.*'beauty'.*matte, plate"):
        read_plate(path, layer="beauty")


def test_read_plate_first_three_channels_or_grey(tmp_path):
    xyz = make_image(tmp_path / "xyz.exr", np.full((2, 2, 4), [0.1, 0.2, 0.3, 0.4]),
                     ("X", "Y", "Z", "W"))
    grey = make_image(tmp_path / "grey.exr", np.full((2, 2), 0.25), ("Y",))
    np.testing.assert_allclose(read_plate(xyz, colorspace="raw").pixels[1, 1],
                               [0.1, 0.2, 0.3], atol=HALF_TOLERANCE)
    grey_plate = read_plate(grey, colorspace="raw")
    assert grey_plate.pixels.shape == (2, 2, 3)
    np.testing.assert_allclose(grey_plate.pixels, 0.25, atol=HALF_TOLERANCE)


# -- plates: colour ------------------------------------------------------------------------------


def grey_exr(tmp_path, values=(0.18, 1.0, 2.0), fmt="half"):
    pixels = np.zeros((1, len(values), 3), np.float32)
    pixels[0, :, :] = np.asarray(values, np.float32)[:, None]
    return make_image(tmp_path / f"grey_{fmt}.exr", pixels, ("R", "G", "B"), fmt=fmt)


def test_exr_defaults_to_linear_rec709_to_srgb(tmp_path):
    path = grey_exr(tmp_path, fmt="float")
    pixels = read_plate(path).pixels[0, :, 0]
    assert pixels[0] == pytest.approx(0.4614, abs=2e-3)  # 18% grey
    assert pixels[1] == pytest.approx(1.0, abs=1e-4)
    assert pixels[2] > 1.2  # super-white is kept, not clipped
    np.testing.assert_array_equal(read_plate(path, colorspace="lin_rec709").pixels,
                                  read_plate(path).pixels)


def test_acescg_and_scene_linear_inputs(tmp_path):
    # Neutral greys stay neutral across primaries; saturated colours do not.
    grey = read_plate(grey_exr(tmp_path), colorspace="ACEScg").pixels
    assert grey[0, 0] == pytest.approx([0.4614] * 3, abs=3e-3)
    red = make_image(tmp_path / "red.exr", np.full((1, 1, 3), [0.5, 0.1, 0.1]), "RGB")
    as_acescg = read_plate(red, colorspace="ACEScg").pixels[0, 0]
    as_rec709 = read_plate(red, colorspace="lin_rec709").pixels[0, 0]
    assert as_acescg[0] > as_rec709[0] + 0.05  # ACEScg red is more saturated
    # scene_linear is an OCIO role; the config decides what it means.
    assert np.isfinite(read_plate(red, colorspace="scene_linear").pixels).all()


@pytest.mark.parametrize("name", ["raw", "none", "RAW", "sRGB", "srgb_rec709_scene"])
def test_no_conversion_spaces_keep_values(tmp_path, name):
    path = grey_exr(tmp_path)
    np.testing.assert_allclose(read_plate(path, colorspace=name).pixels[0, :, 0],
                               [0.18, 1.0, 2.0], atol=HALF_TOLERANCE)


def test_unknown_colourspace_is_named(tmp_path):
    with pytest.raises(InputError, match="'Cineon Log Sauce'"):
        read_plate(grey_exr(tmp_path), colorspace="Cineon Log Sauce")


def test_jpeg_plate_is_taken_as_srgb(tmp_path):
    pixels = np.zeros((8, 8, 3), np.float32)
    pixels[...] = [0.2, 0.5, 0.8]
    path = make_image(tmp_path / "plate.jpg", pixels, "RGB", fmt="uint8")
    plate = read_plate(path)
    assert plate.pixels.shape == (8, 8, 3) and plate.windows == ImageWindows.full_frame(8, 8)
    np.testing.assert_allclose(plate.pixels[4, 4], [0.2, 0.5, 0.8], atol=0.03)


# -- masks -------------------------------------------------------------------------------------------


def test_png_mask_values_are_soft_and_normalised(tmp_path):
    values = np.array([[0, 128, 255]], np.float32) / 255
    grey = make_image(tmp_path / "grey.png", values, ("Y",), fmt="uint8")
    mask = read_mask(grey)
    assert mask.pixels.shape == (1, 3, 1) and mask.pixels.dtype == np.float32
    np.testing.assert_allclose(mask.pixels[0, :, 0], [0.0, 128 / 255, 1.0], atol=1e-6)


def test_mask_defaults_to_alpha_then_red(tmp_path):
    rgba = np.zeros((2, 2, 4), np.float32)
    rgba[..., 0], rgba[..., 3] = 0.2, 0.6
    with_alpha = make_image(tmp_path / "rgba.png", rgba, "RGBA", fmt="uint8")
    without = make_image(tmp_path / "rgb.png", rgba[..., :3], "RGB", fmt="uint8")
    assert read_mask(with_alpha).pixels[0, 0, 0] == pytest.approx(0.6, abs=1 / 255)
    assert read_mask(without).pixels[0, 0, 0] == pytest.approx(0.2, abs=1 / 255)
    assert read_mask(with_alpha, channel="R").channel_names == ("R",)


def test_mask_layer_alpha_and_named_channel(tmp_path):
    path = multilayer_exr(tmp_path)
    matte = read_mask(path)
    assert matte.channel_names == ("matte.A",)
    assert matte.pixels[0, 0, 0] == pytest.approx(0.75)
    assert read_mask(path, channel="plate.G").pixels[0, 0, 0] == pytest.approx(0.5, abs=1e-3)
    with pytest.raises(InputError, match=r"multi\.exr' has no channel 'roto\.A'") as caught:
        read_mask(path, channel="roto.A")
    listed = str(caught.value).split("channels present: ")[1].split(", ")
    assert sorted(listed) == sorted(("R", "G", "B", "plate.R", "plate.G", "plate.B", "matte.A"))


# -- broken and missing files ----------------------------------------------------------------------


def test_missing_file_is_missing_input(tmp_path):
    path = str(tmp_path / "plate.1001.exr")
    with pytest.raises(MissingInputError, match="plate.1001.exr' does not exist"):
        read_plate(path)


def test_garbage_file_names_it(tmp_path):
    path = tmp_path / "x.exr"
    path.write_bytes(b"\x00garbage bytes, not an OpenEXR file" * 4)
    for reader in (read_plate, read_mask):
        with pytest.raises(InputError, match=r"cannot read image '.*x\.exr'") as caught:
            reader(str(path))
        assert "\n" not in str(caught.value)
        assert not isinstance(caught.value, MissingInputError)


def test_truncated_file_names_it(tmp_path):
    whole = make_image(tmp_path / "whole.exr", ramp(64, 64, 3), "RGB")
    data = open(whole, "rb").read()
    cut = tmp_path / "cut.exr"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.exr"):
        read_plate(str(cut))


# -- conforming masks to plates -------------------------------------------------------------------


def test_conform_same_display_places_data_windows():
    mask = mask_data(np.ones((2, 3)), CROPPED)  # data (4,3) 3x2 inside 8x6
    conformed = conform_mask(mask, plate_data(OVERSCAN))  # plate data (-2,-2) 12x10
    assert conformed.shape == (10, 12) and conformed.dtype == np.float32
    expected = np.zeros((10, 12), np.float32)
    expected[3 + 2 : 5 + 2, 4 + 2 : 7 + 2] = 1.0
    np.testing.assert_array_equal(conformed, expected)


def test_conform_same_display_crops_mask_overscan():
    mask = mask_data(ramp(10, 12, 1)[:, :, 0], OVERSCAN)
    conformed = conform_mask(mask, plate_data(CROPPED))
    np.testing.assert_array_equal(conformed, mask.pixels[5:7, 6:9, 0])


def square_centre(image):
    ys, xs = np.nonzero(image > 0.5)
    return xs.mean() + 0.5, ys.mean() + 0.5  # pixel centres, continuous coords


def test_conform_proxy_mask_upscales_to_plate():
    mask_values = np.zeros((576, 1024), np.float32)
    mask_values[100:164, 700:764] = 1.0  # a 64 px square, centre (732, 132)
    mask = mask_data(mask_values, ImageWindows.full_frame(1024, 576))
    plate = plate_data(ImageWindows.full_frame(1920, 1088))
    conformed = conform_mask(mask, plate)
    assert conformed.shape == (1088, 1920)
    cx, cy = square_centre(conformed)
    assert cx == pytest.approx(732 / 1024 * 1920, abs=1.0)
    assert cy == pytest.approx(132 / 576 * 1088, abs=1.0)
    assert conformed.max() <= 1.0 and conformed.min() >= 0.0


def test_conform_proxy_mask_into_plate_overscan():
    mask_values = np.zeros((6, 8), np.float32)
    mask_values[2:4, 2:4] = 1.0
    mask = mask_data(mask_values, ImageWindows.full_frame(8, 6))
    windows = ImageWindows(data=Box(-4, -4, 24, 20), display=Box(0, 0, 16, 12))
    conformed = conform_mask(mask, plate_data(windows))
    assert conformed.shape == (20, 24)
    assert conformed[:4, :].max() == 0.0 and conformed[:, :4].max() == 0.0  # overscan
    cx, cy = square_centre(conformed)
    assert (cx - 4, cy - 4) == pytest.approx((6.0, 6.0), abs=0.5)
    # Pixel-centre mapping: the 2x bilinear profile is symmetric about the
    # square's centre (x = 6 in the display frame) and keeps its area (2 px -> 4 px).
    profile = conformed[4 + 6, 4:20]
    np.testing.assert_allclose(profile[:6][::-1], profile[6:12], atol=1e-6)
    assert profile.sum() == pytest.approx(4.0, abs=1e-5)


def test_conform_larger_mask_is_area_averaged():
    checker = (np.indices((24, 32)).sum(axis=0) % 2).astype(np.float32)
    mask = mask_data(checker, ImageWindows.full_frame(32, 24))
    conformed = conform_mask(mask, plate_data(ImageWindows.full_frame(16, 12)))
    np.testing.assert_allclose(conformed, 0.5, atol=1e-6)


def test_conform_rejects_aspect_mismatch():
    mask = mask_data(np.zeros((480, 640)), ImageWindows.full_frame(640, 480), "roto.png")
    plate = plate_data(ImageWindows.full_frame(1920, 1080), "plate.1001.exr")
    with pytest.raises(InputError, match=r"roto\.png' is 640x480.*plate\.1001\.exr' is 1920x1080"):
        conform_mask(mask, plate)
