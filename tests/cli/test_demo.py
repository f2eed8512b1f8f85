"""``videomama demo``, the README's first command, on a small clip."""

from __future__ import annotations

import json

import OpenImageIO as oiio

from videomama.cli.main import main


def test_demo_mattes_tracks_scores_and_writes_contact_sheets(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--size", "192x108", "--frames", "8", "--backend", "classic", "--no-example"]) == 0
    printed = capsys.readouterr().out
    report = json.loads(printed[printed.index("{"):printed.rindex("}") + 1])["synthetic"]
    scores, tracked = report["scores"], report["tracked from the first frame"]
    assert scores["matte"]["frames"] == scores["rough mask"]["frames"] == 8
    assert (tracked["scores"]["tracker"], tracked["scores"]["backend"]) == ("flow", "classic")
    assert tracked["scores"]["matte"]["frames"] == tracked["scores"]["masks"]["frames"] == 8
    for sheet in (report["contact_sheet"], tracked["contact_sheet"]):
        spec = oiio.ImageInput.open(sheet).spec()
        assert spec.width == 4 * 384 and spec.height > 4 * 100  # four columns, a header and four rows
    assert len(list((out / "synthetic").glob("matte.*.exr"))) == 8
    assert "tracked from the first frame: MAD-T masks" in printed
