"""Per-frame random streams: a frame's noise depends on the job seed and the frame, nothing else.

The reference draws one noise tensor for the whole clip from ``seed`` and
samples the VAE posterior from torch's unseeded global generator.  Here every
random draw comes from a generator seeded by (job seed, purpose, frame
number), created on the CPU:

* re-renders are bit-identical (the VAE sampling is seeded too);
* a frame gets the same noise in every window that covers it, whatever the
  window's size, position or the range a job asked for;
* CPU and GPU runs draw the same numbers (CUDA generators give a different
  stream from the CPU's for the same seed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

NOISE = "noise"  # the UNet's input noise latents
PLATE_POSTERIOR = "vae-plate"  # sampling the VAE posterior of the plate
MASK_POSTERIOR = "vae-mask"  # ... and of the mask


def frame_seed(seed: int, purpose: str, frame: int) -> int:
    """A 63-bit seed for one frame and purpose, derived by hashing (no collisions between purposes)."""
    digest = hashlib.sha256(f"{seed}:{purpose}:{frame}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def frame_generators(seed: int, purpose: str, frames: Sequence[int]) -> list[torch.Generator]:
    import torch

    return [torch.Generator("cpu").manual_seed(frame_seed(seed, purpose, f)) for f in frames]


def frame_normal(
    seed: int, purpose: str, frames: Sequence[int], shape: Sequence[int], device: torch.device, dtype: torch.dtype
) -> torch.Tensor:
    """Standard normal draws, one ``shape`` block per frame: (len(frames), *shape).

    Drawn in float32 on the CPU, then moved and cast, so the numbers do not
    depend on the device or the run's precision.
    """
    import torch

    blocks = [torch.randn(tuple(shape), generator=g, dtype=torch.float32) for g in frame_generators(seed, purpose, frames)]
    return torch.stack(blocks).to(device=device, dtype=dtype)
