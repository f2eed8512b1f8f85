"""The learned VideoMaMa backend, on tiny random models loaded through the real code.

Weights are random, so these tests check plumbing, not matting quality:
shapes and ranges, geometry that lines up to the pixel, seeded determinism,
window independence where the model has none of its own, and parity with an
independent restatement of the reference implementation's steps.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from videomama.backends import registry  # noqa: E402
from videomama.backends.base import StopToken, WindowInput  # noqa: E402
from videomama.backends.videomama import devices, models, seeding  # noqa: E402
from videomama.backends.videomama.backend import VideoMamaBackend  # noqa: E402
from videomama.matting.request import check_backend  # noqa: E402
from videomama.backends.videomama.geometry import ModelGrid, plan_placement, region_of_interest  # noqa: E402
from videomama.backends.videomama.memory import MemoryBudget  # noqa: E402
from videomama.backends.videomama.upsample import guided_upsample  # noqa: E402
from videomama.cli.main import main as cli_main  # noqa: E402
from videomama.errors import CancelledError, InputError, NotAvailableError  # noqa: E402
from videomama.matting.engine import run_matte  # noqa: E402
from videomama.matting.request import MatteRequest  # noqa: E402
from videomama.sequences.image_read import read_mask, read_metadata  # noqa: E402
from videomama.sequences.images import Box  # noqa: E402
from videomama.sequences.pattern import FrameRange  # noqa: E402
from videomama.synthetic import ClipSpec, write_clip  # noqa: E402

CPU = dict(device="cpu")
GRID = ModelGrid(multiple=64, latent_factor=8)  # the released weights' grid


# ---------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backend(tiny_models_dir):
    return VideoMamaBackend(models=str(tiny_models_dir), **CPU)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """6 frames of 128x72: not a multiple of the tiny grid (16) vertically, on purpose."""
    return write_clip(ClipSpec(width=128, height=72, frames=6, seed=7), tmp_path_factory.mktemp("vclip"))


def disc_window(frames=(1, 2, 3, 4), height=96, width=160, centre=(60, 40), radius=14, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    masks, plates = [], []
    for t, _ in enumerate(frames):
        cx = centre[0] + 3 * t
        mask = (((xx - cx) ** 2 + (yy - centre[1]) ** 2) <= radius**2).astype(np.float32)
        plate = rng.random((height, width, 3)).astype(np.float32) * 0.3 + mask[..., None] * 0.6
        masks.append(mask)
        plates.append(plate)
    return WindowInput(tuple(frames), np.stack(plates), np.stack(masks))


class MaskEcho:
    """Stands in for the model: returns the conditioning mask it was given, on the canvas."""

    def __init__(self, pipeline):
        self.layout = pipeline.layout
        self.device = torch.device("cpu")
        self.dtype = torch.float32
        self.canvases = []

    def __call__(self, plates, masks, frames, seed, check=lambda: None):
        self.canvases.append(tuple(masks.shape[-2:]))
        return (masks[:, 0] + 1) / 2


def echo_backend(tiny_models_dir, **options):
    backend = VideoMamaBackend(models=str(tiny_models_dir), **CPU, **options)
    backend._pipeline = MaskEcho(backend._pipeline)
    return backend


def read_alpha(pattern, frame):
    return read_mask(pattern.replace("####", f"{frame:04d}")).pixels[..., 0]


# ---------------------------------------------------------------------------
# Models directory, fetch, availability
# ---------------------------------------------------------------------------


def test_models_dir_explicit_then_environment_then_per_user_default(tmp_path):
    env = {"HOME": "/home/ann", models.MODELS_ENV: "/studio/models"}
    assert models.models_dir(tmp_path, env) == tmp_path
    assert str(models.models_dir(None, env)) == "/studio/models"
    assert str(models.models_dir(None, {"HOME": "/home/ann"})) == "/home/ann/.cache/videomama/models"
    assert str(models.default_models_dir({"HOME": "/Users/ann"}, "darwin")) == "/Users/ann/Library/Caches/videomama/models"
    assert "AppData" in str(models.default_models_dir({"USERPROFILE": "C:/Users/ann"}, "win32"))


def test_fetch_downloads_only_the_two_subfolders_in_full_precision(tmp_path, monkeypatch):
    hub = pytest.importorskip("huggingface_hub")
    listings = {
        "stabilityai/stable-video-diffusion-img2vid-xt": [
            "model_index.json", "svd_xt.safetensors", "image_encoder/config.json", "unet/config.json",
            "unet/diffusion_pytorch_model.fp16.safetensors", "vae/config.json",
            "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors",
        ],
        "SammyLim/VideoMaMa": [
            "README.md", "dino_projection_mlp.pth", "unet/config.json",
            "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
            "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
            "unet/diffusion_pytorch_model.safetensors.index.json", "unet/diffusion_pytorch_model.bin",
        ],
    }
    calls = []
    monkeypatch.setattr(hub, "list_repo_files", lambda repo_id, **kw: listings[repo_id])
    monkeypatch.setattr(hub, "snapshot_download", lambda repo_id, **kw: calls.append((repo_id, kw)))
    models.fetch("videomama", tmp_path)
    assert calls == [
        ("stabilityai/stable-video-diffusion-img2vid-xt",
         {"local_dir": tmp_path / "videomama", "allow_patterns": ["vae/config.json", "vae/diffusion_pytorch_model.safetensors"]}),
        ("SammyLim/VideoMaMa",
         {"local_dir": tmp_path / "videomama", "allow_patterns": [
             "unet/config.json", "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
             "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
             "unet/diffusion_pytorch_model.safetensors.index.json"]}),
    ]
    assert models.choose_files(["unet/config.json", "unet/diffusion_pytorch_model.bin"], "unet") == (
        "unet/config.json", "unet/diffusion_pytorch_model.bin")


def test_missing_weights_say_how_to_fetch_them(tmp_path):
    with pytest.raises(NotAvailableError, match="videomama models fetch videomama --models"):
        VideoMamaBackend(models=str(tmp_path), **CPU)


def test_auto_needs_weights_and_a_gpu_but_a_named_backend_runs_on_the_cpu(tiny_models_dir, monkeypatch, tmp_path):
    monkeypatch.setenv(models.MODELS_ENV, str(tmp_path))  # empty: not available at all
    assert not VideoMamaBackend.availability().available
    monkeypatch.setenv(models.MODELS_ENV, str(tiny_models_dir))
    availability = VideoMamaBackend.availability()
    assert availability.available and availability.auto == devices.cuda_probably_present()
    if not devices.cuda_probably_present():
        assert registry.resolve("auto") == "classic" and "CPU" in availability.reason
    backend = registry.create("videomama", {"device": "cpu", "seed": "7"})
    assert backend.describe()["model"].endswith("cpu float32)")


def test_a_models_directory_given_as_a_job_option_counts_for_availability(tiny_models_dir, monkeypatch, tmp_path):
    monkeypatch.setenv(models.MODELS_ENV, str(tmp_path))  # the default place is empty
    with pytest.raises(NotAvailableError, match="weights not installed"):
        check_backend("videomama", {"device": "cpu"})
    name, options = check_backend("videomama", {"device": "cpu", "models": str(tiny_models_dir)})
    assert name == "videomama" and options["models"] == str(tiny_models_dir)
    assert registry.create("videomama", {"device": "cpu", "models": str(tiny_models_dir)}).describe()["backend"] == "videomama"


def test_cli_lists_installed_models_and_shows_the_licence_when_fetching(tiny_models_dir, monkeypatch, capsys):
    assert cli_main(["models", "list", "--json", "--models", str(tiny_models_dir)]) == 0
    row = json.loads(capsys.readouterr().out)["models"][0]
    assert row["name"] == "videomama" and row["installed"] and row["size_bytes"] > 0
    monkeypatch.setattr(models, "fetch", lambda name, root: models.locate(name, tiny_models_dir))
    assert cli_main(["models", "fetch", "--models", str(tiny_models_dir)]) == 0
    assert "Stability AI Community License" in capsys.readouterr().out


def test_bad_options_are_refused_with_the_value():
    with pytest.raises(InputError, match="device 'gpu'"):
        VideoMamaBackend(device="gpu")
    with pytest.raises(InputError, match="fp16 needs a CUDA"):
        devices.resolve_dtype("fp16", torch.device("cpu"))


# ---------------------------------------------------------------------------
# Geometry and upsampling (no model)
# ---------------------------------------------------------------------------


def test_roi_is_the_masks_union_with_margin_inside_the_plate():
    masks = np.zeros((2, 100, 200), np.float32)
    masks[0, 40:50, 10:30] = 1
    masks[1, 45:60, 20:40] = 1
    assert region_of_interest(masks, margin=0.0) == Box(2, 32, 46, 36)  # grown by the 8-pixel minimum
    assert region_of_interest(masks, margin=0.5) == Box(0, 25, 55, 50)
    assert region_of_interest(np.zeros((2, 10, 10), np.float32), 0.1) is None


def test_a_small_roi_runs_at_native_resolution_in_plate_context():
    placement = plan_placement(Box(1000, 500, 150, 100), 3840, 2160, GRID, max_tokens=60544)
    assert (placement.width, placement.height, placement.scale) == (192, 128, 1.0)
    assert placement.source == Box(979, 486, 192, 128)  # centred on the ROI, no resampling


def test_a_large_roi_is_scaled_to_the_token_cap_keeping_aspect():
    placement = plan_placement(Box(0, 0, 3840, 2160), 3840, 2160, GRID, max_tokens=9216)
    assert placement.width % 64 == 0 and placement.height % 64 == 0
    assert GRID.tokens(placement.width, placement.height) <= 9216
    source = placement.source
    assert abs(placement.width / source.width - placement.height / source.height) < 2 / source.height  # not squashed
    assert source.x <= 0 and source.x + source.width >= 3840 and source.y <= 0 and source.y + source.height >= 2160
    with pytest.raises(InputError, match="smallest canvas"):
        plan_placement(Box(0, 0, 10, 10), 100, 100, GRID, max_tokens=10)


def test_a_coarser_canvas_step_lets_nearby_rois_share_one_canvas_size():
    rois = [Box(1000 + 7 * i, 500, 690 + 9 * i, 900 - 8 * i) for i in range(8)]  # a subject moving and deforming

    def sizes(step: int) -> set[tuple[int, int]]:
        placements = (plan_placement(r, 3840, 2160, GRID, max_tokens=60544, step=step) for r in rois)
        return {(p.width, p.height) for p in placements}

    assert len(sizes(64)) > 2 and len(sizes(256)) == 1
    placement = plan_placement(rois[0], 3840, 2160, GRID, max_tokens=60544, step=256)
    assert placement.width % 256 == 0 and placement.height % 256 == 0 and placement.scale == 1.0
    assert placement.source.x <= rois[0].x and placement.source.x + placement.source.width >= rois[0].x + rois[0].width
    # A step that cannot fit the cap even once falls back to the grid.
    assert plan_placement(Box(0, 0, 500, 500), 500, 500, GRID, max_tokens=1000, step=2048).width % 64 == 0
    with pytest.raises(InputError, match="multiple of 64"):
        plan_placement(rois[0], 3840, 2160, GRID, max_tokens=60544, step=100)


def test_a_box_past_the_plate_is_padded_and_pasted_back_in_place():
    plate = np.arange(30 * 40, dtype=np.float32).reshape(30, 40)
    placement = plan_placement(Box(5, 3, 20, 20), 40, 30, GRID, max_tokens=60544)  # 64x64 box on a 40x30 plate
    crop = placement.crop(plate, pad="constant")
    assert crop.shape == (64, 64) and crop.sum() == plate.sum()
    np.testing.assert_array_equal(placement.paste(crop, 30, 40), plate)


def test_guided_upsampling_follows_the_plate_edge_that_bilinear_blurs():
    import cv2

    truth = np.zeros((128, 128), np.float32)
    truth[:, 61:] = 1.0  # an edge between low-resolution pixels
    plate = np.stack([truth * 0.8 + 0.1] * 3, axis=-1)
    low = cv2.resize(truth, (32, 32), interpolation=cv2.INTER_AREA)
    guided = guided_upsample(low, plate)
    bilinear = cv2.resize(low, (128, 128), interpolation=cv2.INTER_LINEAR)
    assert np.abs(guided - truth).mean() < 0.25 * np.abs(bilinear - truth).mean()


def test_memory_budget_shrinks_the_canvas_for_longer_windows():
    budget = MemoryBudget(bytes_free=40 * 1024**3, element_bytes=2, vae_width=128, unet_width=320, latent_factor=8)
    assert budget.max_tokens(16, chunk=8) > budget.max_tokens(256, chunk=8) > 0  # the UNet sees every frame
    assert budget.max_tokens(16, chunk=2) > budget.max_tokens(16, chunk=8)  # the VAE sees a chunk
    assert budget.peak_bytes(16, 2000, 8) == 2 * budget.peak_bytes(16, 1000, 8)


# ---------------------------------------------------------------------------
# Backend behaviour (tiny model)
# ---------------------------------------------------------------------------


def test_alpha_has_the_window_shape_and_range(backend):
    window = disc_window()
    alpha = backend.matte(window, StopToken())
    assert alpha.shape == window.masks.shape and alpha.dtype == np.float32
    assert np.isfinite(alpha).all() and 0.0 <= alpha.min() and alpha.max() <= 1.0
    assert {"backend", "model", "version"} <= set(backend.describe())


def test_same_seed_same_alpha_other_seed_other_alpha(tiny_models_dir, backend):
    window = disc_window()
    first = backend.matte(window, StopToken())
    again = VideoMamaBackend(models=str(tiny_models_dir), **CPU).matte(window, StopToken())
    other = VideoMamaBackend(models=str(tiny_models_dir), seed=43, **CPU).matte(window, StopToken())
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 1e-4


def test_crop_and_paste_back_line_up_exactly_at_native_resolution(tiny_models_dir):
    backend = echo_backend(tiny_models_dir)
    window = disc_window()
    alpha = backend.matte(window, StopToken())
    np.testing.assert_array_equal(alpha, window.masks)  # the disc, at the same pixels, zero elsewhere
    height, width = backend._pipeline.canvases[0]
    assert height % 16 == 0 and width % 16 == 0 and height < 96  # a crop, not the plate


def test_a_scaled_canvas_comes_back_aligned_to_the_pixel(tiny_models_dir):
    backend = echo_backend(tiny_models_dir, max_tokens=24, roi_margin=0.0)  # forces about half resolution
    window = disc_window(height=120, width=200, radius=30, centre=(90, 60))
    alpha = backend.matte(window, StopToken())
    canvas = backend._pipeline.canvases[0]
    assert canvas[0] * canvas[1] / 64 <= 24
    for t in range(4):
        truth, got = window.masks[t] > 0.5, alpha[t] > 0.5
        assert (truth & got).sum() / (truth | got).sum() > 0.93
        centroid = lambda m: np.argwhere(m).mean(axis=0)  # noqa: E731
        assert np.abs(centroid(truth) - centroid(got)).max() < 0.5


def test_an_empty_window_is_zero_without_running_the_model(tiny_models_dir):
    backend = echo_backend(tiny_models_dir)
    window = disc_window()
    empty = WindowInput(window.frames, window.plates, np.zeros_like(window.masks))
    assert not backend.matte(empty, StopToken()).any() and backend._pipeline.canvases == []


def test_out_of_memory_shrinks_the_canvas_and_retries(tiny_models_dir, monkeypatch):
    from videomama import memory_pressure

    monkeypatch.setattr(memory_pressure, "relieve", lambda: 0)  # no idle model anywhere to unload first
    backend = echo_backend(tiny_models_dir, crop_to_mask=False)
    echo = backend._pipeline
    echo.device = torch.device("cuda")  # only GPU memory errors are retried
    failures = []

    def fail_once(*args, **kwargs):
        if not failures:
            failures.append(args[0].shape)
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return MaskEcho.__call__(echo, *args, **kwargs)

    backend._pipeline = type("Flaky", (), {"__call__": staticmethod(fail_once), "device": echo.device, "layout": echo.layout})()
    window = disc_window(height=128, width=256)
    alpha = backend.matte(window, StopToken())
    first = failures[0][-2] * failures[0][-1]
    assert alpha.shape == window.masks.shape and backend._oom_caps[4] <= 0.7 * first / 64


def test_close_frees_the_networks(tiny_models_dir):
    backend = VideoMamaBackend(models=str(tiny_models_dir), **CPU)
    backend.close()
    assert backend._pipeline is None


def test_stopping_raises_cancelled(backend):
    stop = StopToken()
    stop.stop()
    with pytest.raises(CancelledError):
        backend.matte(disc_window(), stop)


# ---------------------------------------------------------------------------
# Parity with the reference implementation
# ---------------------------------------------------------------------------


def reference_one_step(vae, unet, plates01, masks01, frames, seed):
    """The reference's VideoInferencePipeline.run, restated step by step (fp32, CPU).

    Two deliberate deviations are restated too, as the backend documents
    them: the VAE posterior is sampled from per-frame seeded generators (the
    reference's ``sample()`` is unseeded), and the noise comes from per-frame
    generators rather than one tensor drawn from ``seed``.
    """
    sf = vae.config.scaling_factor
    count = plates01.shape[0]
    # 1. Tensors in [-1, 1], (b, f, c, h, w); the mask is replicated to 3 channels.
    cond = (plates01 * 2 - 1)[None]
    mask = (masks01 * 2 - 1)[None].repeat(1, 1, 3, 1, 1)
    with torch.no_grad():
        # 2. CLIP embedding, zeroed by the reference: zeros of (1, 1, cross_attention_dim).
        encoder_hidden_states = torch.zeros(1, 1, unet.config.cross_attention_dim)

        # 3. Latents: encode (b f) frames, sample, scale by sf, then divide it back out.
        def to_latent(video, purpose):
            gens = [torch.Generator().manual_seed(seeding.frame_seed(seed, purpose, f)) for f in frames]
            latents = vae.encode(video.flatten(0, 1)).latent_dist.sample(generator=gens)
            return (latents.reshape(1, count, *latents.shape[1:]) * sf) / sf

        cond_latents = to_latent(cond, seeding.PLATE_POSTERIOR)
        mask_latents = to_latent(mask, seeding.MASK_POSTERIOR)
        # 4. One UNet step at timestep 1 from noise of the latents' shape.
        noise = torch.stack([
            torch.randn(cond_latents.shape[2:], generator=torch.Generator().manual_seed(seeding.frame_seed(seed, seeding.NOISE, f)))
            for f in frames
        ])[None]
        timesteps = torch.full((1,), 1.0, dtype=torch.long)
        added_time_ids = torch.tensor([[7, 127, 0.0]])
        unet_input = torch.cat([noise, cond_latents, mask_latents], dim=2)
        pred = unet(unet_input, timesteps, encoder_hidden_states, added_time_ids=added_time_ids).sample
        # 5. Unscale and decode in chunks of 8 frames.
        pred = (1 / sf) * pred.squeeze(0)
        video = torch.cat([vae.decode(pred[i : i + 8], num_frames=len(pred[i : i + 8])).sample for i in range(0, count, 8)])
        # 6. Alpha: clamp each channel of x/2 + 0.5, then average RGB.
        return (video / 2.0 + 0.5).clamp(0, 1).mean(dim=1)


def test_backend_matches_a_restatement_of_the_reference(tiny_models_dir):
    # A plate that is already a multiple of the tiny grid (16), whole-frame:
    # no crop, no resampling, so the backend's output is the model's.
    window = disc_window(frames=(11, 12, 13, 14, 15, 16, 17, 18, 19, 20), height=64, width=96, centre=(40, 30))
    backend = VideoMamaBackend(models=str(tiny_models_dir), crop_to_mask=False, **CPU)
    alpha = backend.matte(window, StopToken())  # 10 frames: two decode chunks (8 + 2)

    pipeline = backend._pipeline
    plates01 = torch.from_numpy(window.plates).permute(0, 3, 1, 2)
    masks01 = (torch.from_numpy(window.masks) > 0.5).float()[:, None]
    expected = reference_one_step(pipeline.vae, pipeline.unet, plates01, masks01, window.frames, seed=42)
    np.testing.assert_allclose(alpha, expected.numpy(), atol=2e-5)


# ---------------------------------------------------------------------------
# Through the engine
# ---------------------------------------------------------------------------


def test_windows_and_overlap_match_one_pass_when_the_model_mixes_no_frames(frame_independent_models_dir, tiny_models_dir, clip, tmp_path):
    def run(models_dir, window, overlap, name):
        out = str(tmp_path / name / "matte.####.exr")
        backend = VideoMamaBackend(models=str(models_dir), crop_to_mask=False, **CPU)
        run_matte(MatteRequest(clip.plate, clip.mask, out, window=window, overlap=overlap), backend=backend)
        return np.stack([read_alpha(out, f) for f in range(1001, 1007)])

    one_pass = run(frame_independent_models_dir, 6, 0, "one")
    windowed = run(frame_independent_models_dir, 3, 1, "windows")
    np.testing.assert_allclose(windowed, one_pass, atol=1e-3)  # half-float output
    # The real (temporal) model does depend on its window: the test above means something.
    mixing = run(tiny_models_dir, 3, 1, "mixing") - run(tiny_models_dir, 6, 0, "mixing_one")
    assert np.abs(mixing).max() > 1e-3


def test_run_matte_writes_half_alpha_and_resumes(tiny_models_dir, clip, tmp_path, monkeypatch):
    monkeypatch.setenv(models.MODELS_ENV, str(tiny_models_dir))
    out = str(tmp_path / "matte.####.exr")
    request = MatteRequest(clip.plate, clip.mask, out, backend="videomama", window=4, overlap=2, options={"device": "cpu"})
    result = run_matte(request)
    assert result.written == list(range(1001, 1007))
    alpha = read_alpha(out, 1003)
    assert alpha.shape == (72, 128) and 0.0 <= alpha.min() and alpha.max() <= 1.0
    meta = read_metadata(out.replace("####", "1003"))
    assert meta["videomama:backend"] == "videomama" and "weights" in meta["videomama:model"]
    assert run_matte(request).skipped == list(range(1001, 1007))


class ChainRecorder:
    """A chained backend that returns its conditioning: prior alpha where given, else the mask."""

    identifier = "chain-recorder"
    chains_windows = True

    def __init__(self):
        self.calls = []

    def describe(self):
        return {"backend": self.identifier, "model": "none", "version": "test"}

    def matte(self, window, stop):
        self.calls.append((window.frames, sorted(window.prior_alphas)))
        alpha = window.masks * 0.5 + 0.1
        for t, frame in enumerate(window.frames):
            if frame in window.prior_alphas:
                alpha[t] = window.prior_alphas[frame] + 0.1
        return alpha


def test_a_chained_backend_runs_from_the_shot_start_and_gets_the_blended_overlap(clip, tmp_path):
    recorder = ChainRecorder()
    out = str(tmp_path / "matte.####.exr")
    result = run_matte(MatteRequest(clip.plate, clip.mask, out, frames=FrameRange(1005, 1006), window=3, overlap=1), backend=recorder)
    assert result.written == [1005, 1006]
    # Grid windows 1001-1003, 1003-1005, 1004-1006: all run, each told the frames already blended.
    assert recorder.calls == [((1001, 1002, 1003), []), ((1003, 1004, 1005), [1003]), ((1004, 1005, 1006), [1004, 1005])]


def test_chained_mode_is_range_independent_and_uses_the_previous_matte(tiny_models_dir, clip, tmp_path):
    def run(name, frames=None, chained=True):
        out = str(tmp_path / name / "matte.####.exr")
        backend = VideoMamaBackend(models=str(tiny_models_dir), chained=chained, **CPU)
        run_matte(MatteRequest(clip.plate, clip.mask, out, frames=frames, window=3, overlap=1), backend=backend)
        return out

    whole, tail, plain = run("whole"), run("tail", FrameRange(1005, 1006)), run("plain", chained=False)
    for frame in (1005, 1006):
        np.testing.assert_array_equal(read_alpha(tail, frame), read_alpha(whole, frame))
    assert np.array_equal(read_alpha(whole, 1001), read_alpha(plain, 1001))  # first window: nothing to chain
    assert np.abs(read_alpha(whole, 1005) - read_alpha(plain, 1005)).max() > 1e-3


def test_out_of_memory_first_unloads_idle_models_and_retries_at_the_same_size(tiny_models_dir, monkeypatch):
    from videomama import memory_pressure

    backend = echo_backend(tiny_models_dir, crop_to_mask=False)
    echo = backend._pipeline
    echo.device = torch.device("cuda")  # only GPU memory errors are retried
    canvases, relieved = [], []

    def fail_until_relieved(*args, **kwargs):
        canvases.append(args[0].shape[-2:])
        if not relieved:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return MaskEcho.__call__(echo, *args, **kwargs)

    monkeypatch.setattr(memory_pressure, "relieve", lambda: relieved.append(True) or 1)
    backend._pipeline = type("Flaky", (), {"__call__": staticmethod(fail_until_relieved), "device": echo.device, "layout": echo.layout})()
    window = disc_window(height=128, width=256)
    alpha = backend.matte(window, StopToken())
    assert alpha.shape == window.masks.shape
    assert canvases[0] == canvases[1] and len(canvases) == 2  # the same canvas, not a smaller one
    assert backend._oom_caps == {} and relieved == [True]


def test_frames_prepared_and_upsampled_side_by_side_equal_one_at_a_time(tiny_models_dir, monkeypatch):
    from videomama.backends.videomama import backend as backend_module

    window = disc_window(height=128, width=256, radius=40)
    results = {}
    for threads in (1, 4):
        monkeypatch.setattr(backend_module, "HOST_THREADS", threads)
        backend = echo_backend(tiny_models_dir, max_tokens=64, crop_to_mask=False)  # a scaled canvas: upsampled back
        results[threads] = backend.matte(window, StopToken())
        assert backend._pipeline.canvases and backend._pipeline.canvases[-1] != (128, 256)
    np.testing.assert_array_equal(results[1], results[4])
