#!/usr/bin/env bash
# Run on the development machine (it reaches PyPI; the GPU machine does not):
# fetch what bench/device/run.sh installs there, into .whl/ (ignored by git).
# The GPU image already holds torch, torchvision, numpy, opencv, grpcio,
# protobuf, safetensors, huggingface_hub, tqdm and portalocker, with Python 3.12.
#
#   bench/device/prepare.sh
#   then run bench/device/run.sh on the GPU machine, carrying .whl
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .whl .git/info
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
python3 -m pip download --quiet --no-deps --dest .whl \
    --python-version 3.12 --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --only-binary=:all: \
    diffusers==0.42.1 OpenImageIO==3.2.2.0 importlib_metadata zipp \
    hydra-core==1.3.8 omegaconf==2.3.1
# SAM2 and two of its dependencies come as source only; run.sh builds them there.
python3 -m pip download --quiet --no-deps --dest .whl \
    sam2==1.1.0 iopath==0.1.10 antlr4-python3-runtime==4.9.3
du -sh .whl
