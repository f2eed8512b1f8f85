"""``classic``: the CPU backend that runs anywhere, the embedded default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ... import __version__
from ..base import Availability, BackendOption, StopToken, WindowInput
from .flow import FlowEstimator, grey_for_flow
from .snap import snap_masks
from .solve import solve_alpha
from .temporal import boundary_jitter, repair_masks, smooth_alphas
from .trimap import UNKNOWN, adaptive_band, make_trimap


class ClassicBackend:
    identifier: ClassVar[str] = "classic"
    display_name: ClassVar[str] = "Classic (flow-repaired mask + closed-form matting, CPU)"
    options: ClassVar[tuple[BackendOption, ...]] = (
        BackendOption("band_outer_scale", 1.0, "widen (>1) or narrow (<1) the unknown band outside the mask"),
        BackendOption("band_inner_scale", 1.0, "widen or narrow the unknown band inside the mask"),
        BackendOption("repair_masks", True, "fix broken mask frames from their flow-warped neighbours"),
        BackendOption("snap_edges", True, "move the mask edge onto the plate's edge when the mask is too fat or thin"),
        BackendOption("temporal_smoothing", True, "average alpha with flow-warped neighbours in the band"),
        BackendOption("epsilon", 1e-5, "closed-form matting regulariser (larger = smoother alpha)"),
    )

    def __init__(
        self,
        band_outer_scale: float = 1.0,
        band_inner_scale: float = 1.0,
        repair_masks: bool = True,
        snap_edges: bool = True,
        temporal_smoothing: bool = True,
        epsilon: float = 1e-5,
    ) -> None:
        self._outer = band_outer_scale
        self._inner = band_inner_scale
        self._repair = repair_masks
        self._snap = snap_edges
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
        # 3. Closed-form matting inside each frame's band.
        alphas = np.empty_like(masks)
        unknown = np.empty(masks.shape, dtype=bool)
        for t in range(count):
            trimap = make_trimap(masks[t], band)
            unknown[t] = trimap == UNKNOWN
            alphas[t] = solve_alpha(window.plates[t], trimap, self._epsilon)
            stop.check()
        # 4. Temporal smoothing where alpha is uncertain.
        if self._smooth and count > 1:
            alphas = smooth_alphas(alphas, window.plates, unknown, flows)
        return np.clip(alphas, 0.0, 1.0)
