"""Thin detail beyond the band: strands grow the unknown region, grain and strays do not."""

import cv2
import numpy as np
import pytest

from videomama.backends.base import StopToken, WindowInput
from videomama.backends.classic.backend import ClassicBackend
from videomama.backends.classic.detail import clean_behind, detail_unknown
from videomama.backends.classic.trimap import BACKGROUND, UNKNOWN, Band, make_trimap
from videomama.errors import InputError

H, W = 160, 240
CENTRE, RADIUS = (80, 80), 30


def smooth_background(seed=3):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((H, W, 3)).astype(np.float32), (0, 0), 8) * 0.4 + 0.2


def subject_with_strand(strand_start=(110, 80), strand_end=(200, 60), width=1):
    """(plate, true alpha, solid-subject mask): a disc and a 1 px strand leaving it."""
    body = np.zeros((H, W), np.uint8)
    cv2.circle(body, CENTRE, RADIUS, 1, -1)
    strand = np.zeros((H, W), np.uint8)
    cv2.line(strand, strand_start, strand_end, 1, width)
    alpha = np.maximum(body, 0.8 * strand).astype(np.float32)
    colour = np.float32([0.95, 0.85, 0.3])
    plate = smooth_background() * (1 - alpha[..., None]) + colour * alpha[..., None]
    return plate, alpha, body.astype(np.float32)


def outside_distance(mask):
    return cv2.distanceTransform((mask < 0.5).astype(np.uint8), cv2.DIST_L2, 5)


def trimap_for(mask):
    return make_trimap(mask, Band(inner=3.0, outer=6.0))


def test_the_clean_plate_removes_a_thin_strand_and_keeps_the_background():
    plate, alpha, mask = subject_with_strand()
    behind = clean_behind(plate, 7)
    # Where the strand meets the body the body is behind it: look past that.
    strand_px = (alpha > 0) & (alpha < 1) & (outside_distance(mask) > 10)
    background = smooth_background()
    assert np.abs(behind - background)[strand_px].max() < 0.08    # strand gone
    far = cv2.dilate((alpha > 0).astype(np.uint8), np.ones((15, 15), np.uint8)) == 0
    assert np.abs(behind - background)[far].max() < 0.01         # background kept


def test_a_strand_leaving_the_subject_joins_the_unknown_band_far_past_it():
    plate, alpha, mask = subject_with_strand()
    trimap = trimap_for(mask)
    added = detail_unknown(plate, mask, trimap == UNKNOWN, trimap == BACKGROUND, width=7, reach=150, depth=10)
    strand_px = (alpha > 0) & (alpha < 1)
    outside = outside_distance(mask)
    far_strand = strand_px & (outside > 20)       # well past the 6 px band
    assert (added & far_strand).sum() > 0.9 * far_strand.sum()
    # Only the strand and its 1 px rim: the rest of the background stays known.
    rim = cv2.dilate(strand_px.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert not (added & ~rim).any()


def test_a_strand_not_touching_the_subject_and_one_beyond_reach_stay_background():
    plate, alpha, mask = subject_with_strand(strand_start=(150, 20), strand_end=(230, 20))
    trimap = trimap_for(mask)
    added = detail_unknown(plate, mask, trimap == UNKNOWN, trimap == BACKGROUND, width=7, reach=150, depth=10)
    assert not added.any()
    plate, alpha, mask = subject_with_strand()
    added = detail_unknown(plate, mask, trimap == UNKNOWN, trimap == BACKGROUND, width=7, reach=40, depth=10)
    outside = outside_distance(mask)
    assert added.any() and not (added & (outside > 42)).any()


def test_grain_does_not_grow_the_band_over_the_background():
    plate, _, mask = subject_with_strand(strand_start=(0, 0), strand_end=(0, 0))   # no strand
    grain = np.random.default_rng(7).normal(0, 0.03, plate.shape).astype(np.float32)
    trimap = trimap_for(mask)
    added = detail_unknown(plate + grain, mask, trimap == UNKNOWN, trimap == BACKGROUND, width=7, reach=150, depth=10)
    assert added.sum() < 0.01 * (trimap == BACKGROUND).sum()


def test_the_matte_follows_the_strand_only_with_thin_detail_on():
    plate, alpha, mask = subject_with_strand()
    window = WindowInput((1,), plate[None], mask[None])
    outside = outside_distance(mask)
    # Past the backend's band (3 px here), well within its reach (a tenth of the
    # diagonal, 28 px; where reach cuts the strand the solver anchors it to 0,
    # so the matte fades towards that cut).
    far_strand = (alpha > 0) & (alpha < 1) & (outside > 8) & (outside < 16)
    with_detail = ClassicBackend().matte(window, StopToken())[0]
    without = ClassicBackend(thin_detail=False).matte(window, StopToken())[0]
    assert without[far_strand].mean() < 0.05
    assert with_detail[far_strand].mean() > 0.35


def test_strands_a_loose_mask_swallowed_join_the_band_but_texture_deep_inside_does_not():
    plate, alpha, body = subject_with_strand()
    # A striped shirt: thin dark lines across the whole body.
    stripes = np.zeros((H, W), bool)
    stripes[:, ::6] = True
    plate[stripes & (body > 0)] *= 0.3
    loose = np.zeros((H, W), np.uint8)
    cv2.circle(loose, CENTRE, RADIUS + 15, 1, -1)   # drawn 15 px loose
    loose = loose.astype(np.float32)
    trimap = trimap_for(loose)
    added = detail_unknown(plate, loose, trimap == UNKNOWN, trimap == BACKGROUND, width=7, reach=150, depth=20)
    inside = cv2.distanceTransform((loose > 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    swallowed = (alpha > 0) & (alpha < 1) & (inside > 4) & (inside < 14)
    assert swallowed.any() and (added & swallowed).sum() > 0.8 * swallowed.sum()
    assert not (added & (inside > 22)).any()   # depth plus the 1 px rim


def test_options_out_of_range_are_refused_with_their_names():
    for bad in ({"strand_width": -1}, {"epsilon": 0}, {"band_outer_scale": -2}):
        with pytest.raises(InputError, match="classic options out of range"):
            ClassicBackend(**bad)
