"""Loading the VAE and UNet onto a device, in the run's precision."""

from __future__ import annotations

import importlib.util
import logging
from typing import TYPE_CHECKING

from ...errors import NotAvailableError
from .models import InstalledModel

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


def load_modules(installed: InstalledModel, device: torch.device, dtype: torch.dtype):
    """(vae, unet) from an installed pack, in eval mode on ``device`` in ``dtype``."""
    try:
        from diffusers import AutoencoderKLTemporalDecoder, UNetSpatioTemporalConditionModel
    except ImportError:
        raise NotAvailableError("the videomama backend needs diffusers: pip install 'videomama[learned]'") from None

    # Without accelerate, diffusers cannot skip the random initialisation it
    # overwrites at once; say so instead of letting it warn on every load.
    low_memory = importlib.util.find_spec("accelerate") is not None
    kwargs = {"torch_dtype": dtype, "low_cpu_mem_usage": low_memory}
    log.info("loading VideoMaMa from %s onto %s (%s)", installed.root, device, dtype)
    vae = AutoencoderKLTemporalDecoder.from_pretrained(installed.folders["vae"], **kwargs)
    unet = UNetSpatioTemporalConditionModel.from_pretrained(installed.folders["unet"], **kwargs)
    return prepare_modules(vae, unet, device, dtype)


def prepare_modules(vae, unet, device: torch.device, dtype: torch.dtype):
    """Move, cast and freeze (vae, unet) for inference; also used by the bench's random models."""
    for module in (vae, unet):
        module.to(device)
        if module.dtype != dtype:  # diffusers warns on any cast, so only when needed
            module.to(dtype=dtype)
        module.eval()
        module.requires_grad_(False)
    return vae, unet


def compile_modules(vae) -> None:
    """``torch.compile`` the VAE's encoder and decoder, in place.

    At full resolution the VAE is memory-bound: on an H200 (1024x576, fp16)
    GroupNorm statistics and the elementwise norm/SiLU passes took two thirds
    of the decoder's time, and compiling, which fuses them, made an 8-frame
    decode 2.65x faster (0.67 -> 0.25 s) and an encode 1.49x faster, for a
    one-off 51 s + 25 s of compilation.  The UNet is left eager: its
    matrix products already ran near 190 TFLOP/s.

    ``dynamic=False``: a canvas of a new size compiles again (as long as the
    first); the alternative, torch's automatic dynamic shapes, compiled a
    second size into kernels no faster than eager.  So this pays off when the
    canvas size repeats (whole-frame mode, a steady subject, a daemon that
    keeps the model loaded), not on a short shot.
    """
    for module in (vae.encoder, vae.decoder):
        module.compile(dynamic=False)
