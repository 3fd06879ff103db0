import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Backends checked against the reference; a CUDA backend joins this list (NUMBA_ENABLE_CUDASIM=1 in CI).
FAST_BACKENDS = ["numba"]


@pytest.fixture(params=FAST_BACKENDS)
def fast_backend(request) -> str:
    return request.param


@pytest.fixture(params=["reference", *FAST_BACKENDS])
def backend(request) -> str:
    return request.param
