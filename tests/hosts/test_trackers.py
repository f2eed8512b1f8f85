"""Whether the daemon can track a node's prompts, decided before anything is rendered."""

from types import SimpleNamespace

import pytest

from videomama_hosts.errors import PluginError
from videomama_hosts.trackers import DaemonTracker, check_trackers, reported
from videomama_hosts.tracking import Box, Click, TrackPrompts

DAEMON = "127.0.0.1:50051"
FLOW = DaemonTracker("flow", True, "", takes_clicks=False, chosen_by_auto=True)
NO_WEIGHTS = "SAM2 weights are not installed in /m/sam2: run `videomama models fetch sam2 --size tiny`"
SAM2_MISSING = DaemonTracker("sam2", False, NO_WEIGHTS, takes_clicks=True, chosen_by_auto=False)
SAM2_ON_CPU = DaemonTracker("sam2", True, "no CUDA GPU here: SAM2 runs on the CPU only when chosen by name",
                            takes_clicks=True, chosen_by_auto=False)
SAM2_ON_GPU = DaemonTracker("sam2", True, "", takes_clicks=True, chosen_by_auto=True)

CLICKS = TrackPrompts((Click(1, 10, 20),))
CLICKS_AND_KEYFRAME = TrackPrompts((Click(1, 10, 20),), (1,))
KEYFRAME = TrackPrompts(keyframes=(1,))
BOX = TrackPrompts(boxes=(Box(1, 10, 20, 30, 40),))


def refusal(prompts, trackers) -> str:
    with pytest.raises(PluginError) as error:
        check_trackers(prompts, trackers, DAEMON)
    return str(error.value)


def test_clicks_on_a_daemon_without_sam2_say_what_to_do():
    message = refusal(CLICKS, (FLOW, SAM2_MISSING))
    assert message == (
        f"clicks need sam2, which the daemon at {DAEMON} cannot run ({NO_WEIGHTS}): install SAM2's weights "
        "on the daemon (`videomama models fetch sam2`), or give a mask keyframe instead of clicks"
    )


def test_clicks_beside_a_keyframe_are_refused_too_and_told_to_go():
    # The flow tracker, auto's only choice here, refuses clicks even with a keyframe.
    message = refusal(CLICKS_AND_KEYFRAME, (FLOW, SAM2_MISSING))
    assert message.endswith("or remove the clicks and track from the mask keyframes alone")


def test_a_box_is_refused_like_a_click_and_named_as_given():
    # Boxes need a tracker that takes points and boxes, beside a mask keyframe too (the flow tracker takes neither).
    assert refusal(BOX, (FLOW, SAM2_MISSING)) == (
        f"boxes need sam2, which the daemon at {DAEMON} cannot run ({NO_WEIGHTS}): install SAM2's weights "
        "on the daemon (`videomama models fetch sam2`), or give a mask keyframe instead of boxes"
    )
    box_and_keyframe = TrackPrompts(keyframes=(2,), boxes=BOX.boxes)
    assert refusal(box_and_keyframe, (FLOW, SAM2_MISSING)).endswith(
        "or remove the boxes and track from the mask keyframes alone"
    )
    both = TrackPrompts(CLICKS.clicks, boxes=BOX.boxes, tracker="flow")
    assert refusal(both, (FLOW, SAM2_ON_GPU)) == (
        "the flow tracker takes no clicks or boxes: set the tracker to sam2, "
        "or give a mask keyframe instead of clicks and boxes"
    )
    check_trackers(BOX, (FLOW, SAM2_ON_GPU), DAEMON)


def test_sam2_that_auto_does_not_pick_is_offered_by_name():
    message = refusal(CLICKS, (FLOW, SAM2_ON_CPU))
    assert message.startswith(f"clicks need sam2, which the daemon at {DAEMON} does not pick for 'auto' (no CUDA GPU")
    assert message.endswith(": set the tracker to sam2, or give a mask keyframe instead of clicks")
    check_trackers(TrackPrompts(CLICKS.clicks, tracker="sam2"), (FLOW, SAM2_ON_CPU), DAEMON)  # named: it runs


def test_a_named_tracker_must_exist_run_and_take_the_prompts():
    assert refusal(TrackPrompts(CLICKS.clicks, tracker="flow"), (FLOW, SAM2_ON_GPU)) == (
        "the flow tracker takes no clicks: set the tracker to sam2, or give a mask keyframe instead of clicks"
    )
    assert refusal(TrackPrompts(keyframes=(1,), tracker="sam2"), (FLOW, SAM2_MISSING)) == (
        f"the sam2 tracker cannot run on the daemon at {DAEMON}: {NO_WEIGHTS}"
    )
    assert refusal(TrackPrompts(keyframes=(1,), tracker="sam2"), (FLOW,)) == (
        f"the daemon at {DAEMON} has no tracker 'sam2' (it has flow)"
    )


def test_a_daemon_with_no_tracker_for_clicks_still_says_what_to_do():
    message = refusal(CLICKS, (FLOW,))
    assert message.startswith(f"the daemon at {DAEMON} has no tracker that takes clicks: ")
    assert message.endswith("or give a mask keyframe instead of clicks")


@pytest.mark.parametrize(
    ("prompts", "trackers"),
    [
        (CLICKS, (FLOW, SAM2_ON_GPU)),
        (CLICKS_AND_KEYFRAME, (FLOW, SAM2_ON_GPU)),
        (KEYFRAME, (FLOW, SAM2_MISSING)),
        (TrackPrompts(keyframes=(1,), tracker="flow"), (FLOW, SAM2_MISSING)),
        (TrackPrompts(CLICKS.clicks, tracker="sam2"), (FLOW, SAM2_ON_GPU)),
        # A daemon older than tracker reports lists none: its own refusal, if any, comes with the job.
        (CLICKS, ()),
        (TrackPrompts(CLICKS.clicks, tracker="sam2"), ()),
        # Not tracking: the Mask input is the mask.
        (None, (FLOW, SAM2_MISSING)),
    ],
)
def test_prompts_the_daemon_can_track_pass(prompts, trackers):
    check_trackers(prompts, trackers, DAEMON)


def test_the_clients_records_become_plain_values():
    record = SimpleNamespace(name="sam2", display_name="SAM2", available=False, reason="why", chosen_by_auto=False,
                             takes_points_and_boxes=True, needs_mask_keyframe=False)
    assert reported([record]) == (DaemonTracker("sam2", False, "why", takes_clicks=True, chosen_by_auto=False),)
