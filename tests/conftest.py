"""Shared test set-up. Qt must render off screen; this runs before any test module imports Qt."""

import atexit
import json
import os
import shutil
import tempfile

import pytest

# The CUDA tests (tests/cuda, `-k cuda`) run on Numba's CUDA simulator unless NUMBA_ENABLE_CUDASIM=0 asks
# for a real GPU (benchmarks/cuda_check.sh). It must be set before numba is first imported; the CPU
# kernels do not read it, so both run in one session.
os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

# Tests never touch the user's profile: HOME and the XDG folders (where QStandardPaths, QSettings,
# platformdirs and the desktop integration look) point into a throw-away folder for the whole run,
# subprocesses included (tests/test_profile_isolation.py checks the real profile stays untouched).
TEST_HOME = tempfile.mkdtemp(prefix="neuroedit-test-home-")
atexit.register(shutil.rmtree, TEST_HOME, ignore_errors=True)
os.environ["HOME"] = TEST_HOME
for _var, _sub in (
    ("XDG_DATA_HOME", ".local/share"),
    ("XDG_CONFIG_HOME", ".config"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_STATE_HOME", ".local/state"),
):
    os.environ[_var] = os.path.join(TEST_HOME, _sub)
os.environ.pop("NEUROEDIT_DATA_DIR", None)

# Qt renders off screen, on a desktop-sized screen (the offscreen platform's default is 800 px wide,
# where the window's docks leave the canvas too little room to draw what the GUI tests look at).
_SCREEN = os.path.join(TEST_HOME, "offscreen-screen.json")
with open(_SCREEN, "w", encoding="utf-8") as _f:
    json.dump(
        {
            "screens": [
                {
                    "name": "test",
                    "x": 0,
                    "y": 0,
                    "width": 1600,
                    "height": 1000,
                    "logicalDpi": 96,
                    "logicalBaseDpi": 96,
                    "dpr": 1,
                }
            ]
        },
        _f,
    )
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")


def pytest_collection_modifyitems(items):
    """Everything under tests/gui needs Qt: mark it `gui`, so `-m "not gui"` runs the rest."""
    for item in items:
        if item.nodeid.startswith("tests/gui/") or "/tests/gui/" in str(item.path):
            item.add_marker(pytest.mark.gui)


def pytest_configure(config):
    """With several xdist workers and a cold kernel cache, compile the Numba kernels once, before the
    workers start: otherwise every worker compiles the same kernels at the same time. One process per
    part, side by side (each part's entry point has its own cache index, which two processes must not
    both rewrite); the workers then load the kernels from the on-disk cache."""
    import subprocess
    import sys

    workers = getattr(config.option, "numprocesses", None)
    if hasattr(config, "workerinput") or not workers:
        return
    from neuroedit.engine.numba_backend import PARTS, kernels_cached

    if all(kernels_cached(part) for part in PARTS):
        return
    code = (
        "import sys; from neuroedit.engine.numba_backend import ensure_kernels\n"
        "for dtype in ('float64', 'float32'): ensure_kernels(dtype, sys.argv[1])"
    )
    jobs = [subprocess.Popen([sys.executable, "-c", code, part]) for part in PARTS]
    for job in jobs:
        job.wait()


def _waiting_block_manager() -> None:
    """numba-cuda's simulator runs a block's threads while the launching thread polls them in a busy
    loop; holding the GIL, it leaves each simulated thread waiting for CPython's 5 ms switch. The same
    loop, waiting on a thread instead of spinning, runs the CUDA tests several times faster with the
    same interleaving of the simulated threads (they only ever switch among themselves as before)."""
    import numpy as np
    from numba.cuda.simulator import kernel

    manager = kernel.BlockManager
    if getattr(manager.run, "waits", False):
        return

    def run(self, grid_point, *args):
        threads = []
        for block_point in np.ndindex(*self._block_dim):

            def target():
                self._f(*args)

            t = kernel.BlockThread(target, self, grid_point, block_point, self._debug)
            t.start()
            threads.append(t)
        live, blocked = set(threads), set()
        while live:
            for t in live:
                if t.syncthreads_blocked:
                    blocked.add(t)
                elif t.exception:
                    for other in threads:  # abort the block, as numba-cuda does
                        other.abort = True
                        other.syncthreads_blocked = False
                        other.syncthreads_event.set()
                    raise t.exception[0].with_traceback(t.exception[1])
            if live == blocked:  # every thread is at syncthreads: release them all
                for t in blocked:
                    t.syncthreads_blocked = False
                    t.syncthreads_event.set()
                blocked = set()
            live = {t for t in live if t.is_alive()}
            running = live - blocked
            if running:
                next(iter(running)).join(2e-4)
        for t in threads:
            if t.exception:
                raise t.exception[0].with_traceback(t.exception[1])

    run.waits = True  # type: ignore[attr-defined]
    manager.run = run


@pytest.fixture(autouse=True)
def _fast_cuda_simulator(request):
    if "cuda" in request.node.nodeid and os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        _waiting_block_manager()
    yield
