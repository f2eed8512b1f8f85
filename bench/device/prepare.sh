#!/usr/bin/env bash
# Run on the development machine (it reaches PyPI; the GPU machine does not):
# fetch what bench/device/run.sh installs there, into .whl/ (ignored by git).
# The GPU image already holds torch, numpy, opencv, grpcio, protobuf,
# safetensors and huggingface_hub, with Python 3.12.
#
#   bench/device/prepare.sh
#   then run bench/device/run.sh on the GPU machine, carrying .whl
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .whl .git/info
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
python3 -m pip download --quiet --no-deps --dest .whl \
    --python-version 3.12 --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --only-binary=:all: \
    diffusers==0.42.1 OpenImageIO==3.2.2.0 importlib_metadata zipp
du -sh .whl
