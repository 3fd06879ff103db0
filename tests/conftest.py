"""Shared test set-up. Qt must render off screen; this runs before any test module imports Qt."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
for _var, _sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                   ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
    os.environ[_var] = os.path.join(TEST_HOME, _sub)
os.environ.pop("NEUROEDIT_DATA_DIR", None)


def pytest_collection_modifyitems(items):
    """Everything under tests/gui needs Qt: mark it `gui`, so `-m "not gui"` runs the rest."""
    import pytest

    for item in items:
        if item.nodeid.startswith("tests/gui/") or "/tests/gui/" in str(item.path):
            item.add_marker(pytest.mark.gui)
