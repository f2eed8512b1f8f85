"""The client stays thin enough for a DCC's Python: no server, no imaging, no torch."""

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("videomama", "cv2", "OpenImageIO", "torch", "pymatting")


def test_importing_the_client_loads_no_server_or_heavy_module():
    script = (
        "import json, sys\n"
        "import videomama_client\n"
        "from videomama_client import Client\n"
        "Client('127.0.0.1:1').close()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


STANDARD_LIBRARY_ONLY = ("grpc", "google.protobuf", "numpy", "videomama", "videomama_client", "nuke", "bpy")


def test_the_hosts_package_imports_only_the_standard_library():
    """Both plugins import it at load, where grpcio, protobuf and the client may be missing."""
    client_dir = str(Path(__file__).resolve().parents[2] / "client")
    script = (
        "import json, sys\n"
        f"sys.path.append({client_dir!r})\n"
        "import videomama_hosts, videomama_hosts.manifest, videomama_hosts.job, videomama_hosts.durations\n"
        "import videomama_hosts.tracking, videomama_hosts.phases, videomama_hosts.frames, videomama_hosts.errors\n"
        f"print(json.dumps([m for m in {STANDARD_LIBRARY_ONLY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
