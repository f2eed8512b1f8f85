"""Durations and time left, as the plugins' progress text says them."""

from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 07 min``; negative counts as 0."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_eta(seconds: float | None) -> str:
    """``3 min 05 s left``, or "" when there is no usable estimate (None, negative, inf, NaN)."""
    if seconds is None or seconds < 0 or math.isinf(seconds) or math.isnan(seconds):
        return ""
    return f"{format_duration(seconds)} left"
