#!/usr/bin/env bash
# Set up the project's Python environment in .venv (idempotent).
#   ./setup.sh          the tool itself (CPU backend, CLI, demo)
#   ./setup.sh --test   the same plus what the test suite needs, .venv-blender
#                        and, where a Python 3.9 exists, .venv-py39
#   ./setup.sh --blender only .venv-blender: Blender as a Python module (bpy) and
#                        the thin client, for tests/blender (see setup_blender_env)
# Works on a bare machine with Python >= 3.10: everything comes from PyPI.
set -euo pipefail
cd "$(dirname "$0")"

extras=""
blender=""  # "also" with --test, "only" with --blender alone
for arg in "$@"; do
    case "$arg" in
        --test) extras="[test]"; blender="also" ;;
        --blender) [ -n "$blender" ] || blender="only" ;;
        *) echo "setup.sh: unknown option $arg (use --test or --blender)" >&2; exit 2 ;;
    esac
done

# The Blender tests' environment, .venv-blender: bpy from PyPI (Blender as a
# Python module) with grpcio, protobuf and the thin client only, which is what
# a user's Blender has.  It cannot be .venv: bpy pins numpy < 2 while
# OpenImageIO 3 needs numpy >= 2.  bpy 5.0.1 is the newest release for Python
# 3.11; the add-on also supports 4.2-4.5 (tests/blender passes on 4.5 too).
BPY_VERSION="5.0.1"
setup_blender_env() {
    local python
    python=$(command -v python3.11 || command -v python3)
    if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        echo "setup.sh: .venv-blender needs Python 3.11 (bpy $BPY_VERSION is built for it only);" \
             "found $("$python" --version 2>&1)" >&2
        exit 1
    fi
    "$python" -m venv .venv-blender
    .venv-blender/bin/python -m pip install --quiet --upgrade pip
    # Floors of grpcio/protobuf: what the committed stubs need (proto/README.md).
    .venv-blender/bin/python -m pip install --quiet "bpy==$BPY_VERSION" "numpy<2" \
        "grpcio>=1.80.1" "protobuf>=6.31.1" "pytest>=8"
    # client/, proto/ and plugin_blender/ straight from the checkout (edits
    # apply without reinstalling; the add-on zips bundle copies instead).
    local site
    site=$(.venv-blender/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    printf '%s\n' "$PWD/client" "$PWD/proto" "$PWD/plugin_blender" > "$site/videomama-checkout.pth"
    echo "setup.sh: Blender environment ready in .venv-blender (bpy $BPY_VERSION)"
}
# .venv-py39: Python 3.9 (Nuke 14's) with the newest grpcio and protobuf that
# still publish 3.9 wheels, for tests/nuke/test_python39.py.  Optional: the
# test skips, and says why, where no Python 3.9 is installed.
find_python39() {
    # pyenv's shim for python3.9 exists even where 3.9 is not the selected
    # version (and then fails), so each candidate must actually run as 3.9.
    local candidate
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.9.*/bin/python3.9 "$(command -v python3.9 || true)"; do
        if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 9))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
setup_py39_env() {
    local python
    if ! python=$(find_python39); then
        echo "setup.sh: no Python 3.9 here; the Nuke 14 (Python 3.9) client test will be skipped"
        return 0
    fi
    "$python" -m venv .venv-py39
    .venv-py39/bin/python -m pip install --quiet "grpcio==1.80.1" "protobuf==6.33.6" numpy
    echo "setup.sh: Python 3.9 client environment ready in .venv-py39"
}
if [ "$blender" = "only" ]; then
    setup_blender_env
    exit 0
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then
    # The tests need torch (tiny random models of the learned backend) but no
    # GPU.  Install the pinned release first, whose CPU-only wheel our package
    # index serves: left to resolve "torch>=2.4" itself, pip may pick a newer
    # release and pull a multi-GB CUDA build the tests never use.
    .venv/bin/python -m pip install --quiet "torch==2.13.0"
fi
.venv/bin/python -m pip install --quiet --editable ".${extras}"
if [ -n "$extras" ]; then
    # SAM2 (tracking tests, random weights): its PyPI dependencies pull
    # torchvision, which brings a CUDA torch and does not import with the CPU
    # one, and the video predictor never needs it.  So install its two real
    # dependencies, then sam2 itself without dependencies, built against the
    # torch above (hence no build isolation) and without its CUDA extension.
    .venv/bin/python -m pip install --quiet hydra-core iopath
    SAM2_BUILD_CUDA=0 .venv/bin/python -m pip install --quiet --no-build-isolation --no-deps "sam2==1.1.0"
fi
# pymatting compiles its kernels with numba on first import (about 40 s, once
# per environment); pay that here rather than in the middle of the first job.
.venv/bin/python -c "import pymatting" 
echo "setup.sh: environment ready in .venv"
if [ -n "$blender" ]; then
    setup_blender_env
fi
if [ -n "$extras" ]; then
    setup_py39_env
fi
