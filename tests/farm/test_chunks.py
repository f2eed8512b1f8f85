import pytest

from videomama.errors import InputError
from videomama.farm.chunks import chunk_ranges, fixed_chunk_ranges
from videomama.sequences.pattern import FrameRange


def lengths(frames, size):
    return [len(chunk) for chunk in chunk_ranges(frames, size)]


def test_chunks_are_balanced_like_openjd_contiguous_chunks():
    assert lengths(FrameRange(1, 40), 16) == [14, 13, 13]
    assert lengths(FrameRange(1001, 1048), 7) == [7, 7, 7, 7, 7, 7, 6]
    assert lengths(FrameRange(1001, 1048), 16) == [16, 16, 16]
    assert lengths(FrameRange(1001, 1048), 48) == [48]
    assert lengths(FrameRange(1001, 1048), 100) == [48]
    assert chunk_ranges(FrameRange(-5, -5), 3) == [FrameRange(-5, -5)]


@pytest.mark.parametrize("size", [1, 2, 5, 7, 16, 47, 48])
def test_chunks_cover_every_frame_once_in_order(size):
    frames = FrameRange(1001, 1048)
    chunks = chunk_ranges(frames, size)
    assert [f for chunk in chunks for f in chunk] == list(frames)
    assert max(len(chunk) for chunk in chunks) <= size


def test_fixed_chunks_are_cut_like_opencue_chunks():
    assert fixed_chunk_ranges(FrameRange(1, 40), 16) == [FrameRange(1, 16), FrameRange(17, 32), FrameRange(33, 40)]
    assert fixed_chunk_ranges(FrameRange(1001, 1048), 48) == [FrameRange(1001, 1048)]


@pytest.mark.parametrize("cut", [chunk_ranges, fixed_chunk_ranges])
def test_a_chunk_size_below_one_is_refused(cut):
    with pytest.raises(InputError, match="chunk size must be at least 1 frame, got 0"):
        cut(FrameRange(1, 10), 0)
