"""``videomama demo``: the whole job on a clip any fresh clone can make.

Generates a clip with exact ground truth, mattes it with the chosen backend,
scores the rough mask and the matte against the truth, and writes a contact
sheet.  Then the paper's first-frame protocol on the same clip: the masks
tracked from the first frame alone, matted and scored.  When real footage is at hand (``--example DIR`` or ``../shared/example``
next to the checkout) it mattes that too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..evaluation import evaluate_sequences
from ..contact_sheet import write_contact_sheet
from ..matting.engine import run_matte
from ..matting.request import MatteRequest
from ..protocol import FirstFrameRun, run_first_frame
from ..sequences.pattern import FrameRange
from ..synthetic import ClipSpec, write_clip
from .progress import ProgressBar

_EXAMPLE_CANDIDATES = ("../shared/example", "shared/example")


def add_parser(commands) -> None:
    parser = commands.add_parser("demo", help="generate a clip, matte it, score it and write a contact sheet")
    parser.add_argument("--out", default="demo_out", help="output directory (default demo_out)")
    parser.add_argument("--backend", default="auto", help="backend to demonstrate (default auto)")
    parser.add_argument("--size", default="960x540", help="generated clip size WxH (default 960x540)")
    parser.add_argument("--frames", type=int, default=24, help="generated clip length (default 24)")
    parser.add_argument("--example", help="a real clip directory with plate.####.jpg and mask.####.png")
    parser.add_argument("--no-example", action="store_true", help="skip real footage even if found")
    parser.add_argument("--no-track", action="store_true", help="skip tracking from the first frame")
    parser.set_defaults(run=run)


def _find_example(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    here = Path(__file__).resolve()
    candidates = [Path.cwd() / c for c in _EXAMPLE_CANDIDATES]
    candidates += [parent / "shared" / "example" for parent in here.parents[3:5]]
    return next((c for c in candidates if (c / "plate.1001.jpg").exists()), None)


def _sample(frames: FrameRange, count: int = 4) -> list[int]:
    step = max(1, (len(frames) - 1) // max(1, count - 1))
    return list(frames)[::step][:count]


def _matte(label: str, plate: str, mask: str, out: str, backend: str) -> FrameRange:
    progress = ProgressBar(label)
    result = run_matte(MatteRequest(plate, mask, out, backend=backend), on_progress=progress)
    progress.close()
    frames = sorted(result.written + result.skipped)
    return FrameRange(frames[0], frames[-1])


def _demo_synthetic(args, out: Path) -> dict:
    width, _, height = args.size.partition("x")
    spec = ClipSpec(width=int(width), height=int(height), frames=args.frames)
    print(f"generating a {spec.width}x{spec.height}, {spec.frames}-frame clip with exact ground truth ...")
    clip = write_clip(spec, str(out / "input"))
    matte = str(out / "matte.####.exr")
    frames = _matte("synthetic", clip.plate, clip.mask, matte, args.backend)
    scores = {
        "rough mask": evaluate_sequences(clip.alpha, clip.mask, frames, conform=True),
        "matte": evaluate_sequences(clip.alpha, matte, frames),
    }
    sheet = write_contact_sheet(str(out / "contact_sheet.png"), clip.plate, clip.mask, matte, _sample(frames))
    report = {"matte": matte, "contact_sheet": sheet, "scores": scores}
    if not args.no_track:
        report["tracked from the first frame"] = _demo_tracked(clip, frames, args, out / "tracked")
    return report


def _demo_tracked(clip, frames: FrameRange, args, out: Path) -> dict:
    """The first-frame protocol: no rough masks at all, only the first frame's truth binarised."""
    run = FirstFrameRun(plate=clip.plate, gt=clip.alpha, frames=frames, work=str(out), backend=args.backend)
    progress = ProgressBar("tracked")
    scores = run_first_frame(run, progress)
    progress.close()
    sheet = write_contact_sheet(
        str(out / "contact_sheet.png"), clip.plate, run.masks, run.matte, _sample(frames), mask_label="tracked mask"
    )
    return {"matte": run.matte, "masks": run.masks, "contact_sheet": sheet, "scores": scores}


def _demo_example(example: Path, args, out: Path) -> dict:
    plate, mask = str(example / "plate.####.jpg"), str(example / "mask.####.png")
    matte = str(out / "matte.####.exr")
    frames = _matte("real footage", plate, mask, matte, args.backend)
    sheet = write_contact_sheet(str(out / "contact_sheet.png"), plate, mask, matte, _sample(frames))
    return {"matte": matte, "contact_sheet": sheet}


def run(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    report = {"synthetic": _demo_synthetic(args, out / "synthetic")}
    example = None if args.no_example else _find_example(args.example)
    if example is not None:
        report["real footage"] = _demo_example(example, args, out / "example")
    print(json.dumps(report, indent=2))
    scores = report["synthetic"]["scores"]
    tracked = report["synthetic"].get("tracked from the first frame")
    if tracked:
        both = tracked["scores"]
        print(f"\ntracked from the first frame: MAD-T masks {both['masks']['MAD-T']:.1f} -> matte {both['matte']['MAD-T']:.1f}")
    print(
        f"MAD-T rough mask {scores['rough mask']['MAD-T']:.1f} -> matte {scores['matte']['MAD-T']:.1f}; "
        f"look at {report['synthetic']['contact_sheet']}"
        + (f" and {report['real footage']['contact_sheet']}" if example else "")
    )
    return 0
