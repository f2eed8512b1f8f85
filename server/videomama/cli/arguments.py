"""Argument types shared by sub-commands, so each parses a value one way."""

from __future__ import annotations

import argparse

from ..errors import InputError
from ..sequences.pattern import FrameRange, parse_frame_range


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
