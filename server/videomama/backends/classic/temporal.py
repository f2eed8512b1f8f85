"""Temporal steps: mask repair before matting, smoothing after it.

Both work on motion-compensated neighbours: frame t-1 and t+1 warped into
frame t's pixels with dense flow, so a moving subject lines up before frames
are compared or averaged.
"""

from __future__ import annotations

import numpy as np

from .flow import FlowEstimator, consistency, warp


def _warped_neighbours(
    stack: np.ndarray, t: int, flows: FlowEstimator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(neighbour warped into frame t, flow t->neighbour at full size) for t-1 and t+1."""
    out = []
    for n in (t - 1, t + 1):
        if 0 <= n < len(stack):
            flow = flows(t, n).at_full_size()
            out.append((warp(stack[n], flow), flow))
    return out


def repair_masks(masks: np.ndarray, flows: FlowEstimator) -> np.ndarray:
    """Fix frames whose mask is broken (holes, dropped frames) from their neighbours.

    A per-pixel median of (warped previous, current, warped next) keeps every
    pixel that at least two of the three frames agree on: a hole or a missing
    mask in one frame is filled, a good frame is left as it was.  The first and
    last frames have one neighbour; they take it only where the frame disagrees
    with it wholesale (a dropped or badly broken frame).
    """
    repaired = masks.copy()
    for t in range(len(masks)):
        neighbours = [image for image, _ in _warped_neighbours(masks, t, flows)]
        if len(neighbours) == 2:
            repaired[t] = np.median(np.stack([neighbours[0], masks[t], neighbours[1]]), axis=0)
        elif len(neighbours) == 1 and _iou(masks[t], neighbours[0]) < 0.7:
            repaired[t] = neighbours[0]
    return repaired


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0.5, b > 0.5
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def boundary_jitter(masks: np.ndarray, flows: FlowEstimator) -> float:
    """How far, in pixels, the mask edge wanders between frames after motion compensation.

    Area of disagreement between a mask and its warped neighbour divided by the
    edge length is the mean edge displacement.  A clean mask moves with the
    subject (near 0); a rough one (hand-drawn, low-res, re-segmented each frame)
    shifts by a few pixels, and its edge is probably that far off the truth.
    """
    samples = []
    for t in range(len(masks) - 1):
        flow = flows(t, t + 1).at_full_size()
        moved = warp(masks[t + 1], flow)
        edge = _edge_length(masks[t])
        if edge > 0:
            samples.append(float(np.abs(moved - masks[t]).sum()) / edge)
    return float(np.median(samples)) if samples else 0.0


def _edge_length(mask: np.ndarray) -> float:
    binary = mask > 0.5
    changes = np.count_nonzero(binary[1:, :] != binary[:-1, :]) + np.count_nonzero(
        binary[:, 1:] != binary[:, :-1]
    )
    # Counting pixel-edge crossings overestimates a diagonal edge's length by
    # up to sqrt(2); the average factor over directions is 4/pi.
    return changes * np.pi / 4.0


def smooth_alphas(
    alphas: np.ndarray,
    plates: np.ndarray,
    unknown: np.ndarray,
    flows: FlowEstimator,
    colour_sigma: float = 0.04,
) -> np.ndarray:
    """Average each frame's alpha with its warped neighbours inside the unknown band.

    A neighbour counts only where the flow is forward-backward consistent and
    the warped plate colour matches this frame's (so occlusions and flow errors
    do not smear the matte); the frame's own estimate keeps weight 1.  Outside
    the band alpha is already 0 or 1 and is left alone.
    """
    smoothed = alphas.copy()
    for t in range(len(alphas)):
        total = alphas[t].copy()
        weight = np.ones_like(alphas[t])
        for n in (t - 1, t + 1):
            if not 0 <= n < len(alphas):
                continue
            forward = flows(t, n).at_full_size()
            backward = flows(n, t).at_full_size()
            colour_error = ((warp(plates[n], forward) - plates[t]) ** 2).sum(axis=-1)
            w = consistency(forward, backward) * np.exp(-colour_error / (2.0 * colour_sigma**2))
            total += w * warp(alphas[n], forward)
            weight += w
        band = unknown[t]
        smoothed[t][band] = (total / weight)[band]
    return smoothed
