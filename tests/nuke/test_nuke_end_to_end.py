"""The node drives a real daemon (classic CPU backend) through the stand-in ``nuke``.

Compute renders the Source and Mask reads to EXR with the internal Writes,
the daemon mattes them, and the internal Read must then show exactly what
``run_matte`` produces in-process from the same rendered inputs.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from nuke_support import build_graph, closed_port_address, wait_for_jobs

from videomama_client import Client

from videomama.jobs.model_cache import ModelCache
from videomama.matting.engine import run_matte
from videomama.matting.request import MatteRequest
from videomama.sequences.image_read import read_mask
from videomama.sequences.pattern import FrameRange
from videomama_nuke import cache


def alpha(pattern: str, frame: int) -> np.ndarray:
    return read_mask(cache.frame_path(pattern, frame), channel="A").pixels[:, :, 0]


def matte_in_process(entry: cache.CacheEntry, frames: tuple[int, int], output: str) -> None:
    shot = FrameRange(*frames)
    run_matte(MatteRequest(
        plate=entry.source, mask=entry.mask, output=output, frames=shot, shot=shot,
        backend="classic", window=4, overlap=1, mask_channel="A",
    ))


def test_compute_mattes_through_the_daemon_and_caches_the_result(nuke, gui_binding, nuke_clip, tmp_path, daemon):
    binding = gui_binding
    node, plate, _ = build_graph(nuke, binding, nuke_clip, tmp_path / "cache", daemon.address)

    nuke.press(node, "compute")
    wait_for_jobs(nuke)

    # 1. The inputs were rendered by the internal Writes, then the daemon's matte is shown.
    plan = binding._plan(node)
    entry, frames = plan.entry, plan.frames
    assert frames == (nuke_clip.first, nuke_clip.last)
    assert [name for name, *_ in nuke.executed] == ["VideoMaMaMatte1.WriteSource", "VideoMaMaMatte1.WriteMask"]
    read = node.node("Result")
    assert read["file"].value() == entry.matte and (read["first"].value(), read["last"].value()) == frames
    assert node.node("UseResult")["which"].value() == 1 and node["result_key"].value() == entry.key
    assert node["status"].value() == f"Computed frames 1001-1008: done with classic: 8 frames written"
    assert nuke.messages == []

    # 2. The matte equals run_matte's on the same rendered inputs, bit for bit.
    local = str(tmp_path / "local" / "matte.####.exr")
    matte_in_process(entry, frames, local)
    for frame in range(frames[0], frames[1] + 1):
        np.testing.assert_array_equal(alpha(read["file"].value(), frame), alpha(local, frame))

    # 3. The stream: the plate's colour with the matte as alpha (premultiplied on request).
    shown = nuke.render_pixels(node, 1004)
    np.testing.assert_array_equal(shown["rgba.alpha"], alpha(local, 1004))
    np.testing.assert_array_equal(shown["rgba.green"], nuke.render_pixels(plate, 1004)["rgba.green"])
    nuke.user_set(node, "premultiply", True)
    premultiplied = nuke.render_pixels(node, 1004)
    np.testing.assert_allclose(premultiplied["rgba.green"], shown["rgba.green"] * shown["rgba.alpha"], rtol=1e-6)

    # 4. Progress went to a ProgressTask, ending at 100%.
    task = nuke.progress_tasks[-1]
    assert task.progress[-1] == 100 and task.messages[-1] == "done with classic: 8 frames written"

    # 5. Unchanged inputs: a second Compute renders nothing and sends no job.
    with Client(daemon.address) as client:
        jobs_before = client.list_jobs(include_finished=True)
        nuke.press(node, "compute")
        assert node["status"].value() == "Cached result for frames 1001-1008 (nothing to compute)"
        assert len(nuke.executed) == 2 and len(nuke.progress_tasks) == 1
        assert client.list_jobs(include_finished=True) == jobs_before


def test_upstream_changes_rename_the_cache_and_coming_back_finds_it(nuke, gui_binding, nuke_clip, tmp_path, daemon):
    binding = gui_binding
    node, plate, _ = build_graph(nuke, binding, nuke_clip, tmp_path / "cache", daemon.address)
    nuke.press(node, "compute")
    wait_for_jobs(nuke)
    computed_key = node["result_key"].value()

    # A knob upstream changes (the artist grades the plate): a new cache name, plate passed through.
    grade = nuke.nodes.Multiply(name="Grade", value=1.0)
    grade.setInput(0, plate)
    nuke.user_connect(node, 0, grade)
    key_with_grade = binding._plan(node).entry.key
    assert key_with_grade != computed_key  # a node in the chain counts even when it does nothing
    grade["value"].setValue(1.2)
    assert binding._plan(node).entry.key not in (computed_key, key_with_grade)
    assert not binding.refresh(node)
    assert node["status"].value() == "Not computed for the current inputs: press Compute"
    assert node.node("UseResult")["which"].value() == 0

    # Moving or renaming nodes is not a change; going back to the original inputs finds the result.
    plate["xpos"].setValue(500)
    plate.setName("PlateRenamed")
    nuke.user_connect(node, 0, plate)
    assert node["result_key"].value() == computed_key and node.node("UseResult")["which"].value() == 1
    # Our own settings that change the matte count too.
    nuke.user_set(node, "window", 6)
    assert node["status"].value().startswith("Not computed") and node["result_key"].value() == ""


def test_a_farm_render_computes_a_missing_result_then_uses_the_cache(nuke, binding, nuke_clip, tmp_path, daemon, capsys):
    """``nuke -x``: beforeRender of the user's Write computes what is missing, synchronously."""
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path / "cache", daemon.address)
    comp = nuke.nodes.Write(name="Comp", file=str(tmp_path / "comp" / "comp.####.exr"), channels="rgba",
                            file_type="exr")
    comp["datatype"].setValue("32 bit float")
    comp.setInput(0, node)
    os.makedirs(tmp_path / "comp")

    nuke.execute(comp, nuke_clip.first, nuke_clip.last, 1)

    entry = binding._plan(node).entry
    assert entry.result_complete((nuke_clip.first, nuke_clip.last))
    np.testing.assert_array_equal(
        alpha(str(tmp_path / "comp" / "comp.####.exr"), 1005), alpha(entry.matte, 1005).astype(np.float32)
    )
    assert "VideoMaMa VideoMaMaMatte1: 100% done with classic" in capsys.readouterr().out

    # A later session (another farm machine, same shared cache) renders without any daemon.
    nuke.reset()
    exec_startup(binding)
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path / "cache", closed_port_address())
    nuke.load_script()
    assert node["status"].value() == "Cached result for frames 1001-1008"
    comp = nuke.nodes.Write(name="Comp", file=str(tmp_path / "comp2" / "comp.####.exr"), channels="rgba",
                            file_type="exr")
    comp.setInput(0, node)
    os.makedirs(tmp_path / "comp2")
    nuke.execute(comp, 1001, 1002, 1)
    assert [name for name, *_ in nuke.executed] == ["Comp"]  # inputs not rendered again


def exec_startup(binding):
    from nuke_support import PLUGIN_ROOT

    exec((PLUGIN_ROOT / "init.py").read_text(), {})


def chain(nuke, binding, clip, cache_dir, address):
    """Plate and Roto into a first VideoMaMa node, whose output feeds a second one."""
    first, _, roto = build_graph(nuke, binding, clip, cache_dir, address, premultiply=True)
    second = binding.create_node()
    second.setInput(0, first)
    second.setInput(1, roto)
    for name, value in {"address": address, "cache_dir": str(cache_dir), "backend": "classic",
                        "mask_channel": "rgba.red"}.items():
        second[name].setValue(value)
    comp = nuke.nodes.Write(name="Comp", file=str(cache_dir / "comp.####.exr"), channels="rgba", file_type="exr")
    comp.setInput(0, second)
    return first, second, comp


def test_chained_nodes_compute_upstream_first_and_keep_their_keys_across_sessions(
    nuke, binding, nuke_clip, tmp_path, daemon
):
    first, second, comp = chain(nuke, binding, nuke_clip, tmp_path / "cache", daemon.address)
    nuke.execute(comp, 1001, 1002, 1)
    keys = first["result_key"].value(), second["result_key"].value()
    assert all(keys) and keys[0] != keys[1]
    # Comp's beforeRender computed the upstream node first (the stand-in logs an
    # execute once its beforeRender callbacks are done).
    assert [name for name, *_ in nuke.executed] == [
        "VideoMaMaMatte1.WriteSource", "VideoMaMaMatte1.WriteMask",
        "VideoMaMaMatte2.WriteSource", "VideoMaMaMatte2.WriteMask", "Comp",
    ]
    # The second node's Source is the first node's output: the premultiplied plate (as half).
    rendered = read_rgb(binding._plan(second).entry.source, 1001)
    expected = nuke.render_pixels(first, 1001)
    np.testing.assert_allclose(rendered[..., 1], expected["rgba.green"], rtol=2e-3, atol=1e-3)

    # Reopened elsewhere (internal bookkeeping reset): both keys are found again.
    nuke.reset()
    exec_startup(binding)
    first, second, _ = chain(nuke, binding, nuke_clip, tmp_path / "cache", closed_port_address())
    nuke.load_script()
    assert (first["result_key"].value(), second["result_key"].value()) == keys


def read_rgb(pattern: str, frame: int) -> np.ndarray:
    from videomama.sequences.image_read import read_plate

    return read_plate(cache.frame_path(pattern, frame), colorspace="raw").pixels


def test_a_farm_render_fails_with_one_line_when_the_daemon_is_down(nuke, binding, nuke_clip, tmp_path):
    address = closed_port_address()
    node, _, _ = build_graph(nuke, binding, nuke_clip, tmp_path / "cache", address)
    comp = nuke.nodes.Write(name="Comp", file=str(tmp_path / "comp.####.exr"), channels="rgba", file_type="exr")
    comp.setInput(0, node)
    with pytest.raises(RuntimeError) as caught:
        nuke.execute(comp, 1001, 1008, 1)
    assert str(caught.value) == (
        f"VideoMaMa VideoMaMaMatte1: daemon not running at {address} — start it with `videomama serve`; "
        "a farm render or a script starts one only when VIDEOMAMA_SERVE names its serve command"
    )
    assert not os.path.exists(tmp_path / "comp.1001.exr")  # nothing rendered without its matte


def test_compute_with_no_daemon_running_starts_one_and_mattes(nuke, gui_binding, nuke_clip, tmp_path, monkeypatch, started_daemons):
    # The artist's machine: videomama installed, no daemon started yet.
    monkeypatch.setenv("VIDEOMAMA_SERVE", f"{shlex.quote(str(Path(sys.executable).parent / 'videomama'))} serve")
    address = closed_port_address()
    node, _, _ = build_graph(nuke, gui_binding, nuke_clip, tmp_path / "cache", address)
    statuses = []
    real_set_status = gui_binding._set_status
    monkeypatch.setattr(gui_binding, "_set_status", lambda group, text: statuses.append(text) or real_set_status(group, text))
    nuke.press(node, "compute")
    wait_for_jobs(nuke)
    assert f"No daemon at {address}: starting one" in statuses
    assert node["status"].value().startswith("Computed frames 1001-1008"), node["status"].value()
    assert len(started_daemons) == 1 and started_daemons[0].poll() is None  # kept for the next Compute


def test_a_daemon_error_during_a_background_compute_is_a_message(nuke, gui_binding, nuke_clip, tmp_path, start_daemon):
    daemon = start_daemon(output_roots=(str(tmp_path / "allowed"),))
    node, _, _ = build_graph(nuke, gui_binding, nuke_clip, tmp_path / "elsewhere", daemon.address)
    nuke.press(node, "compute")
    wait_for_jobs(nuke)
    assert node["status"].value().startswith(
        "Error: the daemon may not write the cache directory (set one under its output roots):"
    )
    assert len(nuke.messages) == 1 and "\n" not in nuke.messages[0]
    assert node.node("UseResult")["which"].value() == 0


class _SlowClassic:
    """The classic backend, waiting before each window so a test can cancel mid-job."""

    def __init__(self, inner):
        self._inner = inner

    def describe(self):
        return self._inner.describe()

    def matte(self, window, stop):
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            stop.check()
            time.sleep(0.01)
        return self._inner.matte(window, stop)


def test_cancel_stops_the_job_keeps_finished_frames_and_clear_cache_removes_them(
    nuke, gui_binding, nuke_clip, tmp_path, start_daemon
):
    from videomama.backends import registry

    slow = ModelCache(600.0, create_backend=lambda name, options: _SlowClassic(registry.create(name, options)))
    daemon = start_daemon(slow)
    node, _, _ = build_graph(nuke, gui_binding, nuke_clip, tmp_path / "cache", daemon.address)
    nuke.press(node, "compute")
    nuke.press(node, "compute")  # a second press while running is refused, not a second job
    assert "already computing" in node["status"].value()
    started = time.monotonic()
    nuke.press(node, "cancel")
    wait_for_jobs(nuke)
    assert time.monotonic() - started < 1.5  # stopped inside the first window's wait
    assert node["status"].value().startswith("Cancelled: cancelled; frames already finished are kept")
    assert nuke.messages == ["VideoMaMaMatte1: VideoMaMaMatte1 is already computing; press Cancel to stop it first"]
    entry = gui_binding._plan(node).entry
    assert entry.inputs_complete((1001, 1008)) and not entry.result_complete((1001, 1008))

    nuke.press(node, "clear_cache")
    assert node["status"].value() == "Cache cleared (1 result removed)"
    assert not os.path.exists(entry.folder)
