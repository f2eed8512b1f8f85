"""The daemon's settings: one frozen object, built once and passed in.

Layers, each overriding the one before: built-in defaults, then ``VIDEOMAMA_*``
environment variables, then the TOML file given with ``--config``, then
command-line flags.  Nothing is read at import time and there are no module
globals, so tests build any configuration they need.

Security rules (``check`` enforces them before the daemon binds):

* the default address is loopback; any other address needs a token, and
  output roots, so a remote caller can only write where an admin allowed;
* TLS needs both a certificate and a key;
* output roots, when given, confine every by-reference output (see
  ``videomama.jobs.paths``); on loopback without roots the daemon writes
  wherever the user running it could, exactly like ``videomama matte``.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from .errors import InputError

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None

DEFAULT_LISTEN = "127.0.0.1:50051"
ENV_PREFIX = "VIDEOMAMA_"
MIB = 1024 * 1024
# Counts that must be at least 1 (job_history may be 0: forget ended jobs at once).
_POSITIVE_INTS = ("cpu_workers", "max_frame_pixels", "max_message_bytes", "chunk_bytes", "rpc_threads")
_INTS = (*_POSITIVE_INTS, "job_history")
_FLOATS = ("model_idle_s", "exit_after_idle_s")


@dataclass(frozen=True)
class ServerConfig:
    listen: str = DEFAULT_LISTEN
    token: str | None = None  # required on every call when set
    tls_cert: str | None = None  # PEM paths; both or neither
    tls_key: str | None = None
    output_roots: tuple[str, ...] = ()
    cpu_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    model_idle_s: float = 600.0  # unload a loaded backend or tracker unused for this long
    # Stop the daemon after this long with no job and no request (0: never).  The
    # host nodes give the daemons they start themselves an hour, so a daemon
    # nobody asked for by name does not hold the GPU forever.
    exit_after_idle_s: float = 0.0
    max_frame_pixels: int = 8192 * 8192  # larger frames are refused up front
    # gRPC's 4 MiB default rejects a half-float 1080p RGBA frame; pixel data is
    # chunked well below this anyway, the margin is for generous clients.
    max_message_bytes: int = 64 * MIB
    chunk_bytes: int = 1 * MIB  # alpha planes are sent back in chunks of this
    scratch_dir: str | None = None  # inline jobs' private folders; None = system temp
    job_history: int = 200  # ended jobs kept for ListJobs and WatchJob
    rpc_threads: int = 32  # every open event stream holds one

    @property
    def host(self) -> str:
        return split_address(self.listen)[0]

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)


def split_address(address: str) -> tuple[str, int]:
    """``"127.0.0.1:50051"`` -> ("127.0.0.1", 50051); IPv6 as ``[::1]:50051``."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise InputError(f"listen address '{address}' must be HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return host.strip("[]"), int(port)


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost could resolve anywhere


def check(config: ServerConfig) -> ServerConfig:
    """Raise InputError, with what to change, if the daemon must not start so."""
    split_address(config.listen)
    if not config.is_loopback:
        if not config.token:
            raise InputError(
                f"refusing to listen on {config.listen} without a token: set VIDEOMAMA_TOKEN "
                "or `token` in the config file, or listen on 127.0.0.1"
            )
        if not config.output_roots:
            raise InputError(
                f"refusing to listen on {config.listen} without output roots: set `output_roots` "
                "in the config file so remote jobs can only write there"
            )
    if bool(config.tls_cert) != bool(config.tls_key):
        raise InputError("TLS needs both tls_cert and tls_key (PEM files)")
    for path in (config.tls_cert, config.tls_key):
        if path and not os.path.isfile(path):
            raise InputError(f"TLS file '{path}' does not exist")
    for root in config.output_roots:
        if not os.path.isabs(root):
            raise InputError(f"output root '{root}' must be an absolute path")
    for name in _POSITIVE_INTS:
        if getattr(config, name) < 1:
            raise InputError(f"{name} must be at least 1, got {getattr(config, name)}")
    if config.job_history < 0:
        raise InputError(f"job_history must be 0 or more, got {config.job_history}")
    if config.exit_after_idle_s < 0:
        raise InputError(f"exit_after_idle_s must be 0 (never) or more, got {config.exit_after_idle_s}")
    if config.chunk_bytes > config.max_message_bytes // 2:
        raise InputError("chunk_bytes must be at most half of max_message_bytes")
    return config


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def _coerce(name: str, value: Any) -> Any:
    """Type a raw value (env string or TOML value) like the field's default."""
    if name == "output_roots":
        if isinstance(value, str):
            value = [part for part in value.split(os.pathsep) if part]
        return tuple(os.path.expanduser(str(root)) for root in value)
    if name in _INTS:
        return int(value)
    if name in _FLOATS:
        return float(value)
    if name == "listen":
        return str(value)
    return str(value) or None  # optional strings: empty means unset


def _overrides(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    known = {f.name for f in fields(ServerConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"{source}: unknown setting {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    try:
        return {name: _coerce(name, value) for name, value in values.items()}
    except (TypeError, ValueError) as error:
        raise InputError(f"{source}: {error}") from None


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """``VIDEOMAMA_LISTEN``, ``VIDEOMAMA_TOKEN``, ``VIDEOMAMA_OUTPUT_ROOTS`` (os.pathsep-separated) ..."""
    known = {f.name for f in fields(ServerConfig)}
    values = {
        key[len(ENV_PREFIX):].lower(): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):].lower() in known
    }
    return _overrides(values, "environment")


def from_toml(path: str) -> dict[str, Any]:
    """Settings from a TOML file: top-level keys, or a ``[server]`` table."""
    if tomllib is None:
        raise InputError("reading a config file needs Python 3.11 or later (tomllib)")
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except FileNotFoundError:
        raise InputError(f"config file '{path}' does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"config file '{path}' is not valid TOML: {error}") from None
    return _overrides(data.get("server", data), f"config file '{path}'")


def load(
    config_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    **flags: Any,
) -> ServerConfig:
    """Defaults -> environment -> config file -> flags (``None`` flags are ignored), checked."""
    config = ServerConfig()
    config = replace(config, **from_environment(os.environ if environ is None else environ))
    if config_file:
        config = replace(config, **from_toml(config_file))
    config = replace(config, **{name: value for name, value in flags.items() if value is not None})
    return check(config)
