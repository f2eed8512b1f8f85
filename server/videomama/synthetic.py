"""Procedural matting clips with exact ground truth.

Tests, benchmarks and ``videomama demo`` need plates whose true alpha is known
and which are hard in the ways real plates are: a textured moving background,
a deforming subject, sub-pixel hair, a semi-transparent veil, motion blur and
highlights above 1.0, plus rough masks that look like a roto artist's or a
segmenter's (offset, polygonal, low resolution, occasionally broken).

Every frame is a box-filtered shutter: ``motion_blur_samples`` sub-frames are
rendered, each composited as ``I = P + (1 - a) * B`` in scene-linear light
(``P`` premultiplied foreground), and averaged.  Alpha is averaged the same
way, so plate and ground truth agree exactly; the blurred plate is *not*
``alpha * F + (1 - alpha) * mean(B)`` for any single F, which is the point.

All random choices come from ``numpy.random.default_rng(seed)`` in
``SyntheticClip.__init__`` (or from ``(seed, index)`` for per-frame defects),
so frame ``i`` renders identically whatever was rendered before it.  Lengths
are fractions of the plate height, so a 160x96 clip is a small copy of a
1920x1080 one; hair widths stay in pixels because sub-pixel is the point.
"""

from __future__ import annotations

import colorsys
import math
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .errors import InputError
from .sequences.image_write import write_image


@dataclass(frozen=True)
class ClipSpec:
    """What to render.  ``frames`` frames numbered from ``first_frame``."""

    width: int = 1920
    height: int = 1080
    frames: int = 48
    first_frame: int = 1001
    seed: int = 0
    motion_blur_samples: int = 5   # sub-frames averaged per frame (1 = no blur)
    shutter: float = 0.5           # open fraction of a frame interval; 0.5 = 180 degrees
    hair_strands: int = 400
    mask_scale: float = 0.5        # rough-mask size relative to the plate
    mask_roughness: float = 1.0    # scales dilate/erode amplitude and polygon epsilon; 0 = clean
    mask_defects: bool = True      # a hole on a few frames and an empty mask on a few others

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16:
            raise InputError(f"synthetic clip must be at least 16x16, got {self.width}x{self.height}")
        if self.frames < 1 or self.motion_blur_samples < 1 or self.hair_strands < 0:
            raise InputError("frames and motion_blur_samples must be >= 1, hair_strands >= 0")
        if not 0.0 <= self.shutter <= 1.0 or not 0.0 < self.mask_scale <= 1.0 or self.mask_roughness < 0:
            raise InputError("shutter must be in [0, 1], mask_scale in (0, 1], mask_roughness >= 0")

    @property
    def mask_size(self) -> tuple[int, int]:
        """(width, height) of the rough masks."""
        return max(8, round(self.width * self.mask_scale)), max(8, round(self.height * self.mask_scale))

    @property
    def last_frame(self) -> int:
        return self.first_frame + self.frames - 1


@dataclass(frozen=True, eq=False)
class Frame:
    frame: int                 # frame number (first_frame + index)
    plate_linear: np.ndarray   # (H, W, 3) float32, scene-linear
    alpha: np.ndarray          # (H, W) float32 ground truth in [0, 1]
    rough_mask: np.ndarray     # (h, w) float32 in [0, 1] at ClipSpec.mask_size
    mask_defect: str | None    # None, "hole" or "empty"


@dataclass(frozen=True)
class ClipPaths:
    plate: str   # e.g. /dir/plate.####.exr
    alpha: str
    mask: str
    first: int
    last: int


# ----------------------------------------------------------------- helpers

def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _interp_matrix(n: int, g: int) -> np.ndarray:
    """(n, g) weights resampling g periodic lattice values to n pixels (smoothstep)."""
    pos = (np.arange(n) + 0.5) * (g / n)
    i0 = np.floor(pos).astype(np.int64)
    s = _smoothstep(0.0, 1.0, pos - i0)
    m = np.zeros((n, g), np.float32)
    np.add.at(m, (np.arange(n), i0 % g), 1.0 - s)
    np.add.at(m, (np.arange(n), (i0 + 1) % g), s)
    return m


def _noise(rng: np.random.Generator, h: int, w: int, cells: float, octaves: int) -> np.ndarray:
    """Unit-variance fractal value noise that tiles with period (h, w).

    Separable lattice interpolation is two matrix products, so a 1080p field
    costs milliseconds, and the exact period lets the background pan forever
    with a wrapping warp instead of a texture sized to the whole move.
    """
    out = np.zeros((h, w), np.float32)
    for k in range(octaves):
        gx = int(min(w, max(2, round(cells * 2**k))))
        gy = int(min(h, max(2, round(cells * 2**k * h / w))))
        lattice = rng.standard_normal((gy, gx)).astype(np.float32)
        out += 0.5**k * (_interp_matrix(h, gy) @ lattice @ _interp_matrix(w, gx).T)
    return out / max(float(out.std()), 1e-6)


def _palette(rng: np.random.Generator, n: int) -> np.ndarray:
    hue0 = rng.uniform()
    cols = [colorsys.hsv_to_rgb((hue0 + rng.normal(0, 0.15) + 0.5 * (i % 2)) % 1.0,
                                rng.uniform(0.2, 0.7), rng.uniform(0.35, 0.9)) for i in range(n)]
    return np.asarray(cols, np.float32)


def _shift(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Translate a tileable image by (dx, dy) pixels with wrap-around (bilinear)."""
    h, w = img.shape[:2]
    m = np.float32([[1, 0, -(dx % w)], [0, 1, -(dy % h)]])
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_WRAP)


def _ellipse_sdf(x, y, rx, ry):
    # Quilez's first-order ellipse distance: exact on the boundary, which is
    # all the analytic anti-aliasing needs; 1e-9 guards the centre.
    k0 = np.sqrt((x / rx) ** 2 + (y / ry) ** 2)
    k1 = np.sqrt((x / rx**2) ** 2 + (y / ry**2) ** 2)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def _smin(a, b, k):
    """Polynomial smooth union: merges head, neck and torso without creases."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b + (a - b) * h - k * h * (1.0 - h)


# ----------------------------------------------------------------- the clip

class SyntheticClip:
    """A deterministic procedural clip; ``render(index)`` for index in [0, frames)."""

    def __init__(self, spec: ClipSpec) -> None:
        self.spec = spec
        self._u = float(spec.height)   # length unit of all subject geometry
        # One child stream per part, so changing how one part draws its random
        # numbers does not reshuffle the others for the same seed.
        streams = np.random.default_rng(spec.seed).spawn(4)
        self._build_background(streams[0])
        self._build_subject(streams[1])
        self._build_hair(streams[2])
        self._build_mask_plan(streams[3])

    # -- construction ---------------------------------------------------------
    def _build_background(self, rng: np.random.Generator) -> None:
        h, w, u = self.spec.height, self.spec.width, self._u
        pal = _palette(rng, 5)
        big, mid, fine = _noise(rng, h, w, 3, 4), _noise(rng, h, w, 8, 3), _noise(rng, h, w, 40, 3)
        col = pal[0] + (pal[1] - pal[0]) * (0.5 + 0.5 * np.tanh(1.5 * big))[..., None]
        col += (pal[2] - col) * (0.8 * _smoothstep(0.3, 1.2, mid))[..., None]
        # Integer stripe frequencies keep the texture tileable; the noise warp
        # bends them so they read as structure, not a test pattern.
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        kx, ky = int(rng.integers(3, 9)), int(rng.integers(-4, 5))
        phase = 2 * np.pi * (kx * xx / w + ky * yy / h) + 2.0 * mid
        col += (pal[3] - col) * (0.6 * _smoothstep(0.55, 0.8, 0.5 + 0.5 * np.sin(phase)))[..., None]
        col *= (0.85 + 0.15 * np.tanh(fine))[..., None]
        far = _srgb_to_linear(col)
        # Practical lights: small spots well above 1.0, as in real plates.
        for _ in range(7):
            cy, cx, sig = rng.uniform(0, h), rng.uniform(0, w), max(1.2, u * rng.uniform(0.003, 0.01))
            r = int(4 * sig) + 1
            ys, xs = np.arange(int(cy) - r, int(cy) + r + 1), np.arange(int(cx) - r, int(cx) + r + 1)
            g = np.exp(-((ys[:, None] + 0.5 - cy) ** 2 + (xs[None, :] + 0.5 - cx) ** 2) / (2 * sig * sig))
            tint = np.float32([1.0, rng.uniform(0.7, 1.0), rng.uniform(0.4, 0.9)])
            far[np.ix_(ys % h, xs % w)] += rng.uniform(1.5, 4.0) * g[..., None] * tint
        # Near layer: defocused foreground shapes moving with parallax.  Its
        # edge is placed in pixels via the noise gradient so it stays ~2 px soft.
        shape = _noise(rng, h, w, 2.5, 3)
        gy, gx = np.gradient(shape)
        dist = (shape - np.quantile(shape[::4, ::4], 0.72)) / np.maximum(np.hypot(gx, gy), 1e-6)
        near_a = np.clip(0.5 + dist / (2 * max(1.0, 0.003 * u)), 0, 1).astype(np.float32)
        near_rgb = _srgb_to_linear(pal[4] * 0.6 * (0.75 + 0.25 * np.tanh(mid))[..., None])
        self._far = np.ascontiguousarray(far)
        self._near = np.ascontiguousarray(np.dstack([near_rgb * near_a[..., None], near_a]))
        ang = rng.uniform(0, 2 * np.pi)
        self._pan = 0.003 * w * np.array([math.cos(ang), math.sin(ang)])
        self._shake = (0.0015 * w, 2 * np.pi / rng.uniform(9, 15), rng.uniform(0, 2 * np.pi, 2))

    def _build_subject(self, rng: np.random.Generator) -> None:
        u = self._u
        # Python floats, not NumPy scalars: under NEP 50 a float64 scalar
        # would silently promote every float32 per-pixel array to float64.
        hs, ts = (float(v) for v in rng.uniform(0.9, 1.1, 2))
        # A bust: head, neck, a wide flat shoulder ellipse and a chest that
        # runs off the bottom of frame, as in most matting shots.
        self._head = (0.0, -0.2 * u, 0.095 * u * hs, 0.115 * u * hs)
        self._neck = (-0.12 * u, 0.1 * u, 0.05 * u)
        self._shoulders = (0.14 * u, 0.27 * u * ts, 0.1 * u)
        self._chest = (0.4 * u, 0.22 * u * ts, 0.32 * u)
        self._k = 0.05 * u
        self._wob = tuple(float(v) for v in (0.007 * u, 2 * np.pi / (0.3 * u), 2 * np.pi / rng.uniform(20, 40),
                                             *rng.uniform(0, 6.3, 3)))
        # Curved path (a Lissajous figure) with gentle rotation and scale, in
        # frames, so speed does not depend on how long the clip is.
        w1 = 2 * np.pi / rng.uniform(60, 90)
        self._path = (rng.uniform(0.08, 0.12), 0.05, w1, rng.uniform(0, 6.3, 4),
                      2 * np.pi / rng.uniform(30, 50), 2 * np.pi / rng.uniform(25, 45))
        side = rng.choice([-1.0, 1.0])
        vcx, vcy, vrx, vry = side * 0.26 * u, 0.1 * u, 0.14 * u, 0.1 * u   # over one shoulder
        wob = self._wob[0] + 3
        half = max(self._shoulders[1], self._chest[1]) * 1.1
        x0, x1 = min(-half, vcx - vrx * 1.05) - wob, max(half, vcx + vrx * 1.05) + wob
        y0 = self._head[1] - self._head[3] * 1.1 - wob
        y1 = self._chest[0] + self._chest[2] * 1.1 + wob
        self._tex_origin = (x0, y0)
        tw, th = int(math.ceil(x1 - x0)) + 1, int(math.ceil(y1 - y0)) + 1
        yy, xx = np.mgrid[0:th, 0:tw].astype(np.float32)
        X, Y = xx + x0, yy + y0
        d_skin, d_torso = self._parts(X, Y, 1.0)
        skin = _smoothstep(-0.01 * u, 0.01 * u, d_torso - d_skin)[..., None]
        tone = rng.uniform()
        skin_rgb = np.float32([0.95, 0.75, 0.62]) * (1 - tone) + np.float32([0.45, 0.3, 0.22]) * tone
        cloth = _palette(rng, 2)
        period, ang = u * rng.uniform(0.03, 0.06), rng.uniform(0, np.pi)
        stripes = _smoothstep(0.3, 0.7, 0.5 + 0.5 * np.sin(2 * np.pi * (X * math.cos(ang) + Y * math.sin(ang)) / period))
        n = _noise(rng, th, tw, 6, 3)
        cloth_rgb = cloth[0] + (cloth[1] - cloth[0]) * stripes[..., None]
        srgb = (skin * skin_rgb + (1 - skin) * cloth_rgb) * (0.9 + 0.1 * np.tanh(n))[..., None]
        # Rounded-form shading and a key light from one side, then a specular
        # spot on the head so the subject, too, has values above 1.
        d = _smin(d_skin, d_torso, self._k)
        shade = (0.45 + 0.55 * np.sqrt(np.clip(-d / (0.08 * u), 0, 1))) * np.clip(0.85 - 0.3 * X / u, 0.5, 1.2)
        rgb = _srgb_to_linear(srgb) * shade[..., None]
        hx, hy = self._head[0] - 0.35 * self._head[2], self._head[1] - 0.4 * self._head[3]
        rgb += 1.2 * np.exp(-((X - hx) ** 2 + (Y - hy) ** 2) / (2 * (0.02 * u) ** 2))[..., None]
        # Veil: soft-edged ellipse, alpha graded across it and broken by noise.
        rot = rng.uniform(-0.4, 0.4)
        vx = (X - vcx) * math.cos(rot) + (Y - vcy) * math.sin(rot)
        vy = -(X - vcx) * math.sin(rot) + (Y - vcy) * math.cos(rot)
        a_lo, a_hi = rng.uniform(0.3, 0.4), rng.uniform(0.45, 0.55)
        grad = a_lo + (a_hi - a_lo) * np.clip(0.5 + side * vx / (2 * vrx), 0, 1)
        veil = grad * _smoothstep(1.0, 0.6, np.hypot(vx / vrx, vy / vry)) * (1 + 0.1 * np.tanh(n))
        veil[veil < 1e-3] = 0.0   # no 1e-13 smoothstep tails in the ground truth
        self._tex = np.ascontiguousarray(np.dstack([rgb, np.clip(veil, 0, 0.6)]).astype(np.float32))
        self._veil_rgb = _srgb_to_linear(np.float32([0.8, 0.85, 0.9]) * rng.uniform(0.8, 1.1))

    def _build_hair(self, rng: np.random.Generator) -> None:
        n, u = self.spec.hair_strands, self._u
        hx, hy, hrx, hry = self._head
        ang = rng.uniform(-np.pi + 0.25, -0.25, n)             # top and sides of the head
        root = np.stack([hx + 0.92 * hrx * np.cos(ang), hy + 0.92 * hry * np.sin(ang)], 1)
        nrm = np.stack([np.cos(ang) / hrx, np.sin(ang) / hry], 1)
        nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
        turn = rng.normal(0, 0.25, n)
        dx = nrm[:, 0] * np.cos(turn) - nrm[:, 1] * np.sin(turn)
        dy = nrm[:, 0] * np.sin(turn) + nrm[:, 1] * np.cos(turn)
        length = u * np.clip(rng.lognormal(np.log(0.08), 0.4, n), 0.03, 0.18)
        width, shade = rng.uniform(0.3, 1.5, n), rng.uniform(0.6, 1.6, n)
        self._hair_rgb = _srgb_to_linear(_palette(rng, 1)[0] * np.float32([1.0, 0.8, 0.6]))
        # Each strand is sampled every ~0.5 px of arc length; its parameters are
        # expanded per sample once here so a render only does arithmetic.
        counts = np.maximum(4, np.ceil(length * 1.3 / 0.5)).astype(np.int64)
        sid = np.repeat(np.arange(n), counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        self._hu = (np.arange(counts.sum()) - starts) / np.repeat(counts - 1, counts)
        self._strand = {k: v[sid] for k, v in dict(
            rx=root[:, 0], ry=root[:, 1], dx=dx * length, dy=dy * length, nx=-dy, ny=dx,
            curl=rng.normal(0, 0.25, n) * length, droop=0.3 * length * np.abs(np.cos(ang)),
            sway=rng.uniform(0.03, 0.1, n) * length, rate=2 * np.pi / rng.uniform(8, 20, n),
            phase=rng.uniform(0, 6.3, n)).items()}
        self._hseg = np.nonzero(np.diff(sid) == 0)[0]   # sample k -> k+1 is a segment
        # Segment width in px at scale 1, tapering towards the tip; brightness.
        self._seg_w = width[sid[self._hseg]] * (1 - 0.6 * self._hu[self._hseg])
        self._seg_shade = shade[sid[self._hseg]]

    def _build_mask_plan(self, rng: np.random.Generator) -> None:
        mw, mh = self.spec.mask_size
        self._mask_r = self.spec.mask_roughness * max(1.0, 0.004 * max(mw, mh))
        self._mask_eps = self.spec.mask_roughness * max(0.7, 0.0025 * max(mw, mh))
        self._mask_speck = max(4.0, (0.015 * max(mw, mh)) ** 2)
        self._mask_wave = (rng.uniform(-0.3, 0.3), 2 * np.pi / rng.uniform(15, 30), *rng.uniform(0, 6.3, 2))
        self.defects: dict[int, str] = {}
        if self.spec.mask_defects and self.spec.frames >= 3:
            order = rng.permutation(np.arange(1, self.spec.frames))   # frame 0 stays a clean anchor
            n_hole, n_empty = max(1, self.spec.frames // 24), max(1, self.spec.frames // 48)
            self.defects.update({int(i): "hole" for i in order[:n_hole]})
            self.defects.update({int(i): "empty" for i in order[n_hole:n_hole + n_empty]})

    # -- per sub-frame geometry ------------------------------------------------
    def _pose(self, tau: float) -> tuple[float, float, float, float]:
        ax, ay, w1, ph, w3, w4 = self._path
        cx = self.spec.width * (0.5 + ax * math.sin(w1 * tau + ph[0]))
        cy = self.spec.height * (0.5 + ay * math.sin(2 * w1 * tau + ph[1]))
        return cx, cy, 0.09 * math.sin(w3 * tau + ph[2]), 1.0 + 0.07 * math.sin(w4 * tau + ph[3])

    def _hair_at(self, tau: float) -> tuple[np.ndarray, float]:
        """Hair sample positions (2, N) in pixels at ``tau``, and the subject scale."""
        pose, s, u = self._pose(tau), self._strand, self._hu
        # Straight along its direction, bent sideways by curl + sway and down by droop.
        bend = (s["curl"] + s["sway"] * np.sin(s["rate"] * tau + s["phase"])) * u * u
        qx = s["rx"] + s["dx"] * u + s["nx"] * bend
        qy = s["ry"] + s["dy"] * u + s["ny"] * bend + s["droop"] * u * u
        return self._to_pixels(qx, qy, pose), pose[3]

    @staticmethod
    def _to_pixels(qx, qy, pose) -> np.ndarray:
        cx, cy, th, sc = pose
        c, s = math.cos(th), math.sin(th)
        return np.stack([cx + sc * (c * qx - s * qy), cy + sc * (s * qx + c * qy)])

    def _body_sdf(self, qx: np.ndarray, qy: np.ndarray, tau: float) -> np.ndarray:
        # A slow domain warp deforms the silhouette over time, so the subject
        # changes shape rather than only moving.
        amp, f, wt, p0, p1, p2 = self._wob
        wx = qx + amp * np.sin(f * qy + wt * tau + p0)
        wy = qy + amp * np.sin(f * qx + 1.3 * wt * tau + p1)
        breathe = 1.0 + 0.025 * math.sin(0.7 * wt * tau + p2)
        return _smin(*self._parts(wx, wy, breathe), self._k)

    def _parts(self, x, y, breathe: float) -> tuple[np.ndarray, np.ndarray]:
        """Signed distances (local px) to the skin (head + neck) and the torso."""
        hx, hy, hrx, hry = self._head
        y0, y1, nr = self._neck
        skin = _smin(_ellipse_sdf(x - hx, y - hy, hrx, hry), np.hypot(x, y - np.clip(y, y0, y1)) - nr, self._k)
        (sy, srx, sry), (cy, crx, cry) = self._shoulders, self._chest
        torso = _smin(_ellipse_sdf(x, y - sy, srx * breathe, sry * breathe),
                      _ellipse_sdf(x, y - cy, crx * breathe, cry), self._k)
        return skin, torso

    def _subject(self, tau: float, pose, hair: list, box) -> tuple[np.ndarray, np.ndarray]:
        """(alpha, premultiplied rgb) of the subject inside ``box`` at time ``tau``."""
        x0, y0, x1, y1 = box
        bw, bh = x1 - x0, y1 - y0
        cx, cy, th, sc = pose
        c, s = math.cos(th), math.sin(th)
        px = (np.arange(x0, x1, dtype=np.float32) + 0.5 - cx)[None, :]
        py = (np.arange(y0, y1, dtype=np.float32) + 0.5 - cy)[:, None]
        qx, qy = (c * px + s * py) / sc, (c * py - s * px) / sc
        # Analytic anti-aliasing: coverage of a pixel by an edge ~ 0.5 - distance.
        a_body = np.clip(0.5 - self._body_sdf(qx, qy, tau) * sc, 0, 1)
        tx, ty = self._tex_origin
        tex = cv2.remap(self._tex, (qx - tx).astype(np.float32), (qy - ty).astype(np.float32),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        prem = a_body[..., None] * tex[..., :3]
        # Hair: splat each ~0.5 px segment's area (width x length) bilinearly;
        # summed coverage is the strand alpha, so thin strands stay faint.
        # ``hair`` holds (points, scale) at one or more instants of this sub-frame.
        sg = self._hseg
        if len(sg) and hair:
            shade = np.tile(self._seg_shade, len(hair))
            mid = np.concatenate([0.5 * (p[:, sg] + p[:, sg + 1]) for p, _ in hair], axis=1)
            area = np.concatenate([self._seg_w * k * np.hypot(*(p[:, sg + 1] - p[:, sg])) for p, k in hair]) / len(hair)
            # Accumulate on the hair's own sub-box (within the box) plus a 2 px
            # apron; clamping throws points beyond the frame edge into the
            # apron, which is then dropped.
            fx, fy = mid[0] - 0.5 - x0, mid[1] - 0.5 - y0
            hx0, hy0 = (int(np.clip(np.floor(v.min()), 0, n)) for v, n in ((fx, bw), (fy, bh)))
            hx1, hy1 = (int(np.clip(np.floor(v.max()) + 2, 0, n)) for v, n in ((fx, bw), (fy, bh)))
            hw, hh = hx1 - hx0, hy1 - hy0
            gw, gh = hw + 4, hh + 4
            j, i = np.clip(np.floor(fx) - hx0, -2, hw), np.clip(np.floor(fy) - hy0, -2, hh)
            ax, ay = np.clip(fx - hx0 - j, 0, 1), np.clip(fy - hy0 - i, 0, 1)
            i00 = ((i + 2) * gw + j + 2).astype(np.int64)
            idx = np.concatenate([i00, i00 + 1, i00 + gw, i00 + gw + 1])
            wt = np.concatenate([(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay]) * np.tile(area, 4)
            cov = np.bincount(idx, wt, gh * gw).reshape(gh, gw)[2:-2, 2:-2].astype(np.float32)
            lit = np.bincount(idx, wt * np.tile(shade, 4), gh * gw).reshape(gh, gw)[2:-2, 2:-2].astype(np.float32)
            a_hair = np.minimum(cov, 1.0)
            # Strand colours are one hue at per-strand brightness, so a
            # coverage-weighted brightness gives the blended hair colour.
            lit *= a_hair / np.maximum(cov, 1e-12)
            sub = (slice(hy0, hy1), slice(hx0, hx1))
            prem[sub] *= (1 - a_hair)[..., None]
            prem[sub] += lit[..., None] * self._hair_rgb
            a_body[sub] += a_hair * (1 - a_body[sub])
        a_veil = tex[..., 3]
        prem *= (1 - a_veil)[..., None]
        prem += a_veil[..., None] * self._veil_rgb
        a_body += a_veil * (1 - a_body)
        return a_body, prem

    def _background(self, tau: float) -> np.ndarray:
        amp, rate, ph = self._shake
        sx, sy = amp * math.sin(rate * tau + ph[0]), amp * math.sin(1.37 * rate * tau + ph[1])
        far = _shift(self._far, self._pan[0] * tau + sx, self._pan[1] * tau + sy)
        near = _shift(self._near, 2.5 * self._pan[0] * tau + sx, 2.5 * self._pan[1] * tau + sy)
        return near[..., :3] + (1 - near[..., 3:]) * far

    # -- frames -----------------------------------------------------------------
    def render(self, index: int) -> Frame:
        sp = self.spec
        if not 0 <= index < sp.frames:
            raise InputError(f"frame index {index} outside 0..{sp.frames - 1}")
        n = sp.motion_blur_samples
        taus = index + sp.shutter * ((np.arange(n) + 0.5) / n - 0.5)
        poses = [self._pose(float(t)) for t in taus]
        # A thin strand strobes into parallel copies when it travels further
        # than its width between sub-frames; hair is cheap to splat, so it
        # gets extra instants, about 0.5 px of travel apart (at most 8 each).
        m = 1
        if n > 1 and sp.shutter > 0 and len(self._hseg):
            (p0, _), (p1, _) = self._hair_at(index - sp.shutter / 2), self._hair_at(index + sp.shutter / 2)
            m = int(np.clip(np.ceil(float(np.hypot(*(p1 - p0)).max()) / (0.5 * n)), 1, 8))
        step = sp.shutter / (n * m)
        hairs = [[self._hair_at(float(t + step * (k - (m - 1) / 2))) for k in range(m)] for t in taus]
        # The subject is rendered only inside the union of its sub-frame boxes.
        (tx, ty), (th, tw) = self._tex_origin, self._tex.shape[:2]
        corners = [self._to_pixels(np.array([tx, tx + tw, tx, tx + tw]), np.array([ty, ty, ty + th, ty + th]), p)
                   for p in poses]
        pts = np.concatenate(corners + [p for h in hairs for p, _ in h], axis=1)
        x0, y0 = (max(0, int(np.floor(v)) - 2) for v in pts.min(axis=1))
        x1, y1 = min(sp.width, int(np.ceil(pts[0].max())) + 2), min(sp.height, int(np.ceil(pts[1].max())) + 2)
        plate = np.zeros((sp.height, sp.width, 3), np.float32)
        alpha = np.zeros((sp.height, sp.width), np.float32)
        inside = x1 > x0 and y1 > y0
        for tau, pose, hair in zip(taus, poses, hairs):
            bg = self._background(float(tau))
            if inside:
                a, prem = self._subject(float(tau), pose, hair, (x0, y0, x1, y1))
                crop = bg[y0:y1, x0:x1]
                crop *= (1 - a)[..., None]
                crop += prem
                alpha[y0:y1, x0:x1] += a
            plate += bg
        plate /= n
        alpha = np.clip(alpha / n, 0, 1)
        kind = self.defects.get(index)
        return Frame(sp.first_frame + index, plate, alpha, self._rough_mask(alpha, index, kind), kind)

    def _rough_mask(self, alpha: np.ndarray, index: int, kind: str | None) -> np.ndarray:
        mw, mh = self.spec.mask_size
        if kind == "empty":
            return np.zeros((mh, mw), np.float32)
        binary = (cv2.resize(alpha, (mw, mh), interpolation=cv2.INTER_AREA) > 0.5).astype(np.uint8)
        mask = binary * np.uint8(255)
        if self.spec.mask_roughness > 0 and binary.any():
            # Smooth, signed offset in time: masks breathe in and out by a few px.
            bias, rate, p0, p1 = self._mask_wave
            r = self._mask_r * (bias + 0.6 * math.sin(rate * index + p0) + 0.4 * math.sin(2.7 * rate * index + p1))
            din = cv2.distanceTransform(binary, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            dout = cv2.distanceTransform(1 - binary, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            # +0.5: the anti-aliased polygon below passes through boundary pixel
            # centres, which would otherwise erode half a pixel.
            offset = ((np.where(binary > 0, 0.5 - din, dout - 0.5)) < r + 0.5).astype(np.uint8)
            # Roto and segmenters alike drop specks (stray hair tufts, bits of veil).
            _, labels, stats, _ = cv2.connectedComponentsWithStats(offset, connectivity=8)
            specks = np.nonzero(stats[1:, cv2.CC_STAT_AREA] < self._mask_speck)[0] + 1
            if len(specks):
                offset[np.isin(labels, specks)] = 0
            # Trace on a 1 px replicated border so edges touching the frame stay
            # solid: the anti-aliased fill is half-on along its own outline.
            offset = cv2.copyMakeBorder(offset, 1, 1, 1, 1, cv2.BORDER_REPLICATE)
            contours, _ = cv2.findContours(offset, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
            mask = np.zeros_like(offset)
            if contours:   # even-odd fill keeps inner contours as holes
                cv2.fillPoly(mask, [cv2.approxPolyDP(c, self._mask_eps, True) for c in contours], 255, cv2.LINE_AA)
            mask = np.ascontiguousarray(mask[1:-1, 1:-1])
        if kind == "hole":
            din = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            if din.max() >= 2:
                rng = np.random.default_rng([self.spec.seed, index, 1])
                ys, xs = np.nonzero(din >= 0.6 * din.max())
                k = int(rng.integers(len(ys)))
                rad = 0.7 * float(din[ys[k], xs[k]])
                box = ((float(xs[k]), float(ys[k])), (2 * rad, 2 * rad * rng.uniform(0.5, 1.0)), rng.uniform(0, 180))
                cv2.ellipse(mask, box, 0, -1, cv2.LINE_AA)
        return mask.astype(np.float32) / 255.0


def render_clip_arrays(spec: ClipSpec) -> Iterator[Frame]:
    """Every frame of ``spec`` in order."""
    clip = SyntheticClip(spec)
    for i in range(spec.frames):
        yield clip.render(i)


# ----------------------------------------------------------------- writing

def write_clip(spec: ClipSpec, directory: str | os.PathLike) -> ClipPaths:
    """Render ``spec`` into ``directory`` as plate/alpha EXRs and 8-bit mask PNGs.

    plate.####.exr: half RGB scene-linear; alpha.####.exr: float "A" (ground
    truth, full precision); mask.####.png: 8-bit grey at ``spec.mask_size``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)

    def save(f: Frame) -> None:
        write_image(str(out / f"plate.{f.frame:04d}.exr"), f.plate_linear, ("R", "G", "B"), pixel_type="half")
        write_image(str(out / f"alpha.{f.frame:04d}.exr"), f.alpha, ("A",), pixel_type="float")
        # Mask values are exact multiples of 1/255, so the 8-bit PNG is lossless.
        write_image(str(out / f"mask.{f.frame:04d}.png"), f.rough_mask, ("Y",), pixel_type="uint8")

    # One writer thread overlaps compression of frame i with rendering of
    # frame i + 1 (both release the GIL); waiting on the previous write
    # keeps at most two frames in memory and surfaces write errors promptly.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: None)
        for f in render_clip_arrays(spec):
            pending.result()
            pending = pool.submit(save, f)
        pending.result()
    return ClipPaths(str(out / "plate.####.exr"), str(out / "alpha.####.exr"), str(out / "mask.####.png"),
                     spec.first_frame, spec.last_frame)
