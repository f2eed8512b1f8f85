"""Which device and precision the model runs on.

``cuda_probably_present`` answers without importing torch (1-2 s and a CUDA
context), because ``availability()`` runs for every ``videomama info`` and
every ``auto`` job.  It reads the installed torch's build metadata and looks
for the NVIDIA driver; the real check happens when a job creates the backend.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import InputError, NotAvailableError

if TYPE_CHECKING:
    import torch

DTYPES = ("auto", "fp16", "bf16", "fp32")
_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def diffusers_installed() -> bool:
    return importlib.util.find_spec("diffusers") is not None


def _torch_built_with_cuda() -> bool:
    """Read ``torch/version.py`` as text: ``cuda = None`` on CPU-only builds."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    version_file = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        text = version_file.read_text(encoding="utf-8")
    except OSError:
        return False
    match = re.search(r"^cuda\s*(?::[^=]*)?=\s*(.+)$", text, re.MULTILINE)
    return bool(match) and match.group(1).strip() != "None"


def _driver_present() -> bool:
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return False  # every GPU hidden on purpose (a CPU-only farm slot)
    if sys.platform.startswith("linux"):
        return Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidia0").exists()
    if sys.platform == "win32":
        system_root = os.environ.get("SystemRoot", r"C:\Windows")
        return Path(system_root, "System32", "nvcuda.dll").exists()
    return False  # macOS has no CUDA


def cuda_probably_present() -> bool:
    """Whether torch can most likely use a CUDA GPU here, without importing torch."""
    if "torch" in sys.modules:  # already paid for: ask torch itself
        return sys.modules["torch"].cuda.is_available()
    return _torch_built_with_cuda() and _driver_present()


def check_device_name(name: str) -> str:
    if not _DEVICE_PATTERN.match(name):
        raise InputError(f"device '{name}' is not one of auto, cpu, cuda, cuda:N")
    return name


def check_dtype_name(name: str) -> str:
    if name not in DTYPES:
        raise InputError(f"dtype '{name}' is not one of {', '.join(DTYPES)}")
    return name


def resolve_device(name: str) -> torch.device:
    """``auto`` is the current CUDA device when there is one, else the CPU."""
    import torch

    check_device_name(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise NotAvailableError(
                f"device {name} was asked for but torch sees no CUDA GPU here; "
                "use --option device=cpu (very slow) or run on a GPU machine"
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise NotAvailableError(f"device {name} does not exist: {torch.cuda.device_count()} CUDA GPU(s) here")
    return device


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """``auto`` is fp16 on CUDA, as the reference runs, and fp32 on the CPU."""
    import torch

    check_dtype_name(name)
    if name == "auto":
        return torch.float16 if device.type == "cuda" else torch.float32
    if name == "fp16" and device.type == "cpu":
        # Several CPU kernels (GroupNorm, conv) are missing or very slow in fp16.
        raise InputError("dtype fp16 needs a CUDA device; use fp32 or bf16 on the CPU")
    if name == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise InputError(f"this GPU ({torch.cuda.get_device_name(device)}) has no bf16; use fp16")
    return {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[name]
