"""Shared test set-up. Qt must render off screen; this runs before any test module imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The CUDA tests (tests/cuda, `-k cuda`) run on Numba's CUDA simulator unless NUMBA_ENABLE_CUDASIM=0 asks
# for a real GPU (benchmarks/cuda_check.sh). It must be set before numba is first imported; the CPU
# kernels do not read it, so both run in one session.
os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")
