"""Cache naming and state: pure Python, no Nuke."""

from __future__ import annotations

import json
import os

import pytest
from videomama_nuke import cache
from videomama_nuke.cache import CacheEntry, KnobRecord, NodeRecord


def read_node(path: str, *extra: KnobRecord) -> NodeRecord:
    return NodeRecord("Read", (KnobRecord("file", "File_Knob", path, path), *extra))


def key(records, roots=("plate", "roto"), frames=(1, 8), settings=None, project=None) -> str:
    return cache.cache_key(
        cache.graph_digests(records, list(roots)), frames, settings or {"backend": "classic"}, project or {}
    )


@pytest.fixture
def graph():
    return {
        "plate": read_node("/show/plate.%04d.exr"),
        "roto": NodeRecord("Roto", (KnobRecord("curves", "Curve_Knob", "{shape 1}"),)),
    }


def test_the_same_script_state_gives_the_same_key(graph):
    assert key(graph) == key(dict(graph)) and len(key(graph)) == 64


def test_node_graph_cosmetics_do_not_change_the_key(graph):
    moved = dict(graph)
    moved["roto"] = NodeRecord(
        "Roto",
        (
            KnobRecord("curves", "Curve_Knob", "{shape 1}"),
            KnobRecord("xpos", "Int_Knob", "300"),
            KnobRecord("label", "String_Knob", "hero"),
            KnobRecord("tile_color", "ColorChip_Knob", "0xff"),
            KnobRecord("help_tab", "Tab_Knob", ""),
        ),
    )
    assert key(moved) == key(graph)


@pytest.mark.parametrize(
    "change",
    [
        lambda g: g.update(roto=NodeRecord("Roto", (KnobRecord("curves", "Curve_Knob", "{shape 2}"),))),
        lambda g: g.update(roto=NodeRecord("Roto", g["roto"].knobs + (KnobRecord("disable", "Disable_Knob", "true"),))),
        lambda g: g.update(plate=read_node("/show/plate_v2.%04d.exr")),
    ],
    ids=["roto shape", "node disabled", "other plate"],
)
def test_anything_that_changes_pixels_changes_the_key(graph, change):
    before = key(graph)
    change(graph)
    assert key(graph) != before


def test_frame_range_settings_and_project_are_part_of_the_key(graph):
    base = key(graph)
    assert key(graph, frames=(1, 7)) != base
    assert key(graph, settings={"backend": "videomama"}) != base
    assert key(graph, project={"format": "HD_1080"}) != base
    # Project knobs outside the whitelist (the current frame, the script name) do not count.
    assert key(graph, project={"frame": "12", "name": "/shots/a_v002.nk"}) == base


def test_upstream_changes_propagate_through_the_wiring():
    records = {
        "plate": read_node("/show/plate.%04d.exr"),
        "grade": NodeRecord("Grade", (KnobRecord("white", "Color_Knob", "1"),), inputs=("plate",)),
    }
    before = key(records, roots=("grade", None))
    records["plate"] = read_node("/show/plate.%04d.exr", KnobRecord("colorspace", "Enumeration_Knob", "sRGB"))
    assert key(records, roots=("grade", None)) != before


def test_input_order_matters_but_node_ids_do_not():
    a = {"x": read_node("/a.exr"), "y": read_node("/b.exr"), "m": NodeRecord("Merge2", (), inputs=("x", "y"))}
    swapped = {"x": read_node("/a.exr"), "y": read_node("/b.exr"), "m": NodeRecord("Merge2", (), inputs=("y", "x"))}
    renamed = {"p": read_node("/a.exr"), "q": read_node("/b.exr"), "m": NodeRecord("Merge2", (), inputs=("p", "q"))}
    assert key(a, roots=("m", None)) != key(swapped, roots=("m", None))
    assert key(a, roots=("m", None)) == key(renamed, roots=("m", None))


def test_group_insides_count():
    def group(blur: str):
        return {
            "g": NodeRecord("Group", (), children=(("Blur1", "g.Blur1"),)),
            "g.Blur1": NodeRecord("Blur", (KnobRecord("size", "WH_Knob", blur),)),
        }

    assert key(group("3"), roots=("g", None)) != key(group("4"), roots=("g", None))


def test_expression_cycles_and_deep_graphs_are_fine():
    records = {
        "a": NodeRecord("Transform", (), inputs=("b",), references=("c",)),
        "b": NodeRecord("Constant", ()),
        "c": NodeRecord("Tracker", (), inputs=("a",)),  # reads a back through an expression
    }
    assert cache.graph_digests(records, ["a", None])[0]
    deep = {str(i): NodeRecord("Dot", (), inputs=(str(i + 1),)) for i in range(5000)}
    deep["5000"] = NodeRecord("Constant", ())
    assert cache.graph_digests(deep, ["0"])[0]  # no recursion limit


def test_re_rendered_files_change_the_key(tmp_path):
    frames = [tmp_path / f"plate.{f:04d}.exr" for f in (1, 2)]
    for path in frames:
        path.write_bytes(b"v1")
    pattern = str(tmp_path / "plate.%04d.exr")
    records = {"plate": read_node(pattern)}
    before = key(records, roots=("plate", None))
    frames[1].write_bytes(b"v2 longer")
    assert key(records, roots=("plate", None)) != before


def test_sequence_fingerprint_understands_nuke_patterns(tmp_path):
    for name in ("plate.0001.exr", "plate.0002.exr", "plate.-0001.exr", "plate.exr", "other.0001.exr"):
        (tmp_path / name).write_bytes(b"x")
    for token in ("####", "%04d", "%d", "$F4"):
        names = [entry[0] for entry in cache.sequence_fingerprint(str(tmp_path / f"plate.{token}.exr"))]
        assert names == ["plate.-0001.exr", "plate.0001.exr", "plate.0002.exr"]
    assert [e[0] for e in cache.sequence_fingerprint(str(tmp_path / "plate.exr"))] == ["plate.exr"]
    assert cache.sequence_fingerprint("relative/plate.%04d.exr") == []
    assert cache.sequence_fingerprint("[value root.project]/plate.%04d.exr") == []


def test_frame_path():
    assert cache.frame_path("/c/matte.####.exr", 7) == "/c/matte.0007.exr"
    assert cache.frame_path("/c/matte.%05d.exr", 1001) == "/c/matte.01001.exr"
    assert cache.frame_path("/c/matte.####.exr", -3) == "/c/matte.-0003.exr"


def test_default_cache_root_prefers_shared_places(tmp_path):
    assert cache.default_cache_root("/proj", "/shots/a.nk", "/tmp/nuke") == "/proj/videomama_cache"
    assert cache.default_cache_root(None, "/shots/a.nk", "/tmp/nuke") == "/shots/videomama_cache"
    assert cache.default_cache_root("", None, "/tmp/nuke") == "/tmp/nuke/videomama_cache"
    assert cache.default_cache_root(None, None, None).endswith("/nuke/videomama_cache")


def touch_frames(pattern: str, frames: range) -> None:
    for frame in frames:
        path = cache.frame_path(pattern, frame)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").close()


def test_an_entry_is_complete_only_with_its_manifest_and_every_frame(tmp_path):
    entry = CacheEntry(str(tmp_path), "ab" * 32)
    assert entry.folder == f"{tmp_path}/{'ab' * 10}" and entry.matte.endswith("/matte.####.exr")
    touch_frames(entry.matte, range(1, 5))
    assert not entry.result_complete((1, 4))  # frames without the manifest: an interrupted job
    entry.record("result", (1, 4), backend="classic")
    assert entry.result_complete((1, 4))
    assert not entry.result_complete((1, 5))
    os.unlink(cache.frame_path(entry.matte, 2))
    assert not entry.result_complete((1, 4))  # someone deleted a frame


def test_inputs_are_recorded_separately_from_the_result(tmp_path):
    entry = CacheEntry(str(tmp_path), "cd" * 32)
    touch_frames(entry.source, range(1, 3))
    touch_frames(entry.mask, range(1, 3))
    entry.record("inputs", (1, 2))
    assert entry.inputs_complete((1, 2)) and not entry.result_complete((1, 2))
    manifest = json.loads(open(entry.manifest_path).read())
    assert manifest["key"] == entry.key and manifest["format"] == cache.FORMAT_VERSION


def test_a_manifest_of_another_key_or_version_is_ignored(tmp_path):
    entry = CacheEntry(str(tmp_path), "ef" * 32)
    touch_frames(entry.matte, range(1, 3))
    entry.record("result", (1, 2))
    data = json.loads(open(entry.manifest_path).read())
    data["format"] = cache.FORMAT_VERSION + 1
    open(entry.manifest_path, "w").write(json.dumps(data))
    assert not entry.result_complete((1, 2))


def test_clear_removes_only_folders_it_wrote(tmp_path):
    entry = CacheEntry(str(tmp_path), "12" * 32)
    assert entry.clear() is False
    touch_frames(entry.matte, range(1, 3))
    entry.record("result", (1, 2))
    open(os.path.join(entry.folder, ".matte.0001.tmp-99-abcd.exr"), "wb").close()
    assert entry.clear() is True and not os.path.exists(entry.folder)

    stranger = CacheEntry(str(tmp_path), "34" * 32)
    touch_frames(stranger.matte, range(1, 2))
    open(os.path.join(stranger.folder, "notes.txt"), "w").close()
    with pytest.raises(OSError, match="did not write"):
        stranger.clear()
    assert os.path.exists(os.path.join(stranger.folder, "notes.txt"))
