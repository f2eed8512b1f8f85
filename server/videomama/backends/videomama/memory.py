"""How big a canvas fits in GPU memory, and recognising running out of it.

Two limits keep a window's canvas in bounds:

* ``DEFAULT_MAX_TOKENS``: a hard ceiling.  The UNet's temporal attention
  runs one attention problem per latent pixel, and CUDA kernels cap a grid
  dimension at 65,535 blocks; an integrator saw 3136x1664 (81,536 latent
  pixels) fail with "invalid configuration argument", an error that poisons
  the CUDA context for the rest of the process, while 2752x1408 (60,544)
  ran.  This is never exceeded, whatever memory is free.
* ``MemoryBudget``: a rough estimate of peak activation memory, so a
  canvas that would not fit is shrunk up front rather than failing.  The
  estimate is deliberately simple (dominant activations only) and the
  backend still shrinks and retries on an actual out-of-memory error.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_TOKENS = 60544  # 2752x1408 at 8 pixels per latent pixel: the largest seen to run

# Live copies of the largest feature map at each stage's peak, counted from
# the diffusers blocks (see the bench for measured peaks to check these against):
# - VAE decoder, last up block: the upsampled map of block_out_channels[1] at
#   full resolution, its conv output and the resnet's norm/activation/skip at
#   block_out_channels[0], plus the temporal mixing copy.
_DECODE_MAPS_OF_FIRST_WIDTH = 6
# - VAE encoder, first block at full resolution (no temporal part).
_ENCODE_MAPS_OF_FIRST_WIDTH = 4
# - UNet at latent resolution: skip connections of every level, and the
#   transformer's GEGLU feed-forward (8x the width) in the first level.
_UNET_MAPS_OF_FIRST_WIDTH = 18
_SAFETY = 1.25


@dataclass(frozen=True)
class MemoryBudget:
    """Bytes free for activations, and the networks' widths that set their size."""

    bytes_free: int
    element_bytes: int  # 2 for fp16/bf16, 4 for fp32
    vae_width: int  # VAE block_out_channels[0], the full-resolution width (128)
    unet_width: int  # UNet block_out_channels[0], the latent-resolution width (320)
    latent_factor: int  # image pixels per latent pixel along a side (8)

    def peak_bytes(self, frames: int, tokens: int, chunk: int) -> int:
        """Estimated activation peak for a window of ``frames`` at ``tokens`` latent pixels."""
        pixels = tokens * self.latent_factor**2
        decode = min(chunk, frames) * pixels * self.vae_width * _DECODE_MAPS_OF_FIRST_WIDTH
        encode = min(chunk, frames) * pixels * self.vae_width * _ENCODE_MAPS_OF_FIRST_WIDTH
        unet = frames * tokens * self.unet_width * _UNET_MAPS_OF_FIRST_WIDTH
        return int(max(decode, encode, unet) * self.element_bytes * _SAFETY)

    def max_tokens(self, frames: int, chunk: int) -> int:
        """The most latent pixels a window of ``frames`` can use (peak is linear in tokens)."""
        per_token = self.peak_bytes(frames, 1, chunk)
        return max(1, self.bytes_free // per_token)


def is_out_of_memory(error: BaseException) -> bool:
    """A CUDA allocation failure, which leaves the process usable (unlike a bad launch)."""
    import torch

    out_of_memory = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
    return isinstance(error, out_of_memory)
