"""Run by Python 3.9 (Nuke 14's Python) from ``test_python39.py``: the thin client against a real daemon.

Arguments: ADDRESS PLATE MASK OUTPUT FIRST LAST.  Imports what a Nuke 14
session imports (the client, the shared host logic, the node's pure modules,
the committed stubs), mattes by reference, and prints one JSON line with what
it saw.  Standard library and the client's own dependencies only.
"""

import importlib
import json
import pkgutil
import sys

import videomama_client
import videomama_hosts
import videomama_nuke
from videomama_client import Client, MatteSettings, events


NEED_NUKE = {"binding", "layout"}  # the thin layer over the `nuke` module itself


def import_all(package) -> list:
    """Every module of ``package`` except those that need Nuke itself."""
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in NEED_NUKE]
    return [importlib.import_module(f"{package.__name__}.{name}").__name__ for name in names]


def main(address: str, plate: str, mask: str, output: str, first: str, last: str) -> None:
    imported = [*import_all(videomama_client), *import_all(videomama_hosts), *import_all(videomama_nuke)]
    with Client(address, timeout=30.0) as client:
        backends = [backend.name for backend in client.info().backends]
        seen = []
        for event in client.submit_matte(
            plate, mask, output, frames=(int(first), int(last)),
            settings=MatteSettings(backend="classic", window=4, overlap=1),
        ):
            seen.append(type(event).__name__)
            if isinstance(event, events.Failed):
                break
    print(json.dumps({"python": list(sys.version_info[:2]), "imported": imported, "backends": backends, "events": seen}))


if __name__ == "__main__":
    main(*sys.argv[1:])
