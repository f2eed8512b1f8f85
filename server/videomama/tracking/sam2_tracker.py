"""SAM2 video tracking: masks from clicks, boxes or mask keyframes (Meta's ``sam2`` package).

Frames: SAM2's ``init_state`` only reads a JPEG folder or an mp4.  Writing
JPEGs would put the plate through 8-bit lossy files and a second copy on disk,
so instead the predictor is given a lazy frame sequence that reads and resizes
plates on demand (SAM2 indexes ``images[i]`` and asks ``len(images)``,
nothing else).  The hand-over is the one patched name,
``sam2.sam2_video_predictor.load_video_frames``, swapped only for the
duration of ``init_state``.

Each object is one SAM2 object id (the predictor tracks several natively,
each with its own memory); prompts on several keyframes condition their
object.  Propagation runs backwards from the first prompted frame, then
forwards from it (SAM2 keeps every prompted frame in memory, so frames
between keyframes see both).
Backward results are spilled to a temporary folder so masks come out in frame
order with flat memory on our side (SAM2's own per-frame memory is small and
low resolution).  Output is sigmoid(logits) at plate resolution: soft, or
thresholded at 0.5 (logit 0) by the runner for hard masks.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np

from ..backends.base import Availability, StopToken
from ..backends.videomama import devices
from . import sam2_models
from .prompts import Prompts

# ImageNet statistics SAM2 was trained with.
_MEAN = np.float32([0.485, 0.456, 0.406])
_STD = np.float32([0.229, 0.224, 0.225])


class _LazyFrames:
    """What SAM2 indexes as its video: normalised (3, S, S) tensors, read on demand."""

    def __init__(self, frames: Sequence[int], plate: Callable[[int], np.ndarray], size: int) -> None:
        self._frames, self._plate, self._size = list(frames), plate, size
        self._cache: dict[int, object] = {}

    def __len__(self) -> int:
        return len(self._frames)

    def __getitem__(self, index: int):
        import cv2
        import torch

        if index not in self._cache:
            self._cache.clear()  # SAM2 caches features itself; one frame here is enough
            rgb = np.clip(self._plate(self._frames[index]), 0.0, 1.0).astype(np.float32)
            rgb = cv2.resize(rgb, (self._size, self._size), interpolation=cv2.INTER_AREA)
            self._cache[index] = torch.from_numpy(((rgb - _MEAN) / _STD).transpose(2, 0, 1).copy())
        return self._cache[index]


class Sam2Tracker:
    identifier = "sam2"
    display_name = "SAM2 video predictor"
    needs_mask_keyframe = False
    takes_points_and_boxes = True

    def __init__(self, size: str | None = None, checkpoint: str | os.PathLike | None = None,
                 image_size: int | None = None, device: str | None = None, random_weights: bool = False) -> None:
        """``random_weights`` builds the real network untrained (tests only: its masks mean nothing)."""
        import torch
        from sam2.build_sam import build_sam2_video_predictor

        size = size or sam2_models.installed_size() or "tiny"
        self._checkpoint = None if random_weights else str(checkpoint or sam2_models.checkpoint_path(size))
        overrides = [f"++model.image_size={image_size}"] if image_size else []
        self._device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._size = size
        self.predictor = build_sam2_video_predictor(
            sam2_models.SIZES[size][2], ckpt_path=self._checkpoint, device=self._device, hydra_overrides_extra=overrides
        )
        if importlib.util.find_spec("sam2._C") is None:
            # Without SAM2's compiled extension its hole filling cannot run (it
            # warns on every frame and skips); turn it off instead.
            self.predictor.fill_hole_area = 0

    @classmethod
    def availability(cls) -> Availability:
        # Cheap: no torch or sam2 import.
        if importlib.util.find_spec("sam2") is None or not devices.torch_installed():
            return Availability(False, "needs the sam2 package and torch (see setup.sh)", auto=False)
        if sam2_models.installed_size() is None:
            return Availability(
                False,
                f"SAM2 weights are not installed in {sam2_models.checkpoint_path('tiny').parent}: "
                "run `videomama models fetch sam2 --size tiny|small|base_plus|large`",
                auto=False,
            )
        if not devices.cuda_probably_present():
            return Availability(True, "no CUDA GPU here: SAM2 runs on the CPU only when chosen by name", auto=False)
        return Availability(True)

    @classmethod
    def fingerprint(cls) -> str:
        """What decides this tracker's masks, for the settings hash, without loading the network:
        the checkpoint a default-built tracker loads (as ``__init__`` picks it), and its file's stat."""
        size = sam2_models.installed_size() or "tiny"
        path = sam2_models.checkpoint_path(size)
        stat = path.stat() if path.is_file() else None
        return f"sam2: SAM2.1 hiera {size} ({path}, {stat.st_size if stat else 0} bytes, {stat.st_mtime_ns if stat else 0})"

    def close(self) -> None:
        """Free the network (end of a command-line track; the daemon's idle unload)."""
        import gc

        import torch

        self.predictor = None
        gc.collect()
        if self._device.startswith("cuda"):
            torch.cuda.empty_cache()

    def describe(self) -> dict[str, str]:
        weights = self._checkpoint or "random (untrained)"
        return {"tracker": self.identifier, "model": f"SAM2.1 hiera {self._size} ({weights}; {self._device})"}

    def track(
        self,
        frames: Sequence[int],
        plate: Callable[[int], np.ndarray],
        keyframe_masks: Mapping[str, Mapping[int, Callable[[], np.ndarray]]],
        stop: StopToken | None = None,
        prompts: Prompts | None = None,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(frame, masks)`` in frame order; masks are float32 (N, H, W), one per
        object in ``keyframe_masks``' order (which lists every object, with or
        without mask keyframes); ``prompts`` holds the clicks and boxes."""
        import torch

        stop = stop or StopToken()
        frames = sorted(frames)
        index = {frame: i for i, frame in enumerate(frames)}
        objects = list(keyframe_masks)
        height, width = plate(frames[0]).shape[:2]
        with torch.inference_mode(), tempfile.TemporaryDirectory(prefix="videomama-sam2-") as spill:
            state = self._init_state(frames, plate, height, width)
            prompted = self._add_prompts(state, index, keyframe_masks, prompts or Prompts())
            first = min(prompted)
            # Frames before the first prompt: tracked backwards, spilled, emitted later in order.
            for i, ids, logits in self.predictor.propagate_in_video(state, start_frame_idx=first, reverse=True):
                stop.check()
                if i < first:
                    np.save(os.path.join(spill, f"{i}.npy"), _per_object(logits, ids, objects).astype(np.float16))
            for i in range(first):
                yield frames[i], _sigmoid(np.load(os.path.join(spill, f"{i}.npy")).astype(np.float32))
            for i, ids, logits in self.predictor.propagate_in_video(state, start_frame_idx=first):
                stop.check()
                yield frames[i], _sigmoid(_per_object(logits, ids, objects))

    def _init_state(self, frames, plate, height: int, width: int) -> dict:
        import sam2.sam2_video_predictor as video

        images = _LazyFrames(frames, plate, self.predictor.image_size)

        @contextmanager
        def our_frames():
            original = video.load_video_frames
            video.load_video_frames = lambda **_: (images, height, width)
            try:
                yield
            finally:
                video.load_video_frames = original

        with our_frames():
            # SAM2 keeps every visited frame's memory features for the whole
            # propagation; on the host they cost ~0.5 MB a frame and object,
            # on the GPU they would grow with the shot.
            return self.predictor.init_state(
                video_path="(videomama plate)", offload_video_to_cpu=True, offload_state_to_cpu=True
            )

    def _add_prompts(self, state, index, keyframe_masks, prompts: Prompts) -> set[int]:
        """Feed each object's prompts to its own SAM2 object id; returns the prompted frame indices."""
        ids = {name: _obj_id(i) for i, name in enumerate(keyframe_masks)}
        prompted = set()
        for name, keys in keyframe_masks.items():
            for frame, load in keys.items():
                self.predictor.add_new_mask(state, index[frame], ids[name], load() > 0.5)
                prompted.add(index[frame])
        # SAM2 takes one call per object and frame: its clicks, and at most one box.
        by_key: dict[tuple[str, int], tuple[list, list, object]] = {}
        for point in prompts.points:
            coords, labels, _ = by_key.setdefault((point.object, point.frame), ([], [], None))
            coords.append((point.x, point.y))
            labels.append(1 if point.positive else 0)
        for box in prompts.boxes:
            coords, labels, _ = by_key.get((box.object, box.frame), ([], [], None))
            by_key[box.object, box.frame] = (coords, labels, np.float32([box.x0, box.y0, box.x1, box.y1]))
        for (name, frame), (coords, labels, box) in by_key.items():
            self.predictor.add_new_points_or_box(
                state, index[frame], ids[name],
                points=np.float32(coords) if coords else None,
                labels=np.int32(labels) if labels else None,
                box=box,
                normalize_coords=True,  # our pixels are in the plate's size, which SAM2 rescales
            )
            prompted.add(index[frame])
        return prompted


def _obj_id(position: int) -> int:
    """SAM2's id of our ``position``-th object (ids start at 1, as in SAM2's examples)."""
    return position + 1


def _per_object(logits, ids: Sequence[int], objects: Sequence[str]) -> np.ndarray:
    """SAM2's logits (N, 1, H, W), in the order it met the objects -> (N, H, W) in our objects' order."""
    rows = [list(ids).index(_obj_id(i)) for i in range(len(objects))]
    return logits[rows, 0].float().cpu().numpy()


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(logits, -60.0, 60.0)))).astype(np.float32)
