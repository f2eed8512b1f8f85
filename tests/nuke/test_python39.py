"""Nuke 14 embeds Python 3.9: the client, the stubs and the node's pure modules must run there.

``setup.sh --test`` builds ``.venv-py39`` (Python 3.9 with the newest grpcio
and protobuf that still publish 3.9 wheels, as a Nuke 14 user would install
them) when a Python 3.9 is on the machine.  The check script runs in it as a
separate process, against a daemon running here on the current releases, so
the committed stubs are proven on both runtimes and across the wire.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from videomama.sequences.image_read import read_mask
from videomama.sequences.pattern import SequencePattern

ROOT = Path(__file__).resolve().parents[2]
PYTHON39 = ROOT / ".venv-py39" / "bin" / "python"

pytestmark = pytest.mark.skipif(
    not PYTHON39.exists(), reason="no .venv-py39 (setup.sh --test builds it when a Python 3.9 is installed)"
)


def test_the_client_runs_on_python_3_9_against_the_daemon(nuke_clip, daemon, tmp_path):
    output = str(tmp_path / "alpha.####.exr")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("client", "proto", "plugin_nuke"))}
    done = subprocess.run(
        [str(PYTHON39), str(Path(__file__).with_name("python39_client_check.py")), daemon.address,
         nuke_clip.plate, nuke_clip.mask_png, output, str(nuke_clip.first), str(nuke_clip.last)],
        capture_output=True, text=True, env=environment, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["python"] == [3, 9]
    assert {"videomama_client.client", "videomama_hosts.manifest", "videomama_nuke.cache"} <= set(seen["imported"])
    assert "classic" in seen["backends"]
    assert seen["events"][-1] == "Finished" and "Failed" not in seen["events"]
    pattern = SequencePattern.parse(output)
    for frame in range(nuke_clip.first, nuke_clip.last + 1):
        alpha = read_mask(pattern.path(frame), channel="A").pixels
        assert alpha.shape[:2] == (nuke_clip.height, nuke_clip.width) and 0.0 < alpha.mean() < 1.0
