"""Argument types shared by sub-commands, so each parses a value one way."""

from __future__ import annotations

import argparse

from ..errors import InputError
from ..sequences.pattern import FrameRange, parse_frame_range
from ..tracking.prompts import Prompts, parse_boxes, parse_mask_keyframes, parse_points


def frame_range(text: str) -> FrameRange:
    try:
        return parse_frame_range(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def backend_option(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name.strip(), value.strip()


def add_prompt_arguments(parser: argparse.ArgumentParser, title: str | None = None):
    """The tracking prompts and tracker options, as ``track`` and ``matte`` both take them.

    Each prompt may start with an object's name (``hero:1001:960,540,+``);
    without one it belongs to the default object (see ``tracking.prompts``).
    Returns where they were added (a group named ``title``, else the parser).
    """
    group = parser.add_argument_group(title) if title else parser
    group.add_argument("--mask-keyframe", action="append", default=[], metavar="[OBJ:]FRAME=FILE", help="a mask for one frame, e.g. 1001=roto.1001.exr or hero:1001=roto.1001.exr (repeatable; the flow tracker re-anchors at each)")
    group.add_argument("--points", action="append", default=[], metavar="[OBJ:]F:X,Y,+|-;...", help="clicks, pixels from the top-left: + on the object, - off it (SAM2)")
    group.add_argument("--box", action="append", default=[], metavar="[OBJ:]F:X0,Y0,X1,Y1", help="a box around the object, pixels from the top-left (SAM2)")
    group.add_argument("--tracker", default="auto", help="auto, flow or sam2 (default auto: SAM2 when it can run, else flow)")
    group.add_argument("--soft", "--soft-masks", dest="soft", action="store_true", help="track soft masks (blended track / SAM2 sigmoid) instead of hard 0/1")
    return group


def prompts_from_args(args: argparse.Namespace) -> Prompts:
    """The prompts given with ``add_prompt_arguments``, parsed (InputError names a malformed one)."""
    return Prompts(
        masks=parse_mask_keyframes(args.mask_keyframe),
        points=parse_points(args.points),
        boxes=parse_boxes(args.box),
    )
