"""Speed, memory and FLOPs of the learned backend against a naive restatement of the reference.

    .venv/bin/python bench/videomama_gpu.py                       # full size on CUDA
    .venv/bin/python bench/videomama_gpu.py --device cpu --tiny   # proves it runs, anywhere

Weights are random (speed and memory do not depend on their values): the
full-size UNet (diffusers defaults, 12 input channels) and the SVD VAE, in
fp16 on CUDA.  For each shot length it reports frames per second and peak
GPU memory for

* ``backend``: VideoMamaBackend on windows of 16 frames, overlap 4, blended
  like the engine blends them (plates made on the fly by the engine's reader,
  the next window's while the GPU computes, so host memory is flat);
* ``naive``: the reference's steps on the whole shot in one pass (CLIP on the
  first frame, all frames VAE-encoded in one batch, one UNet call over every
  frame, decode in chunks of 8); an out-of-memory is reported as such.

FLOPs are counted with ``torch.utils.flop_counter`` on the meta device (no
compute) for the same shapes.  Targets: backend >= 2x naive frames/s, and
backend peak memory at 256 frames <= 1.2x that at 16.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from videomama.backends.base import StopToken, WindowInput
from videomama.backends.videomama.architectures import build_random_models
from videomama.backends.videomama.backend import VideoMamaBackend
from videomama.backends.videomama.loading import prepare_modules
from videomama.backends.videomama.memory import is_out_of_memory
from videomama.matting.frame_io import PrefetchingReader
from videomama.matting.windows import WindowGrid
from videomama.sequences.pattern import FrameRange

WINDOW, OVERLAP, DECODE_CHUNK = 16, 4, 8
PAPER_UNET_GFLOPS_12_FRAMES = 30983  # VideoMaMa supplement, Table 8: one step, 12 frames at 576x1024
# Dense fp16/bf16 tensor-core peaks (TFLOP/s, no sparsity), by name fragment.
# Backend settings compared (VideoMamaBackend options).
VARIANTS = {
    "plain": {},
    "compile": {"compile": True},
}
PEAK_TFLOPS = {"H200": 989.0, "H100 SXM": 989.0, "H100": 756.0, "A100": 312.0, "L40S": 362.0, "A6000": 155.0, "4090": 165.0}


@dataclass
class Row:
    method: str
    frames: int
    seconds: float | None
    frames_per_s: float | None
    peak_gib: float | None
    gflops_per_frame: float
    tflops_achieved: float | None
    note: str = ""


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def synthetic_frame(frame: int, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """A textured plate with a disc moving across it, and the disc as the mask."""
    rng = np.random.default_rng(frame)
    yy, xx = np.mgrid[0:height, 0:width]
    cx, cy, r = width * (0.3 + 0.002 * frame), height * 0.5, height * 0.25
    mask = (((xx - cx) ** 2 + (yy - cy) ** 2) <= r * r).astype(np.float32)
    plate = rng.random((height, width, 3), dtype=np.float32) * 0.4 + mask[..., None] * 0.5
    return plate, mask


# ---------------------------------------------------------------------------
# The two methods
# ---------------------------------------------------------------------------


def run_backend(backend: VideoMamaBackend, frames: int, height: int, width: int) -> None:
    """The shot through the backend window by window, blended like the engine does.

    Frames come from the engine's own reader, which makes the next window's
    while the GPU computes (as the engine reads files ahead).
    """
    grid = WindowGrid(FrameRange(1, frames), WINDOW, OVERLAP)
    reader = PrefetchingReader(lambda frame: synthetic_frame(frame, height, width))
    blends: dict[int, tuple[np.ndarray, float]] = {}
    for position, window in enumerate(grid.windows):
        plates, masks = zip(*reader.take(window.frames))
        if position + 1 < len(grid.windows):
            reader.prefetch(grid.windows[position + 1].frames)
        alphas = backend.matte(WindowInput(tuple(window.frames), np.stack(plates), np.stack(masks)), StopToken())
        for alpha, frame in zip(alphas, window.frames):
            weights = grid.weights(frame)
            total, seen = blends.get(frame, (0.0, 0.0))
            blends[frame] = (total + weights[window.index] * alpha, seen + weights[window.index])
            if window.index == max(weights):
                blends.pop(frame)  # complete: the engine would write it now
    reader.close()


class ClipStandIn(torch.nn.Module):
    """ViT-H/14 image tower at CLIP's size (what SVD's image encoder is), for when transformers is absent."""

    def __init__(self, width: int = 1280, layers: int = 32, heads: int = 16, projection: int = 1024) -> None:
        super().__init__()
        self.patches = torch.nn.Conv2d(3, width, kernel_size=14, stride=14)
        layer = torch.nn.TransformerEncoderLayer(width, heads, 4 * width, batch_first=True, norm_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.project = torch.nn.Linear(width, projection)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        tokens = self.patches(pixels).flatten(2).transpose(1, 2)  # (B, 256, width)
        return self.project(self.encoder(tokens)[:, 0])


def build_clip(size: str, device: str, dtype: torch.dtype) -> tuple[torch.nn.Module, str]:
    if size == "tiny":
        return ClipStandIn(width=32, layers=2, heads=2, projection=32).to(device, dtype).eval(), "tiny stand-in"
    try:
        from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

        config = CLIPVisionConfig(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32,
                                  num_attention_heads=16, patch_size=14, image_size=224, projection_dim=1024)
        return CLIPVisionModelWithProjection(config).to(device, dtype).eval(), "transformers CLIP ViT-H/14"
    except ImportError:
        return ClipStandIn().to(device, dtype).eval(), "ViT-H/14 stand-in"


def run_naive(vae, unet, clip, frames: int, height: int, width: int, seed: int = 42) -> None:
    """The reference's run(): the whole shot in one pass."""
    device, dtype = unet.device, unet.dtype
    plates, masks = zip(*(synthetic_frame(f, height, width) for f in range(1, frames + 1)))
    with torch.no_grad():
        video = torch.from_numpy(np.stack(plates)).permute(0, 3, 1, 2).to(device, dtype) * 2 - 1  # (N, 3, H, W)
        mask = (torch.from_numpy(np.stack(masks))[:, None].to(device, dtype) * 2 - 1).repeat(1, 3, 1, 1)
        # CLIP on the first frame, then zeroed (as the reference does).
        first = torch.nn.functional.interpolate(video[:1], size=(224, 224), mode="bicubic", align_corners=True)
        embeds = clip(first)
        embeds = (embeds.image_embeds if hasattr(embeds, "image_embeds") else embeds)
        hidden = torch.zeros_like(embeds)[:, None]  # (1, 1, D)
        # All frames through the VAE encoder in one batch, sampled, scaled and unscaled.
        sf = vae.config.scaling_factor
        cond = vae.encode(video).latent_dist.sample() * sf / sf
        mask_latents = vae.encode(mask).latent_dist.sample() * sf / sf
        generator = torch.Generator(device).manual_seed(seed)
        noise = torch.randn(cond.shape, generator=generator, device=device, dtype=dtype)
        sample = torch.cat([noise, cond, mask_latents], dim=1)[None]  # (1, N, 12, h, w)
        ids = torch.tensor([[7, 127, 0.0]], device=device, dtype=dtype)
        timestep = torch.full((1,), 1, dtype=torch.long, device=device)
        latents = unet(sample, timestep, hidden, added_time_ids=ids).sample[0] / sf
        decoded = [vae.decode(latents[i : i + DECODE_CHUNK], num_frames=len(latents[i : i + DECODE_CHUNK])).sample
                   for i in range(0, frames, DECODE_CHUNK)]
        (torch.cat(decoded) / 2 + 0.5).clamp(0, 1).mean(dim=1).float().cpu()


# ---------------------------------------------------------------------------
# FLOPs (meta device: shapes only)
# ---------------------------------------------------------------------------


def count_gflops(size: str, height: int, width: int, window: int, with_clip: bool) -> dict[str, float]:
    """GFLOPs of one pass over ``window`` frames: UNet, two encodes per frame, decode."""
    from torch.utils.flop_counter import FlopCounterMode

    vae, unet = build_random_models(size, device="meta")
    latent = 2 ** (len(vae.config.block_out_channels) - 1)
    h, w = height // latent, width // latent
    counts = {}
    with torch.device("meta"):
        sample = torch.zeros(1, window, unet.config.in_channels, h, w)
        hidden = torch.zeros(1, 1, unet.config.cross_attention_dim)
        with FlopCounterMode(display=False) as counter:
            unet(sample, torch.ones(1, dtype=torch.long), hidden, added_time_ids=torch.zeros(1, 3))
        counts["unet"] = counter.get_total_flops() / 1e9
        with FlopCounterMode(display=False) as counter:
            vae.encode(torch.zeros(1, 3, height, width))
        counts["encode"] = 2 * window * counter.get_total_flops() / 1e9  # plate and mask
        with FlopCounterMode(display=False) as counter:
            vae.decode(torch.zeros(DECODE_CHUNK, vae.config.latent_channels, h, w), num_frames=DECODE_CHUNK)
        counts["decode"] = window * counter.get_total_flops() / 1e9 / DECODE_CHUNK
        if with_clip:
            clip, _ = build_clip(size, "meta", torch.float32)
            with FlopCounterMode(display=False) as counter:
                clip(torch.zeros(1, 3, 224, 224))
            counts["clip"] = counter.get_total_flops() / 1e9
    return counts


def unet_gflops_at_paper_setting() -> tuple[float, float]:
    """(total, attention) GFLOPs of one UNet step on 12 frames at 576x1024, as in the paper's Table 8.

    On the meta device SDPA decomposes into batched matmuls (``bmm``), which
    is how the attention share is separated: the paper's figure matches the
    count without it.
    """
    from torch.utils.flop_counter import FlopCounterMode

    _, unet = build_random_models("full", device="meta")
    with torch.device("meta"), FlopCounterMode(display=False) as counter:
        sample = torch.zeros(1, 12, unet.config.in_channels, 72, 128)
        unet(sample, torch.ones(1, dtype=torch.long), torch.zeros(1, 1, unet.config.cross_attention_dim),
             added_time_ids=torch.zeros(1, 3))
    by_op = {str(op): flops for op, flops in counter.get_flop_counts()["Global"].items()}
    return counter.get_total_flops() / 1e9, by_op.get("aten.bmm", 0) / 1e9


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


def measure(fn, device: str) -> tuple[float, float | None]:
    """Wall seconds and peak GPU memory (GiB) of ``fn()``."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        return time.perf_counter() - started, torch.cuda.max_memory_allocated() / 1024**3
    return time.perf_counter() - started, None


def peak_tflops(device: str, override: float | None) -> tuple[float | None, str]:
    if override:
        return override, "given"
    if not device.startswith("cuda"):
        return None, "cpu"
    name = torch.cuda.get_device_name(torch.device(device))
    for fragment, value in PEAK_TFLOPS.items():
        if fragment in name:
            return value, name
    return None, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--frames", default="16,64,256", help="comma-separated shot lengths")
    parser.add_argument("--size", help="WxH (default 1024x576 full size, 64x64 tiny)")
    size_group = parser.add_mutually_exclusive_group()
    size_group.add_argument("--full-size", dest="model_size", action="store_const", const="full")
    size_group.add_argument("--tiny", dest="model_size", action="store_const", const="tiny")
    parser.add_argument("--variants", default="plain", help=f"backend settings to measure, comma-separated: {', '.join(VARIANTS)}")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--peak-tflops", type=float, help="the device's dense fp16 peak, if not in the table")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    model_size = args.model_size or ("full" if args.device.startswith("cuda") else "tiny")
    width, height = (int(v) for v in (args.size or ("1024x576" if model_size == "full" else "64x64")).split("x"))
    shots = [int(v) for v in args.frames.split(",")]
    dtype = torch.float16 if args.device.startswith("cuda") else torch.float32
    peak, device_name = peak_tflops(args.device, args.peak_tflops)

    # 1. FLOPs per pass, for the backend's window and for each naive shot.
    window_flops = count_gflops(model_size, height, width, WINDOW, with_clip=False)
    print(f"{model_size} models, {width}x{height}, {args.device} ({device_name}), {dtype}", flush=True)
    print("GFLOPs per 16-frame window: " + ", ".join(f"{k} {v:,.0f}" for k, v in window_flops.items()))
    if model_size == "full":
        total, attention = unet_gflops_at_paper_setting()
        print(
            f"UNet, one step on 12 frames at 1024x576: {total:,.0f} GFLOPs counted, {total - attention:,.0f} without "
            f"attention's batched matmuls (paper, Table 8: {PAPER_UNET_GFLOPS_12_FRAMES:,})", flush=True
        )

    # 2. The naive restatement, on its own random models (freed before the backend's).
    rows = []
    if not args.skip_naive:
        vae, unet = prepare_modules(*build_random_models(model_size, device=args.device), torch.device(args.device), dtype)
        clip, clip_kind = build_clip(model_size, args.device, dtype)
        print(f"naive CLIP: {clip_kind}", flush=True)
        run_naive(vae, unet, clip, WINDOW, height, width)  # warm-up
        for frames in shots:
            naive_gflops = sum(count_gflops(model_size, height, width, frames, with_clip=True).values()) / frames
            try:
                seconds, peak_gib = measure(lambda: run_naive(vae, unet, clip, frames, height, width), args.device)
                rows.append(_row("naive", frames, seconds, peak_gib, naive_gflops, peak, "one pass"))
            except Exception as error:  # noqa: BLE001 - an out-of-memory is a result here
                if not (args.device.startswith("cuda") and is_out_of_memory(error)):
                    raise
                rows.append(Row("naive", frames, None, None, None, naive_gflops, None, "out of memory"))
            _flush_row(rows[-1])
        del vae, unet, clip
        _release(args.device)

    # 3. The backend, per variant on fresh models: warm up (kernel selection,
    #    allocator, compilation), then measure each shot.
    for variant in args.variants.split(","):
        vae, unet = build_random_models(model_size, device=args.device)
        backend = VideoMamaBackend.from_modules(  # casts vae and unet to dtype in place
            vae, unet, device=args.device, dtype={torch.float16: "fp16", torch.float32: "fp32"}[dtype],
            crop_to_mask=False, decode_chunk_size=DECODE_CHUNK, **VARIANTS[variant],
        )
        warm_seconds, _ = measure(lambda: run_backend(backend, WINDOW, height, width), args.device)
        print(f"{variant}: warm-up window {warm_seconds:.1f} s", flush=True)
        method = "backend" if variant == "plain" else f"backend[{variant}]"
        for frames in shots:
            windows = len(WindowGrid(FrameRange(1, frames), WINDOW, OVERLAP).windows)
            gflops = sum(window_flops.values()) * windows / frames
            seconds, peak_gib = measure(lambda: run_backend(backend, frames, height, width), args.device)
            rows.append(_row(method, frames, seconds, peak_gib, gflops, peak, f"{windows} windows"))
            _flush_row(rows[-1])
        backend.close()
        del backend, vae, unet
        _release(args.device)

    # 4. Report.
    _print_table(rows, peak)
    if args.json:
        with open(args.json, "w") as stream:
            json.dump({"device": device_name, "size": [width, height], "models": model_size,
                       "window_gflops": window_flops, "rows": [asdict(r) for r in rows]}, stream, indent=2)


def _flush_row(row: Row) -> None:
    print("row " + json.dumps(asdict(row)), flush=True)


def _release(device: str) -> None:
    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.empty_cache()


def _row(method, frames, seconds, peak_gib, gflops, peak, note) -> Row:
    tflops = gflops * frames / seconds / 1e3
    return Row(method, frames, seconds, frames / seconds, peak_gib, gflops, tflops, note)


def _print_table(rows: list[Row], peak: float | None) -> None:
    print(f"\n{'method':<30} {'frames':>6} {'frames/s':>9} {'peak GiB':>9} {'GFLOP/frame':>12} {'TFLOP/s':>8} {'of peak':>8}  note")
    for r in rows:
        fps = f"{r.frames_per_s:9.3f}" if r.frames_per_s else f"{'-':>9}"
        mem = f"{r.peak_gib:9.2f}" if r.peak_gib is not None else f"{'-':>9}"
        tf = f"{r.tflops_achieved:8.2f}" if r.tflops_achieved else f"{'-':>8}"
        share = f"{100 * r.tflops_achieved / peak:7.1f}%" if (peak and r.tflops_achieved) else f"{'-':>8}"
        print(f"{r.method:<30} {r.frames:>6} {fps} {mem} {r.gflops_per_frame:12,.1f} {tf} {share}  {r.note}")
    by = {(r.method, r.frames): r for r in rows}
    for frames in sorted({r.frames for r in rows}):
        naive = by.get(("naive", frames))
        for ours in (r for r in rows if r.method.startswith("backend") and r.frames == frames):
            if naive and naive.frames_per_s and ours.frames_per_s:
                print(f"{ours.method} speed-up at {frames} frames: {ours.frames_per_s / naive.frames_per_s:.2f}x (target >= 2x)")
            elif naive:
                print(f"{ours.method} at {frames} frames: naive {naive.note}")
    for method in sorted({r.method for r in rows if r.method.startswith("backend")}):
        measured = sorted((r for r in rows if r.method == method and r.peak_gib), key=lambda r: r.frames)
        if len(measured) >= 2:
            ratio = measured[-1].peak_gib / measured[0].peak_gib
            print(f"{method} peak memory {measured[-1].frames} vs {measured[0].frames} frames: {ratio:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    sys.exit(main())
