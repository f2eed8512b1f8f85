"""VideoMaMa's inference on model-size tensors: encode, one UNet step, decode.

The published model is Stable Video Diffusion's UNet fine-tuned to predict
the clean latent of the alpha video in a single step, conditioned on the VAE
latents of the plate and of the mask (12 input channels: noise, plate, mask).
What the reference does, and this module restates:

1. plates and masks as [-1, 1] tensors, the mask replicated to 3 channels;
2. VAE-encode both and sample the posterior; these raw samples condition the
   UNet (the reference multiplies by the VAE scaling factor and divides it
   straight back out);
3. one UNet call on cat(noise, plate latents, mask latents) at timestep 1,
   with zero image embeddings (the reference computes CLIP's and zeroes
   them) and added time ids (fps 7, motion bucket 127, noise augmentation 0);
4. divide the prediction by the scaling factor and decode it with the
   temporal VAE decoder in chunks;
5. alpha = mean over RGB of (x / 2 + 0.5) clamped to [0, 1].

Every size (latent channels, downsampling, scaling factor, cross-attention
width) is read from the models' configs, so tiny test models run the same code.

Deviations from the reference, each on purpose:

* no CLIP: zeros of (1, 1, cross_attention_dim) are exactly what it fed the
  UNet, without a 0.6 B-parameter encoder to load and run;
* the VAE posterior is sampled with seeded generators (the reference's
  ``sample()`` draws from torch's global state, so re-renders differed);
* noise and posterior samples come from per-frame CPU generators seeded by
  (seed, frame) (``seeding``), not one clip-shaped tensor from a device
  generator: same distribution, but a frame's draws no longer depend on its
  window or device;
* no ``* scaling_factor / scaling_factor`` round trip (an identity that
  only adds fp16 rounding);
* plates and masks are encoded in chunks (the encoder is per-frame, so only
  memory changes);
* alpha is computed in float32 and kept float, where the reference computes
  it in the weights' precision and quantises to 8 bits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import seeding
from .geometry import ModelGrid

if TYPE_CHECKING:
    import torch

# Conditioning constants of the reference's one-step inference.
FPS = 7
MOTION_BUCKET_ID = 127
NOISE_AUG_STRENGTH = 0.0
TIMESTEP = 1
DEFAULT_DECODE_CHUNK = 8  # the reference decodes 8 frames at a time


@dataclass(frozen=True)
class LatentLayout:
    """The sizes the two networks agree on, read from their configs."""

    channels: int  # latent channels (4)
    scaling_factor: float  # VAE latent scaling (0.18215)
    vae_factor: int  # image pixels per latent pixel along a side (8)
    unet_factor: int  # the UNet's own downsampling of the latent (8)
    cross_attention_dim: int  # width of the (zeroed) image embedding (1024)

    @property
    def grid(self) -> ModelGrid:
        # The UNet's skip connections need latent sides divisible by its
        # downsampling, hence image sides divisible by both factors (64).
        return ModelGrid(multiple=self.vae_factor * self.unet_factor, latent_factor=self.vae_factor)


def read_layout(vae, unet) -> LatentLayout:
    """Check the pair fits together and say how, from their configs alone."""
    vae_config, unet_config = vae.config, unet.config
    channels = vae_config.latent_channels
    if unet_config.in_channels != 3 * channels or unet_config.out_channels != channels:
        raise ValueError(
            f"UNet takes {unet_config.in_channels} channels and returns {unet_config.out_channels}; "
            f"VideoMaMa needs {3 * channels} (noise, plate, mask latents) and {channels}"
        )
    cross_attention_dim = unet_config.cross_attention_dim
    if not isinstance(cross_attention_dim, int):
        raise ValueError(f"UNet cross_attention_dim must be one width, got {cross_attention_dim}")
    time_ids = 3  # fps, motion bucket, noise augmentation
    expected = unet.add_embedding.linear_1.in_features
    if unet_config.addition_time_embed_dim * time_ids != expected:
        raise ValueError(
            f"UNet added-time embedding takes {expected} values, not {time_ids} x "
            f"{unet_config.addition_time_embed_dim}"
        )
    return LatentLayout(
        channels=channels,
        scaling_factor=float(vae_config.scaling_factor),
        vae_factor=2 ** (len(vae_config.block_out_channels) - 1),
        unet_factor=2 ** (len(unet_config.block_out_channels) - 1),
        cross_attention_dim=cross_attention_dim,
    )


class OneStepMattingPipeline:
    """The model on one window of model-size frames; knows nothing of plates or files."""

    def __init__(self, vae, unet, decode_chunk_size: int = DEFAULT_DECODE_CHUNK) -> None:
        if decode_chunk_size < 1:
            raise ValueError(f"decode_chunk_size must be at least 1, got {decode_chunk_size}")
        self.vae = vae
        self.unet = unet
        self.layout = read_layout(vae, unet)
        self.decode_chunk_size = decode_chunk_size

    @property
    def device(self) -> torch.device:
        return self.unet.device

    @property
    def dtype(self) -> torch.dtype:
        return self.unet.dtype

    def __call__(
        self,
        plates: torch.Tensor,
        masks: torch.Tensor,
        frames: Sequence[int],
        seed: int,
        check: Callable[[], None] = lambda: None,
    ) -> torch.Tensor:
        """Alpha (T, H, W) float32 in [0, 1] for plates and masks (T, 3, H, W) in [-1, 1].

        ``frames`` are the shot's frame numbers, which seed each frame's
        random draws; ``check`` is called between steps (it raises to stop).
        """
        import torch

        with torch.inference_mode():
            # 1. Check inputs.
            self._check_inputs(plates, masks, frames)
            plates = plates.to(self.device, self.dtype)
            masks = masks.to(self.device, self.dtype)

            # 2. Condition: raw VAE samples of plate and mask (no scaling round trip).
            plate_latents = self.encode(plates, frames, seed, seeding.PLATE_POSTERIOR, check)  # (T, C, h, w)
            mask_latents = self.encode(masks, frames, seed, seeding.MASK_POSTERIOR, check)
            check()

            # 3. One UNet step from per-frame seeded noise at timestep 1.
            latents = self.predict(plate_latents, mask_latents, frames, seed)  # (T, C, h, w), scaled
            del plate_latents, mask_latents
            check()

            # 4.-5. Decode on the window's chunk grid and reduce to alpha.
            return self.decode_alpha(latents / self.layout.scaling_factor, check)

    def _check_inputs(self, plates: torch.Tensor, masks: torch.Tensor, frames: Sequence[int]) -> None:
        if plates.ndim != 4 or plates.shape[1] != 3 or masks.shape != plates.shape:
            raise ValueError(f"plates and masks must both be (T, 3, H, W); got {tuple(plates.shape)}, {tuple(masks.shape)}")
        if len(frames) != plates.shape[0]:
            raise ValueError(f"{len(frames)} frame numbers for {plates.shape[0]} frames")
        multiple = self.layout.grid.multiple
        height, width = plates.shape[-2:]
        if height % multiple or width % multiple:
            raise ValueError(f"model size {width}x{height} is not a multiple of {multiple} on both sides")

    def encode(
        self,
        images: torch.Tensor,
        frames: Sequence[int],
        seed: int,
        purpose: str,
        check: Callable[[], None] = lambda: None,
    ) -> torch.Tensor:
        """Posterior samples (T, C, h, w) of ``images`` (T, 3, H, W), ``decode_chunk_size`` frames at a time.

        The encoder is per-frame (2-D), so chunking only bounds memory.  The
        sample is mean + std * eps with eps from the per-frame seeded streams,
        exactly what ``latent_dist.sample()`` computes.
        """
        import torch

        samples = []
        for start in range(0, images.shape[0], self.decode_chunk_size):
            chunk = images[start : start + self.decode_chunk_size]
            posterior = self.vae.encode(chunk).latent_dist
            eps = seeding.frame_normal(
                seed, purpose, frames[start : start + len(chunk)], posterior.mean.shape[1:], self.device, posterior.mean.dtype
            )
            samples.append(posterior.mean + posterior.std * eps)
            check()
        return torch.cat(samples)

    def predict(
        self, plate_latents: torch.Tensor, mask_latents: torch.Tensor, frames: Sequence[int], seed: int
    ) -> torch.Tensor:
        """The UNet's clean-latent prediction (T, C, h, w), still in the scaled latent space."""
        import torch

        count, channels, height, width = plate_latents.shape
        noise = seeding.frame_normal(seed, seeding.NOISE, frames, (channels, height, width), self.device, self.dtype)
        sample = torch.cat([noise, plate_latents, mask_latents], dim=1)[None]  # (1, T, 3C, h, w)
        timestep = torch.full((1,), TIMESTEP, dtype=torch.long, device=self.device)
        # The reference runs CLIP on the first frame and multiplies by zero;
        # zeros of the same shape are the same input, without CLIP.
        image_embeddings = torch.zeros(1, 1, self.layout.cross_attention_dim, device=self.device, dtype=self.dtype)
        added_time_ids = torch.tensor([[FPS, MOTION_BUCKET_ID, NOISE_AUG_STRENGTH]], device=self.device, dtype=self.dtype)
        prediction = self.unet(sample, timestep, image_embeddings, added_time_ids=added_time_ids, return_dict=False)[0]
        return prediction[0]  # (1, T, C, h, w) -> (T, C, h, w)

    def decode_alpha(self, latents: torch.Tensor, check: Callable[[], None] = lambda: None) -> torch.Tensor:
        """Alpha (T, H, W) float32 from unscaled latents (T, C, h, w).

        The temporal decoder mixes the frames it decodes together, so chunks
        start at the window's first frame: with windows laid on the shot's
        grid, a frame is always decoded with the same neighbours.  Each chunk
        is reduced to alpha at once, so full-size RGB exists for one chunk only.
        """
        import torch

        alphas = []
        for start in range(0, latents.shape[0], self.decode_chunk_size):
            chunk = latents[start : start + self.decode_chunk_size]
            rgb = self.vae.decode(chunk, num_frames=chunk.shape[0]).sample  # (n, 3, H, W)
            alphas.append((rgb.float() / 2 + 0.5).clamp(0, 1).mean(dim=1))  # (n, H, W)
            del rgb
            check()
        return torch.cat(alphas)
