"""SAM2.1 checkpoints: where they live and how ``videomama models fetch sam2`` gets them.

One ``.pt`` per size in ``<models>/sam2/`` (the same models directory as the
matting weights, ``VIDEOMAMA_MODELS``), downloaded from Meta's Hugging Face
repositories.  No torch import here: availability checks only look for files.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..backends.videomama.models import models_dir
from ..errors import InputError, NotAvailableError

# size -> (Hugging Face repository, checkpoint file, packaged Hydra config)
SIZES = {
    "tiny": ("facebook/sam2.1-hiera-tiny", "sam2.1_hiera_tiny.pt", "configs/sam2.1/sam2.1_hiera_t.yaml"),
    "small": ("facebook/sam2.1-hiera-small", "sam2.1_hiera_small.pt", "configs/sam2.1/sam2.1_hiera_s.yaml"),
    "base_plus": ("facebook/sam2.1-hiera-base-plus", "sam2.1_hiera_base_plus.pt", "configs/sam2.1/sam2.1_hiera_b+.yaml"),
    "large": ("facebook/sam2.1-hiera-large", "sam2.1_hiera_large.pt", "configs/sam2.1/sam2.1_hiera_l.yaml"),
}
# When several are installed the tracker uses the most accurate.
PREFERENCE = ("large", "base_plus", "small", "tiny")


def _check(size: str) -> None:
    if size not in SIZES:
        raise InputError(f"unknown SAM2 size '{size}'; choose one of: {', '.join(SIZES)}")


def checkpoint_path(size: str, root: str | os.PathLike | None = None) -> Path:
    _check(size)
    return models_dir(root) / "sam2" / SIZES[size][1]


def installed_size(root: str | os.PathLike | None = None) -> str | None:
    """The preferred size whose checkpoint is present, or None."""
    return next((size for size in PREFERENCE if checkpoint_path(size, root).is_file()), None)


def fetch(size: str = "tiny", root: str | os.PathLike | None = None) -> Path:
    """Download one checkpoint into ``<models>/sam2/``; returns its path."""
    _check(size)
    try:
        import huggingface_hub
    except ImportError:
        raise NotAvailableError("fetching models needs huggingface_hub: pip install 'videomama[learned]'") from None
    repo, filename, _ = SIZES[size]
    folder = models_dir(root) / "sam2"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(huggingface_hub.hf_hub_download(repo, filename, local_dir=str(folder)))
