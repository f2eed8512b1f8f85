"""Tiny random VideoMaMa models, saved in the fetched layout and loaded by the real code.

Same classes and config keys as the released weights, a thousandth of the
size (``architectures.TINY_*``): a UNet of 1.3 M parameters and a VAE of
1.1 M with the real VAE's 4 blocks (8 image pixels per latent pixel, like
the release).  Every size the backend uses is read from the saved configs.
"""

from __future__ import annotations

import pytest


def build_tiny_models(seed: int = 0):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from videomama.backends.videomama.architectures import build_random_models

    return build_random_models("tiny", seed)


def remove_temporal_mixing(vae, unet) -> None:
    """Make every frame's result depend on that frame alone (in place).

    The spatio-temporal blocks blend a spatial and a temporal path with a
    learned weight; pin it to the spatial path, and keep only the centre tap
    of the VAE's final temporal convolution.
    """
    import torch
    from diffusers.models.resnet import AlphaBlender

    with torch.no_grad():
        for model in (vae, unet):
            for module in model.modules():
                if isinstance(module, AlphaBlender):
                    # alpha = sigmoid(mix_factor) weighs the spatial path (1 - alpha when switched).
                    module.mix_factor.fill_(-1e4 if module.switch_spatial_to_temporal_mix else 1e4)
        kernel = vae.decoder.time_conv_out.weight  # (out, in, 3, 1, 1): previous, this, next frame
        kernel[:, :, 0].zero_()
        kernel[:, :, 2].zero_()


def save_in_fetched_layout(vae, unet, root):
    """Write ``root/videomama/{vae,unet}`` exactly as ``videomama models fetch`` lays them out."""
    vae.save_pretrained(root / "videomama" / "vae")
    unet.save_pretrained(root / "videomama" / "unet")
    return root


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory):
    return save_in_fetched_layout(*build_tiny_models(), tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def frame_independent_models_dir(tmp_path_factory):
    """Tiny models without temporal mixing: windows must not change any frame's result."""
    vae, unet = build_tiny_models()
    remove_temporal_mixing(vae, unet)
    return save_in_fetched_layout(vae, unet, tmp_path_factory.mktemp("models_framewise"))
