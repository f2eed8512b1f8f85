"""The VideoMaMa Matte Group's knobs and internal nodes: what ``binding.build`` gives an empty Group.

A layout only: creating knobs and nodes through ``nuke``, no behaviour.  The
internal graph (see ``binding`` for the picture) renders the inputs with two
disabled Writes and shows the matte through a Read, a Copy and a Switch.
"""

from __future__ import annotations

import nuke

from videomama_hosts.tracking import TRACKERS

from . import __version__
from .request import BACKENDS, COLORSPACES, RANGE_MODES

NODE_NAME = "VideoMaMaMatte1"  # Nuke style: uncollide counts up from 1
MARKER_KNOB = "videomama_version"  # hidden; its presence identifies our Groups
POINT_SLOTS = 4  # positive and negative points per node (clicks for SAM2)
BOX_KNOB = "box"  # one animatable box: a keyframe is a box prompt on that frame (SAM2)
# Button commands: through the binding, so a reloaded module is the one that runs.
_COMMAND = "import videomama_nuke.binding as videomama; videomama.{}()"


def add_knobs(group) -> None:
    def add(knob, tooltip: str = ""):
        if tooltip:
            knob.setTooltip(tooltip)
        group.addKnob(knob)
        return knob

    add(nuke.Tab_Knob("videomama", "VideoMaMa"))
    add(nuke.String_Knob(MARKER_KNOB, "version", __version__)).setVisible(False)
    add(nuke.String_Knob("result_key", "result key", "")).setVisible(False)
    add(
        nuke.String_Knob("address", "daemon address", ""),
        "HOST:PORT of `videomama serve`; empty uses $VIDEOMAMA_ADDRESS, else 127.0.0.1:50051. "
        "A token, if the daemon needs one, comes from $VIDEOMAMA_TOKEN.",
    )
    add(nuke.Enumeration_Knob("backend", "backend", list(BACKENDS)),
        "auto: the learned model if its weights are installed, else classic (CPU)")
    add(nuke.Enumeration_Knob("range_mode", "frame range", list(RANGE_MODES)),
        "input: the Source input's frame range; custom: the two numbers below")
    root = nuke.root()
    add(nuke.Int_Knob("range_first", "first")).setValue(int(root["first_frame"].value()))
    add(nuke.Int_Knob("range_last", "last")).setValue(int(root["last_frame"].value()))
    add(nuke.Boolean_Knob("custom_windows", "custom windows", False),
        "off: the daemon's window length and overlap")
    add(nuke.Int_Knob("window", "window"), "frames matted together").setValue(16)
    add(nuke.Int_Knob("overlap", "overlap"), "frames shared by neighbouring windows").setValue(4)
    add(nuke.Channel_Knob("mask_channel", "mask channel", 1),
        "the channel of the Mask input that holds the rough mask").setValue("rgba.alpha")
    add(nuke.Enumeration_Knob("colorspace", "source colourspace", list(COLORSPACES)),
        "the working space the plate is rendered in (the EXR the daemon reads); "
        "default: scene-linear Rec.709, Nuke's default")
    add(nuke.File_Knob("cache_dir", "cache directory"),
        "empty: videomama_cache under the project directory, else beside the script, else in NUKE_TEMP_DIR")
    add(nuke.Boolean_Knob("premultiply", "premultiply", False), "multiply the plate's colour by the matte")
    add(nuke.PyScript_Knob("compute", "Compute", _COMMAND.format("on_compute_pressed")))
    add(nuke.PyScript_Knob("cancel", "Cancel", _COMMAND.format("on_cancel_pressed")))
    add(nuke.PyScript_Knob("clear_cache", "Clear cache", _COMMAND.format("on_clear_cache_pressed")))
    add(nuke.Text_Knob("status", "status", ""))

    add(nuke.Tab_Knob("sam2", "Tracking"))
    add(nuke.Boolean_Knob("use_points", "track the masks (points, box and mask keyframes)", False),
        "on: the daemon tracks the masks from the keyed points and box below and from the Mask input on the "
        "mask keyframes only; off: the Mask input is the mask on every frame and the points are ignored")
    add(nuke.String_Knob("mask_keyframes", "mask keyframes", ""),
        "frames where the Mask input outlines the subject, e.g. 1001 1040; the Mask input is rendered on "
        "these frames only. The flow tracker (the daemon's fallback without SAM2) needs at least one")
    add(nuke.Enumeration_Knob("tracker", "tracker", list(TRACKERS)),
        "auto: SAM2 if the daemon can run it, else the flow tracker (mask keyframes only); "
        "sam2 / flow: that one, or an error saying why it cannot run")
    add(nuke.Boolean_Knob("soft_masks", "soft masks", False),
        "track soft masks (SAM2's probabilities) instead of hard 0/1 masks")
    for polarity in ("positive", "negative"):
        for slot in range(1, POINT_SLOTS + 1):
            add(nuke.XY_Knob(f"{polarity}{slot}", f"{polarity} {slot}"),
                "a point counts on the frames where it has a keyframe (clicks need SAM2 on the daemon)")
    add(nuke.BBox_Knob(BOX_KNOB, "box"),
        "a box around the subject, counted on the frames where it has a keyframe (boxes need SAM2 on the daemon)")


def add_internal_nodes() -> None:
    source = nuke.nodes.Input(name="Source", xpos=0, ypos=0)
    mask = nuke.nodes.Input(name="Mask", xpos=300, ypos=0)
    # The chosen mask channel goes to alpha, the one channel WriteMask writes.
    mask_channel = nuke.nodes.Copy(name="MaskChannel", from0="rgba.alpha", to0="rgba.alpha", xpos=300, ypos=100)
    mask_channel.setInput(0, mask)
    mask_channel.setInput(1, mask)
    # Disabled except while Compute executes them, so a "render all Writes"
    # on the farm never renders them.
    write_source = nuke.nodes.Write(name="WriteSource", channels="rgb", file_type="exr", disable=True,
                                    xpos=150, ypos=100)
    write_source["datatype"].setValue("16 bit half")
    write_source.setInput(0, source)
    write_mask = nuke.nodes.Write(name="WriteMask", channels="alpha", file_type="exr", disable=True,
                                  xpos=300, ypos=200)
    write_mask["datatype"].setValue("16 bit half")
    write_mask.setInput(0, mask_channel)
    # Black outside the computed range, not the first/last matte held.
    result = nuke.nodes.Read(name="Result", before="black", after="black", xpos=-150, ypos=100)
    copy_alpha = nuke.nodes.Copy(name="CopyAlpha", from0="rgba.alpha", to0="rgba.alpha", xpos=0, ypos=200)
    copy_alpha.setInput(0, source)
    copy_alpha.setInput(1, result)
    premult = nuke.nodes.Premult(name="Premult", disable=True, xpos=0, ypos=300)
    premult.setInput(0, copy_alpha)
    use_result = nuke.nodes.Switch(name="UseResult", which=0, xpos=0, ypos=400)
    use_result.setInput(0, source)
    use_result.setInput(1, premult)
    output = nuke.nodes.Output(xpos=0, ypos=500)
    output.setInput(0, use_result)


def is_videomama_node(node) -> bool:
    return node is not None and MARKER_KNOB in node.knobs()
