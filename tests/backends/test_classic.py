import cv2
import numpy as np
import pytest

from videomama.backends.base import StopToken
from videomama.backends.classic.backend import ClassicBackend
from videomama.backends.classic.flow import FlowEstimator, grey_for_flow
from videomama.backends.classic.snap import snap_masks
from videomama.backends.classic.temporal import repair_masks
from videomama.evaluation import evaluate_sequences
from videomama.matting.engine import run_matte
from videomama.matting.request import MatteRequest


def disc(height, width, centre, radius):
    yy, xx = np.mgrid[0:height, 0:width]
    return ((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= radius**2).astype(np.float32)


def textured_plate(height, width, subject):
    rng = np.random.default_rng(1)
    background = cv2.GaussianBlur(rng.random((height, width, 3)).astype(np.float32), (0, 0), 3) * 0.6
    return background * (1 - subject[..., None]) + np.float32([0.9, 0.7, 0.5]) * subject[..., None]


def iou(a, b):
    a, b = a > 0.5, b > 0.5
    return (a & b).sum() / (a | b).sum()


def test_a_dropped_mask_frame_is_rebuilt_from_its_neighbours():
    subjects = [disc(96, 128, (40 + 4 * t, 48), 20) for t in range(5)]
    plates = np.stack([textured_plate(96, 128, s) for s in subjects])
    masks = np.stack(subjects)
    masks[2] = 0.0  # the segmenter lost the subject on this frame
    flows = FlowEstimator([grey_for_flow(p) for p in plates], (96, 128))
    repaired = repair_masks(masks, flows)
    assert iou(repaired[2], subjects[2]) > 0.9
    assert iou(repaired[1], subjects[1]) > 0.95  # good frames stay good


def test_a_mask_drawn_too_fat_is_snapped_onto_the_subject_edge():
    truth = np.stack([disc(120, 160, (80, 60), 30)] * 3)
    plates = np.stack([textured_plate(120, 160, t) for t in truth])
    fat = np.stack([disc(120, 160, (80, 60), 37)] * 3)  # 7 px too big all round
    snapped = snap_masks(plates, fat, search=12)
    assert iou(snapped[1], truth[1]) > 0.95 > iou(fat[1], truth[1])


def test_the_backend_stops_when_asked():
    subject = disc(48, 64, (32, 24), 10)
    plates = np.stack([textured_plate(48, 64, subject)] * 3)
    from videomama.backends.base import WindowInput

    stop = StopToken()
    stop.stop()
    with pytest.raises(Exception, match="cancelled"):
        ClassicBackend().matte(WindowInput((1, 2, 3), plates, np.stack([subject] * 3)), stop)


def test_the_matte_beats_the_rough_mask_on_soft_edges_and_flicker(quality_clip, tmp_path):
    out = str(tmp_path / "matte.####.exr")
    run_matte(MatteRequest(quality_clip.plate, quality_clip.mask, out, backend="classic", window=6, overlap=2))
    mask = evaluate_sequences(quality_clip.alpha, quality_clip.mask, conform=True)
    matte = evaluate_sequences(quality_clip.alpha, out)
    assert matte["MAD-T"] < 0.9 * mask["MAD-T"]
    assert matte["dtSSD"] < mask["dtSSD"]
    assert matte["MAD"] < mask["MAD"]
