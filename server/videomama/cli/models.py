"""``videomama models``: fetch the learned model's weights, list what is installed."""

from __future__ import annotations

import argparse
import json

from ..backends.videomama import models
from ..tracking import sam2_models


def add_parser(commands) -> None:
    parser = commands.add_parser("models", help="fetch or list the learned models' weights")
    actions = parser.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    location = dict(
        metavar="DIR",
        help=f"models directory (default: ${models.MODELS_ENV}, else {models.default_models_dir()})",
    )

    fetch = actions.add_parser("fetch", help="download a model's weights from Hugging Face")
    fetch.add_argument("names", nargs="*", default=["videomama"], metavar="NAME", help=f"models to fetch: {', '.join(models.PACKS)}, sam2 (default videomama)")
    fetch.add_argument("--size", default="tiny", choices=list(sam2_models.SIZES), help="SAM2 size for `fetch sam2` (default tiny)")
    fetch.add_argument("--models", **location)
    fetch.set_defaults(run=run_fetch)

    listing = actions.add_parser("list", help="show which models are installed and where")
    listing.add_argument("--models", **location)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(run=run_list)


def run_fetch(args: argparse.Namespace) -> int:
    # SAM2 checkpoints are single files from Meta, not a ModelPack of folders.
    packs = [models.pack(name) for name in args.names if name != "sam2"]  # unknown names fail before any download
    if "sam2" in args.names:
        print(f"fetching SAM2.1 {args.size} (Apache-2.0) into {models.models_dir(args.models) / 'sam2'} ...", flush=True)
        print(f"sam2: installed {sam2_models.fetch(args.size, args.models)}")
    for pack in packs:
        print(f"Licence notice for '{pack.name}':\n{pack.licence}\n")
        print(f"fetching {pack.name} into {models.models_dir(args.models)} ...", flush=True)
        installed = models.fetch(pack.name, args.models)
        print(f"{pack.name}: installed, {installed.size_bytes() / 1e9:.2f} GB in {installed.root / pack.name}")
    return 0


def collect(root: str | None) -> list[dict]:
    rows = []
    for name in models.PACKS:
        installed = models.locate(name, root)
        rows.append(
            {
                "name": name,
                "installed": installed.complete,
                "missing": installed.missing,
                "size_bytes": installed.size_bytes(),
                "folders": {component: str(folder) for component, folder in installed.folders.items()},
            }
        )
    for size in sam2_models.SIZES:
        checkpoint = sam2_models.checkpoint_path(size, root)
        present = checkpoint.is_file()
        rows.append(
            {
                "name": f"sam2-{size}",
                "installed": present,
                "missing": [] if present else [checkpoint.name],
                "size_bytes": checkpoint.stat().st_size if present else 0,
                "folders": {"checkpoint": str(checkpoint)},
            }
        )
    return rows


def run_list(args: argparse.Namespace) -> int:
    rows = collect(args.models)
    if args.json:
        print(json.dumps({"models_dir": str(models.models_dir(args.models)), "models": rows}, indent=2))
        return 0
    print(f"models directory: {models.models_dir(args.models)}")
    for row in rows:
        if row["installed"]:
            state = f"installed ({row['size_bytes'] / 1e9:.2f} GB)"
        else:
            state = f"not installed (missing {', '.join(row['missing'])}): videomama models fetch {_fetch_arguments(row['name'])}"
        print(f"  {row['name']:<15} {state}")
    return 0


def _fetch_arguments(name: str) -> str:
    """What to type after ``videomama models fetch`` for a listed row."""
    if name.startswith("sam2-"):
        return f"sam2 --size {name.removeprefix('sam2-')}"
    return name
