#!/usr/bin/env bash
# Run on the GPU machine from the repository root, with .whl carried
# (bench/device/prepare.sh).  Installs the carried wheels beside the image's
# torch, then measures the learned backend against the naive reference on
# this GPU (naive rerun here: an H100 and an H200 differ), eager and with the
# VAE compiled, then SAM2 tracking.  About 6 minutes on an H200; results under $OUT.
#
#   run(command="bash bench/device/run.sh", carry=[".whl"], timeout_s=540)
set -euo pipefail
python3 -m pip install --quiet --no-index --no-deps --target /tmp/site .whl/*.whl
# Source-only packages: built here against the image's torch (SAM2 without its CUDA extension, as in setup.sh).
SAM2_BUILD_CUDA=0 python3 -m pip install --quiet --no-index --no-deps --no-build-isolation --target /tmp/site .whl/*.tar.gz
export PYTHONPATH="/tmp/site:$PWD/server:$PWD/client"
out="${OUT:-/tmp/out}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/device.txt"
python3 -c "import torch, diffusers; print('torch', torch.__version__, 'diffusers', diffusers.__version__)" | tee -a "$out/device.txt"
python3 bench/videomama_gpu.py --frames "${FRAMES:-16,64}" --variants "${VARIANTS:-plain,compile}" \
    --json "$out/videomama_gpu.json" 2>&1 | tee "$out/videomama_gpu.log"
# SAM2 has never run on a GPU here: the daemon's tracker, hiera large, 1080p.
python3 bench/sam2_gpu.py 2>&1 | grep -v "propagate in video" | tee "$out/sam2_gpu.log"
