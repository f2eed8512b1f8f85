"""Alpha inside the unknown band: closed-form matting (Levin et al.) via pymatting.

Only the band's bounding box (plus a margin for the matting Laplacian's 3x3
windows to see known pixels) is handed to the solver, and pymatting builds the
Laplacian only for windows that touch unknown pixels, so the cost follows the
band's area, not the frame's.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading

import numpy as np

from .region import bounding_box
from .trimap import BACKGROUND, FOREGROUND, UNKNOWN

log = logging.getLogger(__name__)

_MARGIN = 4
_STDOUT_SWAP = threading.Lock()
_ICHOL_SHIFTS = (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0)


def _quiet_ichol(ichol, matrix):
    """pymatting's incomplete Cholesky, with its retry warnings sent to the log.

    pymatting ``print``s a "PERFORMANCE WARNING" to stdout each time a shift
    fails before a larger one works; that is routine for matting Laplacians and
    would litter CLI output and farm logs.  stdout is swapped only around this
    call, under a lock: the daemon runs CPU jobs in threads, and two
    overlapping swaps would leave stdout pointing at a dead buffer.
    """
    captured = io.StringIO()
    with _STDOUT_SWAP, contextlib.redirect_stdout(captured):
        factor = ichol(matrix, shifts=_ICHOL_SHIFTS)
    if captured.getvalue():
        log.debug("ichol needed a larger diagonal shift: %s", " ".join(captured.getvalue().split()))
    return factor


def solve_alpha(plate: np.ndarray, trimap: np.ndarray, epsilon: float = 1e-5) -> np.ndarray:
    """Alpha (H, W) float32: the trimap's known values, solved values in the band."""
    # Imported here: pymatting compiles with numba on first import (tens of
    # seconds once per environment), which listing backends must not pay.
    from pymatting import estimate_alpha_cf, ichol

    alpha = np.where(trimap >= FOREGROUND, 1.0, 0.0).astype(np.float32)
    box = bounding_box(trimap == UNKNOWN, _MARGIN)
    if box is None:
        return alpha
    crop_trimap = trimap[box].astype(np.float64)
    if not ((crop_trimap == FOREGROUND).any() and (crop_trimap == BACKGROUND).any()):
        # Matting interpolates between known foreground and background; without
        # both there is nothing to anchor it, so keep the mask's own values.
        alpha[box] = np.clip(crop_trimap, 0.0, 1.0)
        return alpha
    image = np.clip(plate[box], 0.0, 1.0).astype(np.float64)
    solved = estimate_alpha_cf(
        image,
        crop_trimap,
        # The preconditioner only steers convergence, not the answer.  Starting
        # the diagonal shift at 1e-4 skips the unshifted factorisation that the
        # matting Laplacian usually fails (pymatting then prints a warning to
        # stdout and retries), which also roughly halves the solve time.
        preconditioner=lambda matrix: _quiet_ichol(ichol, matrix),
        laplacian_kwargs={"epsilon": epsilon},
        cg_kwargs={"maxiter": 2000},
    )
    alpha[box] = np.clip(solved, 0.0, 1.0).astype(np.float32)
    return alpha
