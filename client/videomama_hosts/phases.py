"""How far a daemon job is, from its progress events, for one progress bar.

A track-then-matte job reports its two phases one after the other, each
counting its own frames from 0 ("track" 1..N, then "matte" 1..N).  Shown
as they come the bar would fill twice; instead tracking fills the first
``TRACK_SHARE`` of it and matting the rest.  Tracking costs a fraction of
matting per frame (the flow tracker next to the classic backend, SAM2 next to
the learned model), hence the small share; it only has to be monotonic and
about right, not exact.
"""

from __future__ import annotations

TRACK = "track"
MATTE = "matte"
TRACK_SHARE = 0.2


def job_fraction(phase: str, done: int, total: int, tracking: bool) -> float:
    """0..1 over the whole job; ``tracking``: the job tracks its masks first."""
    part = min(1.0, max(0.0, done / total)) if total > 0 else 0.0
    if not tracking:
        return part
    if phase == TRACK:
        return TRACK_SHARE * part
    return TRACK_SHARE + (1.0 - TRACK_SHARE) * part


def percent(fraction: float) -> int:
    """Whole percent, rounded down, as progress bars take it (3/8 -> 37)."""
    # Rounded first: 0.29 * 100 is 28.999..., which must still read 29.
    return int(round(fraction * 100, 6))
