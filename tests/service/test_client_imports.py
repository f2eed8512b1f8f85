"""The client stays thin enough for a DCC's Python: no server, no imaging, no torch."""

import json
import subprocess
import sys

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
