"""Which device trains: resolve `cpu | cuda | auto`, and say what GPU there is or why there is none.

Nothing here raises while *looking*: `cuda_status()` turns every failure (no Numba, no
numba-cuda, no driver, no GPU) into a reason. Asking for `cuda` when it cannot be used
is an EngineError naming the reason, never a silent fall-back to the CPU; `auto` takes
a real GPU when there is one and the CPU otherwise (the simulator is never chosen by `auto`).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache

from .backend import EngineError

DEVICES = ("cpu", "cuda", "auto")
INSTALL_HINT = "pip install 'neuroedit[cuda]'"


@dataclass(frozen=True)
class CudaStatus:
    """What CUDA offers here: `usable` with the GPU's name and memory, or the reason it is not."""

    usable: bool
    name: str = ""
    memory_bytes: int = 0
    simulator: bool = False
    reason: str = ""

    def describe(self) -> str:
        """One line for the CLI and the Training panel."""
        if not self.usable:
            return f"CUDA unavailable: {self.reason}"
        if self.simulator:
            return f"{self.name} (slow; for tests only)"
        return f"{self.name}, {self.memory_bytes / 2**30:.1f} GiB"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


@lru_cache(maxsize=1)
def cuda_status() -> CudaStatus:
    """Probe once per process (initialising the driver is slow); never raises."""
    try:
        if not _installed("numba"):
            return CudaStatus(False, reason="Numba is not installed")
        if not _installed("numba_cuda"):
            return CudaStatus(False, reason=f"numba-cuda is not installed ({INSTALL_HINT})")
        from numba import config

        if config.ENABLE_CUDASIM:  # type: ignore[attr-defined]
            return CudaStatus(True, "CUDA simulator (NUMBA_ENABLE_CUDASIM=1)", simulator=True)
        from numba import cuda

        if not cuda.is_available():
            error = cuda.cuda_error()
            reason = _one_line(error) if error else "no CUDA GPU found"
            return CudaStatus(False, reason=f"no usable NVIDIA driver or GPU ({reason})")
        device = cuda.get_current_device()
        name = device.name.decode() if isinstance(device.name, bytes) else str(device.name)
        _free, total = cuda.current_context().get_memory_info()
        return CudaStatus(True, name, int(total))
    except Exception as error:
        return CudaStatus(False, reason=_one_line(error))


def require_cuda() -> CudaStatus:
    """The CUDA status if it can train; otherwise an EngineError saying why."""
    status = cuda_status()
    if not status.usable:
        raise EngineError(f"CUDA was asked for but is unavailable: {status.reason}")
    return status


def resolve_device(request: str) -> str:
    """`cpu` or `cuda` for a request of cpu, cuda or auto (an unusable cuda is an EngineError)."""
    request = str(request).strip().lower()
    if request == "cpu":
        return "cpu"
    if request == "cuda":
        require_cuda()
        return "cuda"
    if request == "auto":
        status = cuda_status()
        return "cuda" if status.usable and not status.simulator else "cpu"
    raise EngineError(f"unknown device {request!r}; choose one of {', '.join(DEVICES)}")
