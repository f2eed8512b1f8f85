"""Alpha-matte quality metrics for video matting, as the literature computes them.

The numbers this module produces are meant to be comparable, digit for digit,
with published video-matting tables.  Those tables (RVM, MatAnyone, VideoMaMa
and most work since) use the evaluation scripts of Robust Video Matting:
``evaluation/evaluate_lr.py`` (NumPy/OpenCV, all five metrics) and
``evaluation/evaluate_hr.py`` (PyTorch port of MAD/MSE/Grad/dtSSD for
1920x1080).  Every convention below is taken from those files and the class
named in brackets is the one it mirrors:

MAD   ``mean(|p - g|) * 1e3``                                   [MetricMAD]
MSE   ``mean((p - g)**2) * 1e3``                                [MetricMSE]
Grad  ``sum((|grad g| - |grad p|)**2) / 1e3`` where ``|grad x|`` is the
      magnitude of a separable Gaussian-derivative filter (sigma 1.4) applied
      to the *min-max normalised* alpha                          [MetricGRAD]
Conn  connectivity error of Rhemann et al. with thresholds every 0.1, 4-connected
      largest component, phi cut-off 0.15, ``/ 1e3``           [MetricCONN]
dtSSD ``sqrt(sum(((p_t - p_t-1) - (g_t - g_t-1))**2) / N) * 1e2`` with N the
      pixel count; the first frame of a clip scores 0 and still counts in the
      per-clip average                                           [MetricDTSSD]

MAD-T is VideoMaMa's boundary metric (supplement, Algorithm 1): MAD restricted
to the unknown band of a trimap derived from the 8-bit ground truth.  Its
reference code is not public; this module follows the algorithm as written.

Numeric representation.  RVM reads 8-bit PNGs and evaluates on
``float32 = uint8 / 255``.  That matters for Conn: its thresholds come from
``np.arange(0, 1.1, 0.1)``, whose 7th entry is 0.6000000000000001, and the
alpha 153/255 is exactly 0.6 in float64 (below the threshold) but 0.60000002
in float32 (above it).  Every input is therefore converted to float32 first
(:func:`as_alpha`), element-wise work happens in float32 as in RVM (Conn's
thresholds included: the NumPy RVM was written for cast a float64 scalar to
the float32 array's dtype, whereas NumPy 2 would compare in float64), and only
the reductions (means and sums) accumulate in float64 so that a 2-megapixel
frame does not lose digits.  The reductions differ from RVM's float32 sums by
rounding noise (~1e-6 relative) and nothing else.

All per-frame functions take ``(H, W)`` alphas; ``(H, W, 1)`` is accepted
and squeezed.  Floating inputs must lie in [0, 1]; uint8 and uint16 are
scaled by 255 and 65535.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from videomama.errors import InputError

__all__ = [
    "as_alpha",
    "mad",
    "mse",
    "gradient_error",
    "connectivity_error",
    "dtssd",
    "unknown_region",
    "mad_t",
    "SequenceMetrics",
]

# VideoMaMa supplement, Algorithm 1: the trimap's definite regions are eroded by
# a 10x10 ellipse.  OpenCV's 10x10 ellipse anchored at its centre (5, 5)
# reaches 5 pixels towards the top/left and 4 towards the bottom/right, so the
# unknown band of a straight edge is 4 + 5 = 9 pixels wide.
_MADT_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (10, 10))


# --------------------------------------------------------------------------- input


def as_alpha(array: np.ndarray, name: str = "alpha") -> np.ndarray:
    """Return ``array`` as a float32 ``(H, W)`` alpha in [0, 1].

    uint8 is divided by 255 exactly as RVM does
    (``cv2.imread(...).astype(np.float32) / 255`` in ``evaluate_lr.py``);
    uint16 is divided by 65535.  Floating arrays are cast to float32 and must
    be finite and inside [0, 1]: the thresholded metrics (Conn, MAD-T) are
    defined only on that range, and silently clipping an out-of-range matte
    would hide a pipeline bug rather than measure it.

    Raises:
        InputError: wrong rank, unsupported dtype, NaN/inf, or values outside
            [0, 1].
    """
    a = np.asarray(array)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim != 2:
        raise InputError(f"{name} must be a single-channel (H, W) image, got shape {a.shape}")
    # OpenCV wants contiguous buffers; a squeezed or sliced view is not one.
    a = np.ascontiguousarray(a)
    if a.dtype == np.uint8:
        return a.astype(np.float32) / np.float32(255)
    if a.dtype == np.uint16:
        return a.astype(np.float32) / np.float32(65535)
    if not np.issubdtype(a.dtype, np.floating):
        raise InputError(f"{name} must be float in [0, 1], uint8 or uint16, got dtype {a.dtype}")
    a = a.astype(np.float32, copy=False)
    if a.size:
        lo, hi = float(a.min()), float(a.max())  # NaN propagates through min/max
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputError(f"{name} contains NaN or infinite values")
        if lo < 0.0 or hi > 1.0:
            raise InputError(f"{name} must lie in [0, 1], got values in [{lo:g}, {hi:g}]")
    return a


def _pair(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert a prediction/ground-truth pair and check that their shapes agree."""
    p = as_alpha(pred, "pred")
    g = as_alpha(gt, "gt")
    if p.shape != g.shape:
        raise InputError(f"pred shape {p.shape} does not match gt shape {g.shape}")
    if p.size == 0:
        raise InputError("alpha images must not be empty")
    return p, g


# ---------------------------------------------------------------- per-frame metrics


def mad(pred: np.ndarray, gt: np.ndarray) -> float:
    """Mean absolute difference, scaled by 1e3 (RVM ``MetricMAD``)."""
    p, g = _pair(pred, gt)
    return _mad(p, g)


def _mad(p: np.ndarray, g: np.ndarray) -> float:
    return float(np.abs(p - g).mean(dtype=np.float64) * 1e3)


def mse(pred: np.ndarray, gt: np.ndarray) -> float:
    """Mean squared difference, scaled by 1e3 (RVM ``MetricMSE``)."""
    p, g = _pair(pred, gt)
    return _mse(p, g)


def _mse(p: np.ndarray, g: np.ndarray) -> float:
    d = p - g
    return float(np.mean(d * d, dtype=np.float64) * 1e3)


@functools.lru_cache(maxsize=8)
def _gauss_filters(sigma: float, epsilon: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """First-derivative-of-Gaussian filters as RVM's ``MetricGRAD.gauss_filter`` builds them.

    The half size is the radius at which the 1-D Gaussian density falls to
    ``epsilon`` (``ceil(sigma * sqrt(-2 ln(sqrt(2 pi) sigma epsilon)))``, 4 for
    sigma 1.4, so a 9x9 kernel).  ``filter_x[i, j] = G(i - h) * G'(j - h)``
    (Gaussian down the rows, derivative along the columns), then the kernel is
    divided by its L2 norm; ``filter_y`` is its transpose.
    """
    arg = math.sqrt(2.0 * math.pi) * sigma * epsilon
    if not (sigma > 0.0) or arg >= 1.0:
        # arg >= 1 makes the log non-negative: the kernel size formula has no
        # real solution (sigma above ~39.9 for epsilon 1e-2).
        raise InputError(f"sigma must be in (0, {1.0 / (math.sqrt(2.0 * math.pi) * epsilon):.1f}), got {sigma}")
    half = math.ceil(sigma * math.sqrt(-2.0 * math.log(arg)))
    x = np.arange(-half, half + 1, dtype=np.float64)
    gauss = np.exp(-(x**2) / (2.0 * sigma**2)) / (sigma * math.sqrt(2.0 * math.pi))
    dgauss = -x * gauss / sigma**2
    filter_x = np.outer(gauss, dgauss)
    filter_x /= math.sqrt(float((filter_x**2).sum()))
    filter_y = np.ascontiguousarray(filter_x.T)
    filter_x.flags.writeable = False
    filter_y.flags.writeable = False
    return filter_x, filter_y


def _minmax_normalise(a: np.ndarray) -> np.ndarray:
    """``cv2.normalize(a, out, 1., 0., cv2.NORM_MINMAX)`` as used by RVM's LR Grad.

    OpenCV maps [min, max] onto [0, 1] and maps a constant image (range below
    DBL_EPSILON) to all zeros; we do the same.  A constant image has zero
    gradient either way, so the zero case only has to be well defined.
    """
    lo, hi = float(a.min()), float(a.max())
    if hi - lo <= np.finfo(np.float64).eps:
        return np.zeros_like(a)
    return ((a - lo) * (1.0 / (hi - lo))).astype(np.float32)


def _gauss_gradient_magnitude(a: np.ndarray, sigma: float) -> np.ndarray:
    filter_x, filter_y = _gauss_filters(float(sigma))
    # cv2.filter2D correlates (no kernel flip) with replicated borders, exactly
    # as RVM's gauss_gradient; kornia's filter2D in evaluate_hr.py is also a
    # correlation.  A flip would only negate these odd kernels anyway, which
    # leaves the magnitude unchanged.
    gx = cv2.filter2D(a, -1, filter_x, borderType=cv2.BORDER_REPLICATE)
    gy = cv2.filter2D(a, -1, filter_y, borderType=cv2.BORDER_REPLICATE)
    return np.sqrt(gx * gx + gy * gy)


def gradient_error(pred: np.ndarray, gt: np.ndarray, sigma: float = 1.4, *, normalize: bool = True) -> float:
    """Gradient error, ``sum((|grad gt| - |grad pred|)**2) / 1e3`` (RVM ``MetricGRAD``).

    The gradient magnitude is ``sqrt(fx**2 + fy**2)`` of the alpha filtered with
    the first-derivative-of-Gaussian kernels of :func:`_gauss_filters`
    (sigma 1.4, L2-normalised, replicated borders).

    Normalisation: ``evaluate_lr.py`` min-max normalises the *alpha images*
    (not the gradient magnitudes) to [0, 1] with ``cv2.normalize(...,
    NORM_MINMAX)`` before filtering; ``evaluate_hr.py`` does not normalise.
    The default follows the LR (NumPy) reference; pass ``normalize=False`` for
    the HR behaviour.  The two agree whenever both mattes reach 0 and 1.
    """
    p, g = _pair(pred, gt)
    return _grad(p, g, sigma, normalize)


def _grad(p: np.ndarray, g: np.ndarray, sigma: float, normalize: bool) -> float:
    if normalize:
        p, g = _minmax_normalise(p), _minmax_normalise(g)
    d = _gauss_gradient_magnitude(g, sigma) - _gauss_gradient_magnitude(p, sigma)
    return float(np.sum(d * d, dtype=np.float64) / 1000.0)


def connectivity_error(pred: np.ndarray, gt: np.ndarray, step: float = 0.1) -> float:
    """Connectivity error (Rhemann et al. 2009) as RVM's ``MetricCONN`` computes it, ``/ 1e3``.

    For each threshold ``t_i`` of ``np.arange(0, 1 + step, step)`` after 0,
    ``omega_i`` is the largest 4-connected component (``cv2.connectedComponents
    WithStats(..., connectivity=4)``) of ``(gt >= t_i) & (pred >= t_i)``.  A
    pixel's level ``l`` is ``t_{i-1}`` for the first ``i`` at which it falls
    outside ``omega_i``, or 1 if it never does.  With ``d = alpha - l``,
    ``phi = 1 - d * (d >= 0.15)``; the error is ``sum(|phi_gt - phi_pred|)``.

    The comparisons run in float32 with float32 thresholds, which is what RVM's
    float32 images and the NumPy of its time did (see the module docstring).
    Ties for the largest component go to the lowest label, i.e. the component
    met first in raster order, as ``np.argmax`` over OpenCV's stats does.
    """
    if not (0.0 < step <= 1.0):
        raise InputError(f"step must be in (0, 1], got {step}")
    p, g = _pair(pred, gt)
    return _conn(p, g, step)


def _conn(p: np.ndarray, g: np.ndarray, step: float) -> float:
    thresholds = np.arange(0, 1 + step, step).astype(np.float32)
    level = np.ones_like(g)  # pixels never dropped keep level 1, as RVM's final fill does
    undecided = np.ones(g.shape, dtype=bool)
    for i in range(1, len(thresholds)):
        t = thresholds[i]
        intersection = ((g >= t) & (p >= t)).view(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(intersection, connectivity=4)
        if n > 1:
            # Label 0 is the background; +1 converts the argmax back to a label.
            largest = int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) + 1
            omega = labels == largest
        else:
            omega = np.zeros(g.shape, dtype=bool)
        dropped = undecided & ~omega
        level[dropped] = thresholds[i - 1]
        undecided &= omega
        if not undecided.any():
            break  # later thresholds cannot change any level
    cut = np.float32(0.15)
    d_g = g - level
    d_p = p - level
    phi_g = 1 - d_g * (d_g >= cut)
    phi_p = 1 - d_p * (d_p >= cut)
    return float(np.abs(phi_g - phi_p).sum(dtype=np.float64) / 1000.0)


def dtssd(pred: np.ndarray, pred_prev: np.ndarray, gt: np.ndarray, gt_prev: np.ndarray) -> float:
    """Temporal error between consecutive frames, ``* 1e2`` (RVM ``MetricDTSSD``).

    ``sqrt(sum(((p_t - p_{t-1}) - (g_t - g_{t-1}))**2) / N) * 1e2`` where N is
    the number of pixels (``true_t.size`` in RVM): a root-mean-square over
    pixels, not a plain SSD.  For a clip's first frame RVM records 0; see
    :class:`SequenceMetrics`.
    """
    p, g = _pair(pred, gt)
    pp, gp = _pair(pred_prev, gt_prev)
    if pp.shape != p.shape:
        raise InputError(f"previous frame shape {pp.shape} does not match current {p.shape}")
    return _dtssd(p, pp, g, gp)


def _dtssd(p: np.ndarray, pp: np.ndarray, g: np.ndarray, gp: np.ndarray) -> float:
    d = (p - pp) - (g - gp)
    return float(math.sqrt(np.sum(d * d, dtype=np.float64) / g.size) * 1e2)


def unknown_region(gt: np.ndarray) -> np.ndarray:
    """Boolean mask of the unknown band MAD-T is measured on (VideoMaMa supp., Alg. 1).

    ``g8 = round(gt * 255)``; foreground is ``g8 == 255`` and background
    ``g8 == 0``; each is eroded once with the 10x10 OpenCV ellipse; the
    unknown region is every pixel in neither eroded set.  ``cv2.erode``'s
    default border leaves pixels at the image edge un-eroded, so a matte that
    is entirely foreground has no unknown region.
    """
    g = as_alpha(gt, "gt")
    return _unknown_region(g)


def _unknown_region(g: np.ndarray) -> np.ndarray:
    g8 = np.rint(g * np.float32(255))  # round half to even; 8-bit inputs are exact integers here
    fg = cv2.erode((g8 == 255).view(np.uint8), _MADT_KERNEL)
    bg = cv2.erode((g8 == 0).view(np.uint8), _MADT_KERNEL)
    return (fg == 0) & (bg == 0)


def mad_t(pred: np.ndarray, gt: np.ndarray) -> float | None:
    """MAD over the :func:`unknown_region` of ``gt``, ``* 1e3``; ``None`` if it is empty.

    A frame without an unknown band (e.g. the object is absent) has no
    boundary to measure, so it is skipped rather than scored 0: scoring it 0
    would reward clips by how many empty frames they contain.
    """
    p, g = _pair(pred, gt)
    return _mad_t(p, g)


def _mad_t(p: np.ndarray, g: np.ndarray) -> float | None:
    unknown = _unknown_region(g)
    if not unknown.any():
        return None
    return float(np.abs(p[unknown] - g[unknown]).mean(dtype=np.float64) * 1e3)


# ---------------------------------------------------------------- sequence average


class SequenceMetrics:
    """Streaming per-clip averages of all metrics, in constant memory.

    Feed frames in order with :meth:`add`; only the previous (pred, gt) pair is
    kept, for dtSSD.  :meth:`summary` returns the per-frame means the way RVM's
    ``evaluate_*.py`` average a clip:

    * MAD, MSE, Grad, Conn: mean over all frames.
    * dtSSD: the first frame contributes 0 (``if i == 0: append(0)``) and is
      counted, so the mean is ``sum over t >= 1 / frames``.
    * MAD-T: mean over the frames that have an unknown region (see
      :func:`mad_t`); NaN if none did.

    With no frames every value is NaN.  Aggregating several clips is the
    caller's job; note that RVM's spreadsheet averages across clips per frame
    index first and then over frame indices, which equals the per-clip mean
    only when all clips have the same length.

    Args:
        sigma: Gaussian sigma for Grad.
        step: threshold step for Conn.
        conn: compute Conn (the slowest metric).  When False, "Conn" is NaN;
            RVM's HR evaluation omits Conn as well.
        grad_normalize: see :func:`gradient_error`.
    """

    KEYS = ("MAD", "MSE", "Grad", "Conn", "dtSSD", "MAD-T")

    def __init__(self, sigma: float = 1.4, step: float = 0.1, *, conn: bool = True, grad_normalize: bool = True):
        _gauss_filters(float(sigma))  # validate now, not on the first frame
        if not (0.0 < step <= 1.0):
            raise InputError(f"step must be in (0, 1], got {step}")
        self._sigma = float(sigma)
        self._step = float(step)
        self._conn = conn
        self._grad_normalize = grad_normalize
        self._sums = {k: 0.0 for k in self.KEYS}
        self._madt_frames = 0
        self._frames = 0
        self._prev: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def frames(self) -> int:
        """Number of frames added so far."""
        return self._frames

    def add(self, pred: np.ndarray, gt: np.ndarray) -> dict[str, float | None]:
        """Score one frame, fold it into the averages and return its own scores.

        The returned dict has the summary keys; "dtSSD" is 0.0 on the first
        frame, "MAD-T" is None when the frame has no unknown region and
        "Conn" is NaN when Conn is disabled.

        Raises:
            InputError: bad input, or a frame whose size differs from the
                previous one (dtSSD needs aligned frames).
        """
        p, g = _pair(pred, gt)
        if self._prev is not None and self._prev[0].shape != p.shape:
            raise InputError(f"frame {self._frames} has shape {p.shape}, previous frames had {self._prev[0].shape}")
        frame: dict[str, float | None] = {
            "MAD": _mad(p, g),
            "MSE": _mse(p, g),
            "Grad": _grad(p, g, self._sigma, self._grad_normalize),
            "Conn": _conn(p, g, self._step) if self._conn else math.nan,
            "dtSSD": 0.0 if self._prev is None else _dtssd(p, self._prev[0], g, self._prev[1]),
            "MAD-T": _mad_t(p, g),
        }
        for key in ("MAD", "MSE", "Grad", "Conn", "dtSSD"):
            self._sums[key] += frame[key]
        if frame["MAD-T"] is not None:
            self._sums["MAD-T"] += frame["MAD-T"]
            self._madt_frames += 1
        self._frames += 1
        # as_alpha may hand back the caller's own float32 buffer; copy so that a
        # caller refilling that buffer with the next frame cannot corrupt dtSSD.
        self._prev = (p.copy(), g.copy())
        return frame

    def summary(self) -> dict[str, float | int]:
        """Per-frame averages under the keys "MAD", "MSE", "Grad", "Conn", "dtSSD", "MAD-T", plus "frames"."""
        n = self._frames
        out: dict[str, float | int] = {
            key: (self._sums[key] / n if n else math.nan) for key in ("MAD", "MSE", "Grad", "Conn", "dtSSD")
        }
        if not self._conn:
            out["Conn"] = math.nan
        out["MAD-T"] = self._sums["MAD-T"] / self._madt_frames if self._madt_frames else math.nan
        out["frames"] = n
        return out
