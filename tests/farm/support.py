"""Helpers for the farm tests: running the CLI and OpenJD, comparing outputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from videomama.cli.main import main
from videomama.sequences.image_read import read_mask

# Small windows so a 48-frame shot has many windows and every chunk boundary
# falls inside an overlap somewhere.
WINDOW, OVERLAP = 8, 2
SETTINGS = ["--backend", "classic", "--window", str(WINDOW), "--overlap", str(OVERLAP)]
BIN = Path(sys.executable).parent


def openjd_command() -> str:
    path = BIN / "openjd"
    if not path.exists():
        pytest.skip("openjd-cli is not installed (pip install -e '.[test]')")
    return str(path)


def write_bundle(clip, out: str, bundle: Path, chunk: int, *extra: str) -> Path:
    assert main([
        "farm", "openjd", "--plate", clip.plate, "--mask", clip.mask, "--out", out,
        "--chunk", str(chunk), *SETTINGS, *extra, "--bundle", str(bundle),
    ]) == 0
    return bundle / "template.yaml"


def run_openjd(template: Path, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``openjd run TEMPLATE ...``; the session's folder is deleted afterwards, as on a farm."""
    return subprocess.run(
        [openjd_command(), "run", str(template), *arguments],
        capture_output=True, text=True, timeout=timeout,
    )


def read_alphas(pattern: str, frames) -> dict[int, np.ndarray]:
    return {f: read_mask(pattern.replace("####", f"{f:04d}")).pixels for f in frames}


def assert_same_alphas(pattern: str, reference: dict[int, np.ndarray]) -> None:
    produced = read_alphas(pattern, reference)
    different = [f for f in reference if not np.array_equal(produced[f], reference[f])]
    assert not different, f"frames differ from the single local run: {different}"


def leftovers(folder: str | Path) -> list[str]:
    """Temporary or hidden files in an output folder (atomic writes leave none)."""
    return sorted(name for name in os.listdir(folder) if name.startswith(".") or ".tmp" in name)


def copy_clip(clip, folder: Path):
    """A private copy of the shared clip, for tests that damage inputs."""
    shutil.copytree(Path(clip.plate).parent, folder)
    return type(clip)(
        str(folder / Path(clip.plate).name), str(folder / Path(clip.alpha).name),
        str(folder / Path(clip.mask).name), clip.first, clip.last,
    )
