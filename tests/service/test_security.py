"""Token, TLS and output confinement.  Tests only ever bind to 127.0.0.1."""

import os
import shutil
import subprocess

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from videomama_client import Client, DaemonUnavailable, PermissionDenied, Unauthenticated

from .support import SETTINGS

TOKEN = "correct horse battery staple"


@pytest.fixture
def guarded_daemon(start_daemon):
    return start_daemon(token=TOKEN)


def test_calls_without_the_token_are_unauthenticated(guarded_daemon, clip, tmp_path):
    with Client(guarded_daemon.address, retries=0) as client:
        with pytest.raises(Unauthenticated, match="requires a token"):
            client.info()
        with pytest.raises(Unauthenticated):
            client.submit_matte(clip.plate, clip.mask, str(tmp_path / "out" / "m.####.exr"), settings=SETTINGS).wait()
        with pytest.raises(Unauthenticated):
            client.list_jobs()
    assert not (tmp_path / "out").exists()


def test_calls_with_a_wrong_token_are_unauthenticated(guarded_daemon):
    for wrong in ("correct horse battery stapl", TOKEN + " ", "x"):
        with Client(guarded_daemon.address, token=wrong, retries=0) as client, pytest.raises(Unauthenticated):
            client.info()


def test_calls_with_the_token_work(guarded_daemon, clip, tmp_path):
    with Client(guarded_daemon.address, token=TOKEN) as client:
        assert client.info().limits.token_required
        finished = client.submit_matte(clip.plate, clip.mask, str(tmp_path / "m.####.exr"), settings=SETTINGS).wait()
        assert finished.frames_written == len(clip.frames)


def test_health_needs_no_token(guarded_daemon):
    with grpc.insecure_channel(guarded_daemon.address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_tls(start_daemon, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    daemon = start_daemon(tls_cert=str(cert), tls_key=str(key), token=TOKEN)
    with Client(daemon.address, token=TOKEN, tls=str(cert)) as client:
        assert client.info().server_version
    with Client(daemon.address, token=TOKEN, retries=0, connect_timeout=1) as plain, pytest.raises(DaemonUnavailable):
        plain.info()


# -- output confinement -----------------------------------------------------------------


@pytest.fixture
def confined(start_daemon, tmp_path, clip):
    """A daemon that may only write under tmp/root (the clip lives elsewhere)."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "link")
    daemon = start_daemon(output_roots=(str(root),))
    with Client(daemon.address) as client:
        yield client, root, outside


def test_output_inside_a_root_is_written(confined, clip):
    client, root, _ = confined
    finished = client.submit_matte(clip.plate, clip.mask, str(root / "shot" / "m.####.exr"), settings=SETTINGS).wait()
    assert finished.frames_written == len(clip.frames)


@pytest.mark.parametrize(
    "output",
    [
        "{outside}/m.####.exr",  # plainly outside
        "{root}/../outside/m.####.exr",  # escapes with ..
        "{root}/link/m.####.exr",  # escapes through a symlink
        "{root}/link/deeper/m.####.exr",  # ... into a folder not yet created
    ],
)
def test_outputs_escaping_the_roots_are_denied_and_nothing_is_written(confined, clip, output):
    client, root, outside = confined
    before = sorted(os.walk(root.parent))
    with pytest.raises(PermissionDenied, match="outside the daemon's output roots"):
        client.submit_matte(
            clip.plate, clip.mask, output.format(root=root, outside=outside), settings=SETTINGS
        ).wait()
    assert sorted(os.walk(root.parent)) == before


def test_overwriting_a_plate_is_denied_and_nothing_is_written(start_daemon, clip):
    daemon = start_daemon(output_roots=(str(clip.folder),))
    before = {p.name: p.stat().st_mtime_ns for p in clip.folder.iterdir()}
    with Client(daemon.address) as client, pytest.raises(PermissionDenied, match="would overwrite input frames"):
        client.submit_matte(clip.plate, clip.mask, clip.plate, settings=SETTINGS).wait()
    assert {p.name: p.stat().st_mtime_ns for p in clip.folder.iterdir()} == before
