"""Daemon settings: layering, and the rules that keep a remote daemon safe."""

import pytest

from videomama.config import ServerConfig, check, is_loopback_host, load
from videomama.errors import InputError
from videomama.service.server import Daemon


def test_defaults_listen_on_loopback_without_a_token():
    config = load(environ={})
    assert config.listen == "127.0.0.1:50051"
    assert config.is_loopback and config.token is None


def test_environment_then_file_then_flags(tmp_path):
    config_file = tmp_path / "daemon.toml"
    config_file.write_text('[server]\ncpu_workers = 3\nmodel_idle_s = 5\noutput_roots = ["/srv/out"]\n')
    environ = {"VIDEOMAMA_CPU_WORKERS": "7", "VIDEOMAMA_TOKEN": "from-env", "VIDEOMAMA_MAX_FRAME_PIXELS": "100"}
    config = load(str(config_file), environ=environ, listen="127.0.0.1:6000")
    assert config.cpu_workers == 3  # the file wins over the environment
    assert config.token == "from-env"
    assert config.max_frame_pixels == 100
    assert config.model_idle_s == 5.0
    assert config.output_roots == ("/srv/out",)
    assert config.listen == "127.0.0.1:6000"  # flags win over everything


def test_unknown_settings_are_refused_by_name(tmp_path):
    config_file = tmp_path / "daemon.toml"
    config_file.write_text("cpu_wokers = 3\n")
    with pytest.raises(InputError, match="unknown setting cpu_wokers"):
        load(str(config_file), environ={})


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "render-node-4"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


def test_non_loopback_without_token_refuses_to_start():
    with pytest.raises(InputError, match="refusing to listen on 0.0.0.0:0 without a token"):
        check(ServerConfig(listen="0.0.0.0:0", output_roots=("/srv/out",)))


def test_non_loopback_without_output_roots_refuses_to_start():
    with pytest.raises(InputError, match="without output roots"):
        check(ServerConfig(listen="[::]:0", token="t"))


def test_non_loopback_with_token_and_roots_is_accepted():
    check(ServerConfig(listen="0.0.0.0:0", token="t", output_roots=("/srv/out",)))


def test_daemon_checks_before_binding():
    with pytest.raises(InputError, match="without a token"):
        Daemon(ServerConfig(listen="0.0.0.0:0"))


def test_a_second_daemon_cannot_take_a_port_one_already_listens_on(daemon):
    # Sharing it (gRPC's SO_REUSEPORT) would split the clients between two processes.
    with pytest.raises(InputError, match="the address is in use"):
        Daemon(ServerConfig(listen=daemon.address))


def test_tls_needs_both_files(tmp_path):
    with pytest.raises(InputError, match="both tls_cert and tls_key"):
        check(ServerConfig(tls_cert=str(tmp_path / "cert.pem")))


def test_output_roots_must_be_absolute():
    with pytest.raises(InputError, match="absolute"):
        check(ServerConfig(output_roots=("relative/out",)))
