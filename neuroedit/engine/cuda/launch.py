"""Launch geometry shared by the kernels, sized for a real GPU or, under the simulator, for speed.

The simulator runs every GPU thread as a Python thread (about 0.2 ms each), so there
blocks hold exactly the threads needed and matrix tiles are small; the kernels are the same.
"""

from __future__ import annotations

from numba import config

SIMULATOR = bool(config.ENABLE_CUDASIM)  # type: ignore[attr-defined]
# Small grids are the point of many small layers (launches are queued without waiting): no warning per launch.
config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # type: ignore[attr-defined]
# The matrix product: BLOCK x BLOCK threads, each computing PER_THREAD x PER_THREAD outputs from
# registers, so a block covers a TILE x TILE piece of C and reads A and B in K_TILE-deep slices.
BLOCK = 2 if SIMULATOR else 16
PER_THREAD = 2 if SIMULATOR else 4
TILE = BLOCK * PER_THREAD
K_TILE = 4 if SIMULATOR else 16
# Threads per block for element-wise and per-row kernels, and for one-block reductions.
THREADS = 32 if SIMULATOR else 256
REDUCE_THREADS = 4 if SIMULATOR else 256
# A warp: block sizes are rounded up to it on a GPU (partial warps waste the same lanes anyway).
_WARP = 1 if SIMULATOR else 32


def grid(n: int) -> tuple[int, int]:
    """(blocks, threads) covering n independent items with one thread each."""
    n = max(int(n), 1)
    threads = min(THREADS, -(-n // _WARP) * _WARP)
    return -(-n // threads), threads


def tiles(m: int, n: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(blocks, threads) for an m x n matrix product: a TILE x TILE piece of it per block."""
    return (-(-max(n, 1) // TILE), -(-max(m, 1) // TILE)), (BLOCK, BLOCK)
