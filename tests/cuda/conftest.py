"""The CUDA tests run where numba.cuda can launch kernels: a GPU, or the simulator tests/conftest.py selects.

Elsewhere (numba-cuda missing) they are skipped with the reason. The simulator
runs every GPU thread as a Python thread: sizes stay <= 32.
"""

import sys
from pathlib import Path

import pytest

from neuroedit.engine.devices import cuda_status

sys.path.insert(0, str(Path(__file__).parent.parent / "engine"))  # the shared graph cases


def pytest_collection_modifyitems(config, items):
    status = cuda_status()
    if status.usable:
        return
    skip = pytest.mark.skip(reason=f"CUDA tests need a GPU or the simulator: {status.reason}")
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents and "devices" not in Path(item.path).name:
            item.add_marker(skip)
