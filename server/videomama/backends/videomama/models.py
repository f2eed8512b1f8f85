"""Where the learned model's weights live, what is installed, and how to fetch it.

Layout of a models directory (``--models DIR``, ``VIDEOMAMA_MODELS``, or the
per-user default)::

    DIR/videomama/vae/    config.json + diffusion_pytorch_model.safetensors
    DIR/videomama/unet/   config.json + diffusion_pytorch_model.safetensors

Each component folder is what diffusers' ``save_pretrained`` writes, so any
folder of that shape loads, including the tiny random models the tests build.
Fetching downloads just the two subfolders the backend needs (a few GB: a
1.5 B-parameter UNet and a 0.1 B VAE) rather than the whole SVD repository
(over 10 GB with CLIP, its own UNet and single-file checkpoints).

No torch here: ``videomama models list`` and ``availability()`` stay cheap.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError, NotAvailableError

MODELS_ENV = "VIDEOMAMA_MODELS"
CONFIG_FILE = "config.json"
WEIGHTS_STEM = "diffusion_pytorch_model"

STABILITY_LICENCE = (
    "The SVD VAE (stabilityai/stable-video-diffusion-img2vid-xt) and the VideoMaMa UNet "
    "(SammyLim/VideoMaMa, fine-tuned from it) are licensed under the Stability AI Community "
    "License: https://huggingface.co/stabilityai/stable-video-diffusion-img2vid-xt/blob/main/LICENSE.md\n"
    "Research and non-commercial use are free; commercial use is free only below the annual "
    "revenue threshold the licence sets, above it you need an enterprise licence from Stability AI. "
    "The SVD repository is gated: accept the licence on its Hugging Face page and log in "
    "(`hf auth login`, or set HF_TOKEN) before fetching."
)


@dataclass(frozen=True)
class Component:
    """One model folder: a subfolder of a Hugging Face repository, same name locally."""

    name: str  # "vae": the repository's subfolder and the folder under DIR/<pack>/
    repo_id: str


@dataclass(frozen=True)
class ModelPack:
    """What one backend loads, fetched and installed together."""

    name: str
    components: tuple[Component, ...]
    licence: str


PACKS: dict[str, ModelPack] = {
    "videomama": ModelPack(
        name="videomama",
        components=(
            Component("vae", "stabilityai/stable-video-diffusion-img2vid-xt"),
            Component("unet", "SammyLim/VideoMaMa"),
        ),
        licence=STABILITY_LICENCE,
    ),
}


def pack(name: str) -> ModelPack:
    if name not in PACKS:
        raise InputError(f"unknown model '{name}'; known: {', '.join(PACKS)}")
    return PACKS[name]


# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------


def default_models_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The per-user default, following each platform's convention for caches.

    The weights can always be fetched again, so they belong in the cache
    folder (which backup tools skip), like the Hugging Face hub cache.
    """
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if platform == "win32":
        base = Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "videomama" / "models"


def models_dir(explicit: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """An explicit directory, else ``VIDEOMAMA_MODELS``, else the per-user default."""
    environ = os.environ if environ is None else environ
    if explicit:
        return Path(explicit).expanduser()
    if environ.get(MODELS_ENV):
        return Path(environ[MODELS_ENV]).expanduser()
    return default_models_dir(environ)


def component_dir(root: Path, model: ModelPack, component: Component) -> Path:
    return root / model.name / component.name


def weight_files(folder: Path) -> list[Path]:
    """The weights diffusers loads from a component folder (single or sharded)."""
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.name.startswith(WEIGHTS_STEM) and path.suffix in (".safetensors", ".bin")
    )


def component_installed(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() and bool(weight_files(folder))


@dataclass(frozen=True)
class InstalledModel:
    """Where each component of a pack is, and whether every one is complete."""

    pack: ModelPack
    root: Path
    folders: dict[str, Path]  # component name -> folder

    @property
    def missing(self) -> list[str]:
        return [name for name, folder in self.folders.items() if not component_installed(folder)]

    @property
    def complete(self) -> bool:
        return not self.missing

    def size_bytes(self) -> int:
        return sum(path.stat().st_size for folder in self.folders.values() for path in weight_files(folder))

    def fingerprint(self) -> str:
        """Names, sizes and modification times of the weights: changes when they are re-fetched.

        Cheap (no hashing of gigabytes) and enough for the resume hash to
        notice new weights; the configs are small and hashed in full.
        """
        digest = hashlib.sha256()
        for name, folder in sorted(self.folders.items()):
            digest.update(name.encode())
            config = folder / CONFIG_FILE
            if config.is_file():
                digest.update(config.read_bytes())
            for path in weight_files(folder):
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:16]


def locate(name: str = "videomama", root: str | os.PathLike | None = None) -> InstalledModel:
    model = pack(name)
    base = models_dir(root)
    return InstalledModel(model, base, {c.name: component_dir(base, model, c) for c in model.components})


def require_installed(name: str = "videomama", root: str | os.PathLike | None = None) -> InstalledModel:
    """The installed model, or an error that says how to fetch it."""
    installed = locate(name, root)
    if not installed.complete:
        folders = ", ".join(str(installed.folders[m]) for m in installed.missing)
        hint = f" --models {root}" if root else ""
        raise NotAvailableError(
            f"the {name} model is not installed (missing {folders}); "
            f"fetch it with `videomama models fetch {name}{hint}`"
        )
    return installed


# ---------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One ``snapshot_download`` call: which files of which repository, to where."""

    repo_id: str
    allow_patterns: tuple[str, ...]
    local_dir: Path


def choose_files(repo_files: Iterable[str], subfolder: str) -> tuple[str, ...]:
    """The config and one set of full-precision weights of ``subfolder``.

    Prefers safetensors (no pickle) over ``.bin``, and skips variants such as
    ``.fp16.safetensors`` that would double the download: the backend casts
    to the run's precision when it loads.
    """
    names = {f.split("/", 1)[1] for f in repo_files if f.startswith(f"{subfolder}/") and f.count("/") == 1}
    if CONFIG_FILE not in names:
        raise NotAvailableError(f"the repository has no {subfolder}/{CONFIG_FILE}")
    for extension in ("safetensors", "bin"):
        weights = sorted(n for n in names if _is_plain_weights(n, extension))
        if weights:
            return tuple(f"{subfolder}/{n}" for n in (CONFIG_FILE, *weights))
    raise NotAvailableError(f"the repository has no {WEIGHTS_STEM} weights in {subfolder}/")


def _is_plain_weights(filename: str, extension: str) -> bool:
    """``stem.ext``, a shard ``stem-00001-of-00002.ext`` or the index ``stem.ext.index.json``.

    A variant (``stem.fp16.ext``) has another word where the extension should be.
    """
    parts = filename.split(".")
    return (
        parts[0].startswith(WEIGHTS_STEM)
        and len(parts) >= 2
        and parts[1] == extension
        and parts[2:] in ([], ["index", "json"])
    )


def plan_downloads(name: str, root: Path, list_files: Callable[[str], list[str]]) -> list[Download]:
    """What to download for pack ``name`` into ``root``, given a repository lister."""
    model = pack(name)
    downloads = []
    for component in model.components:
        files = choose_files(list_files(component.repo_id), component.name)
        # snapshot_download keeps the repository's folder names under local_dir,
        # so local_dir is the pack folder and "vae/..." lands in DIR/videomama/vae.
        downloads.append(Download(component.repo_id, files, root / model.name))
    return downloads


def fetch(name: str = "videomama", root: str | os.PathLike | None = None) -> InstalledModel:
    """Download pack ``name`` into the models directory; returns what is installed."""
    try:
        import huggingface_hub
        from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError
    except ImportError:
        raise NotAvailableError(
            "fetching models needs huggingface_hub: pip install 'videomama[learned]'"
        ) from None
    base = models_dir(root)
    repo_id = ""  # the repository being talked to, for the error message

    def list_files(repo: str) -> list[str]:
        nonlocal repo_id
        repo_id = repo
        return huggingface_hub.list_repo_files(repo)

    try:
        # Listing first lets choose_files pick one set of weights per folder.
        for download in plan_downloads(name, base, list_files):
            repo_id = download.repo_id
            huggingface_hub.snapshot_download(
                download.repo_id,
                local_dir=download.local_dir,
                allow_patterns=list(download.allow_patterns),
            )
    except GatedRepoError:
        raise NotAvailableError(
            f"https://huggingface.co/{repo_id or 'the repository'} is gated: accept its licence there while "
            "logged in, then `hf auth login` (or set HF_TOKEN) and fetch again"
        ) from None
    except RepositoryNotFoundError:
        raise NotAvailableError(
            f"{repo_id or 'a model repository'} was not found or needs a login: `hf auth login` (or set HF_TOKEN)"
        ) from None
    return locate(name, base)
