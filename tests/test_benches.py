"""The benchmarks still run, at a small size on the CPU, so they never rot (their numbers are not checked)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run_bench(script: str, *args: str, tmp_path: Path) -> str:
    completed = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=600,
        env={**os.environ, "VIDEOMAMA_BENCH_DIR": str(tmp_path)},
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_engine_io_compares_in_line_and_overlapped_io(tmp_path):
    out = run_bench("engine_io.py", "--size", "160x96", "--frames", "12", "--window", "4", "--overlap", "1",
                    "--model-s", "0.01", tmp_path=tmp_path)
    assert "engine, I/O overlapped" in out and out.strip().splitlines()[-1].endswith("x")


def test_videomama_gpu_bench_runs_tiny_on_the_cpu(tmp_path):
    pytest.importorskip("diffusers")
    out = run_bench("videomama_gpu.py", "--device", "cpu", "--tiny", "--frames", "16,20", tmp_path=tmp_path)
    assert "backend speed-up at 20 frames" in out


def test_sam2_bench_runs_tiny_on_the_cpu(tmp_path):
    pytest.importorskip("sam2")
    out = run_bench("sam2_gpu.py", "--device", "cpu", "--tiny", tmp_path=tmp_path)
    assert "SAM2.1 hiera tiny on cpu, 160x90, 4 frames" in out
