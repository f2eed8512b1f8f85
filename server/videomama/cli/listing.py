"""How ``videomama info`` prints what can run: the same layout locally and for ``--server``.

Backends and trackers come from dicts (the local registries' ``report()``)
or from the client's dataclasses (a daemon's GetInfo), so the printers take
plain values and each caller picks them out of what it has.
"""

from __future__ import annotations


def print_entry(name: str, title: str, available: bool, reason: str) -> None:
    # An available entry may still have a reason worth reading, e.g. SAM2
    # without a CUDA GPU, which "auto" does not pick.
    if available:
        state = f"available; {reason}" if reason else "available"
    else:
        state = f"unavailable: {reason}"
    print(f"  {name:<10} {title}\n  {'':<10} {state}")


def tracker_title(display_name: str, takes_points_and_boxes: bool, needs_mask_keyframe: bool) -> str:
    """A tracker's name and the prompts it takes: what decides whether clicks can be used."""
    if not takes_points_and_boxes:
        return f"{display_name}, takes mask keyframes only"
    needs = "; needs a mask keyframe" if needs_mask_keyframe else ""
    return f"{display_name}, takes points, boxes and mask keyframes{needs}"
