"""Frame ranges and sequence patterns, against real files in a temp folder."""

import os

import pytest

from videomama.errors import InputError, MissingInputError
from videomama.sequences.pattern import (
    FrameRange,
    SequencePattern,
    contiguous_run,
    format_frame_list,
    parse_frame_range,
)


def touch_frames(pattern: SequencePattern, frames) -> None:
    os.makedirs(pattern.directory, exist_ok=True)
    for frame in frames:
        with open(pattern.path(frame), "wb"):
            pass


# -- FrameRange ----------------------------------------------------------------


def test_frame_range_basics():
    frames = FrameRange(1001, 1005)
    assert list(frames) == [1001, 1002, 1003, 1004, 1005]
    assert len(frames) == 5
    assert str(frames) == "1001-1005"
    assert str(FrameRange(7, 7)) == "7"
    assert frames.contains(1001) and frames.contains(1005)
    assert not frames.contains(1000) and not frames.contains(1006)
    assert frames.contains(FrameRange(1002, 1004))
    assert not frames.contains(FrameRange(1004, 1006))
    assert 1003 in frames and 999 not in frames


def test_frame_range_is_frozen_and_rejects_reversed():
    frames = FrameRange(1, 2)
    with pytest.raises(AttributeError):
        frames.first = 5  # type: ignore[misc]
    with pytest.raises(InputError, match="reversed"):
        FrameRange(10, 5)


def test_frame_range_intersection():
    a = FrameRange(1001, 1010)
    assert a.intersection(FrameRange(1005, 1020)) == FrameRange(1005, 1010)
    assert a.intersection(FrameRange(1010, 1010)) == FrameRange(1010, 1010)
    assert a.intersection(FrameRange(1011, 1020)) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1001-1100", FrameRange(1001, 1100)),
        ("1001", FrameRange(1001, 1001)),
        (" 1001 - 1003 ", FrameRange(1001, 1003)),
        ("-5-10", FrameRange(-5, 10)),
        ("-10--5", FrameRange(-10, -5)),
        ("-3", FrameRange(-3, -3)),
        ("0-0", FrameRange(0, 0)),
    ],
)
def test_parse_frame_range(text, expected):
    assert parse_frame_range(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1001-", "1-2-3", "10..20", "1e3", "--5"])
def test_parse_frame_range_rejects_garbage_quoting_it(text):
    with pytest.raises(InputError, match=f"'{text}'"):
        parse_frame_range(text)


def test_parse_frame_range_rejects_reversed():
    with pytest.raises(InputError, match="'1100-1001'.*reversed"):
        parse_frame_range("1100-1001")


def test_str_round_trips_through_parse():
    for frames in (FrameRange(-10, -5), FrameRange(-5, 10), FrameRange(3, 3)):
        assert parse_frame_range(str(frames)) == frames


# -- format_frame_list / contiguous_run -------------------------------------------


def test_format_frame_list_compacts_runs():
    assert format_frame_list([1007, 1001, 1002, 1003, 1002]) == "1001-1003, 1007"
    assert format_frame_list([5]) == "5"
    assert format_frame_list([]) == ""
    assert format_frame_list([-2, -1, 0, 1, 4]) == "-2-1, 4"


def test_format_frame_list_truncates_scattered_frames():
    text = format_frame_list(range(0, 40, 2), max_runs=3)
    assert text == "0, 2, 4, and 17 more"


def test_contiguous_run_extends_both_ways():
    available = set(range(990, 1000)) | set(range(1001, 1050))
    assert contiguous_run(available, FrameRange(1010, 1020)) == FrameRange(1001, 1049)
    assert contiguous_run(list(range(1, 5)), FrameRange(2, 2)) == FrameRange(1, 4)


def test_contiguous_run_none_when_range_has_a_gap():
    available = set(range(990, 1000)) | set(range(1001, 1050))
    assert contiguous_run(available, FrameRange(995, 1005)) is None
    assert contiguous_run(set(), FrameRange(1, 1)) is None


# -- SequencePattern.parse ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, padding, frame_1001",
    [
        ("plate.####.exr", 4, "plate.1001.exr"),
        ("plate.@@@@@.exr", 5, "plate.01001.exr"),
        ("plate.%04d.exr", 4, "plate.1001.exr"),
        ("plate.%06d.exr", 6, "plate.001001.exr"),
        ("plate.%d.exr", 1, "plate.1001.exr"),
        ("plate.$F4.exr", 4, "plate.1001.exr"),
        ("plate.$F.exr", 1, "plate.1001.exr"),
        ("plate.${F5}.exr", 5, "plate.01001.exr"),
        ("plate_#.png", 1, "plate_1001.png"),
    ],
)
def test_parse_accepted_forms(text, padding, frame_1001):
    pattern = SequencePattern.parse(text)
    assert pattern.padding == padding
    assert pattern.path(1001) == frame_1001


def test_parse_keeps_directory_and_display_form():
    pattern = SequencePattern.parse("/shots/sh#10/plate.%04d.exr")
    assert pattern.directory == "/shots/sh#10"
    assert pattern.path(7) == "/shots/sh#10/plate.0007.exr"
    assert pattern.display == "/shots/sh#10/plate.####.exr"
    assert str(pattern) == pattern.display


@pytest.mark.parametrize(
    "text", ["plate.exr", "plate.####.####.exr", "plate.%04d.$F4.exr", "", "plate.%4d.exr"]
)
def test_parse_rejects_zero_or_several_tokens(text):
    with pytest.raises(InputError, match=r"exactly one.*####.*%04d.*\$F4"):
        SequencePattern.parse(text)


def test_negative_frames_are_signed_then_padded():
    pattern = SequencePattern.parse("a.####.exr")
    assert pattern.path(-5) == "a.-0005.exr"
    assert pattern.path(12345) == "a.12345.exr"


# -- scanning the disk ----------------------------------------------------------------


def test_existing_frames_scans_exact_names(tmp_path):
    pattern = SequencePattern.parse(str(tmp_path / "plate.####.exr"))
    touch_frames(pattern, [1003, 1001, -2, 0])
    # Names that look similar but are not frames of this pattern.
    for stray in ("plate.01004.exr", "plate.1005.exr.tmp", "plate.10x6.exr",
                  "other.1007.exr", "plate.1008.png", "plate.12.exr"):
        (tmp_path / stray).touch()
    assert pattern.existing_frames() == [-2, 0, 1001, 1003]


def test_existing_frames_of_missing_folder_is_empty(tmp_path):
    pattern = SequencePattern.parse(str(tmp_path / "nope" / "plate.####.exr"))
    assert pattern.existing_frames() == []


def test_unpadded_pattern_finds_any_length(tmp_path):
    pattern = SequencePattern.parse(str(tmp_path / "f.%d.png"))
    touch_frames(pattern, [1, 10, 100, -1])
    (tmp_path / "f.007.png").touch()  # zero padded: not this pattern's name for 7
    assert pattern.existing_frames() == [-1, 1, 10, 100]


def test_missing_and_require(tmp_path):
    pattern = SequencePattern.parse(str(tmp_path / "plate.####.exr"))
    frames = FrameRange(1001, 1100)
    touch_frames(pattern, [f for f in frames if f not in (1003, 1007, 1008, 1009)])
    assert pattern.missing(frames) == [1003, 1007, 1008, 1009]
    with pytest.raises(MissingInputError) as caught:
        pattern.require(frames)
    assert str(caught.value) == (
        f"{pattern.display} is missing frames 1003, 1007-1009 (4 of 100)"
    )
    pattern.require(FrameRange(1010, 1100))  # all present: no error


def test_require_single_missing_frame_says_frame(tmp_path):
    pattern = SequencePattern.parse(str(tmp_path / "plate.####.exr"))
    touch_frames(pattern, [1, 2])
    with pytest.raises(MissingInputError, match=r"missing frame 3 \(1 of 3\)$"):
        pattern.require(FrameRange(1, 3))


def test_require_names_missing_folder(tmp_path):
    folder = tmp_path / "not_rendered"
    pattern = SequencePattern.parse(str(folder / "plate.####.exr"))
    with pytest.raises(MissingInputError, match=f"folder '{folder}'.*does not exist"):
        pattern.require(FrameRange(1, 3))
