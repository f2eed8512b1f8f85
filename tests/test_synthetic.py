"""Procedural clips: deterministic, hard in the right ways, and written to disk correctly."""

import os

import cv2
import numpy as np
import OpenImageIO as oiio
import pytest

from videomama.errors import InputError
from videomama.synthetic import ClipSpec, SyntheticClip, render_clip_arrays, write_clip

SMALL = ClipSpec(width=160, height=96, frames=6, seed=3)


@pytest.fixture(scope="module")
def clip():
    return SyntheticClip(SMALL)


@pytest.fixture(scope="module")
def frames(clip):
    return [clip.render(i) for i in range(SMALL.frames)]


def _binary_gt_at_mask_size(alpha, spec):
    return cv2.resize(alpha, spec.mask_size, interpolation=cv2.INTER_AREA) > 0.5


def test_same_seed_same_arrays_and_frames_render_independently(clip, frames):
    other = SyntheticClip(SMALL)
    # Render out of order on a fresh clip: frame i must not depend on history.
    for i in (4, 0, 2):
        again = other.render(i)
        np.testing.assert_array_equal(again.plate_linear, frames[i].plate_linear)
        np.testing.assert_array_equal(again.alpha, frames[i].alpha)
        np.testing.assert_array_equal(again.rough_mask, frames[i].rough_mask)
    assert other.defects == clip.defects


def test_different_seed_differs(frames):
    other = SyntheticClip(ClipSpec(width=160, height=96, frames=6, seed=4)).render(0)
    assert not np.array_equal(other.plate_linear, frames[0].plate_linear)
    assert not np.array_equal(other.alpha, frames[0].alpha)


def test_shapes_types_and_frame_numbers(frames):
    mw, mh = SMALL.mask_size
    assert (mw, mh) == (80, 48)
    for i, f in enumerate(frames):
        assert f.frame == SMALL.first_frame + i
        assert f.plate_linear.shape == (96, 160, 3) and f.plate_linear.dtype == np.float32
        assert f.alpha.shape == (96, 160) and f.alpha.dtype == np.float32
        assert f.rough_mask.shape == (mh, mw) and f.rough_mask.dtype == np.float32


def test_alpha_range_and_soft_pixels(frames):
    for f in frames:
        a = f.alpha
        assert np.isfinite(a).all() and a.min() >= 0.0 and a.max() <= 1.0
        assert (a == 1.0).any(), "the subject's core must be opaque"
        ys, xs = np.nonzero(a > 0)
        box = a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        soft = (box > 0) & (box < 1)
        assert soft.mean() > 0.01, f"frame {f.frame}: only {soft.mean():.3%} soft pixels"


def test_semi_transparent_veil_exists(frames):
    # A sizeable plateau of mid alphas that motion blur and hair alone do not make.
    for f in frames:
        mid = (f.alpha > 0.25) & (f.alpha < 0.65)
        assert mid.sum() > 100


def test_hair_lies_outside_the_rough_mask(frames):
    for f in frames:
        if f.mask_defect == "empty":
            continue
        mask_full = cv2.resize(f.rough_mask, (160, 96), interpolation=cv2.INTER_NEAREST)
        ys, xs = np.nonzero(f.alpha >= 0.99)
        above_head = np.zeros_like(f.alpha, bool)
        above_head[: ys.min(), :] = True   # only hair reaches above the head's top
        soft_outside = (f.alpha > 0.02) & (f.alpha < 0.98) & (mask_full == 0)
        assert soft_outside.sum() > 30
        assert (soft_outside & above_head).sum() > 5


def test_plate_is_scene_linear_with_highlights(frames):
    for f in frames:
        p = f.plate_linear
        assert np.isfinite(p).all() and p.min() >= 0.0
        assert (p > 1.0).any(), "scene-linear plates keep highlights above 1"
        assert np.median(p) < 0.6   # mostly mid-tones, not blown out
    # Background moves: pixels far from the subject change between frames.
    far = (frames[0].alpha == 0) & (frames[1].alpha == 0)
    assert np.abs(frames[1].plate_linear - frames[0].plate_linear)[far].mean() > 1e-3


def test_motion_blur_makes_alpha_consistent_average():
    sharp = ClipSpec(width=160, height=96, frames=3, seed=3, motion_blur_samples=1, hair_strands=0)
    blurred = ClipSpec(width=160, height=96, frames=3, seed=3, motion_blur_samples=6, hair_strands=0)
    a1, a6 = SyntheticClip(sharp).render(1).alpha, SyntheticClip(blurred).render(1).alpha
    soft = lambda a: ((a > 0.02) & (a < 0.98)).sum()
    assert soft(a6) > soft(a1)   # the moving edge smears into a wider ramp


def test_rough_mask_is_rough_but_close(clip, frames):
    for f in frames:
        m = f.rough_mask
        assert m.min() >= 0.0 and m.max() <= 1.0
        assert np.allclose(m * 255, np.round(m * 255), atol=1e-3)   # 8-bit levels
        if f.mask_defect == "empty":
            assert not m.any()
            continue
        # Nearly binary: grey levels only on the anti-aliased outline.
        grey = (m > 0) & (m < 1)
        assert grey.mean() < 0.1
        mb = (m > 0.5).astype(np.uint8)
        ring = cv2.dilate(mb, np.ones((3, 3), np.uint8)) > cv2.erode(mb, np.ones((3, 3), np.uint8))
        assert not (grey & ~ring).any()
        if f.mask_defect is None:
            gt = _binary_gt_at_mask_size(f.alpha, SMALL)
            mb = m > 0.5
            iou = (gt & mb).sum() / (gt | mb).sum()
            assert 0.6 < iou < 0.99, f"frame {f.frame}: IoU {iou:.3f}"


def test_defects_present_when_enabled_and_absent_otherwise(clip, frames):
    kinds = {f.mask_defect for f in frames}
    assert {"hole", "empty"} <= kinds
    assert frames[0].mask_defect is None
    for i, f in enumerate(frames):
        assert f.mask_defect == clip.defects.get(i)
        if f.mask_defect == "hole":
            # A hole: the mask's filled area has an interior gap.
            mb = (f.rough_mask > 0.5).astype(np.uint8)
            contours, hierarchy = cv2.findContours(mb, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            assert (hierarchy[0][:, 3] >= 0).any(), "expected an inner contour"
    clean = SyntheticClip(ClipSpec(width=160, height=96, frames=6, seed=3, mask_defects=False))
    assert clean.defects == {}
    assert all(clean.render(i).rough_mask.any() for i in range(6))


def test_zero_roughness_is_the_binarised_ground_truth():
    spec = ClipSpec(width=160, height=96, frames=2, seed=3, mask_roughness=0.0, mask_defects=False)
    f = SyntheticClip(spec).render(1)
    np.testing.assert_array_equal(f.rough_mask > 0.5, _binary_gt_at_mask_size(f.alpha, spec))


def test_render_clip_arrays_yields_every_frame():
    spec = ClipSpec(width=64, height=32, frames=3, seed=1)
    assert [f.frame for f in render_clip_arrays(spec)] == [1001, 1002, 1003]


def test_bad_spec_and_index_are_input_errors(clip):
    with pytest.raises(InputError):
        ClipSpec(width=8)
    with pytest.raises(InputError):
        ClipSpec(motion_blur_samples=0)
    with pytest.raises(InputError):
        clip.render(SMALL.frames)


def _read(path):
    inp = oiio.ImageInput.open(path)
    assert inp is not None, oiio.geterror()
    spec = inp.spec()
    pixels = inp.read_image(oiio.FLOAT)
    inp.close()
    return spec, pixels


def test_write_clip_files_read_back(tmp_path, frames):
    paths = write_clip(SMALL, tmp_path)
    assert (paths.first, paths.last) == (1001, 1006)
    assert paths.plate == os.path.join(str(tmp_path), "plate.####.exr")
    assert paths.alpha.endswith("alpha.####.exr") and paths.mask.endswith("mask.####.png")
    for f in frames:
        spec, plate = _read(paths.plate.replace("####", f"{f.frame:04d}"))
        assert (spec.width, spec.height, spec.nchannels) == (160, 96, 3)
        assert str(spec.format) == "half" and spec.get_string_attribute("compression") == "zip"
        np.testing.assert_allclose(plate, f.plate_linear, rtol=2e-3, atol=1e-4)
        spec, alpha = _read(paths.alpha.replace("####", f"{f.frame:04d}"))
        assert tuple(spec.channelnames) == ("A",)
        np.testing.assert_array_equal(alpha[..., 0], f.alpha)   # float: exact ground truth
        spec, mask = _read(paths.mask.replace("####", f"{f.frame:04d}"))
        assert (spec.width, spec.height, spec.nchannels) == (80, 48, 1) and str(spec.format) == "uint8"
        np.testing.assert_allclose(mask[..., 0], f.rough_mask, atol=1e-6)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")], "no temp files left behind"
