"""What this daemon can do: version, devices, backends, trackers and limits (GetInfo).

Devices are found without importing torch (which takes seconds and may not be
installed): GPUs from ``nvidia-smi`` when it is on PATH, plus the CPU.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass

from .. import __version__
from ..backends import registry
from ..config import ServerConfig
from ..tracking import registry as trackers
from .lanes import CPU, GPU, GPU_WORKERS, device_for
from .model_cache import LoadedModel

_NVIDIA_SMI_TIMEOUT_S = 5.0
MIB = 1024 * 1024


@dataclass(frozen=True)
class Device:
    kind: str  # "gpu" or "cpu"
    name: str
    memory_total_bytes: int
    memory_free_bytes: int  # 0 when unknown


@dataclass(frozen=True)
class BackendSummary:
    name: str
    display_name: str
    available: bool
    reason: str  # why not, e.g. weights not installed
    device: str
    options: tuple[tuple[str, str, str], ...]  # (name, default, help)


@dataclass(frozen=True)
class TrackerSummary:
    name: str
    display_name: str
    available: bool
    reason: str  # why not, e.g. SAM2's weights not installed
    chosen_by_auto: bool
    takes_points_and_boxes: bool
    needs_mask_keyframe: bool


@dataclass(frozen=True)
class Limits:
    max_frame_pixels: int
    max_message_bytes: int
    chunk_bytes: int
    cpu_workers: int
    gpu_workers: int
    token_required: bool
    output_roots: tuple[str, ...]


@dataclass(frozen=True)
class Capabilities:
    server_version: str
    devices: tuple[Device, ...]
    backends: tuple[BackendSummary, ...]
    # Hosts ask before rendering their inputs whether their prompts can be
    # tracked (clicks need a tracker that takes points).
    trackers: tuple[TrackerSummary, ...]
    limits: Limits
    loaded_models: tuple[LoadedModel, ...] = ()  # what the daemon holds in memory now


def _gpus() -> list[Device]:
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return []
    try:
        output = subprocess.run(
            [executable, "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=_NVIDIA_SMI_TIMEOUT_S, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []  # a broken driver means no usable GPU, not a broken GetInfo
    devices = []
    for line in output.strip().splitlines():
        name, total, free = (part.strip() for part in line.rsplit(",", 2))
        devices.append(Device(GPU, name, int(float(total) * MIB), int(float(free) * MIB)))
    return devices


def _cpu() -> Device:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        free = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX
        total = free = 0
    name = f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"
    return Device(CPU, name, total, free)


def _backends() -> list[BackendSummary]:
    rows = []
    for row in registry.report():
        options = tuple((name, str(spec["default"]), spec["help"]) for name, spec in row["options"].items())
        rows.append(
            BackendSummary(
                row["name"], row["display_name"], row["available"], row["reason"],
                device_for(row["name"]), options,
            )
        )
    return rows


def describe(config: ServerConfig, loaded_models: tuple[LoadedModel, ...] = ()) -> Capabilities:
    return Capabilities(
        loaded_models=tuple(loaded_models),
        server_version=__version__,
        devices=tuple(_gpus() + [_cpu()]),
        backends=tuple(_backends()),
        trackers=tuple(TrackerSummary(**row) for row in trackers.report()),
        limits=Limits(
            max_frame_pixels=config.max_frame_pixels,
            max_message_bytes=config.max_message_bytes,
            chunk_bytes=config.chunk_bytes,
            cpu_workers=config.cpu_workers,
            gpu_workers=GPU_WORKERS,
            token_required=bool(config.token),
            output_roots=tuple(config.output_roots),
        ),
    )
