"""Helpers shared by the Nuke plugin tests (imported by name: tests/nuke is on sys.path)."""

from __future__ import annotations

import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

PLUGIN_ROOT = Path(__file__).resolve().parents[2] / "plugin_nuke"
# What NUKE_PATH does for Nuke: the plugin folder on sys.path.
if str(PLUGIN_ROOT) not in sys.path:
    sys.path.insert(0, str(PLUGIN_ROOT))


@dataclass(frozen=True)
class Clip:
    folder: Path
    plate: str  # Nuke-style patterns
    mask_png: str
    first: int
    last: int
    width: int
    height: int



def closed_port_address() -> str:
    """An address where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def wait_for_jobs(nuke, timeout_s: float = 30.0) -> None:
    """Let background Computes finish, then run what they queued for Nuke's main thread."""
    for thread in threading.enumerate():
        if thread.name.startswith("videomama-job-"):
            thread.join(timeout_s)
            assert not thread.is_alive(), "a Compute did not finish in time"
    nuke.run_main_thread_calls()


def build_graph(nuke, binding, clip: Clip, cache_dir: Path, address: str, **knobs):
    """Read(plate) and Read(mask) into a new VideoMaMa node, as a compositor would wire it."""
    plate = nuke.nodes.Read(name="Plate", file=clip.plate.replace("####", "%04d"), first=clip.first, last=clip.last)
    mask = nuke.nodes.Read(name="Roto", file=clip.mask_png.replace("####", "%04d"), first=clip.first, last=clip.last)
    node = binding.create_node()
    node.setInput(0, plate)
    node.setInput(1, mask)
    settings = {"address": address, "cache_dir": str(cache_dir), "backend": "classic",
                "mask_channel": "rgba.red", "custom_windows": True, "window": 4, "overlap": 1, **knobs}
    for name, value in settings.items():
        node[name].setValue(value)
    return node, plate, mask
