"""Can the daemon track the node's prompts?  Asked before any input is rendered.

The daemon would refuse the job anyway, but only after the host has rendered
the whole Source: clicks on a daemon without SAM2 are the common case (the
CPU fallback, the flow tracker, takes mask keyframes only), so the hosts ask
first, from what the daemon's info reports about its trackers.

The rule mirrors the daemon's (``videomama.tracking.registry.resolve``): a
named tracker must be available, and must take points when there are clicks;
"auto" picks among the available trackers it may choose, so clicks need one
of those that takes points.  Boxes count as clicks here: the daemon reports
one "takes points and boxes" per tracker.  A daemon that reports no
trackers predates the report: nothing is refused here, its own refusal (if
any) comes with the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import PluginError
from .tracking import TrackPrompts

# What gets SAM2 onto a daemon (its weights; the package comes with setup.sh).
INSTALL_SAM2 = "install SAM2's weights on the daemon (`videomama models fetch sam2`)"


@dataclass(frozen=True)
class DaemonTracker:
    """One tracker as the daemon's info reports it, as plain values (see ``reported``)."""

    name: str
    available: bool
    reason: str = ""  # why not, or why "auto" does not pick it
    takes_clicks: bool = False  # the daemon's "points"
    chosen_by_auto: bool = False


def reported(trackers) -> tuple[DaemonTracker, ...]:
    """The client's ``Tracker`` records (``DaemonInfo.trackers``) as plain values.

    Like the jobs' ``submit``, this is handed the client's objects and never
    imports the client; ``check_trackers`` then decides on plain values only.
    """
    return tuple(
        DaemonTracker(t.name, t.available, t.reason, t.takes_points_and_boxes, t.chosen_by_auto) for t in trackers
    )


def check_trackers(prompts: TrackPrompts | None, trackers: Sequence[DaemonTracker], daemon: str) -> None:
    """Raise PluginError when the daemon at ``daemon`` cannot track ``prompts``; say what to do.

    ``prompts`` is None for a node that is not tracking: nothing to check.
    """
    if prompts is None or not trackers:
        return  # not tracking, or an older daemon, which decides when the job arrives
    needing_points = prompts.needing_points
    if prompts.tracker == "auto":
        candidates = [t for t in trackers if t.available and t.chosen_by_auto]
        if needing_points and not any(t.takes_clicks for t in candidates):
            raise PluginError(f"{_why_auto_takes_no_clicks(prompts, trackers, daemon)}: {_remedy(prompts, trackers)}")
        return
    chosen = next((t for t in trackers if t.name == prompts.tracker), None)
    if chosen is None:
        offered = ", ".join(t.name for t in trackers)
        raise PluginError(f"the daemon at {daemon} has no tracker '{prompts.tracker}' (it has {offered})")
    if not chosen.available:
        raise PluginError(f"the {chosen.name} tracker cannot run on the daemon at {daemon}: {chosen.reason}")
    if needing_points and not chosen.takes_clicks:
        raise PluginError(
            f"the {chosen.name} tracker takes no {_words(prompts, 'or')}: {_remedy(prompts, trackers)}"
        )


def _words(prompts: TrackPrompts, joiner: str) -> str:
    """"clicks", "boxes", or both joined by ``joiner``: the refusal names what the artist gave."""
    return f" {joiner} ".join(prompts.needing_points)


def _why_auto_takes_no_clicks(prompts: TrackPrompts, trackers: Sequence[DaemonTracker], daemon: str) -> str:
    given = _words(prompts, "and")
    clickers = [t for t in trackers if t.takes_clicks]
    if not clickers:
        return f"the daemon at {daemon} has no tracker that takes {_words(prompts, 'or')}"
    names = " or ".join(t.name for t in clickers)
    reasons = "; ".join(t.reason or "unavailable" for t in clickers)
    if any(t.available for t in clickers):
        # E.g. SAM2 without a CUDA GPU: it runs, but only when named.
        return f"{given} need {names}, which the daemon at {daemon} does not pick for 'auto' ({reasons})"
    return f"{given} need {names}, which the daemon at {daemon} cannot run ({reasons})"


def _remedy(prompts: TrackPrompts, trackers: Sequence[DaemonTracker]) -> str:
    usable = [t.name for t in trackers if t.available and t.takes_clicks]
    first = f"set the tracker to {' or '.join(usable)}" if usable else INSTALL_SAM2
    given = _words(prompts, "and")
    if prompts.keyframes:
        return f"{first}, or remove the {given} and track from the mask keyframes alone"
    return f"{first}, or give a mask keyframe instead of {given}"
