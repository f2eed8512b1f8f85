#!/usr/bin/env bash
# Set up the project's Python environment in .venv (idempotent).
#   ./setup.sh          the tool itself (CPU backend, CLI, demo)
#   ./setup.sh --test   the same plus what the test suite needs
# Works on a bare machine with Python >= 3.10: everything comes from PyPI.
set -euo pipefail
cd "$(dirname "$0")"

extras=""
for arg in "$@"; do
    case "$arg" in
        --test) extras="[test]" ;;
        *) echo "setup.sh: unknown option $arg (use --test)" >&2; exit 2 ;;
    esac
done

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".${extras}"
# pymatting compiles its kernels with numba on first import (about 40 s, once
# per environment); pay that here rather than in the middle of the first job.
.venv/bin/python -c "import pymatting" 
echo "setup.sh: environment ready in .venv"
