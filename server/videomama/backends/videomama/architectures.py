"""The networks' configurations, for building random-weight models without downloads.

The tests and the bench need models of the released architecture without
the weights: speed and memory do not depend on the values, and plumbing can
be tested on a tiny model built with the same classes and config keys.
Loading real weights never uses this module: their configs come with them.
"""

from __future__ import annotations

from typing import Any

# The released UNet: diffusers' UNetSpatioTemporalConditionModel defaults
# (SVD-XT), with 12 input channels (noise, plate and mask latents).
FULL_UNET: dict[str, Any] = dict(in_channels=12)

# The SVD VAE.  Not the class defaults, which have one block and no downsampling.
FULL_VAE: dict[str, Any] = dict(
    down_block_types=("DownEncoderBlock2D",) * 4,
    block_out_channels=(128, 256, 512, 512),
    layers_per_block=2,
    latent_channels=4,
)

# A thousandth of the size, same classes and keys: 1.3 M + 1.1 M parameters.
TINY_UNET: dict[str, Any] = dict(
    in_channels=12,
    out_channels=4,
    down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
    up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
    block_out_channels=(32, 64),
    layers_per_block=1,
    num_attention_heads=(2, 4),
    cross_attention_dim=32,
    addition_time_embed_dim=8,
    projection_class_embeddings_input_dim=24,  # 3 time ids x 8
    num_frames=4,
)
TINY_VAE: dict[str, Any] = dict(
    down_block_types=("DownEncoderBlock2D",) * 4,  # 4 blocks: 8 pixels per latent pixel, as released
    block_out_channels=(32, 32, 64, 64),  # GroupNorm(32) needs multiples of 32
    layers_per_block=1,
    latent_channels=4,
)

SIZES = {"full": (FULL_VAE, FULL_UNET), "tiny": (TINY_VAE, TINY_UNET)}


def build_random_models(size: str = "tiny", seed: int = 0, device: str = "cpu"):
    """(vae, unet) of the given size with seeded random weights, in eval mode, fp32.

    Built directly on ``device`` (a full-size UNet initialises in seconds on a
    GPU, half a minute on a CPU); "meta" builds shapes only, for counting FLOPs.
    """
    import torch
    from diffusers import AutoencoderKLTemporalDecoder, UNetSpatioTemporalConditionModel

    vae_config, unet_config = SIZES[size]
    torch.manual_seed(seed)
    with torch.device(device):
        vae = AutoencoderKLTemporalDecoder(**vae_config)
        unet = UNetSpatioTemporalConditionModel(**unet_config)
    # A few parameters are built with the legacy torch.Tensor([...]) constructor,
    # which ignores the device context: move everything explicitly.
    return vae.to(device).eval(), unet.to(device).eval()
