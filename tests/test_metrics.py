"""Tests for videomama.metrics.

Expected values are worked out by hand in the comments (small arrays whose
entries are exact in float32 wherever possible) so that each test pins a
convention of RVM's evaluation scripts or of VideoMaMa's MAD-T, not merely
the current output of the code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from videomama import metrics as m
from videomama.errors import InputError


def soft_disk(h: int = 40, w: int = 48, cx: float = 20.0, cy: float = 18.0, r: float = 10.0, soft: float = 4.0):
    """A disk with a soft rim, quantised to 8 bits like a PNG matte."""
    yy, xx = np.mgrid[:h, :w]
    a = np.clip((r - np.hypot(xx - cx, yy - cy)) / soft + 0.5, 0.0, 1.0)
    return np.round(a * 255).astype(np.uint8)


# ------------------------------------------------------------------ MAD / MSE


def test_mad_and_mse_hand_computed():
    pred = np.array([[0.0, 0.5], [1.0, 0.25]])
    gt = np.array([[0.0, 0.0], [0.5, 0.75]])
    # |p - g| = 0, .5, .5, .5 -> mean .375 -> * 1e3 = 375
    assert m.mad(pred, gt) == pytest.approx(375.0, abs=1e-9)
    # (p - g)^2 = 0, .25, .25, .25 -> mean .1875 -> * 1e3 = 187.5
    assert m.mse(pred, gt) == pytest.approx(187.5, abs=1e-9)


# ------------------------------------------------------------------ Grad


def test_gauss_filter_matches_rvm_construction():
    fx, fy = m._gauss_filters(1.4)
    # half = ceil(1.4 * sqrt(-2 ln(sqrt(2 pi) * 1.4 * 0.01))) = ceil(3.62) = 4
    assert fx.shape == (9, 9)
    assert np.sum(fx**2) == pytest.approx(1.0)  # L2-normalised
    np.testing.assert_array_equal(fy, fx.T)
    # Gaussian down the rows (even in i), derivative along columns (odd in j,
    # negative to the right because G'(x) = -x G(x) / sigma^2).
    np.testing.assert_allclose(fx, fx[::-1, :])
    np.testing.assert_allclose(fx, -fx[:, ::-1])
    assert fx[4, 5] < 0 < fx[4, 3]
    # Separable: rank one.
    assert np.linalg.matrix_rank(fx) == 1


def test_gradient_error_vertical_step_edge_closed_form():
    # gt: 6 x 20, 0 left of column 10 and 1 from column 10; pred = 0 (zero
    # gradient).  The image is constant down the columns, so
    #   gy = sum_i G'(i) * const = 0
    #   gx(x) = (sum G / |G|) * (sum_{k: x+k >= 10} G'(k)) / |G'|
    # (the filter is G(i) G'(j) / (|G| |G'|)).  The edge is > 4 px from both
    # borders, so the replicated border never enters.
    # Grad = rows * sum_x gx(x)^2 / 1000.
    sigma, h = 1.4, 4
    k = np.arange(-h, h + 1)
    g = np.exp(-(k**2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))
    dg = -k * g / sigma**2
    scale = g.sum() / (np.linalg.norm(g) * np.linalg.norm(dg))
    gx = [scale * dg[(x + k) >= 10].sum() for x in range(20)]
    expected = 6 * sum(v * v for v in gx) / 1000

    gt = np.zeros((6, 20))
    gt[:, 10:] = 1.0
    assert m.gradient_error(np.zeros_like(gt), gt) == pytest.approx(expected, rel=1e-5)
    # The metric is symmetric in the sense that only |grad| differences count.
    assert m.gradient_error(gt, np.zeros_like(gt)) == pytest.approx(expected, rel=1e-5)


def test_gradient_error_normalises_the_alphas_not_the_gradients():
    gt = soft_disk().astype(np.float64) / 255
    half = gt * 0.5  # exact in float32: halving only changes the exponent
    # evaluate_lr.py min-max normalises both alphas to [0, 1] first, so a
    # prediction that is gt scaled by 0.5 has the same gradients after
    # normalisation -> 0.
    assert m.gradient_error(half, gt) == pytest.approx(0.0, abs=1e-9)
    # Without normalisation (evaluate_hr.py) |grad(0.5 g)| = 0.5 |grad g|, so
    # sum((|grad g| - 0.5 |grad g|)^2) = 0.25 * sum(|grad g|^2) = 0.25 * Grad(0, g).
    raw = m.gradient_error(half, gt, normalize=False)
    assert raw > 0
    assert raw == pytest.approx(0.25 * m.gradient_error(np.zeros_like(gt), gt, normalize=False), rel=1e-5)


def test_gradient_error_replicates_borders():
    # With replicated borders a constant image has zero gradient everywhere;
    # zero padding would create an edge along the frame border (an error of
    # about 0.4 here).  The bound allows for the float32 kernel not summing to
    # exactly zero.
    assert m.gradient_error(np.zeros((12, 12)), np.ones((12, 12)), normalize=False) < 1e-9


def test_gradient_error_rejects_unusable_sigma():
    with pytest.raises(InputError):
        m.gradient_error(np.zeros((4, 4)), np.zeros((4, 4)), sigma=0.0)
    with pytest.raises(InputError):
        m.gradient_error(np.zeros((4, 4)), np.zeros((4, 4)), sigma=50.0)


# ------------------------------------------------------------------ Conn


def test_connectivity_error_keeps_only_largest_component():
    # gt = 1 everywhere; every row of pred is [1, 1, 1, 0, 0.8].
    # At t = 0.1 .. 0.8 the intersection has components {cols 0-2} (9 px) and
    # {col 4} (3 px); the largest is cols 0-2.  So the level l is
    #   cols 0-2: never dropped -> 1;  cols 3 and 4: dropped at t=0.1 -> 0.
    # phi = 1 - d * (d >= .15), d = alpha - l:
    #   gt:   cols 0-2 d=0 -> 1;  cols 3,4 d=1 -> 0
    #   pred: cols 0-2 d=0 -> 1;  col 3 d=0 -> 1;  col 4 d=.8 -> .2
    # |phi_gt - phi_pred| per row = 1 + .2 = 1.2; 3 rows -> 3.6 / 1000.
    gt = np.ones((3, 5))
    pred = np.tile([1.0, 1.0, 1.0, 0.0, 0.8], (3, 1))
    assert m.connectivity_error(pred, gt) == pytest.approx(3.6e-3, rel=1e-6)


def test_connectivity_error_cutoff_and_round_down_level():
    # gt = 1, pred = .55 everywhere (2x2): the intersection is the whole image
    # up to t = .5 and empty at t = .6, so l = .5 for every pixel.
    #   gt: d = .5 >= .15 -> phi = .5;  pred: d = .05 < .15 -> phi = 1
    # 4 px * .5 = 2.0 -> 2e-3.
    assert m.connectivity_error(np.full((2, 2), 0.55), np.ones((2, 2))) == pytest.approx(2e-3, rel=1e-6)
    # pred = .65: l = .6, pred d = .05 -> phi 1; gt d = .4 -> phi .6
    # 4 px * .4 = 1.6 -> 1.6e-3.
    assert m.connectivity_error(np.full((2, 2), 0.65), np.ones((2, 2))) == pytest.approx(1.6e-3, rel=1e-6)


def test_connectivity_error_uses_4_connectivity():
    # gt = 1 everywhere; pred
    #   [[.85, 0, 0],
    #    [0,   1, 1],
    #    [0,   1, 1]]
    # 4-connected, (0,0) is its own 1-px component beside the 4-px block, so it
    # is dropped at t = .1 -> l = 0: gt phi = 0, pred d = .85 -> phi = .15,
    # error .15.  The four zeros: l = 0, gt phi 0, pred phi 1 -> 4.  Block: 0.
    # Total 4.15 -> 4.15e-3.  (8-connectivity would join (0,0) to the block,
    # give l = .8, pred d = .05 -> phi 1, gt phi .8 -> error .2, total 4.2e-3.)
    gt = np.ones((3, 3))
    pred = np.array([[0.85, 0, 0], [0, 1, 1], [0, 1, 1]])
    assert m.connectivity_error(pred, gt) == pytest.approx(4.15e-3, rel=1e-5)


def test_connectivity_error_thresholds_behave_like_rvm_float32():
    # np.arange(0, 1.1, .1)[6] is 0.6000000000000001.  RVM evaluates uint8/255
    # in float32, where 153/255 = 0.60000002 >= that threshold, so a uniform
    # pred of 153 survives t = .6 and gets l = .6:
    #   pred d ~ 0 -> phi 1;  gt d = .4 -> phi .6;  4 px * .4 = 1.6e-3.
    # (In float64, 153/255 == 0.6 < 0.6000000000000001 would give l = .5 and
    # 2.0e-3 instead.)
    gt = np.full((2, 2), 255, np.uint8)
    pred = np.full((2, 2), 153, np.uint8)
    assert m.connectivity_error(pred, gt) == pytest.approx(1.6e-3, rel=1e-5)
    assert m.connectivity_error(np.full((2, 2), 0.6), np.ones((2, 2))) == pytest.approx(1.6e-3, rel=1e-5)
    # The thresholds are compared in float32 too, as the NumPy of RVM's time
    # cast them to the array's dtype.  0.7 is stored as float32 0.69999999,
    # which is >= float32(0.7000000000000001) but < the float64 threshold.
    # float32 thresholds: l = .7, pred d = 0 -> phi 1, gt d = .3 -> .7: 4 * .3 = 1.2e-3
    # (float64 thresholds would give l = .6 and 4 * .4 = 1.6e-3.)
    assert m.connectivity_error(np.full((2, 2), 0.7), np.ones((2, 2))) == pytest.approx(1.2e-3, rel=1e-5)


def test_dtssd_hand_computed():
    # 2x2: pred changes by 1 at one pixel, gt does not change.
    # sum(((p - pp) - (g - gp))^2) = 1; / N = 4 -> .25; sqrt -> .5; * 100 = 50.
    zeros = np.zeros((2, 2))
    pred = np.array([[1.0, 0.0], [0.0, 0.0]])
    assert m.dtssd(pred, zeros, zeros, zeros) == pytest.approx(50.0, abs=1e-9)

    # 4x4: the temporal change differs by .5 at 4 pixels.
    # sum = 4 * .25 = 1; / 16 = .0625; sqrt = .25; * 100 = 25.
    pp = np.zeros((4, 4))
    gp = np.zeros((4, 4))
    g = np.full((4, 4), 0.25)
    p = g.copy()
    p[0, :] += 0.5
    assert m.dtssd(p, pp, g, gp) == pytest.approx(25.0, abs=1e-9)


def test_dtssd_zero_when_pred_and_gt_change_identically():
    # pred is wrong by a constant .25, but it changes exactly as gt does.
    gp = np.array([[0.0, 0.25], [0.5, 0.0]])
    g = np.array([[0.5, 0.5], [0.25, 0.75]])
    assert m.dtssd(gp + 0.25, g + 0.25, gp, g) == 0.0
    # Change one pixel's temporal difference by .5: sqrt(.25 / 4) * 100 = 25.
    p = g + 0.25
    p[1, 1] -= 0.5
    assert m.dtssd(p, gp + 0.25, g, gp) == pytest.approx(25.0, abs=1e-6)


# ------------------------------------------------------------------ MAD-T


def _band_columns(mask: np.ndarray) -> list[int]:
    return np.nonzero(mask.any(axis=0))[0].tolist()


@pytest.mark.parametrize("fg_on_right", [True, False])
def test_unknown_region_band_of_a_step_edge(fg_on_right):
    # Hard edge between columns 14 and 15.  The 10x10 ellipse anchored at
    # (5, 5) reaches 5 px left/up and 4 px right/down, so
    #   right-hand region (x >= 15) survives erosion only for x - 5 >= 15,
    #   left-hand region (x <= 14) only for x + 4 <= 14;
    # unknown = columns 11 .. 19: 9 columns, whichever side is foreground.
    gt = np.zeros((20, 30))
    gt[:, 15:] = 1.0
    if not fg_on_right:
        gt = 1.0 - gt
    u = m.unknown_region(gt)
    assert u.dtype == bool
    assert _band_columns(u) == list(range(11, 20))
    # The band spans every row: erode's default border does not eat the edges.
    assert u[:, 11:20].all()


def test_unknown_region_horizontal_edge_and_soft_pixels():
    gt = np.zeros((30, 12))
    gt[15:, :] = 1.0
    u = m.unknown_region(gt)
    assert np.nonzero(u.any(axis=1))[0].tolist() == list(range(11, 20))

    # Two soft columns (10, 11) between bg (x <= 9) and fg (x >= 12):
    #   fg eroded -> x >= 17; bg eroded -> x <= 5; unknown = 6 .. 16 (11 columns).
    soft = np.zeros((20, 30))
    soft[:, 10:12] = 0.5
    soft[:, 12:] = 1.0
    assert _band_columns(m.unknown_region(soft)) == list(range(6, 17))


def test_unknown_region_rounds_to_8_bits():
    # .999 * 255 = 254.7 -> 255: definite foreground; a frame of it has no band.
    assert not m.unknown_region(np.full((16, 16), 0.999)).any()
    # .997 * 255 = 254.2 -> 254: not definite -> all unknown.
    assert m.unknown_region(np.full((16, 16), 0.997)).all()


def test_mad_t_hand_computed_and_ignores_far_errors():
    gt = np.zeros((20, 30))
    gt[:, 15:] = 1.0  # band = columns 11..19, 20 * 9 = 180 px
    pred = gt.copy()
    pred[:, 13] = 0.5  # inside the band: 20 px with |diff| .5
    pred[:, 0] = 1.0  # far outside the band: must not count
    # sum |diff| over band = 20 * .5 = 10; / 180 px = .0555...; * 1e3
    assert m.mad_t(pred, gt) == pytest.approx(10 / 180 * 1e3, rel=1e-6)
    # Plain MAD sees both columns: (20 * .5 + 20 * 1) / 600 * 1e3 = 50.
    assert m.mad(pred, gt) == pytest.approx(50.0, rel=1e-6)


def test_mad_t_none_without_unknown_region():
    assert m.mad_t(np.zeros((12, 12)), np.ones((12, 12))) is None
    assert m.mad_t(np.ones((12, 12)), np.zeros((12, 12))) is None
    # An all-soft gt is all unknown, so MAD-T equals MAD.
    gt = np.full((8, 8), 0.5)
    pred = np.full((8, 8), 0.25)
    assert m.mad_t(pred, gt) == pytest.approx(m.mad(pred, gt)) == pytest.approx(250.0)


# ------------------------------------------------------------------ invariants


def test_identical_pred_and_gt_score_zero_everywhere():
    gt = soft_disk()
    prev = soft_disk(cx=21.0)
    assert m.unknown_region(gt).any()
    assert m.mad(gt, gt) == 0.0
    assert m.mse(gt, gt) == 0.0
    assert m.gradient_error(gt, gt) == 0.0
    assert m.connectivity_error(gt, gt) == 0.0
    assert m.dtssd(gt, prev, gt, prev) == 0.0
    assert m.mad_t(gt, gt) == 0.0
    seq = m.SequenceMetrics()
    seq.add(prev, prev)
    seq.add(gt, gt)
    s = seq.summary()
    assert s["frames"] == 2
    assert all(s[k] == 0.0 for k in m.SequenceMetrics.KEYS)


def test_uint8_inputs_equal_float_inputs():
    gt8 = soft_disk()
    rng = np.random.default_rng(3)
    pred8 = np.clip(gt8.astype(np.int16) + rng.integers(-40, 41, gt8.shape), 0, 255).astype(np.uint8)
    prev8 = np.roll(pred8, 1, axis=1)
    gprev8 = np.roll(gt8, 1, axis=0)
    gt, pred, prev, gprev = (a / 255.0 for a in (gt8, pred8, prev8, gprev8))

    assert m.mad(pred8, gt8) == m.mad(pred, gt) > 0
    assert m.mse(pred8, gt8) == m.mse(pred, gt) > 0
    assert m.gradient_error(pred8, gt8) == m.gradient_error(pred, gt) > 0
    assert m.connectivity_error(pred8, gt8) == m.connectivity_error(pred, gt) > 0
    assert m.dtssd(pred8, prev8, gt8, gprev8) == m.dtssd(pred, prev, gt, gprev) > 0
    assert m.mad_t(pred8, gt8) == m.mad_t(pred, gt) > 0
    np.testing.assert_array_equal(m.unknown_region(gt8), m.unknown_region(gt))
    # uint16 scales by 65535.
    assert m.mad(pred8.astype(np.uint16) * 257, gt8.astype(np.uint16) * 257) == pytest.approx(m.mad(pred, gt))


def test_as_alpha_conversions_and_validation():
    np.testing.assert_array_equal(m.as_alpha(np.array([[0, 51, 255]], np.uint8)), np.float32([[0, 0.2, 1]]))
    assert m.as_alpha(np.zeros((3, 4, 1))).shape == (3, 4)
    assert m.as_alpha(np.zeros((3, 4))).dtype == np.float32
    with pytest.raises(InputError):
        m.as_alpha(np.full((2, 2), 1.5))
    with pytest.raises(InputError):
        m.as_alpha(np.full((2, 2), np.nan))
    with pytest.raises(InputError):
        m.as_alpha(np.zeros((2, 2), np.int32))
    with pytest.raises(InputError):
        m.as_alpha(np.zeros((2, 2, 3)))
    with pytest.raises(InputError):
        m.mad(np.zeros((2, 2)), np.zeros((2, 3)))


# ------------------------------------------------------------------ SequenceMetrics


def test_sequence_metrics_average_like_rvm():
    rng = np.random.default_rng(7)
    gts = [soft_disk(cx=15.0 + 3 * t) for t in range(3)] + [np.full((40, 48), 255, np.uint8)]
    preds = [np.clip(g.astype(np.int16) + rng.integers(-30, 31, g.shape), 0, 255).astype(np.uint8) for g in gts]

    seq = m.SequenceMetrics()
    returned = [seq.add(p, g) for p, g in zip(preds, gts)]
    s = seq.summary()
    n = len(gts)
    assert s["frames"] == n
    assert set(s) == {"MAD", "MSE", "Grad", "Conn", "dtSSD", "MAD-T", "frames"}

    assert s["MAD"] == pytest.approx(np.mean([m.mad(p, g) for p, g in zip(preds, gts)]))
    assert s["MSE"] == pytest.approx(np.mean([m.mse(p, g) for p, g in zip(preds, gts)]))
    assert s["Grad"] == pytest.approx(np.mean([m.gradient_error(p, g) for p, g in zip(preds, gts)]))
    assert s["Conn"] == pytest.approx(np.mean([m.connectivity_error(p, g) for p, g in zip(preds, gts)]))
    # RVM appends 0 for the first frame and averages over all frames.
    pairs = [m.dtssd(preds[t], preds[t - 1], gts[t], gts[t - 1]) for t in range(1, n)]
    assert returned[0]["dtSSD"] == 0.0
    assert s["dtSSD"] == pytest.approx(sum(pairs) / n)
    assert s["dtSSD"] != pytest.approx(np.mean(pairs))
    # The all-foreground last frame has no unknown band: skipped, not scored 0.
    madt = [m.mad_t(p, g) for p, g in zip(preds, gts)]
    assert madt[-1] is None and returned[-1]["MAD-T"] is None
    assert s["MAD-T"] == pytest.approx(np.mean(madt[:-1]))
    # add() returns the frame's own scores.
    assert returned[1]["MAD"] == pytest.approx(m.mad(preds[1], gts[1]))


def test_sequence_metrics_keeps_its_own_copy_of_the_previous_frame():
    # A reader that refills one float32 buffer per frame must not corrupt dtSSD.
    buf_p = np.zeros((4, 4), np.float32)
    buf_g = np.zeros((4, 4), np.float32)
    seq = m.SequenceMetrics(conn=False)
    seq.add(buf_p, buf_g)
    buf_p[0, :] = 0.5  # 4 px change by .5 in pred only: sqrt(4 * .25 / 16) * 100 = 25
    frame = seq.add(buf_p, buf_g)
    assert frame["dtSSD"] == pytest.approx(25.0)
    assert math.isnan(seq.summary()["Conn"])


def test_sequence_metrics_empty_and_shape_change():
    s = m.SequenceMetrics().summary()
    assert s["frames"] == 0
    assert all(math.isnan(s[k]) for k in m.SequenceMetrics.KEYS)

    seq = m.SequenceMetrics()
    seq.add(np.zeros((4, 4)), np.zeros((4, 4)))
    with pytest.raises(InputError):
        seq.add(np.zeros((4, 5)), np.zeros((4, 5)))
    assert seq.frames == 1
