"""``videomama``: the learned backend (one step of a mask-conditioned video diffusion UNet).

Per window: choose where to look (the masks' region, or the whole plate),
show it to the model at native resolution or scaled to fit, run the one-step
pipeline, and bring the alpha back to plate resolution along the plate's
edges.  The engine owns windows, overlap and cross-fade; in ``chained`` mode
each window's overlap frames are conditioned on the previous window's alpha
instead of the rough mask, which removes the seam a fresh start can leave
every window.

Deviations from the reference's framing of the input, each on purpose
(``pipeline`` lists those of the inference itself):

* the reference squashes the whole frame to 1024x576 (bilinear) and the
  demo resizes the result back bilinearly; here the region around the
  masks is shown at native resolution (or scaled down to the token cap),
  aspect kept, padded only past the plate (edge pixels for the plate, zero
  for the mask), and the alpha comes back by guided upsampling, zero
  outside the region;
* plates are clipped to [0, 1] (display-referred floats may exceed 1; the
  reference's 8-bit inputs cannot) and masks thresholded at 0.5 on the
  model canvas, like its ``> 127`` after resizing; chained priors stay soft;
* a window with no mask at all is zero alpha without running the model;
* any length: the engine's windows (16 frames, overlap 4, cross-faded) where
  the reference reads only the first ``num_frames`` frames of a folder.
"""

from __future__ import annotations

import gc
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ... import __version__, memory_pressure
from ...errors import InputError, NotAvailableError
from ...sequences.images import Box
from ..base import Availability, BackendOption, StopToken, WindowInput
from . import devices, models
from .geometry import Placement, plan_placement, region_of_interest
from .loading import compile_modules, load_modules, prepare_modules
from .memory import DEFAULT_MAX_TOKENS, MemoryBudget, is_out_of_memory
from .pipeline import DEFAULT_DECODE_CHUNK, OneStepMattingPipeline
from .upsample import guided_upsample

log = logging.getLogger(__name__)

MASK_THRESHOLD = 0.5  # the reference binarises masks (8-bit > 127) before the model sees them
OOM_SHRINK = 0.7  # canvas area kept after an out-of-memory, per retry
# With a compiled VAE every new canvas size costs about a minute of
# compilation (bench/results/videomama_gpu_h200.md): sides in steps of 256
# make the windows of a moving subject share a handful of sizes.
COMPILED_CANVAS_STEP = 256
FREE_MEMORY_SHARE = 0.9  # of the GPU memory free after loading, for activations by default
# Cropping, resizing and guided upsampling work frame by frame in OpenCV and
# large numpy operations, which release the GIL: a few frames at a time use the
# host's cores while the GPU waits for them (a 4K frame's upsampling alone is
# ~0.5 s).  Few, because each 4K frame holds a few hundred MB while it is done.
HOST_THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """The backend's options, checked once."""

    device: str = "auto"
    dtype: str = "auto"
    seed: int = 42
    max_tokens: int = DEFAULT_MAX_TOKENS
    crop_to_mask: bool = True
    roi_margin: float = 0.15
    binarize_masks: bool = True
    chained: bool = False
    decode_chunk_size: int = DEFAULT_DECODE_CHUNK
    vram_budget_gb: float = 0.0
    compile: bool = False
    canvas_step: int = 0
    models: str = ""

    def __post_init__(self) -> None:
        devices.check_device_name(self.device)
        devices.check_dtype_name(self.dtype)
        if not 0 <= self.seed < 2**63:
            raise InputError(f"seed must be between 0 and 2**63 - 1, got {self.seed}")
        if self.max_tokens < 1:
            raise InputError(f"max_tokens must be positive, got {self.max_tokens}")
        if self.roi_margin < 0:
            raise InputError(f"roi_margin must be 0 or more, got {self.roi_margin}")
        if self.decode_chunk_size < 1:
            raise InputError(f"decode_chunk_size must be at least 1, got {self.decode_chunk_size}")
        if self.canvas_step < 0:
            raise InputError(f"canvas_step must be 0 (automatic) or a positive multiple of 64, got {self.canvas_step}")
        if self.vram_budget_gb < 0:
            raise InputError(f"vram_budget_gb must be 0 (automatic) or more, got {self.vram_budget_gb}")


_DEFAULTS = Settings()


class VideoMamaBackend:
    identifier: ClassVar[str] = "videomama"
    display_name: ClassVar[str] = "VideoMaMa (one-step video diffusion, GPU)"
    options: ClassVar[tuple[BackendOption, ...]] = (
        BackendOption("device", _DEFAULTS.device, "auto (CUDA when present), cpu, cuda or cuda:N"),
        BackendOption("dtype", _DEFAULTS.dtype, "auto (fp16 on CUDA, as the reference; fp32 on CPU), fp16, bf16 or fp32"),
        BackendOption("seed", _DEFAULTS.seed, "seeds the noise and the VAE sampling of every frame: re-renders are identical"),
        BackendOption("max_tokens", _DEFAULTS.max_tokens, "largest model canvas, in latent pixels (8x8 plate pixels each); larger regions are scaled down"),
        BackendOption("crop_to_mask", _DEFAULTS.crop_to_mask, "run on the region around the window's masks instead of the whole plate"),
        BackendOption("roi_margin", _DEFAULTS.roi_margin, "context kept around the masks, as a fraction of their box's longer side"),
        BackendOption("binarize_masks", _DEFAULTS.binarize_masks, "threshold masks at 0.5 as the reference does (the model was trained on binary masks)"),
        BackendOption("chained", _DEFAULTS.chained, "condition each window's overlap frames on the previous window's alpha (no seams; the shot is always run from its start)"),
        BackendOption("decode_chunk_size", _DEFAULTS.decode_chunk_size, "frames the VAE encodes or decodes at once (fewer = less GPU memory)"),
        BackendOption("vram_budget_gb", _DEFAULTS.vram_budget_gb, "GPU memory for activations; 0 = 90% of what is free after loading"),
        BackendOption("compile", _DEFAULTS.compile, "torch.compile the VAE (decode 2.65x faster on an H200; each new canvas size compiles for about a minute, so it pays off on long shots and in the daemon)"),
        BackendOption("canvas_step", _DEFAULTS.canvas_step, "model canvas sides are multiples of this many pixels; 0 = 64, or 256 with compile (windows then share compiled sizes)"),
        BackendOption("models", _DEFAULTS.models, "models directory (default: VIDEOMAMA_MODELS, else the per-user cache folder)"),
    )

    def __init__(self, **options) -> None:
        settings = Settings(**options)
        device = devices.resolve_device(settings.device)
        dtype = devices.resolve_dtype(settings.dtype, device)
        installed = models.require_installed("videomama", settings.models or None)
        vae, unet = load_modules(installed, device, dtype)
        self._setup(settings, vae, unet, weights=installed.fingerprint())

    @classmethod
    def from_modules(cls, vae, unet, **options) -> VideoMamaBackend:
        """A backend around modules already built (the bench's random full-size networks)."""
        settings = Settings(**options)
        device = devices.resolve_device(settings.device)
        dtype = devices.resolve_dtype(settings.dtype, device)
        backend = cls.__new__(cls)
        backend._setup(settings, *prepare_modules(vae, unet, device, dtype), weights="in-memory")
        return backend

    def _setup(self, settings: Settings, vae, unet, weights: str) -> None:
        self._settings = settings
        self._weights = weights
        self.chains_windows = settings.chained  # read by the engine
        self.reads_ahead = unet.device.type == "cuda"  # the engine reads the next window while the GPU works
        if settings.compile:
            compile_modules(vae)
        self._pipeline = OneStepMattingPipeline(vae, unet, settings.decode_chunk_size)
        self._grid = self._pipeline.layout.grid
        self._budget = self._memory_budget(vae, unet)
        self._oom_caps: dict[int, int] = {}  # window length -> token cap learnt from out-of-memory
        self._canvas_step = settings.canvas_step or (COMPILED_CANVAS_STEP if settings.compile else self._grid.multiple)
        if self._canvas_step % self._grid.multiple:
            raise InputError(f"canvas_step must be a multiple of {self._grid.multiple}, got {self._canvas_step}")

    # -- contract ---------------------------------------------------------

    @classmethod
    def availability(cls, options: Mapping[str, Any] | None = None) -> Availability:
        # Cheap checks only: no torch import, no loading.
        if not (devices.torch_installed() and devices.diffusers_installed()):
            return Availability(False, "needs torch and diffusers: pip install 'videomama[learned]'")
        installed = models.locate("videomama", (options or {}).get("models") or None)
        if not installed.complete:
            return Availability(
                False,
                f"weights not installed in {installed.root}: run `videomama models fetch` "
                f"(or set {models.MODELS_ENV} to a models directory)",
            )
        if not devices.cuda_probably_present():
            return Availability(
                True,
                "no CUDA GPU here: runs on the CPU only when chosen by name (--backend videomama), very slowly",
                auto=False,
            )
        return Availability(True)

    def describe(self) -> dict[str, str]:
        pipeline = self._pipeline
        precision = str(pipeline.dtype).removeprefix("torch.")
        return {
            "backend": self.identifier,
            "model": f"VideoMaMa one-step SVD (weights {self._weights}; {pipeline.device.type} {precision})",
            "version": __version__,
        }

    def matte(self, window: WindowInput, stop: StopToken) -> np.ndarray:
        count, height, width = window.masks.shape
        # 1. What conditions the model: the masks, or in chained mode the alpha
        #    an earlier window already produced for the overlap frames.
        guides, soft = self._guides(window)
        # 2. Where to look: the masks' region with margin, or the whole plate.
        if self._settings.crop_to_mask:
            roi = region_of_interest(self._binarized(guides, soft), self._settings.roi_margin)
            if roi is None:
                return np.zeros((count, height, width), np.float32)  # nothing to matte in this window
        else:
            roi = Box(0, 0, width, height)
        stop.check()
        # 3. The model on its canvas, shrinking the canvas if the GPU runs out of memory.
        placement, canvas_alpha = self._run_within_memory(window, guides, soft, roi, stop)
        # 4. Back to plate resolution along the plate's edges, zero outside the box.
        alphas = np.empty((count, height, width), np.float32)

        def to_plate(t: int) -> None:  # straight into its row: no second plate-size copy of the window
            alpha = canvas_alpha[t]
            if placement.resampled:
                alpha = guided_upsample(alpha, placement.crop(window.plates[t], pad="edge"))
            alphas[t] = placement.paste(alpha, height, width)

        _each_frame(to_plate, count)
        stop.check()
        return alphas

    def close(self) -> None:
        """Free the networks (the daemon calls this when the backend idles out)."""
        import torch

        device = self._pipeline.device
        self._pipeline = None
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()

    # -- steps ------------------------------------------------------------

    def _guides(self, window: WindowInput) -> tuple[np.ndarray, np.ndarray]:
        """Conditioning per frame (T, H, W) and which frames are soft priors (T,)."""
        guides = window.masks.copy()
        soft = np.zeros(len(window.frames), bool)
        if self.chains_windows:
            for t, frame in enumerate(window.frames):
                if frame in window.prior_alphas:
                    guides[t] = window.prior_alphas[frame]
                    soft[t] = True
        return guides, soft

    def _binarized(self, guides: np.ndarray, soft: np.ndarray) -> np.ndarray:
        """Masks thresholded like the reference's (if enabled); chained priors stay soft."""
        if not self._settings.binarize_masks:
            return guides
        return np.where(soft[:, None, None], guides, (guides > MASK_THRESHOLD).astype(np.float32))

    def _run_within_memory(
        self, window: WindowInput, guides: np.ndarray, soft: np.ndarray, roi: Box, stop: StopToken
    ) -> tuple[Placement, np.ndarray]:
        count, height, width = window.masks.shape
        cap = self._token_cap(count)
        relieved = False
        while True:
            placement = plan_placement(roi, width, height, self._grid, cap, self._canvas_step)
            try:
                return placement, self._run_model(window, guides, soft, placement, stop)
            except Exception as error:
                if not (self._pipeline.device.type == "cuda" and is_out_of_memory(error)):
                    raise
                tokens = self._grid.tokens(placement.width, placement.height)
            # Out of the except block: the traceback, and the tensors its frames
            # held, are gone, so the cache can actually be returned.
            self._release_cached_memory()
            if not relieved:
                # Idle models (the daemon's SAM2 after a track) go before detail does.
                relieved = True
                unloaded = memory_pressure.relieve()
                if unloaded:
                    self._release_cached_memory()
                    log.warning(
                        "out of GPU memory at %dx%d; unloaded %d idle model(s), retrying at the same size",
                        placement.width, placement.height, unloaded,
                    )
                    continue
            if tokens <= self._grid.smallest_tokens:
                raise NotAvailableError(
                    f"out of GPU memory even at {placement.width}x{placement.height}; "
                    "free the GPU or lower --option decode_chunk_size"
                )
            cap = max(self._grid.smallest_tokens, int(tokens * OOM_SHRINK))
            self._oom_caps[count] = cap  # later windows start from what fitted
            log.warning(
                "out of GPU memory at %dx%d for %d frames; retrying with at most %d latent pixels",
                placement.width, placement.height, count, cap,
            )

    def _run_model(
        self, window: WindowInput, guides: np.ndarray, soft: np.ndarray, placement: Placement, stop: StopToken
    ) -> np.ndarray:
        """Alpha on the model canvas (T, h, w)."""
        import torch

        # Display-referred plates may exceed 1; the reference's 8-bit inputs cannot.
        def plate_on_canvas(t: int) -> np.ndarray:
            return placement.to_canvas(np.clip(placement.crop(window.plates[t], pad="edge"), 0.0, 1.0))

        def guide_on_canvas(t: int) -> np.ndarray:
            return placement.to_canvas(placement.crop(guides[t], pad="constant"))

        plates = np.stack(_each_frame(plate_on_canvas, len(window.plates)))
        # Thresholded on the canvas, as the reference thresholds after resizing.
        masks = self._binarized(np.stack(_each_frame(guide_on_canvas, len(guides))), soft)
        stop.check()
        plates_t = torch.from_numpy(np.ascontiguousarray(plates)).permute(0, 3, 1, 2) * 2 - 1  # (T, 3, h, w)
        masks_t = (torch.from_numpy(np.ascontiguousarray(masks))[:, None] * 2 - 1).expand(-1, 3, -1, -1)  # (T, 3, h, w)
        alpha = self._pipeline(plates_t, masks_t, window.frames, self._settings.seed, stop.check)
        return alpha.cpu().numpy()

    # -- memory -----------------------------------------------------------

    def _memory_budget(self, vae, unet) -> MemoryBudget | None:
        import torch

        device = self._pipeline.device
        if device.type != "cuda":
            return None  # host memory: the OS, not us, decides
        if self._settings.vram_budget_gb:
            free = int(self._settings.vram_budget_gb * 1024**3)
        else:
            free = int(torch.cuda.mem_get_info(device)[0] * FREE_MEMORY_SHARE)
        return MemoryBudget(
            bytes_free=free,
            element_bytes=torch.finfo(self._pipeline.dtype).bits // 8,
            vae_width=vae.config.block_out_channels[0],
            unet_width=unet.config.block_out_channels[0],
            latent_factor=self._grid.latent_factor,
        )

    def _token_cap(self, frames: int) -> int:
        """The user's cap, lowered by the memory estimate and by out-of-memory retries.

        Those two never go below the smallest canvas (the retry loop handles
        that case); a user's cap that does is reported by ``plan_placement``.
        """
        limits = [self._oom_caps.get(frames)]
        if self._budget is not None:
            limits.append(self._budget.max_tokens(frames, self._settings.decode_chunk_size))
        lowered = [max(limit, self._grid.smallest_tokens) for limit in limits if limit is not None]
        return min([self._settings.max_tokens, *lowered])

    def _release_cached_memory(self) -> None:
        import torch

        gc.collect()
        torch.cuda.empty_cache()


def _each_frame(work, count: int) -> list:
    """``work(t)`` for each of ``count`` frames, ``HOST_THREADS`` at a time, in frame order."""
    if count == 1 or HOST_THREADS == 1:
        return [work(t) for t in range(count)]
    with ThreadPoolExecutor(min(HOST_THREADS, count), thread_name_prefix="videomama-host") as pool:
        return list(pool.map(work, range(count)))
