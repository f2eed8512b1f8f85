"""``videomama models fetch sam2`` routes to the SAM2 checkpoint download (no network here)."""

from __future__ import annotations

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
