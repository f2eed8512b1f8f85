"""Edge-aware upsampling of a low-resolution alpha, guided by the full-resolution plate.

When the model ran below plate resolution, bilinear upsampling would blur
every edge by the scale factor.  The fast guided filter (He and Sun, 2015)
instead fits, in each small low-resolution neighbourhood, alpha as a linear
function of the plate's colour; those coefficients are smooth, so they are
upsampled and applied to the full-resolution plate, whose edges the alpha
then follows.  Colour (not grey) guidance separates subjects from
backgrounds of equal brightness.
"""

from __future__ import annotations

import cv2
import numpy as np

# In low-resolution pixels: the neighbourhood over which alpha is fitted to colour.
DEFAULT_RADIUS = 2
# Regularises the fit: larger keeps more of the model's own alpha, smaller
# follows plate edges more closely.  For colours in [0, 1].
DEFAULT_EPS = 1e-4


def guided_upsample(
    alpha: np.ndarray, guide: np.ndarray, radius: int = DEFAULT_RADIUS, eps: float = DEFAULT_EPS
) -> np.ndarray:
    """``alpha`` (h, w) brought to the guide's size (H, W) along the guide's (H, W, 3) edges."""
    height, width = guide.shape[:2]
    low_h, low_w = alpha.shape
    guide = np.clip(guide, 0.0, 1.0).astype(np.float32)
    if (low_h, low_w) == (height, width):
        return alpha.astype(np.float32)

    # 1. The guide at alpha's resolution, as the model saw the plate.
    guide_low = cv2.resize(guide, (low_w, low_h), interpolation=cv2.INTER_AREA)  # (h, w, 3)
    p = alpha.astype(np.float32)

    # 2. Local linear fit alpha ~ a . I + b over each (2r+1)^2 window.
    def mean(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)

    mean_i = mean(guide_low)  # (h, w, 3)
    mean_p = mean(p)  # (h, w)
    cov_ip = mean(guide_low * p[..., None]) - mean_i * mean_p[..., None]  # (h, w, 3)
    # The colour covariance is symmetric: its 6 distinct entries, box-filtered in one call.
    pairs = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    products = np.stack([guide_low[..., i] * guide_low[..., j] for i, j in pairs], axis=-1)  # (h, w, 6)
    second = mean(products)
    cov = [second[..., k] - mean_i[..., i] * mean_i[..., j] for k, (i, j) in enumerate(pairs)]
    a = _solve_symmetric_3x3(*cov, cov_ip, eps)  # (h, w, 3)
    b = mean_p - np.einsum("hwc,hwc->hw", a, mean_i)  # (h, w)

    # 3. Smooth the coefficients, bring them to full resolution, apply to the plate.
    mean_a = cv2.resize(mean(a), (width, height), interpolation=cv2.INTER_LINEAR)  # (H, W, 3)
    mean_b = cv2.resize(mean(b), (width, height), interpolation=cv2.INTER_LINEAR)  # (H, W)
    return np.clip(np.einsum("hwc,hwc->hw", mean_a, guide) + mean_b, 0.0, 1.0).astype(np.float32)


def _solve_symmetric_3x3(
    rr: np.ndarray, rg: np.ndarray, rb: np.ndarray, gg: np.ndarray, gb: np.ndarray, bb: np.ndarray,
    rhs: np.ndarray, eps: float,
) -> np.ndarray:
    """Solve (cov + eps I) x = rhs at every pixel, by cofactors.

    Ten times faster than ``np.linalg.solve`` on millions of 3x3 systems,
    and exact enough: eps keeps every system well conditioned.
    """
    rr, gg, bb = rr + eps, gg + eps, bb + eps
    # Cofactors of the symmetric matrix [[rr, rg, rb], [rg, gg, gb], [rb, gb, bb]].
    c_rr = gg * bb - gb * gb
    c_rg = rb * gb - rg * bb
    c_rb = rg * gb - rb * gg
    c_gg = rr * bb - rb * rb
    c_gb = rg * rb - rr * gb
    c_bb = rr * gg - rg * rg
    inv_det = 1.0 / (rr * c_rr + rg * c_rg + rb * c_rb)
    x, y, z = rhs[..., 0], rhs[..., 1], rhs[..., 2]
    return np.stack(
        [
            (c_rr * x + c_rg * y + c_rb * z) * inv_det,
            (c_rg * x + c_gg * y + c_gb * z) * inv_det,
            (c_rb * x + c_gb * y + c_bb * z) * inv_det,
        ],
        axis=-1,
    )
