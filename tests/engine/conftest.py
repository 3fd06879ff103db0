import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Backends checked against the reference. "cuda" runs on the simulator (NUMBA_ENABLE_CUDASIM=1, tests/conftest.py)
# or a GPU; `-k cuda` selects its cases, and it is skipped with the reason where numba.cuda cannot launch.
FAST_BACKENDS = ["numba", "cuda"]


def _usable(kind: str) -> str:
    if kind == "cuda":
        from neuroedit.engine.devices import cuda_status

        status = cuda_status()
        if not status.usable:
            pytest.skip(f"CUDA backend: {status.reason}")
    return kind


@pytest.fixture(params=FAST_BACKENDS)
def fast_backend(request) -> str:
    return _usable(request.param)


@pytest.fixture(params=["reference", *FAST_BACKENDS])
def backend(request) -> str:
    return _usable(request.param)
