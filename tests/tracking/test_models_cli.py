"""``videomama models fetch sam2`` routes to the SAM2 checkpoint download (no network here)."""

from __future__ import annotations

import json

from videomama.cli.main import main


def test_fetch_sam2_downloads_the_chosen_size(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_download(repo, filename, local_dir):
        calls.append((repo, filename, local_dir))
        return f"{local_dir}/{filename}"

    monkeypatch.setattr("huggingface_hub.hf_hub_download", fake_download)
    assert main(["models", "fetch", "sam2", "--size", "small", "--models", str(tmp_path)]) == 0
    assert calls == [("facebook/sam2.1-hiera-small", "sam2.1_hiera_small.pt", str(tmp_path / "sam2"))]
    assert "sam2.1_hiera_small.pt" in capsys.readouterr().out


def test_list_shows_each_sam2_size_and_how_to_fetch_it(tmp_path, capsys):
    (tmp_path / "sam2").mkdir()
    (tmp_path / "sam2" / "sam2.1_hiera_small.pt").write_bytes(b"\0" * 1000)
    assert main(["models", "list", "--models", str(tmp_path)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "installed" in lines["sam2-small"] and "not installed" not in lines["sam2-small"]
    assert lines["sam2-large"].endswith("videomama models fetch sam2 --size large")
    assert main(["models", "list", "--json", "--models", str(tmp_path)]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)["models"]}
    assert rows["sam2-small"]["size_bytes"] == 1000 and not rows["sam2-tiny"]["installed"]
