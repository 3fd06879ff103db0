"""Choosing the device: cpu | cuda | auto, the GPU's description or why there is none, never a silent fall-back."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from neuroedit.engine import EngineError, devices, make_backend
from neuroedit.engine.devices import CudaStatus, cuda_status, resolve_device


@pytest.fixture(autouse=True)
def fresh_probe():
    cuda_status.cache_clear()
    yield
    cuda_status.cache_clear()


def test_cpu_is_always_available_and_unknown_devices_are_named():
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(EngineError, match="unknown device 'tpu'; choose one of cpu, cuda, auto"):
        resolve_device("tpu")


def test_cuda_runs_when_asked_but_auto_picks_only_a_real_gpu():
    status = cuda_status()  # the simulator here; a GPU under benchmarks/cuda_check.sh
    if not status.usable:
        pytest.skip(status.reason)
    assert resolve_device("cuda") == "cuda"
    if status.simulator:
        assert "simulator" in status.describe()
        assert resolve_device("auto") == "cpu"
    else:
        assert status.memory_bytes > 0 and status.name in status.describe()
        assert resolve_device("auto") == "cuda"


def test_missing_numba_cuda_is_a_clear_error_not_a_fallback(monkeypatch):
    monkeypatch.setattr(devices, "_installed", lambda module: module != "numba_cuda")
    status = cuda_status()
    assert not status.usable
    assert status.describe() == "CUDA unavailable: numba-cuda is not installed (pip install 'neuroedit[cuda]')"
    assert resolve_device("auto") == "cpu"
    with pytest.raises(EngineError, match="CUDA was asked for but is unavailable: numba-cuda is not installed"):
        resolve_device("cuda")
    with pytest.raises(EngineError, match="numba-cuda is not installed"):
        make_backend("cuda", None)


def test_a_failing_driver_probe_becomes_a_reason(monkeypatch):
    pytest.importorskip("numba_cuda")
    from numba import config, cuda

    def broken():
        raise RuntimeError("driver exploded\nsecond line")

    monkeypatch.setattr(config, "ENABLE_CUDASIM", False)
    monkeypatch.setattr(cuda, "is_available", broken, raising=False)
    status = cuda_status()
    assert not status.usable and status.reason == "driver exploded second line"


def test_a_gpu_is_described_by_name_and_memory():
    assert CudaStatus(True, "NVIDIA H200", 141 * 2**30).describe() == "NVIDIA H200, 141.0 GiB"


def test_the_real_probe_answers_without_crashing():
    """Outside the simulator: this machine's driver and GPU, or the reason there is none."""
    code = (
        "import json; from neuroedit.engine.devices import cuda_status, resolve_device; s = cuda_status();"
        "print(json.dumps([s.usable, s.name, s.memory_bytes, s.reason, resolve_device('auto')]))"
    )
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    usable, name, memory, reason, auto = json.loads(out.stdout.strip().splitlines()[-1])
    if usable:
        assert name and memory > 0 and auto == "cuda"
    else:
        assert reason and "\n" not in reason and auto == "cpu"
