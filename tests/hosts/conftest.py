"""``videomama_hosts`` from this checkout's ``client/`` (as the plugins' libs.py find it)."""

import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"
if str(CLIENT) not in sys.path:
    sys.path.append(str(CLIENT))
