"""Where one window's time goes on the GPU, and which settings change it.

    python bench/videomama_gpu_tuning.py                 # full size on CUDA
    python bench/videomama_gpu_tuning.py --device cpu --tiny

Random full-size networks (speed does not depend on the weights), one window
of 16 frames at 1024x576.  Prints, per configuration, the seconds of each
stage (plate and mask encode, UNet, decode) and of the whole window:

* ``nchw`` / ``nhwc``: the networks' 2-D convolution weights as stored by
  diffusers, or channels-last;
* ``fp16`` / ``bf16``;
* ``autotune``: ``torch.backends.cudnn.benchmark`` (cuDNN times candidate
  algorithms on first use of a shape).

And two facts the backend's design rests on:

* ``repeatable``: the same window twice gives bit-identical alpha (farm
  re-renders), with and without autotuning;
* ``batch_independent``: a frame's VAE latents are bit-identical whether it
  is encoded alone or in a batch of 8 (if not, caching encodes across
  windows would make a frame depend on which window encoded it first).

``--probe-tokens`` also runs the UNet alone at canvases around the token
cap, each in a fresh process (a bad launch poisons the CUDA context).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import torch

from videomama.backends.videomama.architectures import build_random_models
from videomama.backends.videomama.loading import prepare_modules
from videomama.backends.videomama.pipeline import OneStepMattingPipeline
from videomama.backends.videomama import seeding

FRAMES, REPEATS = 16, 3
PROBE_SIZES = ("2752x1408", "3136x1664")  # 60,544 and 81,536 latent pixels: each side of the cap


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device: torch.device):
    """(result, seconds) of the fastest of REPEATS calls, after one warm-up."""
    result = fn()
    best = float("inf")
    for _ in range(REPEATS):
        synchronize(device)
        started = time.perf_counter()
        result = fn()
        synchronize(device)
        best = min(best, time.perf_counter() - started)
    return result, best


def window_inputs(height: int, width: int, device: torch.device, dtype: torch.dtype):
    generator = torch.Generator("cpu").manual_seed(0)
    plates = torch.rand(FRAMES, 3, height, width, generator=generator) * 2 - 1
    yy, xx = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    disc = ((xx - width / 2) ** 2 + (yy - height / 2) ** 2 <= (height / 3) ** 2).float() * 2 - 1
    masks = disc.expand(FRAMES, 3, height, width)
    return plates.to(device, dtype), masks.to(device, dtype)


def stage_times(pipeline: OneStepMattingPipeline, plates, masks) -> dict[str, float]:
    device, frames = pipeline.device, list(range(1, FRAMES + 1))
    with torch.inference_mode():
        plate_latents, encode_plate = timed(lambda: pipeline.encode(plates, frames, 42, seeding.PLATE_POSTERIOR), device)
        mask_latents, encode_mask = timed(lambda: pipeline.encode(masks, frames, 42, seeding.MASK_POSTERIOR), device)
        latents, unet = timed(lambda: pipeline.predict(plate_latents, mask_latents, frames, 42), device)
        _, decode = timed(lambda: pipeline.decode_alpha(latents / pipeline.layout.scaling_factor), device)
    return {"encode_plates": encode_plate, "encode_masks": encode_mask, "unet": unet, "decode": decode,
            "window": encode_plate + encode_mask + unet + decode}


def repeatable(pipeline: OneStepMattingPipeline, plates, masks) -> bool:
    frames = list(range(1, FRAMES + 1))
    first = pipeline(plates, masks, frames, 42)
    return bool(torch.equal(first, pipeline(plates, masks, frames, 42)))


def batch_independent(pipeline: OneStepMattingPipeline, plates) -> bool:
    with torch.inference_mode():
        alone = pipeline.vae.encode(plates[:1]).latent_dist.mean
        batched = pipeline.vae.encode(plates[:8]).latent_dist.mean[:1]
    return bool(torch.equal(alone, batched))


def set_layout(vae, unet, layout: str) -> None:
    """2-D convolution weights NCHW or channels-last, in place (3-D ones cannot be channels-last)."""
    memory_format = torch.channels_last if layout == "nhwc" else torch.contiguous_format
    for module in (vae, unet):
        for layer in module.modules():
            if isinstance(layer, torch.nn.Conv2d):
                layer.weight.data = layer.weight.data.contiguous(memory_format=memory_format)


def probe_tokens(size: str, device: str) -> dict:
    """The UNet alone on 2 frames of a ``size`` canvas, in a fresh process."""
    width, height = (int(v) for v in size.split("x"))
    code = (
        "import torch,sys;"
        "from videomama.backends.videomama.architectures import build_random_models;"
        f"v,u=build_random_models('full',device='{device}');u=u.half();"
        f"x=torch.randn(1,2,12,{height // 8},{width // 8},device='{device}',dtype=torch.half);"
        "h=torch.zeros(1,1,u.config.cross_attention_dim,device=x.device,dtype=x.dtype);"
        "ids=torch.tensor([[7,127,0.]],device=x.device,dtype=x.dtype);"
        "torch.cuda.reset_peak_memory_stats();"
        "u(x,torch.ones(1,dtype=torch.long,device=x.device),h,added_time_ids=ids);torch.cuda.synchronize();"
        "print(torch.cuda.max_memory_allocated()/2**30)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    return {"size": size, "tokens": (width // 8) * (height // 8), "ran": done.returncode == 0,
            "peak_gib": float(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None,
            "error": None if done.returncode == 0 else tail[:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tiny", action="store_true", help="tiny models at 64x64 (runs anywhere)")
    parser.add_argument("--probe-tokens", action="store_true")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    width, height = (64, 64) if args.tiny else (1024, 576)
    results: dict = {"device": torch.cuda.get_device_name(device) if cuda else "cpu", "torch": torch.__version__,
                     "size": [width, height], "configs": []}

    vae, unet = build_random_models("tiny" if args.tiny else "full", device=args.device)
    dtypes = (torch.float16, torch.bfloat16) if cuda else (torch.float32,)
    for dtype in dtypes:
        prepare_modules(vae, unet, device, dtype)
        pipeline = OneStepMattingPipeline(vae, unet)
        plates, masks = window_inputs(height, width, device, dtype)
        for layout in ("nchw", "nhwc"):
            set_layout(vae, unet, layout)
            for autotune in (False, True) if cuda else (False,):
                torch.backends.cudnn.benchmark = autotune
                row = {"dtype": str(dtype).removeprefix("torch."), "layout": layout, "autotune": autotune,
                       **stage_times(pipeline, plates, masks), "repeatable": repeatable(pipeline, plates, masks)}
                if cuda:
                    row["peak_gib"] = torch.cuda.max_memory_allocated(device) / 2**30
                    torch.cuda.reset_peak_memory_stats(device)
                results["configs"].append(row)
                print(json.dumps(row), flush=True)
        torch.backends.cudnn.benchmark = False
        results.setdefault("batch_independent", {})[str(dtype)] = batch_independent(pipeline, plates)
        print("batch independent encode:", results["batch_independent"], flush=True)

    if args.probe_tokens and cuda:
        del vae, unet, pipeline
        torch.cuda.empty_cache()
        results["token_probe"] = []
        for size in PROBE_SIZES:
            results["token_probe"].append(probe_tokens(size, args.device))
            print(json.dumps(results["token_probe"][-1]), flush=True)
    if args.json:
        with open(args.json, "w") as stream:
            json.dump(results, stream, indent=2)


if __name__ == "__main__":
    sys.exit(main())
