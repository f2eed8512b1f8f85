"""Inline jobs: frames streamed in, alpha streamed back, nothing left behind."""

import os

import grpc
import numpy as np
import pytest
from videomama_client import Client, FramesReceived, InvalidRequest
from videomama_proto.v1 import planes
from videomama_proto.v1 import videomama_pb2 as pb
from videomama_proto.v1 import videomama_pb2_grpc as pb_grpc

from videomama.sequences.image_read import read_mask, read_plate

from .support import SETTINGS, alpha, slow_backends, wait_for


def clip_arrays(clip):
    """What a host would send: the stored scene-linear plate (no colour conversion) and mask."""
    plates = [read_plate(clip.plate.replace("####", str(f)), colorspace="raw").pixels for f in clip.frames]
    masks = [read_mask(clip.mask.replace("####", str(f))).pixels for f in clip.frames]
    return plates, masks


def scratch_entries(daemon):
    return os.listdir(daemon.config.scratch_dir)


def test_inline_alpha_equals_the_by_reference_files(clip, daemon, client, tmp_path):
    client.submit_matte(clip.plate, clip.mask, str(tmp_path / "matte.####.exr"), settings=SETTINGS).wait()
    plates, masks = clip_arrays(clip)
    received = []
    alphas = dict(client.matte_inline(plates, masks, clip.frames, settings=SETTINGS, on_event=received.append))

    assert sorted(alphas) == list(clip.frames)
    for frame, plane in alphas.items():
        assert plane.dtype == np.float16 and plane.shape == (64, 96)
        np.testing.assert_array_equal(plane.astype(np.float32), alpha(tmp_path / f"matte.{frame}.exr"))
    acknowledged = [e for e in received if isinstance(e, FramesReceived)]
    assert [e.frames_received for e in acknowledged] == list(range(1, len(clip.frames) + 1))
    assert acknowledged[-1].bytes_received == sum(array.size * 2 for array in plates + masks)  # float16
    assert scratch_entries(daemon) == []


def test_small_chunks_and_a_proxy_resolution_mask(clip, daemon, client):
    plates, masks = clip_arrays(clip)
    proxies = [mask[::2, ::2] for mask in masks]  # half the clip's (already half-size) masks
    alphas = dict(client.matte_inline(plates, proxies, clip.frames, settings=SETTINGS, chunk_bytes=1000))
    assert sorted(alphas) == list(clip.frames)
    assert scratch_entries(daemon) == []


def test_leaving_mid_job_cancels_it_and_removes_its_files(long_clip, start_daemon):
    daemon = start_daemon(slow_backends(0.3))
    plates, masks = clip_arrays(long_clip)
    with Client(daemon.address) as client:
        for _frame, _alpha in client.matte_inline(plates, masks, long_clip.frames, settings=SETTINGS):
            break  # closes the stream
        wait_for(lambda: client.list_jobs(include_finished=True)[0].state == "cancelled", what="cancel")
    wait_for(lambda: scratch_entries(daemon) == [], what="scratch clean-up")


def test_client_side_shape_errors_are_reported_as_invalid_requests(clip, client):
    plates, masks = clip_arrays(clip)
    plates[3] = plates[3][:32]
    with pytest.raises(InvalidRequest, match="plate of frame 1004 is not 96x64"):
        list(client.matte_inline(plates, masks, clip.frames, settings=SETTINGS))


# -- malformed uploads, sent with the raw stub ---------------------------------------------


def header(width=96, height=64, first=1001, last=1002, **extra):
    return pb.SubmitMatteInlineRequest(
        header=pb.InlineHeader(
            settings=pb.MatteSettings(backend="classic", window=2, overlap=0),
            frames=pb.FrameRange(first=first, last=last), width=width, height=height, **extra,
        )
    )


def frame_chunks(frame, plate_shape=(64, 96, 3), mask_shape=(64, 96), chunk_bytes=planes.DEFAULT_CHUNK_BYTES):
    for plane, shape in ((pb.PLANE_PLATE, plate_shape), (pb.PLANE_MASK, mask_shape)):
        for chunk in planes.plane_chunks(frame, plane, np.full(shape, 0.5, np.float16), chunk_bytes):
            yield pb.SubmitMatteInlineRequest(chunk=chunk)


END = pb.SubmitMatteInlineRequest(end=pb.InlineEnd())


def outcome(daemon, messages):
    """(status code, message) of an inline call: its RPC error, or its failed event."""
    with grpc.insecure_channel(daemon.address) as channel:
        try:
            for response in pb_grpc.VideoMaMaStub(channel).SubmitMatteInline(iter(messages), timeout=20):
                if response.event.WhichOneof("kind") == "failed":
                    failed = response.event.failed
                    return grpc.StatusCode(next(c for c in grpc.StatusCode if c.value[0] == failed.code)), failed.message
        except grpc.RpcError as error:
            return error.code(), error.details()
    return grpc.StatusCode.OK, ""


def reorder(chunks):
    chunks = list(chunks)
    return [chunks[1], chunks[0], *chunks[2:]]


def with_total(chunks, total):
    for message in chunks:
        message.chunk.total_bytes = total
        yield message


MALFORMED = {
    "no header": ([END], "first message must be the header"),
    "empty frame": ([header(width=0)], "at least 1x1"),
    "oversized frame": ([header(width=10000, height=10000)], "more than this daemon accepts"),
    "mask of another aspect": ([header(mask_width=64, mask_height=64)], "aspect"),
    "reversed range": ([header(first=1002, last=1001)], "reversed"),
    "unknown backend": (
        [pb.SubmitMatteInlineRequest(header=pb.InlineHeader(
            settings=pb.MatteSettings(backend="nope"), frames=pb.FrameRange(first=1, last=1), width=8, height=8))],
        "unknown backend 'nope'",
    ),
    "chunks out of order": (
        [header(), *reorder(frame_chunks(1001, chunk_bytes=4096))], "chunks must be sent in order"
    ),
    "wrong plane size": (
        [header(), *with_total(frame_chunks(1001), 1234)], "float16 = 36864 bytes, but the chunk says 1234"
    ),
    "frame outside the range": ([header(), *frame_chunks(1005)], "frame 1005 is outside"),
    "too many frames half-sent": (
        [header(last=1010), *(next(frame_chunks(frame)) for frame in range(1001, 1006))], "5 frames started at once"
    ),
    "frame sent twice": ([header(), *frame_chunks(1001), *frame_chunks(1001)], "already sent"),
    "end before every frame": ([header(), *frame_chunks(1001), END], "frames 1002 were completely sent"),
    "stream ends without end marker": ([header(), *frame_chunks(1001), *frame_chunks(1002)], "before its end marker"),
    "plane not given": (
        [header(), pb.SubmitMatteInlineRequest(chunk=pb.PlaneChunk(frame=1001, total_bytes=10, data=b"x"))],
        "does not say which plane",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_uploads_are_invalid_arguments(case, daemon):
    messages, message = MALFORMED[case]
    code, details = outcome(daemon, messages)
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert message in details
    wait_for(lambda: scratch_entries(daemon) == [], what="scratch clean-up")


def test_the_daemon_still_serves_after_malformed_uploads(daemon, clip):
    for messages, _ in MALFORMED.values():
        outcome(daemon, messages)
    with Client(daemon.address) as client:
        plates, masks = clip_arrays(clip)
        assert len(dict(client.matte_inline(plates[:4], masks[:4], range(1001, 1005), settings=SETTINGS))) == 4
