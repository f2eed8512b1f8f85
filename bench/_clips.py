"""Generated clips for the benchmarks, cached on disk between runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

from videomama.synthetic import ClipPaths, ClipSpec, write_clip


def cached_clip(spec: ClipSpec, root: str) -> ClipPaths:
    """Write ``spec`` under ``root`` once; later runs reuse the files."""
    directory = Path(root) / f"clip_{spec.width}x{spec.height}_{spec.frames}_seed{spec.seed}"
    marker = directory / "clip.json"
    if marker.exists():
        return ClipPaths(**json.loads(marker.read_text()))
    paths = write_clip(spec, directory)
    marker.write_text(json.dumps(paths.__dict__))
    return paths


def default_root() -> str:
    return os.environ.get("VIDEOMAMA_BENCH_DIR", "/tmp/videomama-bench")
