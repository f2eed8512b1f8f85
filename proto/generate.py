"""Generate the Python stubs of the daemon contract from the ``.proto`` files.

    python proto/generate.py            # rewrite the committed stubs in place
    python proto/generate.py --check    # exit 1 if the committed stubs are stale

The stubs are committed so that plugins and DCC Pythons can use the contract
without grpcio-tools; ``tests/service/test_stubs.py`` regenerates them into a
temporary folder and fails when they differ, so they can never drift from the
``.proto``.  The include root is this folder, which makes the generated
imports ``from videomama_proto.v1 import videomama_pb2``.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.resources
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
PACKAGE = "videomama_proto"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def proto_files() -> list[Path]:
    return sorted((PROTO_ROOT / PACKAGE).rglob("*.proto"))


def generated_names(proto: Path) -> list[Path]:
    """Paths, relative to the include root, of the stubs generated from ``proto``."""
    relative = proto.relative_to(PROTO_ROOT).with_suffix("")
    return [relative.parent / f"{relative.name}{suffix}" for suffix in GENERATED_SUFFIXES]


def generate(output_root: Path) -> list[Path]:
    """Run protoc on every ``.proto``; return the relative paths it wrote."""
    from grpc_tools import protoc  # only the generator needs grpcio-tools

    # protoc needs the well-known types' folder too, even when unused.
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    written = []
    for proto in proto_files():
        arguments = [
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"-I{well_known}",
            f"--python_out={output_root}",
            f"--pyi_out={output_root}",
            f"--grpc_python_out={output_root}",
            str(proto.relative_to(PROTO_ROOT)),
        ]
        if protoc.main(arguments) != 0:
            raise RuntimeError(f"protoc failed on {proto}")
        written.extend(generated_names(proto))
    return written


def stale_stubs() -> list[Path]:
    """Committed stubs that differ from freshly generated ones (or are missing)."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        return [
            name
            for name in generate(fresh)
            if not (PROTO_ROOT / name).exists()
            or not filecmp.cmp(fresh / name, PROTO_ROOT / name, shallow=False)
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale stubs")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_stubs()
        for name in stale:
            print(f"stale: {name} (run python proto/generate.py)", file=sys.stderr)
        return 1 if stale else 0
    for name in generate(PROTO_ROOT):
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
