"""``classic``: the CPU backend that runs anywhere, the embedded default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ... import __version__
from ...errors import InputError
from ..base import Availability, BackendOption, StopToken, WindowInput
from .detail import detail_unknown
from .flow import FlowEstimator, grey_for_flow
from .snap import snap_masks
from .solve import solve_alpha
from .temporal import boundary_jitter, repair_masks, smooth_alphas
from .trimap import BACKGROUND, UNKNOWN, adaptive_band, make_trimap

# As fractions of the frame diagonal: flyaways reach about a tenth of it past
# the mask, rough masks take in up to 3% of it of dense hair, and strands
# (motion blur included) are followed up to half a percent of it wide, which
# is 11 px at 1080p, 3 px at 270p; wider, the plate's own texture starts to
# pass for strands.  Constants chosen with bench/quality.py.
_STRAND_REACH = 0.1
_STRAND_DEPTH = 0.03
_STRAND_WIDTH = 0.005
_STRAND_WIDTH_PX = (3, 11)


class ClassicBackend:
    identifier: ClassVar[str] = "classic"
    display_name: ClassVar[str] = "Classic (flow-repaired mask + closed-form matting, CPU)"
    options: ClassVar[tuple[BackendOption, ...]] = (
        BackendOption("band_outer_scale", 1.0, "widen (>1) or narrow (<1) the unknown band outside the mask"),
        BackendOption("band_inner_scale", 1.0, "widen or narrow the unknown band inside the mask"),
        BackendOption("repair_masks", True, "fix broken mask frames from their flow-warped neighbours"),
        BackendOption("snap_edges", True, "move the mask edge onto the plate's edge when the mask is too fat or thin"),
        BackendOption("thin_detail", True, "grow the band along strands (hair, fibres) the plate shows beyond it"),
        BackendOption("strand_width", 0, "widest strand in pixels that thin_detail follows; 0: from the frame size (3 to 11)"),
        BackendOption("temporal_smoothing", True, "average alpha with flow-warped neighbours in the band"),
        BackendOption("epsilon", 1e-5, "closed-form matting regulariser (larger = smoother alpha)"),
    )

    def __init__(
        self,
        band_outer_scale: float = 1.0,
        band_inner_scale: float = 1.0,
        repair_masks: bool = True,
        snap_edges: bool = True,
        thin_detail: bool = True,
        strand_width: int = 0,
        temporal_smoothing: bool = True,
        epsilon: float = 1e-5,
    ) -> None:
        if min(band_outer_scale, band_inner_scale, epsilon) <= 0 or strand_width < 0:
            raise InputError(
                "classic options out of range: band_outer_scale, band_inner_scale and epsilon must be "
                f"above 0 and strand_width 0 or more (got {band_outer_scale}, {band_inner_scale}, {epsilon}, {strand_width})"
            )
        self._outer = band_outer_scale
        self._inner = band_inner_scale
        self._repair = repair_masks
        self._snap = snap_edges
        self._detail = thin_detail
        self._strand_width = int(strand_width)
        self._smooth = temporal_smoothing
        self._epsilon = epsilon

    @classmethod
    def availability(cls, options: Mapping[str, Any] | None = None) -> Availability:
        return Availability(True)

    def describe(self) -> dict[str, str]:
        return {"backend": self.identifier, "model": "closed-form matting (pymatting)", "version": __version__}

    def matte(self, window: WindowInput, stop: StopToken) -> np.ndarray:
        count, height, width = window.masks.shape
        # 1. Motion between neighbouring frames, shared by every temporal step.
        flows = FlowEstimator([grey_for_flow(p) for p in window.plates], (height, width))
        stop.check()
        # 2. Repair broken mask frames, move their edges onto the plate's, then size
        #    the band by how much the edge still wanders.
        masks = repair_masks(window.masks, flows) if self._repair and count > 1 else window.masks
        if self._snap:
            masks = snap_masks(window.plates, masks, search=max(3, round(0.015 * np.hypot(height, width))))
        band = adaptive_band(boundary_jitter(masks, flows), height, width, self._outer, self._inner)
        stop.check()
        # 3. Closed-form matting inside each frame's band, grown along thin strands.
        alphas = np.empty_like(masks)
        unknown = np.empty(masks.shape, dtype=bool)
        for t in range(count):
            trimap = make_trimap(masks[t], band)
            if self._detail:
                trimap[self._strands(window.plates[t], masks[t], trimap)] = UNKNOWN
            unknown[t] = trimap == UNKNOWN
            alphas[t] = solve_alpha(window.plates[t], trimap, self._epsilon)
            stop.check()
        # 4. Temporal smoothing where alpha is uncertain.
        if self._smooth and count > 1:
            alphas = smooth_alphas(alphas, window.plates, unknown, flows)
        return np.clip(alphas, 0.0, 1.0)

    def _strands(self, plate: np.ndarray, mask: np.ndarray, trimap: np.ndarray) -> np.ndarray:
        diagonal = float(np.hypot(*mask.shape))
        width = self._strand_width or int(np.clip(round(_STRAND_WIDTH * diagonal), *_STRAND_WIDTH_PX))
        return detail_unknown(plate, mask, trimap == UNKNOWN, trimap == BACKGROUND, width=width,
                              reach=_STRAND_REACH * diagonal, depth=_STRAND_DEPTH * diagonal)
