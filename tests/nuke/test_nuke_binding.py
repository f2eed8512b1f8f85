"""The binding through the stand-in ``nuke``: startup, the node, knobs, and errors as lines.

Error paths use real daemons (or a closed port) but never get as far as a
matte; the full Compute is in test_nuke_end_to_end.py.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from nuke_support import PLUGIN_ROOT, build_graph, closed_port_address
from videomama_hosts.tracking import Click


def test_startup_files_register_menus_and_callbacks(nuke, gui_binding):
    binding = gui_binding
    for menu_name in ("Nodes", "Nuke"):
        assert nuke.menu(menu_name).items["VideoMaMa"].items["VideoMaMa Matte"] is binding.create_node
    registered = {kind: [c[0] for c in calls] for kind, calls in nuke._callbacks.items()}
    assert registered == {
        "beforeRender": [binding.before_render],
        "onScriptLoad": [binding.on_script_load],
        "knobChanged": [binding.on_knob_changed],
    }


def test_menu_py_adds_no_ui_in_a_terminal_session(nuke):
    exec((PLUGIN_ROOT / "menu.py").read_text(), {})
    assert nuke.menus == {} and "knobChanged" not in nuke._callbacks


def test_only_the_binding_and_its_layout_import_nuke():
    for path in (PLUGIN_ROOT / "videomama_nuke").glob("*.py"):
        source = path.read_text()
        imports_nuke = "import nuke" in source.replace("import nuke,", "import nuke")
        assert imports_nuke == (path.name in {"binding.py", "layout.py"}), path.name
        for heavy in ("torch", "OpenImageIO", "videomama.", "cv2"):
            assert f"import {heavy}" not in source and f"from {heavy}" not in source, (path.name, heavy)


def test_the_node_has_its_knobs_and_passes_the_plate_through_until_computed(nuke, binding, nuke_clip, tmp_path):
    node, plate, _ = build_graph(nuke, binding, nuke_clip, tmp_path / "cache", "127.0.0.1:1")
    assert node.name() == "VideoMaMaMatte1" and binding.is_videomama_node(node)
    second = binding.create_node()
    assert second.name() == "VideoMaMaMatte2"
    for name in ("address", "backend", "range_mode", "range_first", "range_last", "window", "overlap",
                 "mask_channel", "colorspace", "cache_dir", "compute", "cancel", "clear_cache", "status",
                 "premultiply", "use_points", "mask_keyframes", "tracker", "soft_masks", "positive1", "negative4"):
        assert node.knob(name) is not None, name
    assert node["backend"].values() == ["auto", "videomama", "classic"]
    assert node["tracker"].values() == ["auto", "sam2", "flow"]
    assert not node["videomama_version"].visible() and not node["result_key"].visible()
    # Internal Writes stay disabled, so "render all Writes" on a farm skips them.
    assert node.node("WriteSource")["disable"].value() and node.node("WriteMask")["disable"].value()
    passthrough = nuke.render_pixels(node, 1003)
    np.testing.assert_array_equal(passthrough["rgba.red"], nuke.render_pixels(plate, 1003)["rgba.red"])


def test_knob_changes_drive_the_internal_nodes(nuke, gui_binding):
    binding = gui_binding
    node = binding.create_node()
    nuke.user_set(node, "premultiply", True)
    assert node.node("Premult")["disable"].value() is False
    nuke.user_set(node, "premultiply", False)
    assert node.node("Premult")["disable"].value() is True
    nuke.user_set(node, "mask_channel", "rgba.red")
    assert node.node("MaskChannel")["from0"].value() == "rgba.red"
    assert not node["range_first"].enabled() and not node["window"].enabled()
    nuke.user_set(node, "range_mode", "custom")
    nuke.user_set(node, "custom_windows", True)
    assert node["range_first"].enabled() and node["window"].enabled()
    tracking = ("positive1", "negative4", "mask_keyframes", "tracker", "soft_masks")
    assert not any(node[name].enabled() for name in tracking) and node["mask_channel"].enabled()
    nuke.user_set(node, "use_points", True)
    # The mask channel stays: it picks the channel of the mask keyframes too.
    assert all(node[name].enabled() for name in tracking) and node["mask_channel"].enabled()


def test_a_knob_change_on_another_group_is_ignored(nuke, gui_binding):
    other = nuke.nodes.Group(name="SomeGizmo")
    other.addKnob(nuke.Boolean_Knob("premultiply", "premultiply"))
    nuke.user_set(other, "premultiply", True)  # must not look for our internal nodes


@pytest.mark.parametrize("gui", [True, False])
def test_nothing_connected_is_a_status_line_and_a_message_never_a_traceback(nuke, binding, gui, capsys):
    nuke.GUI = gui
    node = binding.create_node()
    nuke.press(node, "compute")  # raising here would be Nuke's traceback dialog
    assert node["status"].value() == "Error: connect a plate to the Source input"
    if gui:
        assert nuke.messages == ["VideoMaMaMatte1: connect a plate to the Source input"]
    else:
        assert nuke.messages == [] and "connect a plate" in capsys.readouterr().err


def test_missing_mask_and_reversed_range(nuke, binding, nuke_clip, tmp_path):
    nuke.GUI = True
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, "127.0.0.1:1")
    node.setInput(1, None)
    nuke.press(node, "compute")
    assert "connect a mask (Roto, RotoPaint or any node) to the Mask input" in node["status"].value()
    node.setInput(1, nuke.nodes.Read(file=nuke_clip.mask_png, first=1001, last=1008))
    node["range_mode"].setValue("custom")
    node["range_first"].setValue(1008)
    node["range_last"].setValue(1001)
    nuke.press(node, "compute")
    assert node["status"].value() == (
        "Error: frame range 1008-1001 is reversed: the first frame must not come after the last"
    )
    assert len(nuke.messages) == 2 and all("\n" not in m for m in nuke.messages)


def test_daemon_down_is_reported_before_any_input_is_rendered(nuke, binding, nuke_clip, tmp_path):
    nuke.GUI = True
    address = closed_port_address()
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, address)
    nuke.press(node, "compute")
    expected = (
        f"daemon not running at {address} — start it with `videomama serve`; "
        "put `videomama` on PATH or set VIDEOMAMA_SERVE to its serve command, and the node starts it"
    )
    assert node["status"].value() == f"Error: {expected}"
    assert nuke.messages == [f"VideoMaMaMatte1: {expected}"]
    assert nuke.executed == []  # nothing rendered for a job that could not run


def test_a_backend_without_weights_is_named_with_its_reason(nuke, binding, nuke_clip, tmp_path, daemon):
    nuke.GUI = True
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, daemon.address, backend="videomama")
    nuke.press(node, "compute")
    status = node["status"].value()
    assert status.startswith(f"Error: backend 'videomama' cannot run on the daemon at {daemon.address}: videomama: ")
    assert len(status) > len(f"Error: backend 'videomama' cannot run on the daemon at {daemon.address}: videomama: ")
    assert nuke.executed == []


def test_tracking_without_prompts_or_with_keyframes_but_no_mask_says_what_to_fix(nuke, binding, nuke_clip, tmp_path):
    nuke.GUI = True
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, closed_port_address(), use_points=True)
    nuke.press(node, "compute")
    assert node["status"].value().startswith("Error: nothing to track: key a positive point or a box on the subject")

    node["mask_keyframes"].setValue("1001")
    node.setInput(1, None)
    nuke.press(node, "compute")
    assert node["status"].value().startswith(
        "Error: 'mask keyframes' lists frames but nothing is connected to the Mask input"
    )
    node["mask_keyframes"].setValue("1001 1O05")
    nuke.press(node, "compute")
    assert node["status"].value() == (
        "Error: '1O05' in mask keyframes is not a frame number: list frames like 1001 1025"
    )
    assert nuke.executed == [] and len(nuke.messages) == 3


def test_points_keyframes_and_tracker_are_part_of_the_cache_key(nuke, binding, nuke_clip, tmp_path):
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, "127.0.0.1:1", use_points=True)
    node["positive1"].setValueAt((40.0, 30.0), 1001)
    first = binding._plan(node)
    # Nuke's y counts up from the bottom of the 64-pixel format; the daemon's down from the top.
    assert first.prompts.clicks == (Click(1001, 40.0, 64 - 30.0, True),)
    assert first.mask_frames == ()  # no keyframes listed: the Mask input is not rendered at all
    keys = {first.entry.key}
    node["positive1"].setValueAt((41.0, 30.0), 1001)  # a click moved
    keys.add(binding._plan(node).entry.key)
    node["negative1"].setValueAt((5.0, 5.0), 1003)  # a click added
    keys.add(binding._plan(node).entry.key)
    node["mask_keyframes"].setValue("1001")
    keyed = binding._plan(node)
    assert keyed.mask_frames == (1001,)
    keys.add(keyed.entry.key)
    node["tracker"].setValue("sam2")
    keys.add(binding._plan(node).entry.key)
    node["soft_masks"].setValue(True)
    keys.add(binding._plan(node).entry.key)
    assert len(keys) == 6


def test_with_track_off_the_points_change_nothing(nuke, binding, nuke_clip, tmp_path):
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, "127.0.0.1:1")
    before = binding._plan(node)
    node["positive1"].setValueAt((40.0, 30.0), 1001)
    node["mask_keyframes"].setValue("1001")
    after = binding._plan(node)
    assert after.prompts is None and after.mask_frames is None and after.entry.key == before.entry.key


def test_without_the_client_the_node_loads_and_compute_says_how_to_install_it(nuke, nuke_clip, tmp_path, monkeypatch):
    """A Nuke without grpcio/protobuf: startup, node creation and the plate still work."""
    import importlib

    for name in [m for m in sys.modules if m.startswith("videomama_nuke")]:
        monkeypatch.delitem(sys.modules, name)  # imported afresh below, restored afterwards
    monkeypatch.setitem(sys.modules, "videomama_client", None)  # makes `import videomama_client` fail
    nuke.GUI = True
    for startup_file in ("init.py", "menu.py"):
        exec((PLUGIN_ROOT / startup_file).read_text(), {})
    binding = importlib.import_module("videomama_nuke.binding")
    node, plate, _ = build_graph(nuke, binding, nuke_clip, tmp_path, "127.0.0.1:1")
    np.testing.assert_array_equal(nuke.render_pixels(node, 1001)["rgba.red"], nuke.render_pixels(plate, 1001)["rgba.red"])
    nuke.press(node, "compute")
    assert node["status"].value().startswith("Error: cannot load the VideoMaMa client in Nuke's Python")
    assert "plugin_nuke/README.md" in nuke.messages[0] and "\n" not in nuke.messages[0]


def test_a_relative_cache_directory_is_refused(nuke, gui_binding, nuke_clip, tmp_path):
    node, _, _ = build_graph(nuke, gui_binding, nuke_clip, "cache", "127.0.0.1:1")
    nuke.press(node, "compute")
    assert node["status"].value() == "Error: the cache directory 'cache' must be an absolute path"


def test_cancel_and_clear_with_nothing_running_or_cached(nuke, binding, nuke_clip, tmp_path):
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path, "127.0.0.1:1")
    nuke.press(node, "cancel")
    assert node["status"].value() == "Nothing is computing"
    nuke.press(node, "clear_cache")
    assert node["status"].value() == "Cache cleared (0 results removed)"
