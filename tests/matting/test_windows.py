import pytest

from videomama.errors import InputError
from videomama.matting.windows import WindowGrid
from videomama.sequences.pattern import FrameRange


def spans(grid):
    return [(w.first, w.last) for w in grid.windows]


def test_windows_step_by_size_minus_overlap_and_last_is_full_length():
    grid = WindowGrid(FrameRange(1001, 1030), size=10, overlap=3)
    assert spans(grid) == [(1001, 1010), (1008, 1017), (1015, 1024), (1021, 1030)]


def test_short_shot_is_one_window():
    assert spans(WindowGrid(FrameRange(5, 7), size=16, overlap=4)) == [(5, 7)]


def test_weights_sum_to_one_and_favour_the_window_interior():
    grid = WindowGrid(FrameRange(1, 40), size=12, overlap=4)
    for frame in range(1, 41):
        weights = grid.weights(frame)
        assert sum(weights.values()) == pytest.approx(1.0)
    # In an overlap the earlier window fades out as the later one fades in.
    first_overlap = [grid.weights(f) for f in range(9, 13)]
    assert [w[0] for w in first_overlap] == sorted((w[0] for w in first_overlap), reverse=True)
    assert grid.weights(9)[0] > grid.weights(9)[1]
    assert grid.weights(12)[1] > grid.weights(12)[0]


def test_grid_does_not_depend_on_the_requested_range():
    grid = WindowGrid(FrameRange(1001, 1100), size=16, overlap=4)
    touching = grid.windows_touching(FrameRange(1010, 1020))
    assert [w.index for w in touching] == [0, 1]
    assert all(w in grid.windows for w in touching)
    # The weights of a frame are the same object of the shot, not of the request.
    assert grid.weights(1015) == WindowGrid(FrameRange(1001, 1100), 16, 4).weights(1015)


@pytest.mark.parametrize("size,overlap", [(0, 0), (8, 8), (8, -1)])
def test_bad_window_settings_are_input_errors(size, overlap):
    with pytest.raises(InputError):
        WindowGrid(FrameRange(1, 10), size, overlap)
